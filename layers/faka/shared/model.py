"""The domain's own types: what an order, a product and a payment are, independent of storage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    DELIVERED = "delivered"
    AWAITING_STOCK = "awaiting_stock"
    ON_HOLD = "on_hold"
    REFUND_PENDING = "refund_pending"
    REFUNDED = "refunded"
    EXPIRED = "expired"


# A payment moves an order forward only from these states; stored orders are never "expired"
# (expiry is derived on read) so a late payment is still honoured.
PAYABLE = frozenset({OrderStatus.PENDING_PAYMENT})
FULFILLABLE = frozenset({OrderStatus.PAID, OrderStatus.AWAITING_STOCK})


class BatchStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


@dataclass(frozen=True)
class Product:
    shop_id: str
    sku: str
    name: str
    price: int
    currency: str
    region: str
    platform: str
    description: str = ""
    stock: int = 0
    # False while an operator has the product delisted: buyers neither see nor order it.
    listed: bool = True

    @property
    def ref(self) -> str:
        return product_ref(self.shop_id, self.sku)


def product_ref(shop_id: str, sku: str) -> str:
    return f"{shop_id}#{sku}"


@dataclass(frozen=True)
class OrderLine:
    line_no: int
    code_hash: str | None = None
    batch_id: str | None = None
    activation_status: str | None = None
    account_region: str | None = None
    refund_id: str | None = None
    revoked: bool = False
    sku: str | None = None
    replacements: int = 0
    activation_at: datetime | None = None

    @property
    def issued(self) -> bool:
        return self.code_hash is not None

    @property
    def activated(self) -> bool:
        return self.activation_status == "activated"


@dataclass(frozen=True)
class Order:
    order_id: str
    shop_id: str
    sku: str
    quantity: int
    amount: int
    currency: str
    email: str
    locale: str
    stored_status: OrderStatus
    created_at: datetime
    expires_at: datetime
    access_token_sha256: str
    buyer_ip: str | None = None
    buyer_country: str | None = None
    device_id: str | None = None
    paid_at: datetime | None = None
    delivered_at: datetime | None = None
    payment_ref: str | None = None
    flag_reason: str | None = None
    pending_activation: int | None = None
    reminder_level: int = 0
    lines: tuple[OrderLine, ...] = field(default=())
    hold_rules: tuple[str, ...] = ()
    open_refund_id: str | None = None
    status_before_refund: OrderStatus | None = None
    refunded_amount: int = 0
    delivery_message_id: str | None = None
    # The method the buyer chose at checkout (faka.payments.shop_methods); None for orders placed before methods.
    payment_method: str | None = None
    # What the provider's checkout answered (a checkout_url, a QR code_url, a USDT address and amount): how to pay
    # while the order waits for its payment, for an order page opened away from the checkout.
    checkout: Mapping[str, Any] | None = field(default=None, hash=False)
    # The provider's notification (its event id) that recorded the payment: a replay of it is answered as it was.
    payment_event_id: str | None = None

    def status_at(self, now: datetime) -> OrderStatus:
        if self.stored_status is OrderStatus.PENDING_PAYMENT and now >= self.expires_at:
            return OrderStatus.EXPIRED
        return self.stored_status

    @property
    def product_ref(self) -> str:
        return product_ref(self.shop_id, self.sku)

    def line_product_ref(self, line: OrderLine) -> str:
        """The product whose stock the line's key came from: the order's, unless exchanged for a variant."""
        return product_ref(self.shop_id, line.sku or self.sku)


@dataclass(frozen=True)
class PaymentConfirmation:
    """A provider's word that an order was paid, after its signature was checked."""

    order_id: str
    amount: int
    currency: str
    provider: str
    payment_ref: str


@dataclass(frozen=True)
class DisputeNotice:
    """A chargeback opened (or closed) by the buyer's bank; the order is named only through its payment."""

    dispute_id: str
    charge: str | None
    payment_ref: str | None
    order_id: str | None
    amount: int
    currency: str
    reason: str
    status: str
    closed: bool
