"""The help desk over HTTP on `faka local`, with compressed SLA clocks: queue → escalation → claim → reply →
resolve → CSAT."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.e2e.conftest import ADMIN_TOKEN, LocalFaka
from tests.e2e.test_local_runtime import eventually, place_order

pytestmark = pytest.mark.e2e

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def mail_to(local_faka: LocalFaka, email: str) -> list[dict[str, Any]]:
    return [m for m in local_faka.get("/_local/outbox").json()["messages"] if m["to"] == email]


def test_a_ticket_goes_through_the_human_queue_and_gets_rated(local_faka: LocalFaka) -> None:
    email = f"desk-{uuid.uuid4().hex[:8]}@example.com"
    order = place_order(local_faka, email)
    assert local_faka.post(f"/_local/pay/{order['order_id']}").status_code == 200
    opened = local_faka.post(
        "/v1/tickets",
        json={
            "order_id": order["order_id"],
            "access_token": order["access_token"],
            "message": "I want to talk to a human",
        },
    ).json()
    ticket_id = opened["ticket_id"]
    buyer = {"Authorization": f"Bearer {opened['ticket_token']}"}

    thread = local_faka.get(f"/v1/tickets/{ticket_id}", headers=buyer).json()
    assert thread["queue"]["position"] >= 1
    assert thread["queue"]["eta_minutes"] >= 1
    queued = local_faka.get("/v1/admin/tickets/queue", headers=ADMIN).json()["tickets"]
    mine = next(t for t in queued if t["ticket_id"] == ticket_id)
    assert (mine["position"], mine["intent"]) == (thread["queue"]["position"], "talk_to_human")
    assert mine["first_response_due"] < mine["escalation_due"]

    def escalation_alert() -> dict[str, Any] | None:
        alerts = local_faka.get("/_local/operator-alerts").json()["alerts"]
        return next((a for a in alerts if ticket_id in a["message"]), None)

    alert = eventually(escalation_alert, "the escalation alert", timeout=30)
    assert alert["shop_id"] == "main"
    case = local_faka.get(f"/v1/admin/tickets/{ticket_id}", headers=ADMIN).json()
    assert case["escalated_at"] is not None
    assert case["priority"] == case["severity"] + 1

    claimed = local_faka.post(f"/v1/admin/tickets/{ticket_id}/claim", json={"agent": "alice"}, headers=ADMIN)
    rival = local_faka.post(f"/v1/admin/tickets/{ticket_id}/claim", json={"agent": "bob"}, headers=ADMIN)
    assert claimed.status_code == 200, claimed.text
    assert (rival.status_code, rival.json()["code"]) == (409, "already_claimed")

    reply = local_faka.post(
        f"/v1/admin/tickets/{ticket_id}/reply", json={"agent": "alice", "canned": "looking_into_it"}, headers=ADMIN
    )
    assert reply.status_code == 200, reply.text
    answer = eventually(
        lambda: next((m for m in mail_to(local_faka, email) if f"[#T-{ticket_id}]" in m["subject"]), None),
        "the operator's answer by email",
    )
    assert "looking into your case" in answer["text"]

    resolved = local_faka.post(f"/v1/admin/tickets/{ticket_id}/resolve", json={"agent": "alice"}, headers=ADMIN)
    assert resolved.json()["status"] == "resolved"
    csat = eventually(
        lambda: next((m for m in mail_to(local_faka, email) if "/csat?" in (m["text"] or "")), None),
        "the CSAT request",
    )
    five = re.search(r"^5: (http://\S+)$", csat["text"], re.MULTILINE)
    assert five, csat["text"]
    assert local_faka.http.get(five.group(1), timeout=30).status_code == 200
    rated = local_faka.http.post(five.group(1), json={"score": 5, "comment": "quick and kind"}, timeout=30)
    again = local_faka.http.post(five.group(1), json={"score": 1}, timeout=30)
    assert rated.status_code == 200, rated.text
    assert (again.status_code, again.json()["code"]) == (409, "already_rated")

    report = local_faka.get("/v1/admin/reports/tickets", headers=ADMIN).json()
    assert report["intents"]["talk_to_human"]["csat"]["count"] >= 1
    assert report["overall"]["handed_off"] >= 1
