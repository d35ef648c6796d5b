"""Refunds made in Stripe's dashboard (charge.refunded) and asynchronous payments that failed, against moto."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from faka.adapters.tables.orders import OrderItem, OrderLineItem
from faka.payments.providers import SandboxCheckout
from faka.payments.stripe_signing import stripe_signature
from tests.integration.concurrency_harness import invocations_apart_per_thread
from tests.integration.conftest import ADMIN, Response, Stack
from tests.integration.helpers import WEBHOOK_SECRET, add_product, open_shop, pay, place_order
from tests.integration.refund_helpers import RefundStack, refund_stack_fixture  # noqa: F401 - fixture
from tests.unit.test_stripe_webhook import stripe_event as published_event

TODAY = datetime.now(UTC).date().isoformat()


def stripe_event(event_type: str, obj: str, **changes: Any) -> str:
    """Stripe's published event and object as they are, but for ``changes``; each a distinct event."""
    event = json.loads(published_event(event_type, obj, **changes))
    return json.dumps({**event, "id": f"evt_{uuid.uuid4().hex}"})


def send(stack: Stack, body: str) -> Response:
    return stack.api(
        "POST", "/v1/webhooks/stripe", raw=body, headers={"Stripe-Signature": stripe_signature(body, WEBHOOK_SECRET)}
    )


def charge_refunded(order_id: str, amount: int, refunded_total: int) -> str:
    # The sandbox's payment intent names its order (as Stripe's payment intent metadata does).
    return stripe_event(
        "charge.refunded",
        "charge.json",
        amount=amount,
        amount_refunded=refunded_total,
        refunded=refunded_total >= amount,
        payment_intent=f"pi_sandbox_{order_id}",
    )


def delivered_order(stack: Stack, quantity: int = 2) -> dict[str, Any]:
    open_shop(stack)
    add_product(stack, keys=[f"DASH-{n:04d}-AAAA" for n in range(quantity)])
    order = place_order(stack, quantity=quantity)
    assert pay(stack, order["order_id"], order["amount"]).status == 200
    return order


def activate_line(order_id: str, line_no: int) -> None:
    OrderLineItem(order_id, OrderLineItem.sort_key(line_no)).update(
        actions=[OrderLineItem.activation_status.set("activated")]
    )


def test_a_full_dashboard_refund_revokes_the_unused_keys_and_marks_the_order_refunded_once(
    stack: Stack, events_match_their_schemas: list[str]
) -> None:
    order = delivered_order(stack)
    order_id = order["order_id"]
    activate_line(order_id, 1)

    # Stripe's retries are separate deliveries of one event; these are three events saying the same, at once.
    bodies = [charge_refunded(order_id, order["amount"], order["amount"]) for _ in range(3)]
    with invocations_apart_per_thread(), ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda body: send(stack, body), bodies))
    stack.deliver_events()

    assert sorted(a.body["result"] for a in answers) == ["ignored", "ignored", "refunded"]
    stored = OrderItem.get(order_id, OrderItem.SK)
    assert (stored.status, int(stored.refunded_amount)) == ("refunded", order["amount"])
    lines = {int(i.line_no): i for i in OrderLineItem.query(order_id) if isinstance(i, OrderLineItem)}
    assert lines[1].revoked_at is None  # activated: used, evidence, not stock
    assert lines[2].revoked_at is not None
    assert events_match_their_schemas.count("ChargeRefunded") == 1
    ledger = stack.api("GET", "/v1/admin/ledger", headers=ADMIN, query=f"shop=main&from={TODAY}&to={TODAY}")
    refunds = [e for e in ledger.body["entries"] if e["kind"] == "refund"]
    assert [e["ref"] for e in refunds] == ["ch_1PgafuB7WZ01zgkWXYmPNZs8"]


def test_a_partial_dashboard_refund_revokes_nothing_and_is_recorded_then_the_rest_refunds_in_full(
    stack: Stack, events_match_their_schemas: list[str]
) -> None:
    order = delivered_order(stack)
    order_id = order["order_id"]

    partly = send(stack, charge_refunded(order_id, order["amount"], 500))
    again = send(stack, charge_refunded(order_id, order["amount"], 500))
    stored = OrderItem.get(order_id, OrderItem.SK)
    lines = [i for i in OrderLineItem.query(order_id) if isinstance(i, OrderLineItem)]

    assert (partly.body["result"], again.body["result"]) == ("partly_refunded", "ignored")
    assert (stored.status, int(stored.refunded_amount)) == ("delivered", 500)
    assert all(line.revoked_at is None for line in lines)

    rest = send(stack, charge_refunded(order_id, order["amount"], order["amount"]))
    stored = OrderItem.get(order_id, OrderItem.SK)
    lines = [i for i in OrderLineItem.query(order_id) if isinstance(i, OrderLineItem)]

    assert rest.body["result"] == "refunded"
    assert (stored.status, int(stored.refunded_amount)) == ("refunded", order["amount"])
    assert all(line.revoked_at is not None for line in lines)
    stack.deliver_events()
    ledger = stack.api("GET", "/v1/admin/ledger", headers=ADMIN, query=f"shop=main&from={TODAY}&to={TODAY}")
    shop = {b["account"]: b["amount"] for b in ledger.body["balances"]}["shop"]
    assert shop == order["amount"] * 95 // 100 - order["amount"]


def test_a_charge_of_no_faka_order_is_acknowledged_and_changes_nothing(stack: Stack) -> None:
    answer = send(stack, stripe_event("charge.refunded", "charge.json", amount_refunded=100, refunded=True))

    assert answer.status == 200
    assert answer.body["result"] == "ignored"


def test_an_async_payment_failure_closes_the_pending_order_and_nothing_is_issued(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack, keys=["ASYNC-0001-AAAA"])
    order = place_order(stack)
    failure = stripe_event(
        "checkout.session.async_payment_failed",
        "checkout.session.json",
        client_reference_id=order["order_id"],
        payment_status="unpaid",
    )

    first = send(stack, failure)
    redelivered = send(stack, failure)
    shown = stack.api(
        "GET", f"/v1/orders/{order['order_id']}", headers={"Authorization": f"Bearer {order['access_token']}"}
    )
    stored = OrderItem.get(order["order_id"], OrderItem.SK)

    assert first.body["result"] == "payment_failed"
    assert redelivered.body == first.body
    assert shown.body["status"] == "expired"
    assert shown.body["keys"] == []
    assert (stored.flag_reason, stored.payment_pending) == ("payment_failed", None)


def test_an_async_payment_failure_after_the_order_was_paid_changes_nothing(stack: Stack) -> None:
    order = delivered_order(stack, quantity=1)
    failure = stripe_event(
        "checkout.session.async_payment_failed",
        "checkout.session.json",
        client_reference_id=order["order_id"],
        payment_status="unpaid",
    )

    answer = send(stack, failure)

    assert answer.body["result"] == "ignored"
    assert OrderItem.get(order["order_id"], OrderItem.SK).status == "delivered"


def test_stripes_notice_of_fakas_own_refund_on_its_way_is_not_counted_again(
    refund_stack: RefundStack, monkeypatch: pytest.MonkeyPatch, events_match_their_schemas: list[str]
) -> None:
    refund_stack.open()
    order = refund_stack.buy()
    answers: list[Response] = []
    pay_back = SandboxCheckout.refund

    def refund_then_stripe_tells(self: SandboxCheckout, **kwargs: Any) -> str:
        # Stripe sends charge.refunded as soon as it has refunded: before faka records its refund as completed.
        reference = pay_back(self, **kwargs)
        answers.append(send(refund_stack, charge_refunded(order["order_id"], order["amount"], order["amount"])))
        return reference

    monkeypatch.setattr(SandboxCheckout, "refund", refund_then_stripe_tells)
    with invocations_apart_per_thread():
        asked = refund_stack.ask(order)
        refund_stack.wait_for(asked.body["refund_id"], "completed")

    assert [a.body["result"] for a in answers] == ["ignored"]
    assert "ChargeRefunded" not in events_match_their_schemas
    assert int(OrderItem.get(order["order_id"], OrderItem.SK).refunded_amount) == order["amount"]
