"""Stripe's own published objects must parse as they are, with every field they carry."""

from __future__ import annotations

import json
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import stripe

from faka.errors import InvalidRequest
from faka.payments.stripe_signing import stripe_signature
from faka.payments.stripe_webhook import Ignored, StripeNotice, verify_signature, verify_stripe_event
from faka.shared.model import PaymentConfirmation
from faka_local import webhook_sink
from faka_local.webhook_sink import WebhookSink

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "stripe"
SECRET = "whsec_unit"


def stripe_event(event_type: str, obj: str, **changes: Any) -> str:
    event = json.loads((FIXTURES / "event.json").read_text())
    data = json.loads((FIXTURES / obj).read_text())
    data.update(changes)
    event.update(type=event_type, data={"object": data})
    return json.dumps(event)


def verify(body: str, signature: str | None = None) -> StripeNotice:
    return verify_stripe_event(body, signature or stripe_signature(body, SECRET), SECRET).notice


def test_a_paid_checkout_session_confirms_its_order() -> None:
    body = stripe_event(
        "checkout.session.completed",
        "checkout.session.json",
        client_reference_id="ord1",
        payment_status="paid",
        amount_total=2000,
        currency="USD",
    )
    notice = verify(body)
    # The payment intent, so its own payment_intent.succeeded event names the same payment.
    assert notice == PaymentConfirmation("ord1", 2000, "usd", "stripe", "pi_1PgafyB7WZ01zgkWSjxsAJo3")


def test_the_order_can_come_from_metadata() -> None:
    body = stripe_event(
        "checkout.session.completed",
        "checkout.session.json",
        metadata={"order_id": "ord2"},
        payment_status="paid",
        amount_total=500,
        currency="eur",
        payment_intent="pi_1",
    )
    assert verify(body) == PaymentConfirmation("ord2", 500, "eur", "stripe", "pi_1")


def test_stripes_unpaid_example_session_is_acknowledged_and_ignored() -> None:
    assert isinstance(verify(stripe_event("checkout.session.completed", "checkout.session.json")), Ignored)


def test_a_succeeded_payment_intent_confirms_its_order() -> None:
    body = stripe_event(
        "payment_intent.succeeded",
        "payment_intent.json",
        metadata={"order_id": "ord3"},
        amount_received=4200,
        status="succeeded",
    )
    assert verify(body) == PaymentConfirmation("ord3", 4200, "usd", "stripe", "pi_1PgafyB7WZ01zgkWSjxsAJo3")


@pytest.mark.parametrize(
    # Disputes opened and closed are read (tests/unit/test_refund_rules.py); their updates ask nothing, nor does a
    # charge merely captured.
    ("event_type", "obj"),
    [("charge.dispute.updated", "dispute.json"), ("charge.captured", "charge.json")],
)
def test_events_that_ask_nothing_are_ignored(event_type: str, obj: str) -> None:
    assert isinstance(verify(stripe_event(event_type, obj)), Ignored)


def test_a_payment_without_a_faka_order_is_ignored() -> None:
    body = stripe_event("payment_intent.succeeded", "payment_intent.json", amount_received=100)
    assert isinstance(verify(body), Ignored)


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "t=1,v1=00",
        stripe_signature("{}", SECRET),  # signs another body
        stripe_signature("BODY", "whsec_other"),
        stripe_signature("BODY", SECRET, timestamp=int(time.time()) - 301),  # outside Stripe's 300 s tolerance
    ],
    # Fixed ids: the signatures depend on the clock, and xdist workers must collect the same names.
    ids=["missing", "empty", "garbage", "other-body", "other-secret", "stale"],
)
def test_a_bad_or_stale_signature_is_refused(signature: str | None) -> None:
    body = "BODY"
    with pytest.raises(InvalidRequest) as refused:
        verify_stripe_event(body, signature, SECRET)
    assert refused.value.code == "invalid_signature"


def test_a_signature_dated_ahead_by_more_than_the_tolerance_is_refused() -> None:
    # Made here, not at collection: a long session would bring a collected one back within the tolerance.
    signature = stripe_signature("BODY", SECRET, timestamp=int(time.time()) + 310)
    with pytest.raises(InvalidRequest) as refused:
        verify_stripe_event("BODY", signature, SECRET)
    assert refused.value.code == "invalid_signature"


@pytest.mark.parametrize("offset", [-200, 0, 200])
def test_a_signature_within_the_tolerance_either_way_is_accepted(offset: int) -> None:
    verify_signature("BODY", stripe_signature("BODY", SECRET, timestamp=int(time.time()) + offset), SECRET)


def test_a_signature_is_checked_by_its_first_timestamp_as_stripe_reads_it() -> None:
    ahead = int(time.time()) + 400
    signed_ahead = stripe_signature("BODY", SECRET, timestamp=ahead)
    with pytest.raises(stripe.SignatureVerificationError):
        verify_signature(
            "BODY", f"{signed_ahead.split(',')[0]},t={int(time.time())},{signed_ahead.split(',')[1]}", SECRET
        )


def test_the_local_webhook_sink_refuses_a_signature_dated_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    subscriptions = SimpleNamespace(target=lambda webhook_id: ("https://shop.example/hook", SECRET))
    monkeypatch.setattr(webhook_sink, "services", lambda: SimpleNamespace(webhooks=subscriptions))
    sink = WebhookSink()
    body = b'{"type": "order.delivered"}'

    def receive(timestamp: int) -> dict[str, Any]:
        signature = stripe_signature(body.decode(), SECRET, timestamp=timestamp)
        return sink.receive(body, {"X-Faka-Webhook-Id": "wh_1", "X-Faka-Signature": signature}, answer=200)

    assert receive(int(time.time()))["signature_valid"]
    ahead = receive(int(time.time()) + 400)
    assert (ahead["signature_valid"], ahead["signature_error"]) == (False, "Timestamp is in the future")


@pytest.mark.parametrize("body", ["not json", "{}", '{"id": "evt_1", "type": "x"}', "[]"])
def test_a_signed_body_that_is_not_an_event_is_refused(body: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        verify(body)
    assert refused.value.code == "invalid_payload"


def test_a_paid_session_without_an_amount_is_refused() -> None:
    body = stripe_event(
        "checkout.session.completed", "checkout.session.json", client_reference_id="o", payment_status="paid"
    )
    with pytest.raises(InvalidRequest):
        verify(body)
