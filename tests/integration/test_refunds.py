"""Refund API inputs, payment reconciliation, chargebacks and checkout risk rules, through the API function.

The refund review runs for real (moto's Step Functions executor, the refunds function in-process); every
event emitted is checked against its schema by the autouse fixture of this folder.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from faka import resources
from faka.adapters.tables.orders import OrderItem, OrderLineItem
from faka.catalog.codes import identity_of
from faka.payments.stripe_signing import stripe_signature
from faka.sales.orders import PLACED_PARTITIONS
from faka.trust.risk import Buyer
from faka.wiring import services
from faka_local.event_sources import load_handler
from faka_local.lambda_context import LocalLambdaContext
from tests.integration.conftest import ADMIN, Response
from tests.integration.helpers import WEBHOOK_SECRET, add_product, mailed_link, pay, sent_mail, where_stored
from tests.integration.refund_helpers import PRICE, SKU, RefundStack, refund_stack_fixture  # noqa: F401 - fixture

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "stripe"


def _completed(stack: RefundStack, response: Response) -> dict[str, Any]:
    assert response.status == 202, response.body
    assert stack.wait(response.body["refund_id"])["status"] == "SUCCEEDED"
    return stack.refund(response.body["refund_id"])


def _place(stack: RefundStack, email: str, source_ip: str = "198.51.100.7") -> dict[str, Any]:
    draft = {"sku": SKU, "quantity": 1, "email": email, "locale": "en"}
    response = stack.api("POST", "/v1/orders", draft, source_ip=source_ip)
    assert response.status == 201, response.body
    return dict(response.body)


def _stripe_event(event_type: str, obj: str, **changes: Any) -> str:
    event = json.loads((FIXTURES / "event.json").read_text())
    data = json.loads((FIXTURES / obj).read_text())
    data.update(changes)
    event.update(id=f"evt_{event_type}_{data['id']}", type=event_type, data={"object": data})
    return json.dumps(event)


def _webhook(stack: RefundStack, body: str) -> Response:
    return stack.api(
        "POST", "/v1/webhooks/stripe", raw=body, headers={"Stripe-Signature": stripe_signature(body, WEBHOOK_SECRET)}
    )


# --- refund requests ---------------------------------------------------------------------------------------


def test_only_the_orders_token_can_ask(refund_stack: RefundStack) -> None:
    refund_stack.open()
    order = refund_stack.buy()
    other = refund_stack.buy(email="other@example.com")

    for token in (other["access_token"], "guess"):
        response = refund_stack.ask(order, token=token)
        assert (response.status, response.body["code"]) == (404, "unknown_order")
    anonymous = refund_stack.api("POST", f"/v1/orders/{order['order_id']}/refund", {"reason": "x"})
    assert (anonymous.status, anonymous.body["code"]) == (404, "unknown_order")
    assert refund_stack.api("GET", f"/v1/orders/{order['order_id']}/refunds").status == 404
    assert services().refunds.for_order(order["order_id"]) == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "invalid_request"),
        ({"reason": ""}, "invalid_request"),
        ({"reason": "x", "lines": []}, "invalid_request"),
        ({"reason": "x", "lines": [0]}, "invalid_request"),
        ({"reason": "x", "lines": ["1"]}, "invalid_request"),
        ({"reason": "x", "lines": [3]}, "unknown_line"),
    ],
)
def test_malformed_requests_are_refused(refund_stack: RefundStack, body: dict[str, Any], code: str) -> None:
    refund_stack.open()
    order = refund_stack.buy(quantity=2)
    bearer = {"Authorization": f"Bearer {order['access_token']}"}

    response = refund_stack.api("POST", f"/v1/orders/{order['order_id']}/refund", body, bearer)

    assert (response.status, response.body["code"]) == (400, code)
    assert refund_stack.order(order)["status"] == "delivered"


def test_an_unpaid_order_cannot_be_refunded(refund_stack: RefundStack) -> None:
    refund_stack.open()
    order = _place(refund_stack, "unpaid@example.net")

    response = refund_stack.ask(order)

    assert (response.status, response.body["code"]) == (409, "not_paid")


def test_one_refund_per_line_and_never_above_the_paid_amount(refund_stack: RefundStack) -> None:
    refund_stack.open()
    refund_stack.set_policy(limit=0)  # keep the first refund open in review
    order = refund_stack.buy(quantity=3)
    first = refund_stack.ask(order, lines=[1, 2])
    assert first.status == 202
    refund_stack.wait_for(first.body["refund_id"], "in_review")

    assert refund_stack.ask(order, lines=[2, 1]).body["refund_id"] == first.body["refund_id"]
    in_progress = refund_stack.ask(order, lines=[3])
    assert (in_progress.status, in_progress.body["code"]) == (409, "refund_in_progress")
    assert refund_stack.decide(first.body["refund_id"], "approve").status == 200
    assert _completed(refund_stack, first)["amount"] == 2 * PRICE

    overlapping = refund_stack.ask(order, lines=[2, 3])
    assert (overlapping.status, overlapping.body["code"]) == (409, "already_refunded")
    last = refund_stack.ask(order)  # every line not refunded yet: line 3
    assert refund_stack.wait_for(last.body["refund_id"], "in_review")["lines"] == [3]
    refund_stack.decide(last.body["refund_id"], "approve")
    assert _completed(refund_stack, last)["amount"] == PRICE

    assert refund_stack.order(order)["status"] == "refunded"
    assert sum(r["amount"] for r in refund_stack.provider_refunds()) == 3 * PRICE
    assert refund_stack.ask(order, lines=[1]).body["code"] == "already_refunded"
    views = refund_stack.api(
        "GET", f"/v1/orders/{order['order_id']}/refunds", headers={"Authorization": f"Bearer {order['access_token']}"}
    ).body["refunds"]
    assert sorted(v["status"] for v in views) == ["completed", "completed"]


def test_operators_decide_only_with_authority(refund_stack: RefundStack) -> None:
    refund_stack.open()
    refund_stack.set_policy(limit=0)
    order = refund_stack.buy()
    refund_id = refund_stack.ask(order).body["refund_id"]
    refund_stack.wait_for(refund_id, "in_review")
    moon = refund_stack.api(
        "POST", "/v1/admin/shops", {"shop_id": "moon", "name": "Moon", "support_email": "m@example.com"}, ADMIN
    ).body["operator_token"]

    cases = [
        ({}, 401, "missing_token"),
        ({"Authorization": "Bearer wrong"}, 403, "forbidden"),
        ({"Authorization": f"Bearer {moon}"}, 403, "forbidden"),
        ({"Authorization": f"Bearer {moon}", "X-Faka-Shop": "moon"}, 404, "unknown_refund"),
    ]
    for headers, status, code in cases:
        response = refund_stack.decide(refund_id, "approve", headers=headers)
        assert (response.status, response.body["code"]) == (status, code), headers
    unknown = refund_stack.decide("0" * 32, "approve")
    assert (unknown.status, unknown.body["code"]) == (404, "unknown_refund")
    shop_operator = {"Authorization": f"Bearer {refund_stack.shop_token}"}
    policy = {"auto_approve_limits": {"usd": 10**7}, "review_sla_seconds": 60, "sla_policy": "auto_approve"}
    assert refund_stack.api("PUT", "/v1/admin/refund-policy", policy, shop_operator).status == 403
    assert refund_stack.provider_refunds() == []
    assert refund_stack.refund(refund_id)["status"] == "in_review"

    assert refund_stack.decide(refund_id, "reject", "Used", headers=shop_operator).status == 200
    assert refund_stack.wait(refund_id)["status"] == "SUCCEEDED"
    assert refund_stack.decide(refund_id, "approve").body["code"] == "not_in_review"
    assert refund_stack.provider_refunds() == []


def test_more_than_three_refunds_in_a_day_need_a_person(refund_stack: RefundStack) -> None:
    refund_stack.open()
    orders = [refund_stack.buy(email="serial@example.com") for _ in range(4)]

    for order in orders[:3]:
        assert _completed(refund_stack, refund_stack.ask(order))["decided_by"] == "risk_rules"
    fourth = refund_stack.ask(orders[3]).body["refund_id"]

    refund = refund_stack.wait_for(fourth, "in_review")
    assert refund["risk_rules"] == ["refund_velocity"]


# --- payment reconciliation --------------------------------------------------------------------------------


def _reconcile(minutes_later: float) -> dict[str, int]:
    """The scheduled function, as if it ran ``minutes_later`` from now."""
    report = services().reconciliation.run(datetime.now(UTC) + timedelta(minutes=minutes_later))
    return {"checked": report.checked, "fulfilled": report.fulfilled, "closed": report.closed}


def test_a_payment_whose_webhook_never_came_is_delivered(refund_stack: RefundStack) -> None:
    refund_stack.open()
    dropped = _place(refund_stack, "dropped@example.net")
    unpaid = _place(refund_stack, "unpaid@example.net")
    services().payment_provider.record_payment(  # type: ignore[attr-defined]
        dropped["order_id"], dropped["amount"], "usd", webhook_sent=False
    )

    assert _reconcile(0) == {"checked": 0, "fulfilled": 0, "closed": 0}  # too early: the webhook may still come
    assert _reconcile(4) == {"checked": 2, "fulfilled": 1, "closed": 0}

    assert refund_stack.order(dropped)["status"] == "delivered"
    assert refund_stack.order(unpaid)["status"] == "pending_payment"
    # The webhook arriving after all changes nothing: still one key, one delivery email.
    assert pay(refund_stack, dropped["order_id"], dropped["amount"]).body["result"] == "already_processed"
    assert len(refund_stack.order(dropped)["keys"]) == 1
    # The unpaid one is asked about at its ages until an hour after it expired, then left alone.
    assert _reconcile(60) == {"checked": 1, "fulfilled": 0, "closed": 0}
    assert _reconcile(120) == {"checked": 1, "fulfilled": 0, "closed": 1}
    assert _reconcile(180) == {"checked": 0, "fulfilled": 0, "closed": 0}


def test_the_reconcile_function_runs_on_its_schedule_event(refund_stack: RefundStack) -> None:
    refund_stack.open()
    handler = load_handler(resources.RECONCILE_FUNCTION)
    event = {"source": "aws.scheduler", "detail-type": "Scheduled Event", "detail": {}}

    assert handler(event, LocalLambdaContext(resources.RECONCILE_FUNCTION.physical_name)) == {
        "checked": 0,
        "fulfilled": 0,
        "closed": 0,
        "announced_again": 0,
    }


def test_a_double_charge_is_detected_and_the_duplicate_refunded_once(refund_stack: RefundStack) -> None:
    refund_stack.open()
    order = refund_stack.buy()
    second = {"id": "pi_second_charge", "metadata": {"order_id": order["order_id"]}, "amount_received": PRICE}
    second.update(status="succeeded", currency="usd")
    event = json.loads(_stripe_event("payment_intent.succeeded", "payment_intent.json", **second))

    receipts = []
    for event_id in ("evt_first_delivery", "evt_first_delivery", "evt_other_event_same_payment"):
        receipts.append(_webhook(refund_stack, json.dumps({**event, "id": event_id})).body["result"])

    assert receipts == ["duplicate", "duplicate", "duplicate"]
    (refund,) = refund_stack.provider_refunds()
    assert (refund["payment_ref"], refund["amount"]) == ("pi_second_charge", PRICE)
    assert refund_stack.order(order)["status"] == "delivered"
    assert len(refund_stack.order(order)["keys"]) == 1


# --- chargebacks -------------------------------------------------------------------------------------------


def test_a_chargeback_revokes_unused_keys_freezes_the_buyer_and_builds_evidence(refund_stack: RefundStack) -> None:
    refund_stack.open()
    order = refund_stack.buy(quantity=2, email="chargeback@example.net")
    bearer = {"Authorization": f"Bearer {order['access_token']}"}
    assert refund_stack.api("GET", f"/v1/orders/{order['order_id']}", headers=bearer).status == 200
    refund_stack.activate(order, line_no=1)
    opened = _stripe_event(
        "charge.dispute.created", "dispute.json", payment_intent=f"pi_sandbox_{order['order_id']}", amount=2 * PRICE
    )

    first, replay = _webhook(refund_stack, opened), _webhook(refund_stack, opened)

    assert first.status == replay.status == 200
    assert first.body == replay.body == {"received": True, "result": "dispute_opened", "order_id": order["order_id"]}
    lines = {n: OrderLineItem.get(order["order_id"], OrderLineItem.sort_key(n)) for n in (1, 2)}
    assert (lines[1].activation_status, lines[1].revoked_at) == ("activated", None)
    assert lines[2].revoked_at is not None
    assert services().risk_signals.is_frozen(Buyer("chargeback@example.net").ref)

    evidence = refund_stack.api("GET", f"/v1/admin/orders/{order['order_id']}/evidence", headers=ADMIN).body
    assert evidence["order"]["buyer_ip"] == "203.0.113.7"
    assert evidence["delivery"]["delivered_at"]
    assert evidence["key_page_views"]["views"] == 1
    assert [(a["line_no"], a["status"], a["revoked_at"] is not None) for a in evidence["activation"]] == [
        (1, "activated", False),
        (2, None, True),
    ]
    assert [(d["dispute_id"], d["revoked_lines"]) for d in evidence["disputes"]] == [
        ("dp_1Pgc71B7WZ01zgkWMevJiAUx", [2])
    ]
    refund_stack.deliver_notices()
    assert any("Chargeback" in a["Subject"] for a in refund_stack.operator_alerts())
    # Frozen: the buyer's next order is held before delivery.
    again = refund_stack.buy(email="chargeback@example.net")
    assert refund_stack.order(again)["status"] == "on_hold"

    closed = _stripe_event(
        "charge.dispute.closed", "dispute.json", payment_intent=f"pi_sandbox_{order['order_id']}", status="lost"
    )
    assert _webhook(refund_stack, closed).body["result"] == "dispute_closed"
    evidence = refund_stack.api("GET", f"/v1/admin/orders/{order['order_id']}/evidence", headers=ADMIN).body
    assert evidence["disputes"][0]["status"] == "lost"


def test_a_dispute_for_no_faka_order_is_acknowledged(refund_stack: RefundStack) -> None:
    # Stripe's own example names a charge only; the sandbox knows no such payment.
    response = _webhook(refund_stack, _stripe_event("charge.dispute.created", "dispute.json"))

    assert (response.status, response.body["result"]) == (200, "ignored")


# --- checkout risk rules -----------------------------------------------------------------------------------


def test_a_burst_of_orders_from_one_email_is_held_then_released(refund_stack: RefundStack) -> None:
    refund_stack.open(keys=20)
    burst = [_place(refund_stack, "burst@example.net", source_ip=f"198.51.100.{n}") for n in range(11)]
    for order in burst:
        assert pay(refund_stack, order["order_id"], order["amount"]).status == 200

    statuses = [refund_stack.order(order)["status"] for order in burst]
    assert statuses == ["delivered"] * 10 + ["on_hold"]
    held = burst[-1]
    item = OrderItem.get(held["order_id"], OrderItem.SK)
    assert (item.flag_reason, item.hold_rules) == ("risk_rules", ["email_burst"])
    assert refund_stack.order(held)["keys"] == []
    # A redelivered webhook does not deliver it either.
    assert pay(refund_stack, held["order_id"], held["amount"]).body["result"] == "held"
    refund_stack.deliver_notices()
    assert any("held by the risk rules" in a["Subject"] for a in refund_stack.operator_alerts())

    released = refund_stack.api("POST", f"/v1/admin/orders/{held['order_id']}/release", headers=ADMIN)

    assert released.status == 200, released.body
    assert released.body["result"] == "delivered"
    assert len(refund_stack.order(held)["keys"]) == 1
    again = refund_stack.api("POST", f"/v1/admin/orders/{held['order_id']}/release", headers=ADMIN)
    assert (again.status, again.body["code"]) == (409, "not_on_hold")


def test_a_burst_from_one_ip_and_a_blacklisted_email_are_held_and_can_be_cancelled(refund_stack: RefundStack) -> None:
    refund_stack.open(keys=30)
    burst = [_place(refund_stack, f"b{n}@example.net", source_ip="198.51.100.99") for n in range(21)]
    disposable = _place(refund_stack, "someone@mailinator.com")
    for order in (burst[-1], disposable):
        assert pay(refund_stack, order["order_id"], order["amount"]).body["result"] == "held"
    assert OrderItem.get(burst[-1]["order_id"], OrderItem.SK).hold_rules == ["ip_burst"]
    assert OrderItem.get(disposable["order_id"], OrderItem.SK).hold_rules == ["blacklisted"]
    assert OrderItem.get(burst[-2]["order_id"], OrderItem.SK).hold_rules is None

    cancel = refund_stack.api(
        "POST", f"/v1/admin/orders/{disposable['order_id']}/cancel", {"reason": "disposable address"}, ADMIN
    )

    refund = _completed(refund_stack, cancel)
    assert (refund["decided_by"], refund["amount"]) == ("platform_operator", PRICE)
    assert refund_stack.states_entered(cancel.body["refund_id"]) == [
        "AssessRisk",
        "Route",
        "RevokeKeys",
        "RefundPayment",
    ]
    assert refund_stack.order(disposable)["status"] == "refunded"
    refund_stack.deliver_notices()
    assert any("Refund of 20.00 USD" in m.subject for m in sent_mail())
    # An order the rules did not hold: still unpaid, cancelling closes its payment window (nothing to refund);
    # paid and delivered, it is not one to cancel.
    unpaid = refund_stack.api("POST", f"/v1/admin/orders/{burst[0]['order_id']}/cancel", {"reason": "x"}, ADMIN)
    assert (unpaid.status, unpaid.body["status"]) == (200, "expired")
    assert pay(refund_stack, burst[-2]["order_id"], burst[-2]["amount"]).body["result"] != "held"
    not_held = refund_stack.api("POST", f"/v1/admin/orders/{burst[-2]['order_id']}/cancel", {"reason": "x"}, ADMIN)
    assert (not_held.status, not_held.body["code"]) == (409, "not_on_hold")


def test_a_burst_of_orders_from_one_device_is_held_whatever_address_and_network(refund_stack: RefundStack) -> None:
    refund_stack.open(keys=20)
    device = "fp_0a1b2c3d4e5f"

    def place(n: int, device_id: str) -> dict[str, Any]:
        draft = {"sku": SKU, "quantity": 1, "email": f"d{n}@example.net", "locale": "en"}
        # The storefront may send the fingerprint in the body or, in any letter case, as a header.
        if n % 2:
            response = refund_stack.api(
                "POST", "/v1/orders", draft, {"X-Faka-Device": device_id}, source_ip=f"198.51.100.{n}"
            )
        else:
            response = refund_stack.api(
                "POST", "/v1/orders", {**draft, "device_id": device_id}, source_ip=f"198.51.100.{n}"
            )
        assert response.status == 201, response.body
        return dict(response.body)

    burst = [place(n, device) for n in range(11)]
    elsewhere = place(11, "fp_another_device")
    for order in [*burst, elsewhere]:
        assert pay(refund_stack, order["order_id"], order["amount"]).status == 200

    assert [refund_stack.order(order)["status"] for order in burst] == ["delivered"] * 10 + ["on_hold"]
    held = OrderItem.get(burst[-1]["order_id"], OrderItem.SK)
    assert (held.flag_reason, held.hold_rules, held.device_id) == ("risk_rules", ["device_burst"], device)
    assert refund_stack.order(elsewhere)["status"] == "delivered"
    evidence = refund_stack.api("GET", f"/v1/admin/orders/{burst[-1]['order_id']}/evidence", headers=ADMIN).body
    assert (evidence["order"]["device_id"], evidence["order"]["checkout_rules_fired"]) == (device, ["device_burst"])


@pytest.mark.parametrize("device_id", ["short", "has space!", "x" * 129])
def test_a_malformed_device_id_is_refused_in_body_and_header(refund_stack: RefundStack, device_id: str) -> None:
    refund_stack.open(keys=1)
    draft = {"sku": SKU, "quantity": 1, "email": "buyer@example.net", "locale": "en"}

    in_body = refund_stack.api("POST", "/v1/orders", {**draft, "device_id": device_id})
    in_header = refund_stack.api("POST", "/v1/orders", draft, {"x-faka-device": device_id})

    assert (in_body.status, in_body.body["code"]) == (400, "invalid_request")
    assert (in_header.status, in_header.body["code"]) == (400, "invalid_request")
    assert sum(OrderItem.placed.count(partition) for partition in PLACED_PARTITIONS) == 0


def test_the_openapi_document_describes_the_device_id(refund_stack: RefundStack) -> None:
    document = refund_stack.api("GET", "/v1/openapi.json").body
    operation = document["paths"]["/v1/orders"]["post"]

    assert any(p["name"] == "x-faka-device" and p["in"] == "header" for p in operation["parameters"])
    assert "device_id" in json.dumps(document["components"]["schemas"]["OrderDraft"])


def _ticket(refund_stack: RefundStack, order: dict[str, Any], message: str) -> Response:
    body = {"order_id": order["order_id"], "access_token": order["access_token"], "message": message}
    response = refund_stack.api("POST", "/v1/tickets", body)
    assert response.status == 201, response.body
    return response


def test_a_refund_asked_for_in_a_ticket_goes_through_the_refund_review(refund_stack: RefundStack) -> None:
    refund_stack.open()
    order = refund_stack.buy()

    answer = _ticket(refund_stack, order, "Please refund me, I bought this by mistake and never used it")

    assert answer.body["intent"] == "refund_request"
    assert "refund request" in answer.body["reply"]
    (refund,) = services().refunds.for_order(order["order_id"])
    assert refund.refund_id[:12] in answer.body["reply"]
    refund_stack.wait_for(refund.refund_id, "completed")
    assert [r["amount"] for r in refund_stack.provider_refunds()] == [PRICE]


def test_a_payment_question_on_an_unconfirmed_order_checks_the_provider(refund_stack: RefundStack) -> None:
    refund_stack.open()
    order = _place(refund_stack, "payer@example.net")
    services().payment_provider.record_payment(  # type: ignore[attr-defined]
        order["order_id"], order["amount"], "usd", webhook_sent=False
    )

    answer = _ticket(refund_stack, order, "I was charged for my order but the payment still shows as pending")

    assert answer.body["intent"] == "payment_issue"
    assert answer.body["status"] == "resolved"
    assert refund_stack.order(order)["status"] == "delivered"


def test_a_buyer_who_keeps_claiming_in_tickets_has_refunds_reviewed(refund_stack: RefundStack) -> None:
    refund_stack.open()
    orders = [refund_stack.buy() for _ in range(3)]
    for order in orders:
        _ticket(refund_stack, order, "My code does not work, it says the key is invalid")

    refund_id = refund_stack.ask(orders[0]).body["refund_id"]

    assert "ticket_claims" in refund_stack.wait_for(refund_id, "in_review")["risk_rules"]


def test_a_double_charge_found_from_a_ticket_is_paid_back_once(refund_stack: RefundStack) -> None:
    refund_stack.open()
    order = refund_stack.buy()
    sandbox = services().payment_provider
    # What the provider holds: the payment the order was paid with, and a second charge whose webhook never came.
    sandbox.record_payment(order["order_id"], PRICE, "usd", webhook_sent=True)  # type: ignore[attr-defined]
    duplicate = sandbox.record_payment(  # type: ignore[attr-defined]
        order["order_id"], PRICE, "usd", webhook_sent=False, again=True
    )

    answers = [
        _ticket(refund_stack, order, "I was charged twice for this order, please check my payment") for _ in range(2)
    ]

    assert [a.body["outcome"] for a in answers] == ["duplicate_refunded", "duplicate_refunded"]
    (refund,) = refund_stack.provider_refunds()
    assert (refund["payment_ref"], refund["amount"]) == (duplicate, PRICE)
    assert refund_stack.order(order)["status"] == "delivered"


def test_operators_list_the_refunds_waiting_for_their_decision(refund_stack: RefundStack) -> None:
    refund_stack.open()
    refund_stack.set_policy(limit=0)  # nothing is approved automatically
    refund_id = refund_stack.ask(refund_stack.buy()).body["refund_id"]
    refund_stack.wait_for(refund_id, "in_review")
    shop_operator = {"Authorization": f"Bearer {refund_stack.shop_token}"}

    waiting = refund_stack.api("GET", "/v1/admin/refunds", headers=shop_operator, query="status=in_review")

    assert waiting.status == 200, waiting.body
    assert [r["refund_id"] for r in waiting.body["refunds"]] == [refund_id]
    assert refund_stack.decide(refund_id, "approve", headers=shop_operator).status == 200
    assert refund_stack.api("GET", "/v1/admin/refunds", headers=shop_operator).body["refunds"] == []
    assert refund_stack.api("GET", "/v1/admin/refunds", headers=shop_operator, query="status=done").status == 400


@pytest.mark.parametrize(
    "message",
    [
        "Please refund me, I bought this by mistake and never used it",
        "I was charged twice for this order, please check my payment",
    ],
    ids=["refund", "double charge"],
)
def test_money_asked_for_with_the_order_email_alone_moves_only_once_the_orders_mailbox_confirms(
    refund_stack: RefundStack, message: str
) -> None:
    refund_stack.open()
    order = refund_stack.buy()
    sandbox = services().payment_provider
    sandbox.record_payment(order["order_id"], PRICE, "usd", webhook_sent=True)  # type: ignore[attr-defined]
    sandbox.record_payment(order["order_id"], PRICE, "usd", webhook_sent=False, again=True)  # type: ignore[attr-defined]
    body = {"order_id": order["order_id"], "email": "buyer@example.com", "message": message}

    answer = refund_stack.api("POST", "/v1/tickets", body)

    assert (answer.body["outcome"], answer.body["status"]) == ("confirmation_sent", "awaiting_buyer")
    assert services().refunds.for_order(order["order_id"]) == []
    assert refund_stack.provider_refunds() == []
    # Still delivered and unrefunded: the activation reminders keep running.
    assert refund_stack.order(order)["status"] == "delivered"
    path, query = mailed_link("buyer@example.com")
    assert refund_stack.api("GET", path, query=query).status == 200
    assert refund_stack.provider_refunds() == []

    confirmed = refund_stack.api("POST", path, query=query)

    assert confirmed.status == 200, confirmed.body
    assert confirmed.body["outcome"] in ("refund_requested", "duplicate_refunded")
    assert [r["amount"] for r in refund_stack.wait_until(refund_stack.provider_refunds, "the refund")] == [PRICE]


def test_a_key_quoted_in_a_refund_reason_or_an_appeal_is_masked_wherever_it_is_kept_or_shown(
    refund_stack: RefundStack,
) -> None:
    refund_stack.open(keys=0)
    # Codes the pattern rules cannot tell from a number: only the shop's own keys make them secret.
    add_product(refund_stack, SKU, ["5811 2047 9963", "5811 2047 9964"], price=PRICE)
    refund_stack.set_policy(limit=0)
    order = refund_stack.buy()
    [code] = [
        k["code"]
        for k in refund_stack.api(
            "GET", f"/v1/orders/{order['order_id']}", headers={"Authorization": f"Bearer {order['access_token']}"}
        ).body["keys"]
    ]
    quoted = f"the key {code.replace(' ', '')} does not work (nor {code.replace(' ', '-')}), refund me"

    refund_id = refund_stack.ask(order, reason=quoted).body["refund_id"]
    refund_stack.wait_for(refund_id, "in_review")
    alerts = refund_stack.wait_until(refund_stack.operator_alerts, "the review alert")
    operator_view = refund_stack.refund(refund_id)
    waiting = refund_stack.api("GET", "/v1/admin/refunds", headers=ADMIN).body
    assert refund_stack.decide(refund_id, "reject", reason="The key was checked and works").status == 200
    refund_stack.wait_for(refund_id, "rejected")
    appeal = refund_stack.api(
        "POST",
        f"/v1/orders/{order['order_id']}/refunds/{refund_id}/appeal",
        {"message": f"But {code.lower()} really is broken"},
        {"Authorization": f"Bearer {order['access_token']}"},
    )
    assert appeal.status == 201, appeal.body
    tickets = refund_stack.api("GET", "/v1/admin/tickets", headers=ADMIN).body

    assert "does not work" in operator_view["reason"]
    secret = identity_of(code)
    shown = json.dumps([alerts, operator_view, waiting, tickets])
    assert secret not in identity_of(shown)
    assert code[-4:] in operator_view["reason"]  # enough to recognise the key
    assert where_stored(code) == []
