"""Payment reconciliation: no paid order stays stuck because its webhook never came.

A schedule asks the payment provider about orders still waiting for their payment a few minutes after
they were placed, and records the payments it finds through the same path a webhook takes
(:meth:`Fulfilment.record_payment`), so a webhook arriving late changes nothing. Orders are asked about
until an hour after they expired; then they leave the pending-payment index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from faka.observability import logger, metrics
from faka.ports import PaymentProvider
from faka.sales.fulfilment import Fulfilment, PaymentResult
from faka.sales.orders import Orders
from faka.shared.model import OrderStatus

# A buyer may finish paying on the provider's page a while after faka's own order expired.
LATE_PAYMENT_GRACE = timedelta(hours=1)
ORDERS_PER_RUN = 100


@dataclass(frozen=True)
class ReconcileReport:
    checked: int = 0
    fulfilled: int = 0
    closed: int = 0


class Reconciliation:
    def __init__(
        self, orders: Orders, fulfilment: Fulfilment, provider: PaymentProvider, *, after_seconds: int
    ) -> None:
        self._orders = orders
        self._fulfilment = fulfilment
        self._provider = provider
        self._after = timedelta(seconds=after_seconds)

    def run(self, now: datetime | None = None) -> ReconcileReport:
        now = now or datetime.now(UTC)
        checked = fulfilled = closed = 0
        for order_id in self._orders.pending_payments(now - self._after, limit=ORDERS_PER_RUN):
            checked += 1
            order = self._orders.get(order_id)
            if order.stored_status is not OrderStatus.PENDING_PAYMENT:
                self._orders.stop_reconciling(order_id)  # paid or held by a path that predates the index
                closed += 1
                continue
            payment = self._provider.find_payment(order_id)
            if payment is not None:
                outcome = self._fulfilment.record_payment(payment)
                logger.info("payment found without its webhook", extra={"order_id": order_id, "result": outcome.result})
                fulfilled += outcome.result is not PaymentResult.ALREADY_PROCESSED
            elif now > order.expires_at + LATE_PAYMENT_GRACE:
                self._orders.stop_reconciling(order_id)
                closed += 1
        metrics.add_metric(name="PaymentsReconciled", unit="Count", value=fulfilled)
        return ReconcileReport(checked, fulfilled, closed)
