"""Refunds: asked for by the buyer (or an operator), decided by the risk rules or a person, paid back once.

A refund claims order lines. Each line carries at most one refund id ever, written by a conditional write
in the transaction that creates the refund, so no line is refunded twice and a refund can never exceed
what the buyer paid for its lines. An order has one refund open at a time (``refund_pending``), which
also tells the activation escalation to stop chasing it.

:class:`Refunds` is the one entry the functions use. Asking (and appealing a rejection) is here; the rest is in
the modules it is built from, read in this order:

- :mod:`faka.money.refund_records`: a refund as stored, its statuses, reading it and recording a decision;
- :mod:`faka.money.refund_policies`: each shop's policy (auto-approval limits, review SLA and what missing it does);
- :mod:`faka.money.refund_review`: the review state machine and its deciding steps (risk rules, operators, SLA);
- :mod:`faka.money.refund_settlement`: the decision carried out (keys revoked, money paid back, or the order's
  status given back).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from faka.adapters.counters import Counters
from faka.adapters.tables.orders import OrderItem, OrderLineItem
from faka.adapters.tables.refunds import RefundItem, RefundTableItem
from faka.errors import Conflict, InvalidRequest
from faka.money.cases import CaseOpener, OpenedCase
from faka.money.refund_policies import RefundPolicies
from faka.money.refund_records import (
    Refund,
    RefundStatus,
    condition_failed,
    publish_approved,
    read_refund,
    refunds_awaiting_review,
    refunds_of_order,
)
from faka.money.refund_review import Next, RefundReview, ReviewWorkflow
from faka.money.refund_settlement import RefundSettlement
from faka.observability import logger, metrics
from faka.platform.access import Role
from faka.ports import EventPublisher, OperatorAlerts, PaymentProvider
from faka.sales.orders import Orders
from faka.sales.redaction import BuyerText
from faka.shared.model import Order, OrderStatus, PaymentConfirmation
from faka.trust.risk import Buyer, RiskRules, RiskSignals

# A buyer may ask once the payment is recorded; an operator may also cancel an order held by the risk rules.
REFUNDABLE = frozenset({OrderStatus.PAID, OrderStatus.DELIVERED, OrderStatus.AWAITING_STOCK})
OPERATOR_REFUNDABLE = REFUNDABLE | {OrderStatus.ON_HOLD}
_REFUSALS = {
    OrderStatus.PENDING_PAYMENT: "not_paid",
    OrderStatus.EXPIRED: "not_paid",
    OrderStatus.REFUNDED: "already_refunded",
    OrderStatus.ON_HOLD: "on_hold",
}


def line_amounts(amount: int, quantity: int) -> dict[int, int]:
    """What each line of an order cost: equal shares, the first lines carrying the indivisible remainder."""
    share, remainder = divmod(amount, quantity)
    return {n: share + (1 if n <= remainder else 0) for n in range(1, quantity + 1)}


class Refunds:
    def __init__(
        self,
        orders: Orders,
        events: EventPublisher,
        provider_for: Callable[[Order], PaymentProvider],
        workflow: ReviewWorkflow,
        policies: RefundPolicies,
        rules: RiskRules,
        signals: RiskSignals,
        alerts: OperatorAlerts,
        tickets: Callable[[], CaseOpener],
        counters: Counters,
        *,
        decision_url: str,
        buyer_text: BuyerText,
        connection: Connection | None = None,
    ) -> None:
        self._orders = orders
        self._events = events
        self._workflow = workflow
        self._tickets = tickets
        self._buyer_text = buyer_text
        self._connection = connection or Connection()
        self._review = RefundReview(
            orders, events, workflow, policies, rules, signals, alerts, tickets, counters, decision_url=decision_url
        )
        self._settlement = RefundSettlement(
            orders, events, provider_for, alerts, decision_url=decision_url, connection=self._connection
        )

    # --- asking -------------------------------------------------------------------------------------------

    def get(self, refund_id: str) -> Refund:
        return read_refund(refund_id)

    def awaiting_review(self, shop_id: str, limit: int = 100) -> list[Refund]:
        """The shop's refunds an operator must decide, oldest first."""
        return refunds_awaiting_review(shop_id, limit)

    def for_order(self, order_id: str) -> list[Refund]:
        return refunds_of_order(order_id)

    def request(
        self,
        order: Order,
        *,
        reason: str,
        lines: Sequence[int] | None = None,
        requested_by: str = "buyer",
        approved_by: str | None = None,
        refundable_from: frozenset[OrderStatus] | None = None,
    ) -> Refund:
        """Open a refund of ``lines`` (every line not yet refunded when None) and start its review.

        Asking again for the same lines answers with the refund already open; ``approved_by`` (an operator
        cancelling a held order) skips the risk check. The reason is stored masked: operators read it in alerts.
        ``refundable_from`` narrows the statuses the order may be refunded from, also when a concurrent change
        makes it read the order again (a backorder refund must not refund an order a restock just delivered).
        """
        reason = self._buyer_text.mask(reason, order)
        for _ in range(3):
            existing = self._existing_for(order, lines)
            if existing is not None:
                self._workflow.start(existing)
                return existing
            refund = self._new_refund(order, reason, lines, requested_by, approved_by, refundable_from)
            if self._open(order, refund):
                break
            order = self._orders.get(order.order_id)  # a concurrent request or payment step got there first
        else:
            raise Conflict("the order kept changing; try again", code="busy")
        detail = {
            "refund_id": refund.refund_id,
            "order_id": refund.order_id,
            "shop_id": refund.shop_id,
            "lines": list(refund.lines),
            "amount": refund.amount,
            "currency": refund.currency,
            "requested_by": refund.requested_by,
            "created_at": refund.created_at.isoformat(),
        }
        self._events.publish("RefundRequested", detail)
        if approved_by:
            publish_approved(self._events, refund)
        metrics.add_metric(name="RefundsRequested", unit="Count", value=1)
        self._workflow.start(refund)
        return refund

    def _existing_for(self, order: Order, lines: Sequence[int] | None) -> Refund | None:
        """The refund that already answers this request, or None; raises when the request cannot be granted."""
        by_line = {line.line_no: line for line in order.lines}
        if unknown := sorted(set(lines or ()) - set(by_line)):
            raise InvalidRequest(f"the order has no line {unknown}", code="unknown_line")
        wanted = set(lines) if lines else None
        if order.open_refund_id:
            open_refund = self.get(order.open_refund_id)
            if wanted is None or wanted == set(open_refund.lines):
                return open_refund
            raise Conflict("a refund of this order is already under way", code="refund_in_progress")
        if wanted is None:
            if any(not line.refund_id for line in order.lines):
                return None
            wanted = set(by_line)  # every line had its refund: the same request again gets the same answer
        claimed = {refund_id for n in wanted if (refund_id := by_line[n].refund_id)}
        if claimed:
            earlier = self.get(claimed.pop()) if len(claimed) == 1 else None
            if earlier is not None and wanted == set(earlier.lines):
                return earlier
            raise Conflict("a line of this order already had a refund", code="already_refunded")
        return None

    def _new_refund(
        self,
        order: Order,
        reason: str,
        lines: Sequence[int] | None,
        requested_by: str,
        approved_by: str | None,
        refundable_from: frozenset[OrderStatus] | None,
    ) -> Refund:
        allowed = refundable_from or (OPERATOR_REFUNDABLE if approved_by else REFUNDABLE)
        if order.stored_status not in allowed or not order.payment_ref:
            code = _REFUSALS.get(order.stored_status, "not_refundable")
            raise Conflict(f"an order that is {order.stored_status.value} cannot be refunded", code=code)
        wanted = sorted(set(lines)) if lines else [line.line_no for line in order.lines if not line.refund_id]
        shares = line_amounts(order.amount, order.quantity)
        now = datetime.now(UTC)
        return Refund(
            refund_id=uuid.uuid4().hex,
            order_id=order.order_id,
            shop_id=order.shop_id,
            lines=tuple(wanted),
            amount=sum(shares[n] for n in wanted),
            currency=order.currency,
            reason=reason,
            status=RefundStatus.APPROVED if approved_by else RefundStatus.REQUESTED,
            requested_by=requested_by,
            created_at=now,
            decided_by=approved_by,
            decided_at=now if approved_by else None,
        )

    def _open(self, order: Order, refund: Refund) -> bool:
        item = RefundItem(
            refund.refund_id,
            RefundItem.SK,
            order_id=refund.order_id,
            buyer_ref=Buyer(order.email).ref,
            created_at=refund.created_at,
            shop_id=refund.shop_id,
            lines=list(refund.lines),
            amount=refund.amount,
            currency=refund.currency,
            reason=refund.reason,
            status=refund.status.value,
            requested_by=refund.requested_by,
            decided_by=refund.decided_by,
            decided_at=refund.decided_at,
        )
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.save(item, condition=RefundTableItem.pk.does_not_exist())
                for line_no in refund.lines:
                    transaction.update(
                        OrderLineItem(order.order_id, OrderLineItem.sort_key(line_no)),
                        actions=[OrderLineItem.refund_id.set(refund.refund_id)],
                        condition=OrderLineItem.order_id.exists() & OrderLineItem.refund_id.does_not_exist(),
                    )
                transaction.update(
                    OrderItem(order.order_id, OrderItem.SK),
                    actions=[
                        OrderItem.status.set(OrderStatus.REFUND_PENDING.value),
                        OrderItem.status_before_refund.set(order.stored_status.value),
                        OrderItem.open_refund_id.set(refund.refund_id),
                    ],
                    condition=(OrderItem.status == order.stored_status.value)
                    & OrderItem.open_refund_id.does_not_exist(),
                )
        except TransactWriteError as error:
            if condition_failed(error):
                return False
            raise
        logger.info("refund requested", extra={"refund_id": refund.refund_id, "order_id": order.order_id})
        return True

    def appeal(self, refund: Refund, order: Order, message: str) -> OpenedCase:
        """A rejected buyer asks a person to look again: one ticket per refund, however often they ask."""
        if refund.status is not RefundStatus.REJECTED:
            raise Conflict("only a rejected refund can be appealed", code="not_rejected")
        return self._tickets().open_once(
            key=f"{refund.refund_id}:appeal",
            shop_id=refund.shop_id,
            order_id=refund.order_id,
            intent="refund_request",
            severity=3,
            source="refund_appeal",
            locale=order.locale,
            summary=f"Appeal of rejected refund {refund.refund_id} ({refund.decision_reason}): "
            + self._buyer_text.mask(message, order)[:500],
        )

    # --- the review state machine's tasks: deciding (refund_review), then carrying it out (refund_settlement) -----

    def assess(self, refund_id: str) -> Next:
        return self._review.assess(refund_id)

    def request_review(self, refund_id: str, task_token: str) -> None:
        self._review.request_review(refund_id, task_token)

    def decide(self, refund_id: str, shop_id: str, role: Role, *, approve: bool, reason: str | None) -> Refund:
        return self._review.decide(refund_id, shop_id, role, approve=approve, reason=reason)

    def review_timed_out(self, refund_id: str) -> Next:
        return self._review.review_timed_out(refund_id)

    def revoke_keys(self, refund_id: str) -> None:
        self._settlement.revoke_keys(refund_id)

    def refund_payment(self, refund_id: str) -> None:
        self._settlement.refund_payment(refund_id)

    def record_payout(self, refund_id: str, shop_id: str, tx_hash: str) -> Refund:
        return self._settlement.record_payout(refund_id, shop_id, tx_hash)

    def reject(self, refund_id: str) -> None:
        self._settlement.reject(refund_id)

    def refund_duplicate(self, payment: PaymentConfirmation) -> str:
        return self._settlement.refund_duplicate(payment)
