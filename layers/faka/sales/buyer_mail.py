"""Emails to the buyer of an order, in their language: every message names the shop, the product and
the order page, so each kind of email only adds what is its own."""

from __future__ import annotations

from typing import Any

from faka.catalog.catalog import Catalog, Shops
from faka.ports import Email, Mailer
from faka.shared.links import LinkSigner
from faka.shared.model import Order, Product
from faka.shared.templating import MessageTemplates


class BuyerMail:
    def __init__(
        self, catalog: Catalog, shops: Shops, templates: MessageTemplates, mailer: Mailer, *, links: LinkSigner
    ) -> None:
        self._catalog = catalog
        self._shops = shops
        self._templates = templates
        self._mailer = mailer
        self._links = links

    def send(
        self, order: Order, template: str, context: dict[str, Any] | None = None, *, product: Product | None = None
    ) -> str:
        """Render ``template`` for the order's buyer and send it; returns the provider's message id."""
        message = self._templates.render(
            template,
            order.locale,
            {
                "order": order,
                "product": product or self._catalog.product(order.shop_id, order.sku),
                "shop_name": self._shops.get(order.shop_id).name,
                "order_url": self._links.order_page_url(order.order_id),
                **(context or {}),
            },
        )
        return self._mailer.send(Email(order.email, message.subject, message.text, message.html))
