"""Carrying a refund's decision out: an approved refund's keys revoked, then the money paid back once; a rejected
one's order given its status back. Also a double charge paid back in full.

These are the review state machine's last steps, each a conditional write that can run again and only finishes
what is not done yet; each moves nothing unless :mod:`faka.money.refund_review` recorded the decision first
(:class:`NotDecided` otherwise). An order is paid back through the provider it was paid with; one no API can pay
back (USDT) waits for an operator's transfer, recorded once by :meth:`RefundSettlement.record_payout`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from faka.adapters.tables.orders import OrderItem, OrderLineItem
from faka.adapters.tables.refunds import PayoutClaimItem, RefundItem, RefundTableItem
from faka.errors import Conflict, NotFound
from faka.money.refund_records import Refund, RefundStatus, condition_failed, read_refund, record_decision
from faka.observability import logger, metrics
from faka.ports import EventPublisher, OperatorAlerts, OperatorPaysOut, PaymentProvider
from faka.sales.orders import Orders
from faka.sales.revocation import revoke_lines
from faka.shared.model import Order, OrderLine, OrderStatus, PaymentConfirmation

KEY_ACTIVATED_REASON = "key_activated"


# The class names of these two are the error names the state machine catches: keep them in step with the ASL.
class KeyActivated(Exception):
    """A key of the refund was activated before it could be revoked: nothing was revoked, no money moved."""


class NotDecided(Exception):
    """The workflow was resumed with a decision the refund does not record (a forged or replayed token)."""


def provider_refund_key(refund_id: str) -> str:
    """The idempotency key a refund is sent to its provider with (its merchant request number there)."""
    return f"refund-{refund_id}"


# Tries at completing a payout whose transaction was cancelled by a concurrent one (a retry the caller need not make).
_PAYOUT_ATTEMPTS = 3


class RefundSettlement:
    def __init__(
        self,
        orders: Orders,
        events: EventPublisher,
        provider_for: Callable[[Order], PaymentProvider],
        alerts: OperatorAlerts,
        *,
        decision_url: str,
        connection: Connection,
    ) -> None:
        self._orders = orders
        self._events = events
        # Each order is paid back through the provider it was paid with (Stripe, Alipay, WeChat Pay, USDT).
        self._provider_for = provider_for
        self._alerts = alerts
        self._decision_url = decision_url
        self._connection = connection

    def revoke_keys(self, refund_id: str) -> None:
        """Revoke every key of the refunded lines in one transaction, on condition that none is activated."""
        refund = read_refund(refund_id)
        if refund.status is RefundStatus.COMPLETED or refund.revoked:
            return
        if refund.status is not RefundStatus.APPROVED:
            raise NotDecided(f"refund {refund_id} is {refund.status.value}, not approved")
        for _ in range(3):
            order = self._orders.get(refund.order_id)
            lines = [line for line in order.lines if line.line_no in refund.lines]
            if any(line.activated for line in lines):
                record_decision(
                    refund,
                    RefundStatus.REJECTED,
                    decided_by="system",
                    reason=KEY_ACTIVATED_REASON,
                    allowed_from=(RefundStatus.APPROVED,),
                )
                raise KeyActivated(f"a key of refund {refund_id} was activated before it could be revoked")
            if self._revoke(refund, order, lines):
                logger.info("keys revoked", extra={"refund_id": refund_id, "lines": list(refund.lines)})
                return
        raise Conflict("the order's keys kept changing", code="busy")

    def _revoke(self, refund: Refund, order: Order, lines: list[OrderLine]) -> bool:
        try:
            with TransactWrite(connection=self._connection) as transaction:
                revoke_lines(
                    transaction,
                    order,
                    lines,
                    datetime.now(UTC),
                    line_condition=OrderLineItem.refund_id == refund.refund_id,
                )
                transaction.update(
                    RefundItem(refund.refund_id, RefundItem.SK),
                    actions=[RefundItem.revoked_at.set(datetime.now(UTC))],
                    condition=RefundItem.status == RefundStatus.APPROVED.value,
                )
        except TransactWriteError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def refund_payment(self, refund_id: str) -> None:
        """Pay the buyer back through the provider, once, and record the refund and the order as refunded."""
        refund = read_refund(refund_id)
        if refund.status is RefundStatus.COMPLETED:
            self._publish_completed(refund)
            return
        if refund.status is RefundStatus.AWAITING_PAYOUT:
            return  # a retried step: the operator was told already
        if refund.status is not RefundStatus.APPROVED or not refund.revoked:
            raise NotDecided(f"refund {refund_id} is {refund.status.value}, keys revoked: {refund.revoked}")
        order = self._orders.get(refund.order_id)
        assert order.payment_ref is not None  # requests are refused until the payment is recorded
        provider = self._provider_for(order)
        if isinstance(provider, OperatorPaysOut):
            self._await_payout(refund, order.payment_ref, provider)
            return
        provider_ref = provider.refund(
            payment_ref=order.payment_ref, amount=refund.amount, idempotency_key=provider_refund_key(refund_id)
        )
        self._complete(refund, order, provider_ref, completed_from=RefundStatus.APPROVED)
        self._publish_completed(read_refund(refund_id))

    def _await_payout(self, refund: Refund, payment_ref: str, provider: OperatorPaysOut) -> None:
        """No API pays it back: the operator is told where to send what, once (a retried step alerts no more)."""
        payer = provider.payer_of(order_id=refund.order_id, payment_ref=payment_ref)
        try:
            RefundItem(refund.refund_id, RefundItem.SK).update(
                actions=[RefundItem.status.set(RefundStatus.AWAITING_PAYOUT.value), RefundItem.task_token.remove()],
                condition=RefundItem.status == RefundStatus.APPROVED.value,
            )
        except UpdateError as error:
            if condition_failed(error):
                return
            raise
        amount = f"{refund.amount // 100}.{refund.amount % 100:02d}"
        url = self._decision_url.format(refund_id=refund.refund_id).removesuffix("/decision") + "/payout"
        self._alerts.alert(
            f"Refund {refund.refund_id[:8]}: send {amount} USDT back to the buyer",
            f"Refund {refund.refund_id} of order {refund.order_id} is approved and its keys are revoked. Send "
            f"{amount} USDT (TRC20) from the shop's wallet to {payer}, the address that paid, then record the "
            f"transfer:\ncurl -X POST '{url}' -H 'Authorization: Bearer <operator token>' "
            f"-H 'X-Faka-Shop: {refund.shop_id}' -d '{{\"tx_hash\": \"<transaction hash>\"}}'",
            shop_id=refund.shop_id,
            kind="refund_review",
        )
        metrics.add_metric(name="RefundsAwaitingPayout", unit="Count", value=1)

    def record_payout(self, refund_id: str, shop_id: str, tx_hash: str) -> Refund:
        """The operator sent a refund awaiting payout: the transfer is checked on chain, then the refund completed
        once (the buyer's email and the ledger follow RefundCompleted). The same payout again answers the refund."""
        refund = read_refund(refund_id)
        if refund.shop_id != shop_id:
            raise NotFound("no such refund", code="unknown_refund")
        if refund.status is not RefundStatus.AWAITING_PAYOUT and refund.status is not RefundStatus.COMPLETED:
            raise Conflict(f"refund {refund_id} is {refund.status.value}", code="not_awaiting_payout")
        order = self._orders.get(refund.order_id)
        provider = self._provider_for(order)
        if not isinstance(provider, OperatorPaysOut) or order.payment_ref is None:
            raise Conflict("this refund is paid back by its provider", code="not_awaiting_payout")
        provider_ref = provider.record_operator_refund(
            order_id=order.order_id, payment_ref=order.payment_ref, amount=refund.amount, tx_hash=tx_hash
        )
        for _attempt in range(_PAYOUT_ATTEMPTS):
            if refund.status is not RefundStatus.AWAITING_PAYOUT:
                break
            if self._complete(
                refund, order, provider_ref, completed_from=RefundStatus.AWAITING_PAYOUT, payout_claimed=True
            ):
                self._publish_completed(read_refund(refund_id))
            # Completed by this call or a concurrent one; still awaiting: the transaction met another, so again.
            refund = read_refund(refund_id)
        if refund.status is RefundStatus.AWAITING_PAYOUT:
            raise Conflict("another payout of this refund is being recorded; try again", code="payout_in_progress")
        if refund.provider_ref != provider_ref:
            raise Conflict("the refund was recorded with another transfer", code="already_refunded")
        return refund

    def _complete(
        self,
        refund: Refund,
        order: Order,
        provider_ref: str,
        *,
        completed_from: RefundStatus,
        payout_claimed: bool = False,
    ) -> bool:
        """Record the refund and the order as refunded; False when another worker recorded it first.

        ``payout_claimed``: ``provider_ref`` is a transfer the operator sent, claimed for this refund in the same
        transaction; a transfer another refund holds → 409 ``payout_already_recorded``, nothing recorded."""
        now = datetime.now(UTC)
        refunded = order.refunded_amount + refund.amount
        fully = refunded >= order.amount
        after = OrderStatus.REFUNDED if fully else (order.status_before_refund or OrderStatus.DELIVERED)
        order_actions: list[Action] = [
            OrderItem.refunded_amount.add(refund.amount),
            OrderItem.status.set(after.value),
            OrderItem.open_refund_id.remove(),
            OrderItem.status_before_refund.remove(),
        ]
        if fully:
            order_actions.append(OrderItem.waiting_for.remove())
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.update(
                    RefundItem(refund.refund_id, RefundItem.SK),
                    actions=[
                        RefundItem.status.set(RefundStatus.COMPLETED.value),
                        RefundItem.provider_ref.set(provider_ref),
                        RefundItem.completed_at.set(now),
                        RefundItem.task_token.remove(),
                    ],
                    condition=RefundItem.status == completed_from.value,
                )
                transaction.update(
                    OrderItem(order.order_id, OrderItem.SK),
                    actions=order_actions,
                    condition=OrderItem.open_refund_id == refund.refund_id,
                )
                if payout_claimed:
                    transaction.save(
                        PayoutClaimItem(*PayoutClaimItem.key(provider_ref), refund_id=refund.refund_id, claimed_at=now),
                        condition=RefundTableItem.pk.does_not_exist() | (PayoutClaimItem.refund_id == refund.refund_id),
                    )
        except TransactWriteError as error:
            if not condition_failed(error):
                raise
            # pynamodb sends a transaction's puts before its updates: the claim, the only put, is the first.
            claim = (error.cancellation_reasons or [None])[0] if payout_claimed else None
            if claim is not None and claim.code == "ConditionalCheckFailed":
                raise Conflict(
                    "this transfer was recorded as another refund's payout", code="payout_already_recorded"
                ) from None
            return False
        metrics.add_metric(name="RefundsCompleted", unit="Count", value=1)
        return True

    def reject(self, refund_id: str) -> None:
        """Finish a rejection: the order gets its status back and the buyer is told why."""
        refund = read_refund(refund_id)
        if refund.status is not RefundStatus.REJECTED:
            raise NotDecided(f"refund {refund_id} is {refund.status.value}, not rejected")
        order = self._orders.get(refund.order_id)
        if order.open_refund_id == refund_id:
            try:
                OrderItem(order.order_id, OrderItem.SK).update(
                    actions=[
                        OrderItem.status.set((order.status_before_refund or OrderStatus.DELIVERED).value),
                        OrderItem.open_refund_id.remove(),
                        OrderItem.status_before_refund.remove(),
                    ],
                    condition=OrderItem.open_refund_id == refund_id,
                )
            except UpdateError as error:
                if not condition_failed(error):
                    raise
        RefundItem(refund_id, RefundItem.SK).update(actions=[RefundItem.task_token.remove()])
        metrics.add_metric(name="RefundsRejected", unit="Count", value=1)
        self._events.publish(
            "RefundRejected",
            {
                "refund_id": refund.refund_id,
                "order_id": refund.order_id,
                "shop_id": refund.shop_id,
                "reason": refund.decision_reason or "",
                "decided_by": refund.decided_by or "system",
            },
        )

    def refund_duplicate(self, payment: PaymentConfirmation) -> str:
        """A second payment for an order already paid (a double charge): paid back in full, once per payment."""
        refund_ref = self._provider_for(self._orders.get(payment.order_id)).refund(
            payment_ref=payment.payment_ref, amount=payment.amount, idempotency_key=f"duplicate-{payment.payment_ref}"
        )
        logger.warning("duplicate payment refunded", extra={"order_id": payment.order_id})
        metrics.add_metric(name="DuplicatePaymentsRefunded", unit="Count", value=1)
        self._events.publish(
            "DuplicatePaymentRefunded",
            {
                "order_id": payment.order_id,
                "payment_ref": payment.payment_ref,
                "amount": payment.amount,
                "currency": payment.currency,
                "refund_ref": refund_ref,
            },
        )
        return refund_ref

    def _publish_completed(self, refund: Refund) -> None:
        self._events.publish(
            "RefundCompleted",
            {
                "refund_id": refund.refund_id,
                "order_id": refund.order_id,
                "shop_id": refund.shop_id,
                "lines": list(refund.lines),
                "amount": refund.amount,
                "currency": refund.currency,
                "provider_ref": refund.provider_ref,
                "completed_at": refund.completed_at.isoformat() if refund.completed_at else None,
                "compensated_by_platform": refund.compensated_by_platform is not None,
            },
        )
