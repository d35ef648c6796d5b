"""The buyer's refund emails: the money is back, or why not (RefundCompleted / RefundRejected → notifier).

It reads the refund as stored and needs none of the refund workflow: the notifier imports :data:`NOTICES` at cold
start and builds no risk rules, review or settlement to send these; the refunds table's model loads with the first
refund email, so a delivery email's cold start does not wait for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from faka.observability import logger

if TYPE_CHECKING:
    from faka.sales.buyer_mail import BuyerMail
    from faka.sales.orders import Orders

# The event each email answers, the name of the RefundStatus it needs, and its template.
NOTICES = {
    "RefundCompleted": ("COMPLETED", "refund_completed"),
    "RefundRejected": ("REJECTED", "refund_rejected"),
}


class RefundNotices:
    def __init__(self, orders: Orders, mail: BuyerMail) -> None:
        self._orders = orders
        self._mail = mail

    def send(self, detail_type: str, refund_id: str) -> str | None:
        """Email the buyer about the refund; returns the message id, or None when the event is stale."""
        from faka.money.refund_records import RefundStatus, read_refund

        status, template = NOTICES[detail_type]
        refund = read_refund(refund_id)
        if refund.status is not RefundStatus[status]:
            logger.info("refund notice skipped", extra={"refund_id": refund_id, "status": refund.status})
            return None
        order = self._orders.get(refund.order_id)
        message_id = self._mail.send(order, template, {"refund": refund})
        logger.info("refund email sent", extra={"refund_id": refund_id, "message_id": message_id})
        return message_id
