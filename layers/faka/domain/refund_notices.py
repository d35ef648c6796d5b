"""The buyer's refund emails: the money is back, or why not (RefundCompleted / RefundRejected → notifier)."""

from __future__ import annotations

from faka.domain.catalog import Catalog, Shops
from faka.domain.orders import Orders
from faka.domain.refunds import Refunds, RefundStatus
from faka.domain.templating import MessageTemplates
from faka.observability import logger
from faka.ports import Email, Mailer

# The event each email answers, the refund status it needs, and its template.
NOTICES = {
    "RefundCompleted": (RefundStatus.COMPLETED, "refund_completed"),
    "RefundRejected": (RefundStatus.REJECTED, "refund_rejected"),
}


class RefundNotices:
    def __init__(
        self,
        refunds: Refunds,
        orders: Orders,
        catalog: Catalog,
        shops: Shops,
        templates: MessageTemplates,
        mailer: Mailer,
        *,
        order_page_url: str,
    ) -> None:
        self._refunds = refunds
        self._orders = orders
        self._catalog = catalog
        self._shops = shops
        self._templates = templates
        self._mailer = mailer
        self._order_page_url = order_page_url

    def send(self, detail_type: str, refund_id: str) -> str | None:
        """Email the buyer about the refund; returns the message id, or None when the event is stale."""
        status, template = NOTICES[detail_type]
        refund = self._refunds.get(refund_id)
        if refund.status is not status:
            logger.info("refund notice skipped", extra={"refund_id": refund_id, "status": refund.status})
            return None
        order = self._orders.get(refund.order_id)
        message = self._templates.render(
            template,
            order.locale,
            {
                "order": order,
                "product": self._catalog.product(order.shop_id, order.sku),
                "refund": refund,
                "shop_name": self._shops.get(order.shop_id).name,
                "order_url": self._order_page_url.format(order_id=order.order_id),
            },
        )
        message_id = self._mailer.send(Email(order.email, message.subject, message.text, message.html))
        logger.info("refund email sent", extra={"refund_id": refund_id, "message_id": message_id})
        return message_id
