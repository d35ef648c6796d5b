"""Bodies of orders: the storefront, placing an order, the buyer's order page and order lookup, the operators' view of
an order, and held or unpaid orders.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, EmailStr, Field, StrictInt

from api.schemas.catalog import KeyPartView
from api.schemas.common import DeviceId, Locale, Schema, Sku


class OrderDraft(Schema):
    sku: Sku
    quantity: StrictInt
    email: EmailStr
    locale: Locale = "en"
    device_id: DeviceId | None = Field(default=None, description="Also accepted as the X-Faka-Device header")
    return_url: Annotated[str, Field(max_length=2000)] | None = Field(
        default=None,
        description="Where the payment page sends the buyer back to; same origin as the shop's pages only. "
        "Default: the order page, {public_base_url}/o/{order_id}",
    )
    payment_method: Literal["stripe", "alipay", "wechat_pay", "usdt_trc20"] | None = Field(
        default=None, description="One the shop enables (GET /v1/storefront); default its first taking the currency"
    )


class OrderCreated(Schema):
    order_id: str
    access_token: str
    status: str
    amount: int
    currency: str
    expires_at: str
    payment: dict[str, Any]


class DeliveredKey(Schema):
    line_no: int
    code: str
    parts: list[KeyPartView] = Field(default=[], description="The key's secret parts, masked like its code")


class OrderKeyView(Schema):
    line: int
    line_no: int = Field(description="The same as line (its first name)")
    code: str | None = Field(
        description="The key, unless fetched with ?reveal=false; never for a refunded or revoked key"
    )
    masked: str
    platform: str
    region: str
    state: Literal["delivered", "activated", "revoked", "refunded"]
    parts: list[OrderKeyPart] = Field(default=[], description="The key's secret parts (a PIN, a password …), in order")


class Milestone(Schema):
    status: str = Field(description="created, paid, delivered or expired")
    at: str


class GuideView(Schema):
    platform: str
    region: str
    locale: str
    steps: list[str]


class OrderActions(Schema):
    confirm_activation: bool
    refund: bool
    rate: bool
    chat: bool


class OrderView(Schema):
    order_id: str
    order_number: str = Field(description="The order's short number, as the emails quote it")
    shop_id: str
    locale: str
    email_masked: str
    status: str
    sku: str
    product_name: str
    platform: str
    region: str
    quantity: int
    amount: int
    currency: str
    created_at: str
    paid_at: str | None
    delivered_at: str | None
    timeline: list[Milestone]
    activation: Literal["pending", "activated", "failed"]
    keys: list[OrderKeyView]
    guide: GuideView
    actions: OrderActions
    actions_reasons: dict[str, str] = Field(description="Why each action that is false is not open")
    payment: dict[str, Any] | None = Field(
        default=None,
        description="How to pay, as POST /v1/orders answered it; only while the order is pending_payment",
    )


class StorefrontView(Schema):
    shop_id: str
    name: str
    currency: str | None = Field(description="The currency its products are priced in; none before the first")
    payment_methods: list[str]
    country: str | None = Field(description="The buyer's country, only as CloudFront saw it")
    locales: list[str]


class OrderLookup(Schema):
    email: EmailStr


class LookupAccepted(Schema):
    status: Literal["accepted"]


class OperatorOrderView(Schema):
    order_id: str
    shop_id: str
    status: str
    sku: str
    quantity: int
    amount: int
    currency: str
    email: str
    buyer_ip: str | None
    buyer_country: str | None
    flag_reason: str | None
    payment_ref: str | None
    keys: list[DeliveredKey] = Field(description="Masked")
    created_at: AwareDatetime
    paid_at: AwareDatetime | None
    delivered_at: AwareDatetime | None
    refund_ids: list[str] = Field(description="The refunds asked for on this order")


class HoldRelease(Schema):
    order_id: str
    result: str
    status: str


class HoldCancel(Schema):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class UnpaidOrderCancelled(Schema):
    order_id: str
    status: str = Field(description="expired: its payment window closed")


class OrderKeyPart(Schema):
    name: str = Field(description="Empty when the supplier's file named none")
    value: str | None = Field(description="Given whenever the key's code is")
    masked: str
