"""A payment that failed after checkout (an asynchronous method: a bank debit, a voucher): the order stops waiting.

The order leaves ``pending_payment`` for ``expired``, the status a buyer and the console already read as "no
payment came", with ``payment_failed`` as its flag reason, and leaves the reconciliation index, so nothing asks
the provider about it again and nothing is issued. Only a pending order moves (one conditional write), so a
redelivered notice, or one for an order paid by other means meanwhile, changes nothing. No buyer email exists
for it (templates/email has none): the order page shows the status.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.exceptions import UpdateError

from faka.adapters.tables.orders import OrderItem
from faka.errors import NotFound
from faka.observability import logger, metrics
from faka.payments.stripe_webhook import PaymentFailed
from faka.sales.orders import Orders
from faka.shared.model import OrderStatus

PAYMENT_FAILED_REASON = "payment_failed"


@dataclass(frozen=True)
class PaymentFailureOutcome:
    order_id: str
    closed: bool
    # None for an order faka does not know (logged and acknowledged, as providers require).
    status: OrderStatus | None


class PaymentFailures:
    def __init__(self, orders: Orders) -> None:
        self._orders = orders

    def record(self, notice: PaymentFailed) -> PaymentFailureOutcome:
        try:
            OrderItem(notice.order_id, OrderItem.SK).update(
                actions=[
                    OrderItem.status.set(OrderStatus.EXPIRED.value),
                    OrderItem.flag_reason.set(PAYMENT_FAILED_REASON),
                    OrderItem.payment_pending.remove(),
                ],
                condition=OrderItem.status == OrderStatus.PENDING_PAYMENT.value,
            )
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            # Not pending (paid by other means, closed before) or unknown: nothing to undo.
            try:
                status: OrderStatus | None = self._orders.get(notice.order_id).stored_status
            except NotFound:
                logger.warning("failed payment for no faka order", extra={"order_id": notice.order_id})
                status = None
            return PaymentFailureOutcome(notice.order_id, closed=False, status=status)
        logger.info("asynchronous payment failed; order closed", extra={"order_id": notice.order_id})
        metrics.add_metric(name="PaymentsFailed", unit="Count", value=1)
        return PaymentFailureOutcome(notice.order_id, closed=True, status=OrderStatus.EXPIRED)
