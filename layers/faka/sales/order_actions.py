"""What an operator does to one order of their shop: send its delivery email again, cancel it while it is unpaid.

The delivery email goes again only to the address the order was placed with, never one an operator types (a
ticket's playbook may resend elsewhere, after the buyer proved the order is theirs), a few times an hour at most so
a mistaken loop cannot turn a shop's console into a mail cannon; each resend is counted on the order and its message
id recorded as the order's delivery email. Cancelling an unpaid order ends its payment window now: it reads as
expired, the checkout will not start again and reconciliation stops asking the provider about it. A payment that
still arrives is honoured, as for any expired order: the buyer's money is never taken without the keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pynamodb.exceptions import UpdateError

from faka.adapters.counters import Counters
from faka.adapters.tables.orders import OrderItem
from faka.errors import Conflict, NotFound, TooManyRequests
from faka.observability import logger
from faka.sales.notifications import Notices
from faka.sales.orders import Orders
from faka.shared.model import Order, OrderStatus

RESENDS_PER_HOUR = 3
_HOUR_BUCKET = "%Y%m%d%H"


@dataclass(frozen=True)
class Resent:
    order_id: str
    message_id: str
    resends_this_hour: int


class OrderActions:
    def __init__(self, orders: Orders, notices: Callable[[], Notices], counters: Counters) -> None:
        self._orders = orders
        self._notices = notices
        self._counters = counters

    def _own(self, order_id: str, shop_id: str) -> Order:
        order = self._orders.get(order_id)
        if order.shop_id != shop_id:
            raise NotFound("no such order", code="unknown_order")
        return order

    def resend_delivery(self, order_id: str, shop_id: str, operator: str) -> Resent:
        order = self._own(order_id, shop_id)
        if order.stored_status is not OrderStatus.DELIVERED:
            raise Conflict("only a delivered order's email can be sent again", code="not_delivered")
        now = datetime.now(UTC)
        counted = self._counters.add(
            f"RESEND#{order_id}",
            now.strftime(_HOUR_BUCKET),
            {"resends": 1},
            expires_at=int((now + timedelta(days=30)).timestamp()),
        )
        resends = int(counted["resends"])
        if resends > RESENDS_PER_HOUR:
            raise TooManyRequests(f"the delivery email of an order goes again at most {RESENDS_PER_HOUR} times an hour")
        message_id = self._notices().send_delivery(order_id)
        if message_id is None:
            raise Conflict("only a delivered order's email can be sent again", code="not_delivered")
        logger.info("delivery email resent", extra={"order_id": order_id, "operator": operator, "resends": resends})
        return Resent(order_id, message_id, resends)

    def cancel_unpaid(self, order_id: str, shop_id: str, operator: str, reason: str) -> Order:
        order = self._own(order_id, shop_id)
        now = datetime.now(UTC)
        if order.status_at(now) is not OrderStatus.PENDING_PAYMENT:
            raise Conflict("only an order waiting for its payment can be cancelled so", code="not_unpaid")
        try:
            OrderItem(order_id, OrderItem.SK).update(
                actions=[OrderItem.expires_at.set(now), OrderItem.payment_pending.remove()],
                condition=(OrderItem.status == OrderStatus.PENDING_PAYMENT.value) & (OrderItem.expires_at > now),
            )
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            raise Conflict("the order was paid or expired meanwhile", code="not_unpaid") from None
        logger.info("unpaid order cancelled", extra={"order_id": order_id, "operator": operator, "reason": reason})
        return self._orders.get(order_id)
