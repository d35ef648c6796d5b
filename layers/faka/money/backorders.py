"""Backorders: a paid order still waiting for stock ``FAKA_BACKORDER_REFUND_HOURS`` after its payment is refunded.

Run by the reconciliation schedule. The refund is the ordinary one (faka.money.refunds), approved by the system:
its review workflow revokes the order's lines (a keyless line is closed, so a later restock cannot issue to it),
pays the buyer back through the order's provider and publishes RefundCompleted, which emails the buyer and enters
the ledger. A restock before then still delivers the order.

Exactly once against a restock: the refund opens only from ``awaiting_stock`` (one conditional write with the
lines' claims), and a restock serves only an order still awaiting stock and marks it delivered only from there.
Whichever comes first wins; a key a restock claimed onto a line the refund had already taken is revoked with it,
and the order is never marked delivered. A second run, or two at once, find the refund already open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from faka.adapters.tables.orders import OrderItem
from faka.errors import Conflict
from faka.observability import logger, metrics
from faka.sales.orders import Orders
from faka.shared.model import OrderStatus

if TYPE_CHECKING:
    from faka.money.refunds import Refunds

REQUESTED_BY_SYSTEM = "system"
BACKORDER_REFUND_BY = "system:backorder_timeout"
_WAITING = frozenset({OrderStatus.AWAITING_STOCK})


@dataclass(frozen=True)
class BackorderReport:
    overdue: int = 0
    refunded: int = 0


class Backorders:
    def __init__(self, orders: Orders, refunds: Callable[[], Refunds], *, refund_after: timedelta) -> None:
        self._orders = orders
        # Built on first use: most runs find no overdue backorder, and the refunds (their risk rules, review
        # workflow and clients) cost more than the run.
        self._refunds = refunds
        self._refund_after = refund_after

    def refund_overdue(self, now: datetime | None = None) -> BackorderReport:
        cutoff = (now or datetime.now(UTC)) - self._refund_after
        overdue = refunded = 0
        # The waiting index is sparse (only orders waiting for stock), and an order is paid after it is placed, so
        # its placement time narrows the read before the payment time decides.
        for item in OrderItem.waiting.scan(filter_condition=OrderItem.created_at < cutoff):
            order = self._orders.get(item.order_id)
            if order.stored_status is not OrderStatus.AWAITING_STOCK or not order.paid_at or order.paid_at > cutoff:
                continue
            overdue += 1
            try:
                refund = self._refunds().request(
                    order,
                    reason=f"No stock within {self._refund_after} of the payment: refunded automatically.",
                    requested_by=REQUESTED_BY_SYSTEM,
                    approved_by=BACKORDER_REFUND_BY,
                    refundable_from=_WAITING,
                )
            except Conflict as refused:
                # Delivered by a restock meanwhile, or a refund of it already under way.
                logger.info("backorder not refunded", extra={"order_id": order.order_id, "why": refused.code})
                continue
            refunded += 1
            logger.info("backorder refunded", extra={"order_id": order.order_id, "refund_id": refund.refund_id})
        if refunded:
            metrics.add_metric(name="BackordersRefunded", unit="Count", value=refunded)
        return BackorderReport(overdue, refunded)
