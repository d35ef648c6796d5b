"""Storefront webhooks without AWS: URL guard, backoff schedule, payload shape, signature."""

from __future__ import annotations

import ipaddress
import json
import time
import typing
import uuid
from pathlib import Path

import pytest
import stripe

from api.schemas.webhooks import WebhookEvent
from faka import resources
from faka.adapters.webhooks import HttpWebhookSender
from faka.payments.stripe_signing import stripe_signature
from faka.platform.webhooks import (
    EVENT_NAMES,
    PUBLIC_EVENTS,
    RetrySchedule,
    WebhookUrlRejected,
    check_webhook_url,
    webhook_body,
)

SCHEMAS = Path(__file__).resolve().parents[2] / "events" / "schemas"


def test_the_default_schedule_grows_fourfold_up_to_six_hours_then_gives_up() -> None:
    schedule = RetrySchedule(first_delay_seconds=30, max_attempts=8)
    delays = [schedule.delay_after(attempt) for attempt in range(1, 9)]
    assert delays == [30, 120, 480, 1920, 7680, 21600, 21600, None]


def test_a_single_attempt_is_never_retried() -> None:
    assert RetrySchedule(first_delay_seconds=30, max_attempts=1).delay_after(1) is None


@pytest.mark.parametrize(
    "url",
    ["https://shop.example.com/hooks/faka", "https://shop.example.com:8443/h?x=1", "https://93.184.215.14/h"],
)
def test_public_https_urls_are_accepted(url: str) -> None:
    check_webhook_url(url, allow_loopback=False)


@pytest.mark.parametrize(
    "url",
    [
        "http://shop.example.com/hook",  # not https
        "ftp://shop.example.com/hook",
        "https:///no-host",
        "https://user:secret@shop.example.com/hook",  # credentials
        "https://10.1.2.3/hook",  # private
        "https://192.168.0.10/hook",
        "https://172.16.5.5/hook",
        "https://100.64.0.1/hook",  # carrier-grade NAT, shared
        "https://169.254.169.254/latest/meta-data",  # instance metadata, link-local
        "https://[fd00:ec2::254]/hook",  # the IPv6 metadata endpoint
        "https://[::ffff:10.0.0.1]/hook",  # a private IPv4 address spelled as IPv6
        "https://0.0.0.0/hook",
        "https://localhost/hook",
        "https://127.0.0.1/hook",
        "https://ip-10-0-0-1.ec2.internal/hook",
        "https://metadata.google.internal/hook",
        "https://intranet/hook",
        "https://shop.example.com:99999/hook",
        "https://shop.example.com/" + "a" * 2100,
    ],
)
def test_urls_that_could_reach_inside_are_refused_with_a_code(url: str) -> None:
    with pytest.raises(WebhookUrlRejected) as refused:
        check_webhook_url(url, allow_loopback=False)
    assert refused.value.code == "invalid_webhook_url"
    assert refused.value.status == 400


def test_locally_http_is_accepted_for_loopback_only() -> None:
    check_webhook_url("http://127.0.0.1:3000/_local/webhook-sink", allow_loopback=True)
    check_webhook_url("http://localhost:8080/hook", allow_loopback=True)
    for url in ("http://shop.example.com/hook", "http://10.0.0.1/hook", "https://169.254.169.254/"):
        with pytest.raises(WebhookUrlRejected):
            check_webhook_url(url, allow_loopback=True)


def test_a_name_resolving_to_a_private_address_is_not_connected_to() -> None:
    def resolver(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        assert (host, port) == ("rebind.example.com", 443)
        return [ipaddress.ip_address("93.184.215.14"), ipaddress.ip_address("169.254.169.254")]

    result = HttpWebhookSender(allow_loopback=False, resolver=resolver).post(
        "https://rebind.example.com/hook", b"{}", {}
    )
    assert not result.ok
    assert result.status_code is None
    assert "169.254.169.254" in (result.error or "")


def test_public_events_are_the_rules_detail_types_and_the_apis_names() -> None:
    assert set(PUBLIC_EVENTS) == set(resources.STOREFRONT_WEBHOOKS_RULE.detail_types)
    assert set(typing.get_args(WebhookEvent)) == set(EVENT_NAMES)
    assert len(set(EVENT_NAMES)) == len(EVENT_NAMES)


@pytest.mark.parametrize("detail_type", sorted(PUBLIC_EVENTS))
def test_payload_fields_exist_in_the_event_schema_and_carry_no_secret(detail_type: str) -> None:
    schema = json.loads((SCHEMAS / f"{detail_type}.json").read_text())
    fields = PUBLIC_EVENTS[detail_type].fields
    assert set(fields) <= set(schema["properties"]), detail_type
    assert not {"key", "code", "codes", "keys", "email", "sealed_code", "rules"} & set(fields)


def test_the_body_carries_only_the_whitelisted_fields_and_verifies_with_the_supplier_callback_scheme() -> None:
    event = {
        "id": "6a7e8f00-0000-4000-8000-000000000001",
        "detail-type": "OrderDelivered",
        "time": "2026-11-30T10:00:00Z",
        "detail": {
            "order_id": "o1",
            "shop_id": "main",
            "sku": "steam-20-us",
            "quantity": 1,
            "locale": "en",
            "delivered_at": "2026-11-30T10:00:00+00:00",
            # Not in any schema today; a future field must not leak.
            "keys": ["AAAA-BBBB-CCCC"],
        },
    }
    body = webhook_body(event, PUBLIC_EVENTS["OrderDelivered"])
    # The delivery announced again after a crash comes under another EventBridge id: the storefront sees one id.
    announced_again = webhook_body(
        {**event, "id": "6a7e8f00-0000-4000-8000-000000000002"}, PUBLIC_EVENTS["OrderDelivered"]
    )
    assert json.loads(announced_again)["id"] == json.loads(body)["id"] != event["id"]
    assert json.loads(body) == {
        # UUIDv5 of "order.delivered/o1" in faka's public event-id namespace: the same for every delivery of o1.
        "id": str(uuid.uuid5(uuid.UUID("5d0c2a8e-7b4f-4c1e-9f3a-2e6b8d1c4a70"), "order.delivered/o1")),
        "type": "order.delivered",
        "created": 1796032800,
        "data": {
            "shop_id": "main",
            "order_id": "o1",
            "sku": "steam-20-us",
            "quantity": 1,
            "locale": "en",
            "delivered_at": "2026-11-30T10:00:00+00:00",
        },
    }
    header = stripe_signature(body, "whsec_unit", int(time.time()))
    stripe.WebhookSignature.verify_header(body, header, "whsec_unit", tolerance=300)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.WebhookSignature.verify_header(body.replace("o1", "o2"), header, "whsec_unit", tolerance=300)
