"""Links in buyer emails: a mail scanner that opens every one changes nothing; the buyer's POST acts once."""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest

from faka import resources
from faka.activation.outreach import buyer_key
from faka.activation.reminders import template_key
from faka.adapters.counters import Counters
from faka.adapters.tables.orders import OrderItem, OrderLineItem
from faka.adapters.tables.tickets import TicketItem
from faka.config import Env, get_settings
from faka.wiring import services
from tests.integration.conftest import ADMIN, Response
from tests.integration.helpers import sent_mail
from tests.integration.refund_helpers import RefundStack, refund_stack_fixture  # noqa: F401 - fixture

LINK = re.compile(r"https?://[^\s\"'<>]+")


def links_in_buyer_mail(email: str) -> list[str]:
    """Every link of every email sent to the buyer, as the buyer's mail client (or scanner) sees it."""
    found: list[str] = []
    for mail in sent_mail():
        if mail.destinations["ToAddresses"] == [email]:
            found += [link for link in LINK.findall(html.unescape(mail.body)) if link not in found]
    # Faka's own links; the redeem guides also link the platforms' sites.
    base = get_settings().public_base_url
    return [link for link in found if link.startswith(base)]


def state(order_id: str, email: str, published: list[str]) -> dict[str, Any]:
    """Everything a followed link could change: activation, tickets and ratings, opt-out, votes, events."""
    counters = Counters()
    lines = OrderLineItem.query(order_id, OrderLineItem.sk.startswith("LINE#"))
    return {
        "lines": sorted((int(line.line_no), line.activation_status, str(line.activation_at)) for line in lines),
        "pending": int(OrderItem.get(order_id, OrderItem.SK).pending_activation),
        "tickets": sorted((t.ticket_id, t.status, t.source, t.csat_score) for t in TicketItem.scan()),
        "opted_out": counters.has_flag(buyer_key(email), "opt_out"),
        "votes": counters.all_under(template_key("main")),
        "events": list(published),
    }


def call(stack: RefundStack, method: str, url: str) -> Response:
    parts = urlsplit(url)
    return stack.api(method, parts.path, query=parts.query)


@pytest.fixture
def mailed_order(refund_stack: RefundStack, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """An order of two keys whose buyer got every kind of email: delivery, three reminders, a refund, a CSAT."""
    stack = refund_stack
    monkeypatch.setenv(Env.QUIET_HOURS, "off")
    get_settings.cache_clear()
    services.cache_clear()
    stack.open()
    stack.set_policy(limit=5000)
    order = stack.buy(quantity=2, email="scanned@example.com")
    stack.deliver_notices()
    sqs = boto3.client("sqs")
    for level in (1, 2, 3):
        reminder = {
            "detail-type": "ActivationReminder",
            "source": "faka.escalation",
            "detail": {"order_id": order["order_id"], "shop_id": "main", "level": level},
        }
        queue = stack.provisioned.queue_urls[resources.NOTIFIER_QUEUE.name]
        sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(reminder))
        stack.deliver_notices()
    refund = stack.ask(order, lines=[2])
    assert refund.status == 202, refund.body
    assert stack.wait(refund.body["refund_id"])["status"] == "SUCCEEDED"
    stack.deliver_notices()
    ticket = stack.api(
        "POST",
        "/v1/tickets",
        {"order_id": order["order_id"], "access_token": order["access_token"], "message": "I want to talk to a human"},
    ).body["ticket_id"]
    services().help_desk.enqueue(ticket, reason="talk_to_human")
    assert stack.api("POST", f"/v1/admin/tickets/{ticket}/claim", {"agent": "alice"}, ADMIN).status == 200
    assert stack.api("POST", f"/v1/admin/tickets/{ticket}/resolve", {"agent": "alice"}, ADMIN).status == 200
    return order


def test_a_scanner_opening_every_link_changes_nothing_and_each_post_acts_once(
    refund_stack: RefundStack, mailed_order: dict[str, Any], events_match_their_schemas: list[str]
) -> None:
    stack, order_id, email = refund_stack, mailed_order["order_id"], "scanned@example.com"
    links = links_in_buyer_mail(email)
    subjects = " ".join(m.subject for m in sent_mail() if m.destinations["ToAddresses"] == [email])
    assert all(word in subjects.lower() for word in ("reminder", "refund"))
    paths = {urlsplit(link).path.rsplit("/", 1)[-1] for link in links}
    assert {"worked", "failed", "helpful_yes", "helpful_no", "opt_out", "csat"} <= paths
    before = state(order_id, email, events_match_their_schemas)

    for link in links:
        assert call(stack, "GET", link).status < 500, link

    assert state(order_id, email, events_match_their_schemas) == before
    for link in (next(link for link in links if "/csat?" in link), next(link for link in links if "/worked?" in link)):
        tampered = call(stack, "GET", re.sub(r"sig=\w+", "sig=00", link))
        assert tampered.status == 400
        assert tampered.body.startswith("<!DOCTYPE html>")
        assert "invalid_link" in tampered.body

    buyer_links = [link for link in links if "/v1/links/" in link]
    for kind in ("failed", "worked", "helpful_yes", "opt_out"):
        [link, *_] = [link for link in buyer_links if urlsplit(link).path.endswith(f"/{kind}")]
        first = call(stack, "POST", link)
        after_first = state(order_id, email, events_match_their_schemas)
        second = call(stack, "POST", link)

        assert (first.status, second.status) == (200, 200), kind
        assert after_first != before, kind
        assert state(order_id, email, events_match_their_schemas) == after_first, kind
        before = after_first

    final = state(order_id, email, events_match_their_schemas)
    # Line 2 was refunded: neither report touches it.
    assert [status for _, status, _ in final["lines"]] == ["activated", None]
    assert final["opted_out"]
    assert sum(count.get("helpful_yes", 0) for count in final["votes"].values()) == 1
    assert final["events"].count("KeyActivationFailed") == 1
    assert [source for _, _, source, _ in final["tickets"]].count("email_link") == 1
