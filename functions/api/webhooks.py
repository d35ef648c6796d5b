"""Operator routes for storefront webhooks: subscriptions, their recent deliveries, replays."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from api.http import json_response, operator
from api.schemas.common import answers, no_content
from api.schemas.webhooks import (
    WebhookCreated,
    WebhookDeliveryList,
    WebhookDeliveryView,
    WebhookDraft,
    WebhookList,
    WebhookReplayed,
    WebhookView,
)
from faka.platform.webhooks import Delivery, Subscription
from faka.wiring import services

router = APIGatewayRouter()

WebhookId = Annotated[str, Path(max_length=64)]


def _view(subscription: Subscription) -> WebhookView:
    return WebhookView(
        webhook_id=subscription.subscription_id,
        url=subscription.url,
        events=list(subscription.events),
        created_at=subscription.created_at,
    )


def _delivery_view(delivery: Delivery) -> WebhookDeliveryView:
    return WebhookDeliveryView(
        delivery_id=delivery.delivery_id,
        event_id=delivery.event_id,
        type=delivery.event_type,
        status=delivery.status.value,
        attempts=delivery.attempts,
        response_code=delivery.last_status_code,
        error=delivery.last_error,
        last_attempt_at=delivery.last_attempt_at,
        next_retry_at=delivery.next_attempt_at,
        delivered_at=delivery.delivered_at,
        created_at=delivery.created_at,
    )


@router.post(
    "/v1/admin/webhooks",
    responses={
        201: answers(WebhookCreated, "Subscribed; the signing secret is in this answer only"),
        400: {"description": "invalid_webhook_url: not https, or a private, loopback or internal host"},
        409: {"description": "too_many_webhooks"},
    },
)
def subscribe(draft: Annotated[WebhookDraft, Body()]) -> Response[str]:
    shop_id = operator(router.current_event)
    subscription, secret = services().webhooks.subscribe(shop_id, draft.url, draft.events)
    created = WebhookCreated(**_view(subscription).model_dump(), secret=secret)
    return json_response(201, created.model_dump(mode="json"))


@router.get("/v1/admin/webhooks")
def subscriptions() -> WebhookList:
    shop_id = operator(router.current_event)
    return WebhookList(webhooks=[_view(s) for s in services().webhooks.of_shop(shop_id)])


@router.delete("/v1/admin/webhooks/<webhook_id>", responses={204: no_content("Deleted")})
def unsubscribe(webhook_id: WebhookId) -> Response[str]:
    services().webhooks.remove(operator(router.current_event), webhook_id)
    return Response(status_code=204, body="")


@router.get("/v1/admin/webhooks/<webhook_id>/deliveries")
def deliveries(webhook_id: WebhookId) -> WebhookDeliveryList:
    recent = services().webhook_deliveries.recent(operator(router.current_event), webhook_id)
    return WebhookDeliveryList(deliveries=[_delivery_view(d) for d in recent])


@router.post(
    "/v1/admin/webhooks/deliveries/<delivery_id>/replay",
    responses={202: answers(WebhookDeliveryView, "Queued again"), 409: {"description": "delivery_in_progress"}},
)
def replay(delivery_id: WebhookId) -> Response[str]:
    delivery = services().webhook_deliveries.replay(operator(router.current_event), delivery_id)
    return json_response(202, _delivery_view(delivery).model_dump(mode="json"))


@router.post("/v1/admin/webhooks/<webhook_id>/replay-failed", responses={202: answers(WebhookReplayed, "Queued again")})
def replay_failed(webhook_id: WebhookId) -> Response[str]:
    replayed = services().webhook_deliveries.replay_failed(operator(router.current_event), webhook_id)
    return json_response(202, WebhookReplayed(replayed=replayed).model_dump())
