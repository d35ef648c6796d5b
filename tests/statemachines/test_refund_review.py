"""RefundReview (statemachines/refund_review.asl.json) run for real on moto, its Lambda tasks in-process.

Standard workflows are billed per state transition, so each path asserts its exact count:

=============================================  =================================================================
path                                           states entered
=============================================  =================================================================
auto-approved (nothing fired)                  4: AssessRisk, Route, RevokeKeys, RefundPayment
approved by an operator                        6: AssessRisk, Route, RequestReview, Route, RevokeKeys, RefundPayment
rejected by an operator                        5: AssessRisk, Route, RequestReview, Route, RejectRefund
each reminder before a decision                +3: ReviewTimedOut, Route, RequestReview
SLA missed, the platform pays first            7 + 3 per reminder
key activated before the revocation            6 after a review (RevokeKeys fails, RejectRefund)
a resumption without a recorded decision       +3: RevokeKeys fails NotDecided, RequestReview, Route
=============================================  =================================================================
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from faka.adapters.tables.keys import KeyItem
from faka.adapters.tables.orders import OrderLineItem
from faka.sales.issuance import ClaimOutcome, KeyIssuer
from faka.wiring import services
from tests.integration.conftest import ADMIN, events_match_their_schemas  # noqa: F401 - fixture: checks every event
from tests.integration.helpers import add_product, sent_mail
from tests.integration.refund_helpers import PRICE, SKU, RefundStack, refund_stack_fixture  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("events_match_their_schemas")

AUTO = ["AssessRisk", "Route", "RevokeKeys", "RefundPayment"]
REVIEW = ["AssessRisk", "Route", "RequestReview"]


def _report(path: str, states: list[str]) -> None:
    print(f"{path}: {len(states)} state transitions")  # the figures the module docstring quotes, shown with -s


def _key_of(order: dict[str, Any], line_no: int = 1) -> KeyItem:
    line = OrderLineItem.get(order["order_id"], OrderLineItem.sort_key(line_no))
    assert line.code_hash
    return KeyItem.get(f"main#{SKU}", line.code_hash)


def _in_review(stack: RefundStack, order: dict[str, Any], **ask: Any) -> str:
    response = stack.ask(order, **ask)
    assert response.status == 202, response.body
    refund_id: str = response.body["refund_id"]
    stack.wait_for(refund_id, "in_review")
    return refund_id


def test_an_unused_key_is_refunded_at_once(refund_stack: RefundStack) -> None:
    refund_stack.open()
    order = refund_stack.buy()

    response = refund_stack.ask(order)

    assert response.status == 202
    assert response.body["status"] == "requested"
    refund_id = response.body["refund_id"]
    assert refund_stack.wait(refund_id)["status"] == "SUCCEEDED"
    refund = refund_stack.refund(refund_id)
    assert (refund["status"], refund["decided_by"], refund["risk_rules"]) == ("completed", "risk_rules", [])
    assert refund_stack.provider_refunds() == [
        {
            "refund_ref": refund["provider_ref"],
            "payment_ref": f"pi_sandbox_{order['order_id']}",
            "amount": PRICE,
            "idempotency_key": f"refund-{refund_id}",
            "refunded_at": refund_stack.provider_refunds()[0]["refunded_at"],
        }
    ]
    assert refund_stack.order(order)["status"] == "refunded"
    assert _key_of(order).status == "revoked"
    states = refund_stack.states_entered(refund_id)
    _report("auto-approved", states)
    assert states == AUTO
    assert refund_stack.operator_alerts() == []

    refund_stack.deliver_notices()
    (mail,) = [m for m in sent_mail() if "Refund of 20.00 USD" in m.subject]
    assert mail.destinations["ToAddresses"] == ["buyer@example.com"]


def test_an_operator_approves_a_risky_refund(refund_stack: RefundStack) -> None:
    refund_stack.open()
    refund_stack.set_policy(limit=1000)  # the 20.00 USD order is over the shop's limit
    order = refund_stack.buy()

    refund_id = _in_review(refund_stack, order)

    (alert,) = refund_stack.wait_until(refund_stack.operator_alerts, "the review alert")
    assert refund_id[:8] in alert["Subject"]
    assert "over_shop_limit" in alert["Message"]
    assert f"/v1/admin/refunds/{refund_id}/decision" in alert["Message"]
    assert alert["MessageAttributes"]["shop_id"]["Value"] == "main"
    assert refund_stack.provider_refunds() == []

    response = refund_stack.decide(refund_id, "approve")

    assert response.status == 200, response.body
    assert response.body["decided_by"] == "platform_operator"
    assert refund_stack.wait(refund_id)["status"] == "SUCCEEDED"
    assert refund_stack.refund(refund_id)["status"] == "completed"
    assert len(refund_stack.provider_refunds()) == 1
    states = refund_stack.states_entered(refund_id)
    _report("approved by an operator", states)
    assert states == [*REVIEW, "Route", "RevokeKeys", "RefundPayment"]
    # Decided once: a second decision moves nothing.
    assert refund_stack.decide(refund_id, "approve").body["code"] == "not_in_review"


def test_an_operator_rejects_with_a_reason_the_buyer_reads(refund_stack: RefundStack) -> None:
    refund_stack.open()
    refund_stack.set_policy(limit=0)
    order = refund_stack.buy()
    refund_id = _in_review(refund_stack, order)

    without_reason = refund_stack.decide(refund_id, "reject")
    assert (without_reason.status, without_reason.body["code"]) == (400, "reason_required")
    assert refund_stack.decide(refund_id, "reject", "The code was shown to you and works.").status == 200

    assert refund_stack.wait(refund_id)["status"] == "SUCCEEDED"
    refund = refund_stack.refund(refund_id)
    assert (refund["status"], refund["decision_reason"]) == ("rejected", "The code was shown to you and works.")
    assert refund_stack.provider_refunds() == []
    assert refund_stack.order(order)["status"] == "delivered"
    assert _key_of(order).status == "issued"
    states = refund_stack.states_entered(refund_id)
    _report("rejected by an operator", states)
    assert states == [*REVIEW, "Route", "RejectRefund"]

    refund_stack.deliver_notices()
    (mail,) = [m for m in sent_mail() if "was not approved" in m.subject]
    assert "The code was shown to you and works." in mail.body
    bearer = {"Authorization": f"Bearer {order['access_token']}"}
    appeal = refund_stack.api(
        "POST", f"/v1/orders/{order['order_id']}/refunds/{refund_id}/appeal", {"message": "It did not work"}, bearer
    )
    assert appeal.status == 201, appeal.body
    again = refund_stack.api(
        "POST", f"/v1/orders/{order['order_id']}/refunds/{refund_id}/appeal", {"message": "Please!"}, bearer
    )
    assert again.body["ticket_id"] == appeal.body["ticket_id"]


@pytest.mark.parametrize("policy", ["auto_approve", "flag_shop"])
def test_a_missed_review_sla_makes_the_platform_pay_first(
    refund_stack: RefundStack, policy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    refund_stack.open()
    refund_stack.remind_every(1, monkeypatch)
    # Room for a reminder before the deadline even when a busy machine stretches moto's whole-second waits.
    refund_stack.set_policy(limit=0, sla_seconds=5, sla_policy=policy)
    order = refund_stack.buy()

    refund_id = refund_stack.ask(order).body["refund_id"]

    assert refund_stack.wait(refund_id)["status"] == "SUCCEEDED"
    refund = refund_stack.refund(refund_id)
    assert refund["status"] == "completed"
    assert refund["decided_by"] == f"sla_policy:{policy}"
    assert refund["compensated_by_platform"] == PRICE
    assert refund["reminders"] >= 1
    assert len(refund_stack.provider_refunds()) == 1
    ledger = services().counters.get("LEDGER#main", "compensation#usd")
    assert ledger == {"amount": PRICE, "refunds": 1}
    flags = services().counters.get("SHOP_FLAGS#main", "refund_sla_missed")
    assert flags == ({"count": 1} if policy == "flag_shop" else {})
    subjects = [alert["Subject"] for alert in refund_stack.operator_alerts()]
    assert any(subject.startswith("Reminder 1: refund") for subject in subjects)
    assert any("flagged" in subject for subject in subjects) is (policy == "flag_shop")
    states = refund_stack.states_entered(refund_id)
    _report(f"SLA missed ({policy}), {refund['reminders']} reminders", states)
    assert len(states) == 7 + 3 * refund["reminders"]
    assert states[-4:] == ["ReviewTimedOut", "Route", "RevokeKeys", "RefundPayment"]


def test_a_missed_review_sla_escalates_to_the_platform(
    refund_stack: RefundStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    refund_stack.open()
    refund_stack.remind_every(1, monkeypatch)
    refund_stack.set_policy(limit=0, sla_seconds=3, sla_policy="escalate")  # 3 s to decide once escalated
    shop_operator = {"Authorization": f"Bearer {refund_stack.shop_token}"}
    order = refund_stack.buy()
    refund_id = refund_stack.ask(order).body["refund_id"]

    escalated = refund_stack.wait_until(lambda: refund_stack.refund(refund_id)["escalated"], "the escalation")

    assert escalated

    def order_tickets() -> list[tuple[str, int]]:
        tickets = refund_stack.api("GET", "/v1/admin/tickets", headers=ADMIN).body["tickets"]
        return [(t["intent"], t["severity"]) for t in tickets if t["order_id"] == order["order_id"]]

    # The refund is marked escalated a moment before its ticket is written.
    assert refund_stack.wait_until(order_tickets, "the escalation ticket") == [("refund_request", 4)]
    # The operators' alert follows the ticket.
    assert refund_stack.wait_until(
        lambda: any("escalated" in alert["Subject"] for alert in refund_stack.operator_alerts()), "the alert"
    )
    # Only the platform may decide it now.
    assert refund_stack.decide(refund_id, "approve", headers=shop_operator).status == 403
    assert refund_stack.decide(refund_id, "approve").status == 200
    assert refund_stack.wait(refund_id)["status"] == "SUCCEEDED"
    refund = refund_stack.refund(refund_id)
    assert (refund["status"], refund["decided_by"], refund["compensated_by_platform"]) == (
        "completed",
        "platform_operator",
        None,
    )


def test_an_escalated_review_nobody_decides_is_paid_by_the_platform(
    refund_stack: RefundStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    refund_stack.open()
    refund_stack.remind_every(1, monkeypatch)
    refund_stack.set_policy(limit=0, sla_seconds=1, sla_policy="escalate")
    order = refund_stack.buy()

    refund_id = refund_stack.ask(order).body["refund_id"]

    assert refund_stack.wait(refund_id)["status"] == "SUCCEEDED"
    refund = refund_stack.refund(refund_id)
    assert (refund["status"], refund["escalated"]) == ("completed", True)
    assert (refund["decided_by"], refund["compensated_by_platform"]) == ("sla_policy:escalate", PRICE)


def test_a_key_activated_during_review_is_never_also_refunded(refund_stack: RefundStack) -> None:
    refund_stack.open()
    refund_stack.set_policy(limit=0)
    order = refund_stack.buy()
    refund_id = _in_review(refund_stack, order)

    assert refund_stack.activate(order).body["changed_lines"] == 1
    assert refund_stack.decide(refund_id, "approve").status == 200

    assert refund_stack.wait(refund_id)["status"] == "SUCCEEDED"
    refund = refund_stack.refund(refund_id)
    assert (refund["status"], refund["decision_reason"]) == ("rejected", "key_activated")
    assert refund_stack.provider_refunds() == []
    assert _key_of(order).status == "issued"
    line = OrderLineItem.get(order["order_id"], OrderLineItem.sort_key(1))
    assert (line.activation_status, line.revoked_at) == ("activated", None)
    states = refund_stack.states_entered(refund_id)
    _report("key activated during review", states)
    assert states == [*REVIEW, "Route", "RevokeKeys", "RejectRefund"]


def test_a_partial_refund_revokes_its_line_only_and_a_revoked_key_is_never_activated(
    refund_stack: RefundStack,
) -> None:
    refund_stack.open()
    order = refund_stack.buy(quantity=2)
    refund_id = refund_stack.ask(order, lines=[2]).body["refund_id"]
    assert refund_stack.wait(refund_id)["status"] == "SUCCEEDED"
    assert refund_stack.refund(refund_id)["amount"] == PRICE
    assert refund_stack.order(order)["status"] == "delivered"

    assert refund_stack.activate(order, line_no=2).body["changed_lines"] == 0
    assert refund_stack.activate(order, line_no=1).body["changed_lines"] == 1

    revoked = OrderLineItem.get(order["order_id"], OrderLineItem.sort_key(2))
    assert (revoked.activation_status, revoked.revoked_at is not None) == (None, True)
    assert _key_of(order, 2).status == "revoked"
    assert _key_of(order, 1).status == "issued"
    # The other line can still be refunded, once: 409 for the refunded line, and the key is now used.
    assert refund_stack.ask(order, lines=[2]).body["refund_id"] == refund_id
    assert refund_stack.ask(order, lines=[1, 2]).status == 409


def test_a_refund_racing_a_reissue_revokes_the_key_issued_meanwhile(refund_stack: RefundStack) -> None:
    """A worker that read the order before the refund (a restock, a reissue) issues a key during the review."""
    refund_stack.open(keys=0)
    refund_stack.set_policy(limit=0)
    order = refund_stack.buy()  # no stock: awaiting_stock, nothing revealed
    assert refund_stack.order(order)["status"] == "awaiting_stock"
    refund_id = _in_review(refund_stack, order)
    add_product(refund_stack, SKU, ["LATE-0001-ABCD"], price=PRICE, batch="B2")
    stale = services().orders.get(order["order_id"])
    assert KeyIssuer().claim(stale, 1) is ClaimOutcome.ISSUED

    assert refund_stack.decide(refund_id, "approve").status == 200

    assert refund_stack.wait(refund_id)["status"] == "SUCCEEDED"
    assert refund_stack.refund(refund_id)["status"] == "completed"
    assert _key_of(order).status == "revoked"
    assert len(refund_stack.provider_refunds()) == 1
    assert refund_stack.order(order)["status"] == "refunded"
    # And a claim after the revocation finds the line closed.
    add_product(refund_stack, SKU, ["LATER-0002-ABCD"], price=PRICE, batch="B3")
    assert KeyIssuer().claim(stale, 1) is ClaimOutcome.ALREADY_ISSUED
    assert refund_stack.activate(order).body["changed_lines"] == 0
    assert OrderLineItem.get(order["order_id"], OrderLineItem.sort_key(1)).activation_status is None


def test_a_resumption_without_a_recorded_decision_moves_no_money(refund_stack: RefundStack) -> None:
    """Whoever holds a task token (a replay, a forged call) can resume the wait, but not approve the refund."""
    refund_stack.open()
    refund_stack.set_policy(limit=0)
    order = refund_stack.buy()
    refund_id = _in_review(refund_stack, order)
    token = services().refunds.get(refund_id).task_token

    refund_stack.stepfunctions.send_task_success(taskToken=token, output=json.dumps({"next": "approve"}))

    refund_stack.wait_until(lambda: services().refunds.get(refund_id).task_token != token, "a new wait")
    assert refund_stack.refund(refund_id)["status"] == "in_review"
    assert refund_stack.provider_refunds() == []
    assert refund_stack.decide(refund_id, "approve").status == 200
    assert refund_stack.wait(refund_id)["status"] == "SUCCEEDED"
    assert len(refund_stack.provider_refunds()) == 1
    states = refund_stack.states_entered(refund_id)
    assert states == [*REVIEW, "Route", "RevokeKeys", "RequestReview", "Route", "RevokeKeys", "RefundPayment"]
