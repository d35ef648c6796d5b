"""Bodies of shops' webhook subscriptions and their deliveries."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from api.schemas.common import Schema

WebhookEvent = Literal[
    "order.paid",
    "order.delivered",
    "order.awaiting_stock",
    "order.held",
    "order.refunded",
    "refund.requested",
    "refund.rejected",
    "ticket.opened",
    "ticket.resolved",
    "key.activated",
]


class WebhookDraft(Schema):
    url: Annotated[str, Field(min_length=1, max_length=2048, description="https; http only for localhost locally")]
    events: Annotated[list[WebhookEvent], Field(min_length=1)]


class WebhookView(Schema):
    webhook_id: str
    url: str
    events: list[str]
    created_at: AwareDatetime


class WebhookCreated(WebhookView):
    secret: str = Field(description="Signs every delivery (X-Faka-Signature); shown once, store it now")


class WebhookList(Schema):
    webhooks: list[WebhookView]


class WebhookDeliveryView(Schema):
    delivery_id: str
    event_id: str
    type: str
    status: Literal["pending", "delivered", "failed", "cancelled"]
    attempts: int
    response_code: int | None
    error: str | None
    last_attempt_at: AwareDatetime | None
    next_retry_at: AwareDatetime | None = Field(description="When the next attempt is due, while pending")
    delivered_at: AwareDatetime | None
    created_at: AwareDatetime


class WebhookDeliveryList(Schema):
    deliveries: list[WebhookDeliveryView]


class WebhookReplayed(Schema):
    replayed: int
