"""Refunds made at the payment provider, outside faka (Stripe's dashboard), caught up with once.

The provider reports a charge's refunded total, which counts faka's own refunds too. What faka has not recorded
(the order's ``refunded_amount``, plus a refund of its own approved and on its way) is new, and is recorded in one
conditional write on the order, so however often, and however concurrently, the provider repeats itself, each
amount is taken into account once.

Decided: a refund of the whole charge revokes every key of the order not yet activated (an activated one is used
and stays, as with a chargeback) and marks the order refunded. A partial refund revokes nothing: which keys a
partial amount stands for is not knowable from the provider, so it is recorded (the order's refunded amount, the
ledger's ``ChargeRefunded``) and the shop's operators are told to revoke by hand if they meant to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from faka.adapters.tables.orders import OrderItem
from faka.errors import Conflict
from faka.money.refund_records import RefundStatus
from faka.money.refunds import Refunds
from faka.observability import logger, metrics
from faka.payments.stripe_webhook import ProviderRefund
from faka.ports import EventPublisher, OperatorAlerts, PaymentProvider
from faka.sales.orders import Orders
from faka.sales.revocation import revoke_lines
from faka.shared.model import Order, OrderLine, OrderStatus

_ATTEMPTS = 3


@dataclass(frozen=True)
class ProviderRefundOutcome:
    order_id: str | None
    # What this notice added to what faka knew was refunded; 0 when nothing was new.
    recorded: int = 0
    full: bool = False
    revoked_lines: tuple[int, ...] = ()


class ProviderRefunds:
    def __init__(
        self,
        orders: Orders,
        refunds: Refunds,
        provider: PaymentProvider,
        events: EventPublisher,
        alerts: OperatorAlerts,
        connection: Connection | None = None,
    ) -> None:
        self._orders = orders
        self._refunds = refunds
        self._provider = provider
        self._events = events
        self._alerts = alerts
        self._connection = connection or Connection()

    def record(self, notice: ProviderRefund) -> ProviderRefundOutcome:
        order_id = notice.order_id or self._provider.order_for_payment(
            payment_ref=notice.payment_ref, charge=notice.charge
        )
        if not order_id:
            logger.warning("refund of a charge for no faka order", extra={"charge": notice.charge})
            return ProviderRefundOutcome(None)
        for _ in range(_ATTEMPTS):
            order = self._orders.get(order_id)
            new = notice.refunded_total - order.refunded_amount - self._in_flight(order)
            if new <= 0:
                logger.info("charge refund already recorded", extra={"order_id": order_id, "charge": notice.charge})
                return ProviderRefundOutcome(order_id)
            full = notice.full or notice.refunded_total >= order.amount
            lines = [line for line in order.lines if not line.revoked and not line.activated] if full else []
            if self._write(order, new, full, lines):
                return self._recorded(order, notice, new, full, tuple(line.line_no for line in lines))
        raise Conflict("the order kept changing while its provider refund was recorded", code="busy")

    def _in_flight(self, order: Order) -> int:
        """A refund of faka's own that may have reached the provider before faka recorded it as completed."""
        if not order.open_refund_id:
            return 0
        refund = self._refunds.get(order.open_refund_id)
        return refund.amount if refund.status is RefundStatus.APPROVED else 0

    def _write(self, order: Order, new: int, full: bool, lines: Sequence[OrderLine]) -> bool:
        now = datetime.now(UTC)
        actions: list[Action] = [OrderItem.refunded_amount.set(order.refunded_amount + new)]
        if full:
            actions += [
                OrderItem.status.set(OrderStatus.REFUNDED.value),
                OrderItem.waiting_for.remove(),
                OrderItem.payment_pending.remove(),
            ]
        # Exactly the refunded amount read: a concurrent delivery, or faka's own refund completing, is read again.
        unchanged = (
            OrderItem.refunded_amount == order.refunded_amount
            if order.refunded_amount
            else OrderItem.refunded_amount.does_not_exist() | (OrderItem.refunded_amount == 0)
        )
        # One write per item in a transaction: the revoked keys stop waiting for activation in this update of the
        # order, not in a second one of revoke_lines' own (it is given the order as waiting for none).
        waiting = min(sum(1 for line in lines if line.issued), order.pending_activation or 0)
        if waiting:
            actions.append(OrderItem.pending_activation.add(-waiting))
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.update(OrderItem(order.order_id, OrderItem.SK), actions=actions, condition=unchanged)
                if lines:
                    revoke_lines(transaction, replace(order, pending_activation=0), lines, now)
        except TransactWriteError as error:
            if "TransactionCanceled" in str(error.cause_response_code):
                return False
            raise
        return True

    def _recorded(
        self, order: Order, notice: ProviderRefund, new: int, full: bool, revoked: tuple[int, ...]
    ) -> ProviderRefundOutcome:
        logger.info(
            "refund made at the provider recorded",
            extra={"order_id": order.order_id, "amount": new, "full": full, "revoked_lines": len(revoked)},
        )
        metrics.add_metric(name="ProviderRefundsRecorded", unit="Count", value=1)
        if not full:
            self._alerts.alert(
                f"Order {order.order_id[:8]} partly refunded at the payment provider",
                f"{new} {notice.currency} of charge {notice.charge} (order {order.order_id}) was refunded outside "
                "faka: no key was revoked; revoke by hand the keys it stands for, if that was meant.",
                shop_id=order.shop_id,
            )
        self._events.publish(
            "ChargeRefunded",
            {
                "order_id": order.order_id,
                "shop_id": order.shop_id,
                "charge": notice.charge,
                "amount": new,
                "currency": notice.currency,
                "refunded_total": notice.refunded_total,
                "full": full,
                "revoked_lines": list(revoked),
                "refunded_at": datetime.now(UTC).isoformat(),
            },
        )
        return ProviderRefundOutcome(order.order_id, new, full, revoked)
