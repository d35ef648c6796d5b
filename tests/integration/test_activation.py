"""Activation signals (supplier callback, signed email links, operator), reminders and advice."""

from __future__ import annotations

import html
import json
import re
import time
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import boto3
import pytest

from faka import resources
from faka.adapters.messaging import SesSendingHealth
from faka.adapters.tables.orders import OrderItem, OrderLineItem
from faka.adapters.tables.tickets import TicketItem
from faka.config import get_settings
from faka.payments.stripe_signing import stripe_signature
from faka.shared.links import LinkAction
from faka.wiring import services
from tests.integration.conftest import ADMIN, Response, Stack
from tests.integration.helpers import add_product, open_shop, pay, place_order, sent_mail
from tests.integration.test_viewer_country import trust_cloudfront

SIGNING_SECRET = "test-signing-secret"
CODES = ["ACT-0001-AAAA", "ACT-0002-BBBB", "ACT-0003-CCCC"]


@pytest.fixture
def delivered(stack: Stack) -> dict:
    open_shop(stack)
    add_product(stack, keys=CODES)
    order = place_order(stack, quantity=2)
    assert pay(stack, order["order_id"], order["amount"]).body["result"] == "delivered"
    view = stack.api(
        "GET", f"/v1/orders/{order['order_id']}", headers={"Authorization": f"Bearer {order['access_token']}"}
    )
    return {**order, "keys": [k["code"] for k in view.body["keys"]]}


def callback(stack: Stack, body: dict, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> Response:
    raw = json.dumps(body)
    return stack.api(
        "POST", "/v1/activations", raw=raw, headers={"X-Faka-Signature": stripe_signature(raw, secret, timestamp)}
    )


def pending(order_id: str) -> int:
    return int(OrderItem.get(order_id, OrderItem.SK).pending_activation)


def test_a_signed_supplier_callback_activates_its_line_once(stack: Stack, delivered: dict) -> None:
    signal = {
        "key": delivered["keys"][0].lower(),
        "status": "activated",
        "at": datetime.now(UTC).isoformat(),
        "account_region": "us",
    }

    first = callback(stack, signal)
    again = callback(stack, signal)
    late_failure = callback(stack, {**signal, "status": "failed"})

    assert first.status == 200, first.body
    assert (first.body["changed_lines"], again.body["changed_lines"], late_failure.body["changed_lines"]) == (1, 0, 0)
    assert pending(delivered["order_id"]) == 1
    lines = {
        int(i.line_no): i for i in OrderLineItem.query(delivered["order_id"], OrderLineItem.sk.startswith("LINE#"))
    }
    assert [lines[n].activation_status for n in (1, 2)].count("activated") == 1
    assert {line.account_region for line in lines.values()} >= {"US"}


@pytest.mark.parametrize("case", ["wrong secret", "stale", "unsigned"])
def test_a_badly_signed_callback_is_refused(stack: Stack, delivered: dict, case: str) -> None:
    signal = {"key": delivered["keys"][0], "status": "activated", "at": datetime.now(UTC).isoformat()}
    if case == "unsigned":
        response = stack.api("POST", "/v1/activations", signal)
    else:
        response = callback(
            stack,
            signal,
            "other" if case == "wrong secret" else SIGNING_SECRET,
            int(time.time()) - 400 if case == "stale" else None,
        )
    assert (response.status, response.body["code"]) == (400, "invalid_signature")
    assert pending(delivered["order_id"]) == 2


def test_a_callback_for_a_code_never_delivered_is_404(stack: Stack, delivered: dict) -> None:
    unsold = next(code for code in CODES if code not in delivered["keys"])
    response = callback(stack, {"key": unsold, "status": "activated", "at": datetime.now(UTC).isoformat()})
    assert (response.status, response.body["code"]) == (404, "unknown_key")
    bad = callback(stack, {"key": "X", "status": "maybe", "at": "yesterday"})
    assert (bad.status, bad.body["code"]) == (400, "invalid_request")


def follow(stack: Stack, url: str, method: str = "GET") -> Response:
    parts = urlsplit(url)
    return stack.api(method, parts.path, query=parts.query)


def test_the_delivery_email_links_ask_first_act_on_post_and_cannot_be_forged(stack: Stack, delivered: dict) -> None:
    stack.deliver_events()
    # The links as the buyer gets them: read from the delivery email, not signed again here.
    body = html.unescape(sent_mail()[0].body)
    worked, failed = (re.search(rf"http://\S+/v1/links/{action}\?[^\s\"<]+", body) for action in ("worked", "failed"))
    assert worked
    assert failed

    tampered = dict(parse_qsl(urlsplit(worked.group(0)).query), o="another-order")
    tampered_query = "&".join(f"{k}={v}" for k, v in tampered.items())
    expired = services().links.link(LinkAction.WORKED, {"o": delivered["order_id"]}, now=time.time() - 40 * 86400)
    for refused, code in (
        (stack.api("GET", "/v1/links/worked", query=tampered_query), "invalid_link"),
        (stack.api("POST", "/v1/links/worked", query=tampered_query), "invalid_link"),
        (follow(stack, expired), "expired_link"),
        (follow(stack, expired, "POST"), "expired_link"),
    ):
        assert refused.status == 400
        assert refused.body.startswith("<!DOCTYPE html>")
        assert code in refused.body
        assert "Traceback" not in refused.body

    page = follow(stack, failed.group(0))
    assert page.status == 200
    assert '<form method="post"' in page.body
    assert "<script" not in page.body
    assert not list(TicketItem.scan())

    assert follow(stack, failed.group(0), "POST").status == 200
    [ticket] = list(TicketItem.scan())
    assert (ticket.order_id, ticket.intent, ticket.source) == (delivered["order_id"], "invalid_key", "email_link")
    assert follow(stack, worked.group(0)).status == 200
    assert pending(delivered["order_id"]) == 2
    assert follow(stack, worked.group(0), "POST").status == 200
    assert pending(delivered["order_id"]) == 0


def remind(stack: Stack, order_id: str, level: int) -> None:
    body = {
        "detail-type": "ActivationReminder",
        "source": "faka.escalation",
        "detail": {"order_id": order_id, "shop_id": "main", "level": level},
    }
    boto3.client("sqs").send_message(QueueUrl=stack.provisioned.queue_urls["notifier"], MessageBody=json.dumps(body))
    stack.deliver_events()


@pytest.fixture
def daytime(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKA_QUIET_HOURS", "off")
    services.cache_clear()
    get_settings.cache_clear()


def test_reminders_carry_masked_keys_and_the_last_opens_a_ticket(stack: Stack, delivered: dict, daytime: None) -> None:
    stack.deliver_events()
    for level in (1, 2, 3):
        remind(stack, delivered["order_id"], level)
    remind(stack, delivered["order_id"], 3)  # a repeated level sends nothing more

    reminders = sent_mail()[1:]
    assert len(reminders) == 3
    for mail in reminders:
        assert all(code not in mail.body and code not in mail.subject for code in delivered["keys"])
        assert delivered["keys"][0][-4:] in mail.body
    [ticket] = [t for t in TicketItem.scan() if t.source == "activation_escalation"]
    assert (ticket.order_id, ticket.intent) == (delivered["order_id"], "activation_help")
    assert OrderItem.get(delivered["order_id"], OrderItem.SK).reminder_level == 3


def test_an_activated_order_gets_no_reminder(stack: Stack, delivered: dict, daytime: None) -> None:
    stack.deliver_events()
    stack.api("POST", f"/v1/admin/orders/{delivered['order_id']}/activation", {"status": "activated"}, ADMIN)
    remind(stack, delivered["order_id"], 1)
    assert len(sent_mail()) == 1
    report = stack.api("GET", "/v1/admin/reports/activation", headers=ADMIN).body
    assert (report["keys_activated"], report["median_hours_to_activation_at_most"]) == (2, 1)
    assert report["activations_after_reminder_level"]["0"] == 2


def test_an_opted_out_buyer_gets_no_reminder(stack: Stack, delivered: dict, daytime: None) -> None:
    stack.deliver_events()
    opt_out = services().links.links_for(delivered["order_id"], "x").opt_out
    follow(stack, opt_out)
    remind(stack, delivered["order_id"], 1)
    assert len(sent_mail()) == 2  # opening the link only asked

    follow(stack, opt_out, "POST")
    remind(stack, delivered["order_id"], 2)
    assert len(sent_mail()) == 2


def deferred_messages(stack: Stack) -> list[dict]:
    sqs = boto3.client("sqs")
    attributes = sqs.get_queue_attributes(
        QueueUrl=stack.provisioned.queue_urls["notifier"], AttributeNames=["ApproximateNumberOfMessagesDelayed"]
    )
    return [attributes["Attributes"]]


def held(order_id: str) -> int:
    """Reminders of the order held for longer than SQS can delay them: one one-time schedule each."""
    schedules = boto3.client("scheduler").list_schedules(
        GroupName=resources.ACTIVATION_DUE_SCHEDULE_GROUP, NamePrefix=f"{order_id}-l"
    )
    return len(schedules["Schedules"])


def test_quiet_hours_defer_a_reminder_instead_of_dropping_it(
    stack: Stack, delivered: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack.deliver_events()
    hour = datetime.now(UTC).hour
    monkeypatch.setenv("FAKA_QUIET_HOURS", f"{hour}-{(hour + 2) % 24}")  # the buyer's country is unknown: UTC
    get_settings.cache_clear()
    services.cache_clear()

    remind(stack, delivered["order_id"], 1)

    assert len(sent_mail()) == 1
    assert held(delivered["order_id"]) == 1


def test_the_circuit_breaker_holds_reminders_while_bounces_are_high(
    stack: Stack, delivered: dict, daytime: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack.deliver_events()
    monkeypatch.setattr(SesSendingHealth, "rates", lambda self: (0.08, 0.0))
    remind(stack, delivered["order_id"], 1)
    assert len(sent_mail()) == 1
    assert held(delivered["order_id"]) == 1


def test_advice_follows_what_buyers_from_a_country_activate(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    cloudfront = trust_cloudfront(monkeypatch)
    open_shop(stack)
    for sku, region in (("steam-20-us", "US"), ("steam-20-hk", "HK")):
        stack.api(
            "POST",
            "/v1/admin/products",
            {"sku": sku, "name": sku, "price": 2000, "currency": "usd", "region": region, "platform": "steam"},
            ADMIN,
        )
        stack.api(
            "POST",
            f"/v1/admin/products/{sku}/keys",
            {"batch": "B", "keys": [f"{sku}-{n:03d}" for n in range(30)]},
            ADMIN,
        )
    assert stack.api("GET", "/v1/products/steam-20-us/advice", query="country=CN").body["recommended_region"] is None

    for n in range(24):
        sku = "steam-20-hk" if n % 4 else "steam-20-us"
        order = place_order_from(stack, sku, "CN", cloudfront)
        pay(stack, order["order_id"], order["amount"])
        stack.api(
            "POST",
            f"/v1/admin/orders/{order['order_id']}/activation",
            {"status": "activated" if sku.endswith("hk") else "failed"},
            ADMIN,
        )

    advice = stack.api("GET", "/v1/products/steam-20-us/advice", query="country=cn").body
    assert (advice["recommended_region"], advice["recommended_sku"], advice["share"], advice["sample"]) == (
        "HK",
        "steam-20-hk",
        1.0,
        24,
    )
    report = stack.api("GET", "/v1/admin/reports/activation", headers=ADMIN).body
    assert report["keys_activated"] == 18


def place_order_from(stack: Stack, sku: str, country: str, cloudfront: dict[str, str]) -> dict:
    body = {"sku": sku, "quantity": 1, "email": "buyer@example.com", "locale": "zh-CN"}
    response = stack.api("POST", "/v1/orders", body, {**cloudfront, "CloudFront-Viewer-Country": country})
    assert response.status == 201
    return dict(response.body)
