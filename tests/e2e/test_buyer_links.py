"""Links in buyer emails on `faka local`: a mail scanner opening every one changes nothing; the buyer's POST
acts once. Reminders come at 3/6/9 s (see conftest)."""

from __future__ import annotations

import hashlib
import html
import re
import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest

from faka import resources
from tests.e2e.conftest import ADMIN_TOKEN, LocalFaka
from tests.e2e.test_local_runtime import eventually

pytestmark = pytest.mark.e2e

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
LINK = re.compile(r"https?://[^\s\"'<>]+")


def mail_to(local_faka: LocalFaka, email: str) -> list[dict[str, Any]]:
    return [m for m in local_faka.get("/_local/outbox").json()["messages"] if m["to"] == email]


def links_in(messages: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []
    for message in messages:
        for part in (message.get("text") or "", html.unescape(message.get("html") or "")):
            found += [link for link in LINK.findall(part) if link not in found]
    return found


def state(local_faka: LocalFaka, order_id: str, email: str) -> dict[str, Any]:
    """What a followed link could change, read from the emulator's tables."""
    dynamodb = local_faka.aws("dynamodb")
    order_items = dynamodb.query(
        TableName=resources.ORDERS_TABLE,
        KeyConditionExpression="order_id = :o",
        ExpressionAttributeValues={":o": {"S": order_id}},
    )["Items"]
    tickets = dynamodb.scan(
        TableName=resources.TICKETS_TABLE,
        FilterExpression="order_id = :o",
        ExpressionAttributeValues={":o": {"S": order_id}},
    )["Items"]
    buyer = "BUYER#" + hashlib.sha256(email.encode()).hexdigest()
    votes = dynamodb.query(
        TableName=resources.OUTREACH_TABLE,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "TEMPLATE#main"}},
    )["Items"]
    return {
        "activation": sorted(
            (item["sk"]["S"], item.get("activation_status"), item.get("pending_activation")) for item in order_items
        ),
        "tickets": sorted((t["ticket_id"]["S"], t.get("intent", {}).get("S"), t.get("csat_score")) for t in tickets),
        "opted_out": "Item" in dynamodb.get_item(TableName=resources.OUTREACH_TABLE, Key=_key(buyer, "opt_out")),
        "votes": sorted(str(v) for v in votes),
    }


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def test_a_scanner_opening_every_link_changes_nothing_and_each_post_acts_once(local_faka: LocalFaka) -> None:
    email = f"scanned-{uuid.uuid4().hex[:8]}@example.com"
    draft = {"sku": "steam-20-us", "quantity": 2, "email": email, "locale": "en"}
    order = local_faka.post("/v1/orders", json=draft).json()
    order_id, buyer = order["order_id"], {"Authorization": f"Bearer {order['access_token']}"}
    assert local_faka.post(f"/_local/pay/{order_id}").status_code == 200
    eventually(lambda: len(mail_to(local_faka, email)) >= 4, "the delivery email and three reminders", timeout=40)
    refund = local_faka.post(
        f"/v1/orders/{order_id}/refund", json={"reason": "bought two", "lines": [2]}, headers=buyer
    )
    assert refund.status_code == 202, refund.text
    eventually(lambda: len(mail_to(local_faka, email)) >= 5, "the refund email", timeout=30)
    ticket = local_faka.post(
        "/v1/tickets", json={**buyer_credentials(order), "message": "I want to talk to a human"}
    ).json()["ticket_id"]
    for step, body in (("claim", {"agent": "alice"}), ("resolve", {"agent": "alice"})):
        assert local_faka.post(f"/v1/admin/tickets/{ticket}/{step}", json=body, headers=ADMIN).status_code == 200
    eventually(lambda: any("/csat?" in (m["text"] or "") for m in mail_to(local_faka, email)), "the CSAT email")
    # Faka's own links only: the redeem guides also link the platforms' sites, and tests stay off the internet.
    links = [link for link in links_in(mail_to(local_faka, email)) if link.startswith(local_faka.api_url)]
    kinds = {urlsplit(link).path.rsplit("/", 1)[-1] for link in links}
    assert {"worked", "failed", "helpful_yes", "helpful_no", "opt_out", "csat"} <= kinds
    before = state(local_faka, order_id, email)

    for link in links:
        page = local_faka.http.get(link, timeout=30)
        assert page.status_code < 500, link
        if "/v1/links/" in link:
            assert page.status_code == 200, link
            assert "default-src 'none'" in page.headers["Content-Security-Policy"]
            assert page.headers["Referrer-Policy"] == "no-referrer"
            assert "<script" not in page.text
            assert '<form method="post"' in page.text

    assert state(local_faka, order_id, email) == before

    for kind in ("failed", "worked", "helpful_yes", "opt_out"):
        link = next(link for link in links if urlsplit(link).path.endswith(f"/v1/links/{kind}"))
        first = local_faka.http.post(link, timeout=30)
        after_first = state(local_faka, order_id, email)
        second = local_faka.http.post(link, timeout=30)
        assert (first.status_code, second.status_code) == (200, 200), kind
        assert after_first != before, kind
        assert state(local_faka, order_id, email) == after_first, kind
        before = after_first
    assert [intent for _, intent, _ in before["tickets"]].count("invalid_key") == 1


def test_a_tampered_link_gets_a_page_saying_so(local_faka: LocalFaka) -> None:
    link = f"{local_faka.api_url}/v1/links/worked?o=someone-elses-order&exp=9999999999&sig=00"
    for answer in (local_faka.http.get(link, timeout=30), local_faka.http.post(link, timeout=30)):
        assert answer.status_code == 400
        assert answer.headers["Content-Type"].startswith("text/html")
        assert "invalid_link" in answer.text


def buyer_credentials(order: dict[str, Any]) -> dict[str, str]:
    return {"order_id": order["order_id"], "access_token": order["access_token"]}
