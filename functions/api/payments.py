"""Payment provider webhooks: verified, deduplicated by the provider's event id, then fulfilled."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from api.schemas import (
    WebhookReceipt,
)
from faka.entry import once_per
from faka.observability import logger
from faka.payments.stripe_webhook import DisputeNotice, Ignored, verify_stripe_event
from faka.sales.fulfilment import PaymentResult
from faka.shared.model import PaymentConfirmation
from faka.wiring import services

router = APIGatewayRouter()


# Stripe retries for up to three days; a replay within a week is answered from the first outcome.
REPLAY_WINDOW_SECONDS = 7 * 24 * 3600


@once_per("event_id", argument="payment", expires_after_seconds=REPLAY_WINDOW_SECONDS)
def _record_payment(payment: dict[str, Any]) -> dict[str, Any]:
    confirmation = PaymentConfirmation(**{k: v for k, v in payment.items() if k != "event_id"})
    outcome = services().fulfilment.record_payment(confirmation)
    if outcome.result is PaymentResult.DUPLICATE:
        services().refunds.refund_duplicate(confirmation)
    return {"received": True, "result": outcome.result.value, "order_id": outcome.order_id}


@once_per("event_id", argument="dispute", expires_after_seconds=REPLAY_WINDOW_SECONDS)
def _record_dispute(dispute: dict[str, Any]) -> dict[str, Any]:
    notice = DisputeNotice(**{k: v for k, v in dispute.items() if k != "event_id"})
    outcome = services().disputes.record(notice)
    result = "dispute_closed" if notice.closed else "dispute_opened"
    return {"received": True, "result": result if outcome.order_id else "ignored", "order_id": outcome.order_id}


@router.post("/v1/webhooks/stripe", responses={400: {"description": "Bad signature or body"}})
def stripe_webhook() -> WebhookReceipt:
    verified = verify_stripe_event(
        router.current_event.decoded_body or "",
        router.current_event.headers.get("stripe-signature"),
        services().stripe_webhook_secret,
    )
    if isinstance(verified.notice, Ignored):
        logger.info("stripe event ignored", extra={"event_id": verified.event_id, "reason": verified.notice.reason})
        return WebhookReceipt(received=True, result="ignored")
    if isinstance(verified.notice, DisputeNotice):
        receipt = _record_dispute(dispute={"event_id": verified.event_id, **asdict(verified.notice)})
    else:
        receipt = _record_payment(payment={"event_id": verified.event_id, **asdict(verified.notice)})
    return WebhookReceipt.model_validate(receipt)
