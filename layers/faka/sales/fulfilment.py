"""From a confirmed payment to keys on every order line.

Every step is a conditional write, so the whole path can be re-run at any point (a duplicate or
retried webhook, a restock event, a crash half-way) and only finishes what is not yet done; that is also
what makes a provider's notification idempotent (no record of its own: the order records the event that paid it).
The keys are claimed while the order is still unpaid in the table, so a payment whose lines all get their keys at
once is recorded with the delivery in one write.

The event of the state the order is left in is published on every run: consumers are idempotent (once per order),
and this way a crash between a write and its event cannot lose the event. A delivered order's delivery is announced
again when a crash may have come before its announcement: by a retried restock (or the schedule behind it,
:meth:`Fulfilment.serve_waiting`) that finds it still on the waiting list, and by a notification of its payment or a
reconciliation check that finds no delivery email recorded :data:`ANNOUNCEMENT_LAG` after the delivery (the
duplicates that arrive while the delivering run is announcing it are answered without announcing it once more).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from faka.observability import logger, metrics
from faka.ports import EventPublisher
from faka.sales.issuance import ClaimOutcome, KeyIssuer
from faka.sales.orders import HELD_BY_RISK_RULES, Orders
from faka.shared.model import FULFILLABLE, Order, OrderStatus, PaymentConfirmation

# The notifier records a delivery email seconds after the announcement, a queue backlog aside; a delivered order still
# without one after this long may have lost its announcement to a crash.
ANNOUNCEMENT_LAG = timedelta(minutes=2)


class PaymentResult(StrEnum):
    DELIVERED = "delivered"
    AWAITING_STOCK = "awaiting_stock"
    FLAGGED = "flagged"
    HELD = "held"
    DUPLICATE = "duplicate"
    ALREADY_PROCESSED = "already_processed"


@dataclass(frozen=True)
class PaymentOutcome:
    order_id: str
    result: PaymentResult
    status: OrderStatus


class Fulfilment:
    def __init__(self, orders: Orders, issuer: KeyIssuer, events: EventPublisher) -> None:
        self._orders = orders
        self._issuer = issuer
        self._events = events

    def record_payment(self, payment: PaymentConfirmation, *, event_id: str | None = None) -> PaymentOutcome:
        """Record a provider's notice of payment (``event_id``: the notification's own id), as often as it comes."""
        order = self._orders.get(payment.order_id)
        mismatch = _mismatch(order, payment)
        if mismatch and order.stored_status is OrderStatus.PENDING_PAYMENT:
            return self._flag(order, mismatch, payment)
        if order.stored_status is OrderStatus.PENDING_PAYMENT and not order.hold_rules:
            if not self._claim_missing(order, [line.line_no for line in order.lines if not line.issued]):
                # Passed positionally: the chaos harness wraps this step with positional arguments only.
                delivered = self._orders.mark_delivered(order, payment, event_id)
                if delivered:
                    metrics.add_metric(name="OrdersPaid", unit="Count", value=1)
                    metrics.add_metric(name="OrdersDelivered", unit="Count", value=1)
                    self._events.publish("OrderPaid", _paid_detail(delivered))
                    self._announce_delivery(delivered)
                    return PaymentOutcome(order.order_id, PaymentResult.DELIVERED, delivered.stored_status)
            # Out of stock (the path below lists it as waiting), or another delivery of the payment came first.
            order = self._orders.get(order.order_id)
        if order.stored_status is OrderStatus.PENDING_PAYMENT:
            # An order the checkout risk rules flagged is held in the same write that records its payment.
            paid = self._orders.mark_paid(order, payment, hold=bool(order.hold_rules), event_id=event_id)
            if paid:
                metrics.add_metric(name="OrdersPaid", unit="Count", value=1)
            order = paid or self._orders.get(order.order_id)
        elif order.payment_ref and order.payment_ref != payment.payment_ref:
            # A second, different payment for an order already paid: a double charge, which the caller refunds.
            self._publish_flag(order, "duplicate_payment", payment)
            return PaymentOutcome(order.order_id, PaymentResult.DUPLICATE, order.stored_status)
        elif order.stored_status is OrderStatus.DELIVERED:
            return self._paid_and_delivered_before(order, event_id)
        if order.stored_status is OrderStatus.ON_HOLD and order.flag_reason == HELD_BY_RISK_RULES:
            self._events.publish(
                "OrderHeld", {"order_id": order.order_id, "shop_id": order.shop_id, "rules": list(order.hold_rules)}
            )
            return PaymentOutcome(order.order_id, PaymentResult.HELD, order.stored_status)
        if order.stored_status is OrderStatus.PAID:
            self._events.publish("OrderPaid", _paid_detail(order))
        if order.stored_status not in FULFILLABLE:
            return PaymentOutcome(order.order_id, PaymentResult.ALREADY_PROCESSED, order.stored_status)
        return self.fulfil(order)

    def fulfil(self, order: Order) -> PaymentOutcome:
        """Issue a key to every line that has none, then record the order as delivered or waiting."""
        missing = [line.line_no for line in order.lines if not line.issued]
        for attempt in range(2):
            missing = self._claim_missing(order, missing)
            if not missing:
                waited = order.stored_status is OrderStatus.AWAITING_STOCK
                delivered = self._orders.mark_delivered(order)
                if delivered:
                    metrics.add_metric(name="OrdersDelivered", unit="Count", value=1)
                order = delivered or self._orders.get(order.order_id)
                if order.stored_status is OrderStatus.DELIVERED:
                    self._announce_delivery(order)
                    if waited:
                        self._orders.stop_waiting(order.order_id)
                    return PaymentOutcome(order.order_id, PaymentResult.DELIVERED, order.stored_status)
                return PaymentOutcome(order.order_id, PaymentResult.ALREADY_PROCESSED, order.stored_status)
            if attempt == 0 and order.stored_status is OrderStatus.PAID:
                # Once listed as waiting, a restock finds this order; stock that arrived just before the
                # listing would not, hence one more pass after it.
                order = self._orders.mark_awaiting_stock(order) or self._orders.get(order.order_id)
                continue
            break
        logger.warning("order waiting for stock", extra={"order_id": order.order_id, "missing": len(missing)})
        self._events.publish(
            "OrderAwaitingStock",
            {"order_id": order.order_id, "shop_id": order.shop_id, "sku": order.sku, "missing": len(missing)},
        )
        return PaymentOutcome(order.order_id, PaymentResult.AWAITING_STOCK, order.stored_status)

    def fulfil_waiting(self, product_ref: str) -> int:
        """Serve orders waiting for a product, oldest first, until stock runs out; returns how many were served."""
        return self._walk_waiting(product_ref, claim=True)

    def serve_waiting(self) -> int:
        """Serve the waiting orders of every product that has stock again; returns how many were served.

        Run by the reconciliation schedule behind the restock event: a restock that crashed part-way on every
        delivery of its event ends in the dead-letter queue with orders still waiting, and nothing else would come
        back for them. For a product without stock, only the orders such a restock delivered and did not announce
        are announced (they are the front of its list, served oldest first), and nothing is claimed.
        """
        return sum(
            self._walk_waiting(ref, claim=self._issuer.has_stock(ref))
            for ref in sorted(self._orders.products_awaited())
        )

    def _walk_waiting(self, product_ref: str, *, claim: bool) -> int:
        """Go through the orders waiting for a product, oldest first: announce those delivered by a run that stopped
        before it announced them, and with ``claim`` serve the others until stock runs out. Returns how many were
        served."""
        served = 0
        for order_id in self._orders.waiting_for_stock(product_ref):
            order = self._orders.get(order_id)
            if order.stored_status is OrderStatus.DELIVERED:
                # Delivered by a run that stopped before it announced the delivery and took the order off the list.
                self._announce_delivery(order)
                self._orders.stop_waiting(order_id)
                continue
            if order.stored_status not in FULFILLABLE:
                continue
            if not claim or self.fulfil(order).result is not PaymentResult.DELIVERED:
                break
            served += 1
        return served

    def announce_if_lost(self, order: Order, now: datetime | None = None) -> bool:
        """Publish a delivered order's events again when no delivery email was recorded :data:`ANNOUNCEMENT_LAG`
        after the delivery: the run that delivered it may have stopped before announcing it (consumers take the
        events once). Returns whether it did."""
        if order.stored_status is not OrderStatus.DELIVERED or order.delivery_message_id is not None:
            return False
        if order.delivered_at and (now or datetime.now(UTC)) - order.delivered_at < ANNOUNCEMENT_LAG:
            return False
        self._events.publish("OrderPaid", _paid_detail(order))
        self._announce_delivery(order)
        return True

    def _claim_missing(self, order: Order, line_nos: list[int]) -> list[int]:
        """Claim a key for each of these lines; returns those left without one (out of stock)."""
        return [n for n in line_nos if self._issuer.claim(order, n) is ClaimOutcome.OUT_OF_STOCK]

    def _announce_delivery(self, order: Order) -> None:
        self._events.publish("OrderDelivered", _delivered_detail(order))

    def _paid_and_delivered_before(self, order: Order, event_id: str | None) -> PaymentOutcome:
        """A notice of the payment that delivered the order: the same notification again is answered as it was
        first, another one as already processed."""
        self.announce_if_lost(order)
        same_notice = event_id is not None and event_id == order.payment_event_id
        result = PaymentResult.DELIVERED if same_notice else PaymentResult.ALREADY_PROCESSED
        return PaymentOutcome(order.order_id, result, order.stored_status)

    def _flag(self, order: Order, reason: str, payment: PaymentConfirmation) -> PaymentOutcome:
        self._orders.put_on_hold(order, reason)
        self._publish_flag(order, reason, payment)
        return PaymentOutcome(order.order_id, PaymentResult.FLAGGED, OrderStatus.ON_HOLD)

    def _publish_flag(self, order: Order, reason: str, payment: PaymentConfirmation) -> None:
        logger.warning("order flagged", extra={"order_id": order.order_id, "reason": reason})
        metrics.add_metric(name="OrdersFlagged", unit="Count", value=1)
        self._events.publish(
            "OrderFlagged",
            {
                "order_id": order.order_id,
                "shop_id": order.shop_id,
                "reason": reason,
                "expected": {"amount": order.amount, "currency": order.currency},
                "received": {"amount": payment.amount, "currency": payment.currency},
                "payment_ref": payment.payment_ref,
            },
        )


def _mismatch(order: Order, payment: PaymentConfirmation) -> str | None:
    if payment.currency.lower() != order.currency:
        return "currency_mismatch"
    if payment.amount != order.amount:
        return "amount_mismatch"
    return None


def _paid_detail(order: Order) -> dict[str, object]:
    return {
        "order_id": order.order_id,
        "shop_id": order.shop_id,
        "amount": order.amount,
        "currency": order.currency,
        "payment_ref": order.payment_ref,
        "paid_at": order.paid_at.isoformat() if order.paid_at else None,
    }


def _delivered_detail(order: Order) -> dict[str, object]:
    return {
        "order_id": order.order_id,
        "shop_id": order.shop_id,
        "sku": order.sku,
        "quantity": order.quantity,
        "locale": order.locale,
        "delivered_at": order.delivered_at.isoformat() if order.delivered_at else None,
    }
