"""What buyers and operators are told when an order changes: the delivery email above all."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from faka.catalog.catalog import Catalog
from faka.observability import logger
from faka.platform.alert_channels import AlertKind
from faka.ports import OperatorAlerts
from faka.sales.buyer_mail import BuyerMail
from faka.sales.delivered import DeliveredKeys
from faka.sales.orders import Orders
from faka.shared.links import LinkSigner
from faka.shared.model import OrderStatus


class Notices:
    def __init__(
        self,
        orders: Orders,
        catalog: Catalog,
        delivered: DeliveredKeys,
        mail: BuyerMail,
        alerts: OperatorAlerts,
        links: LinkSigner,
    ) -> None:
        self._orders = orders
        self._catalog = catalog
        self._delivered = delivered
        self._mail = mail
        self._alerts = alerts
        self._links = links

    def handle(self, detail_type: str, detail: Mapping[str, Any]) -> str | None:
        """React to one domain event; returns the message id of an email sent, if any."""
        if detail_type == "OrderDelivered":
            return self.send_delivery(detail["order_id"])
        if detail_type == "OrderAwaitingStock":
            return self.send_awaiting_stock(detail["order_id"])
        if detail_type == "OrderFlagged":
            self._alerts.alert(
                f"Order {detail['order_id']} on hold: {detail['reason']}",
                "The payment does not match the order and the order was not delivered.\n"
                f"Expected {detail['expected']}, received {detail['received']} ({detail.get('payment_ref')}).",
                shop_id=detail["shop_id"],
                kind=AlertKind.HELD_ORDER,
            )
            return None
        if detail_type == "OrderHeld":
            order_id = detail["order_id"]
            self._alerts.alert(
                f"Order {order_id} held by the risk rules: {', '.join(detail['rules'])}",
                "The order is paid but was not delivered. Look at it, then release it to delivery or cancel it "
                f"with a full refund: POST /v1/admin/orders/{order_id}/release or .../cancel with a reason.",
                shop_id=detail["shop_id"],
                kind=AlertKind.HELD_ORDER,
            )
            return None
        if detail_type == "DisputeOpened":
            order_id = detail["order_id"]
            self._alerts.alert(
                f"Chargeback on order {order_id}: {detail['reason']}",
                f"Dispute {detail['dispute_id']} for {detail['amount']} {detail['currency']}. Unactivated keys revoked "
                f"(lines {detail['revoked_lines']}) and the buyer frozen for automatic decisions. Evidence: "
                f"GET /v1/admin/orders/{order_id}/evidence.",
                shop_id=detail["shop_id"],
                kind=AlertKind.CHARGEBACK,
            )
            return None
        raise ValueError(f"no notice for {detail_type}")

    def send_delivery(self, order_id: str, *, to: str | None = None) -> str | None:
        """The delivery email with the order's current keys, to the buyer (or the address a ticket gave)."""
        order = self._orders.get(order_id)
        if to:
            order = replace(order, email=to)
        if order.stored_status is not OrderStatus.DELIVERED:
            logger.info("delivery notice skipped", extra={"order_id": order_id, "status": order.stored_status})
            return None
        message_id = self._mail.send(
            order,
            "order_delivered",
            {
                "keys": [card for _, card in self._delivered.cards(order)],
                "links": self._links.links_for(order.order_id, "order_delivered"),
            },
        )
        self._orders.record_delivery_message(order.order_id, message_id)
        logger.info("delivery email sent", extra={"order_id": order_id, "message_id": message_id})
        return message_id

    def send_awaiting_stock(self, order_id: str) -> str | None:
        order = self._orders.get(order_id)
        if order.stored_status is not OrderStatus.AWAITING_STOCK:
            return None
        product = self._catalog.product(order.shop_id, order.sku)
        self._alerts.alert(
            f"Out of stock: {product.sku}",
            f"Order {order.order_id} is paid and waits for {order.quantity} key(s) of {product.sku} "
            f"({product.name}). Import keys to deliver it automatically.",
            shop_id=order.shop_id,
            kind=AlertKind.OUT_OF_STOCK,
        )
        return self._mail.send(order, "order_awaiting_stock", product=product)
