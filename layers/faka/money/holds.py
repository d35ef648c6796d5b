"""Orders the checkout risk rules held: an operator releases them to delivery or cancels them with a refund."""

from __future__ import annotations

from faka.errors import Conflict, NotFound
from faka.money.refund_records import Refund
from faka.money.refunds import Refunds
from faka.observability import logger
from faka.sales.fulfilment import Fulfilment, PaymentOutcome
from faka.sales.orders import HELD_BY_RISK_RULES, Orders
from faka.shared.model import Order, OrderStatus


class HeldOrders:
    def __init__(self, orders: Orders, fulfilment: Fulfilment, refunds: Refunds) -> None:
        self._orders = orders
        self._fulfilment = fulfilment
        self._refunds = refunds

    def release(self, order_id: str, shop_id: str, operator: str) -> PaymentOutcome:
        order = self._held(order_id, shop_id)
        if not self._orders.release_hold(order):
            raise Conflict("the order is no longer on hold", code="not_on_hold")
        logger.info("held order released", extra={"order_id": order_id, "by": operator})
        return self._fulfilment.fulfil(self._orders.get(order_id))

    def cancel(self, order_id: str, shop_id: str, operator: str, reason: str) -> Refund:
        """Refund the whole held order; the operator's word approves it, so no risk check runs."""
        order = self._held(order_id, shop_id)
        return self._refunds.request(order, reason=reason, requested_by="operator", approved_by=operator)

    def _held(self, order_id: str, shop_id: str) -> Order:
        order = self._orders.get(order_id)
        if order.shop_id != shop_id:
            raise NotFound("no such order", code="unknown_order")
        if order.stored_status is not OrderStatus.ON_HOLD or order.flag_reason != HELD_BY_RISK_RULES:
            raise Conflict("only an order held by the risk rules can be released or cancelled", code="not_on_hold")
        return order
