"""Ticket playbooks over HTTP on `faka local`: a replacement in seconds, a repeat claimant held for a person."""

from __future__ import annotations

import secrets
import time
from typing import Any

import pytest

from tests.e2e.conftest import ADMIN_TOKEN, LocalFaka
from tests.e2e.test_local_runtime import eventually, place_order

pytestmark = pytest.mark.e2e

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def bought(local_faka: LocalFaka, email: str) -> dict[str, Any]:
    order = place_order(local_faka, email)
    assert local_faka.post(f"/_local/pay/{order['order_id']}").status_code == 200
    eventually(lambda: codes(local_faka, order), "delivery")
    return order


def codes(local_faka: LocalFaka, order: dict[str, Any]) -> list[str]:
    view = local_faka.get(
        f"/v1/orders/{order['order_id']}", headers={"Authorization": f"Bearer {order['access_token']}"}
    )
    return [key["code"] for key in view.json()["keys"]]


def claim(local_faka: LocalFaka, order: dict[str, Any], ip: str) -> dict[str, Any]:
    body = {"order_id": order["order_id"], "access_token": order["access_token"], "message": "my key is invalid"}
    response = local_faka.post("/v1/tickets", json=body, headers={"X-Forwarded-For": ip})
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_an_invalid_key_is_replaced_in_seconds_and_a_repeat_claimant_waits_in_the_queue(
    local_faka: LocalFaka,
) -> None:
    email = f"claimant-{secrets.token_hex(4)}@example.com"
    ip = f"198.51.100.{secrets.randbelow(250) + 1}"
    orders = [bought(local_faka, email) for _ in range(3)]
    delivered = codes(local_faka, orders[0])

    started = time.monotonic()
    first = claim(local_faka, orders[0], ip)
    seconds = time.monotonic() - started

    assert (first["intent"], first["outcome"], first["status"]) == ("invalid_key", "replaced", "resolved")
    replacement = codes(local_faka, orders[0])
    assert replacement != delivered
    assert replacement[0] not in first["reply"]
    assert any(replacement[0] in message["text"] for message in local_faka.get("/_local/outbox").json()["messages"])
    print(f"\ninvalid key -> replacement: {seconds:.2f} s over HTTP")

    assert claim(local_faka, orders[1], ip)["outcome"] == "replaced"
    third_codes = codes(local_faka, orders[2])
    held = claim(local_faka, orders[2], ip)

    assert (held["outcome"], held["status"]) == ("held_for_review", "waiting_for_agent")
    assert codes(local_faka, orders[2]) == third_codes
    assert "in line" in held["reply"]
    queue = local_faka.get("/v1/admin/tickets/queue", headers=ADMIN).json()["tickets"]
    [queued] = [t for t in queue if t["ticket_id"] == held["ticket_id"]]
    assert queued["position"] >= 1
    assert "repeat_claims_by_email" in queued["risk_signals"]


def test_an_invalid_key_named_by_email_alone_is_replaced_only_from_the_orders_mailbox(local_faka: LocalFaka) -> None:
    email = f"mailbox-{secrets.token_hex(4)}@example.com"
    order = bought(local_faka, email)
    delivered = codes(local_faka, order)
    body = {"order_id": order["order_id"], "email": email, "message": "my key is invalid"}

    opened = local_faka.post("/v1/tickets", json=body).json()

    assert (opened["outcome"], opened["status"]) == ("confirmation_sent", "awaiting_buyer")
    assert codes(local_faka, order) == delivered
    confirmation = eventually(
        lambda: next(
            (
                m
                for m in local_faka.get("/_local/outbox").json()["messages"]
                if m["to"] == email and "/confirm?" in m["text"]
            ),
            None,
        ),
        "the confirmation email",
    )
    [link] = [word for word in confirmation["text"].split() if "/confirm?" in word]
    path_and_query = link[link.index("/v1/tickets/") :]
    assert local_faka.get(path_and_query).status_code == 200
    assert codes(local_faka, order) == delivered, "opening the link changed something"

    confirmed = local_faka.post(path_and_query)

    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["outcome"] == "replaced"
    assert codes(local_faka, order) != delivered
