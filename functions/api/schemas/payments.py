"""Bodies of the payment providers' notifications (Stripe, Alipay, WeChat Pay), as documented for the webhook routes
that read them, and the answer those routes give.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from api.schemas.common import Schema


class WebhookReceipt(Schema):
    received: bool
    result: str
    order_id: str | None = None


class StripeEvent(Schema):
    """A Stripe event as Stripe signs and sends it (only the fields faka reads)."""

    id: str
    type: str = Field(description="checkout.session.completed, charge.refunded, charge.dispute.created, ...")
    data: dict[str, Any] = Field(description='{"object": the session, charge or dispute}')


class AlipayNotification(Schema):
    """Alipay's asynchronous notification, RSA2-signed (only the fields faka reads)."""

    notify_id: str
    app_id: str
    out_trade_no: str = Field(description="The order id")
    trade_no: str
    trade_status: str = Field(description="TRADE_SUCCESS or TRADE_FINISHED pays the order")
    total_amount: str
    sign_type: Literal["RSA2"]
    sign: str


class WechatPayNotification(Schema):
    """WeChat Pay's API v3 notification; the payment is in the AES-GCM encrypted ``resource``."""

    id: str
    event_type: str = Field(description="TRANSACTION.SUCCESS pays an order; REFUND.* settles a refund")
    resource_type: str
    resource: dict[str, str] = Field(description="algorithm, ciphertext, nonce, associated_data, original_type")
