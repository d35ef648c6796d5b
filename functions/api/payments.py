"""Payment provider webhooks: verified, deduplicated by the provider's event id, then fulfilled.

Stripe signs for the platform's account; Alipay and WeChat Pay notifications are the shop's own, verified with the
credentials of the shop their ``notify_url`` names (``?shop=``), and each is answered in its provider's format.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

from api.schemas.common import TEXT, answers, request_body
from api.schemas.payments import AlipayNotification, StripeEvent, WebhookReceipt, WechatPayNotification
from faka.entry import once_per
from faka.errors import Conflict, FakaError, InvalidRequest, NotFound
from faka.observability import logger
from faka.payments.shop_methods import ALIPAY, STRIPE, WECHAT_PAY
from faka.payments.stripe_webhook import (
    DisputeNotice,
    Ignored,
    PaymentFailed,
    ProviderRefund,
    VerifiedEvent,
    verify_stripe_event,
)
from faka.sales.fulfilment import PaymentResult
from faka.shared.model import PaymentConfirmation
from faka.wiring import services

if TYPE_CHECKING:
    from faka.payments.gateway import VerifiedNotice

router = APIGatewayRouter()


# Stripe retries for up to three days; a replay within a week is answered from the first outcome.
REPLAY_WINDOW_SECONDS = 7 * 24 * 3600


# No idempotency record of its own: the fulfilment is conditional writes a replay re-runs harmlessly, and the order
# keeps the id of the event that paid it to answer that event's replay alike (two writes fewer per paid order).
def _record_payment(payment: dict[str, Any]) -> dict[str, Any]:
    confirmation = PaymentConfirmation(**{k: v for k, v in payment.items() if k != "event_id"})
    outcome = services().fulfilment.record_payment(confirmation, event_id=payment["event_id"])
    # Refunds go through the platform's provider; a shop's own account's double charge is flagged for its operator.
    if outcome.result is PaymentResult.DUPLICATE and confirmation.provider == STRIPE:
        services().refunds.refund_duplicate(confirmation)
    return {"received": True, "result": outcome.result.value, "order_id": outcome.order_id}


@once_per("event_id", argument="dispute", expires_after_seconds=REPLAY_WINDOW_SECONDS)
def _record_dispute(dispute: dict[str, Any]) -> dict[str, Any]:
    notice = DisputeNotice(**{k: v for k, v in dispute.items() if k != "event_id"})
    outcome = services().disputes.record(notice)
    result = "dispute_closed" if notice.closed else "dispute_opened"
    return {"received": True, "result": result if outcome.order_id else "ignored", "order_id": outcome.order_id}


@once_per("event_id", argument="refund", expires_after_seconds=REPLAY_WINDOW_SECONDS)
def _record_provider_refund(refund: dict[str, Any]) -> dict[str, Any]:
    outcome = services().provider_refunds.record(ProviderRefund(**{k: v for k, v in refund.items() if k != "event_id"}))
    result = ("refunded" if outcome.full else "partly_refunded") if outcome.recorded else "ignored"
    return {"received": True, "result": result, "order_id": outcome.order_id}


@once_per("event_id", argument="outcome", expires_after_seconds=REPLAY_WINDOW_SECONDS)
def _record_refund_outcome(outcome: dict[str, Any]) -> dict[str, Any]:
    from faka.money.refund_outcomes import ProviderRefundStatus, RefundOutcomeNotice

    notice = RefundOutcomeNotice(
        provider=outcome["provider"],
        order_id=outcome["order_id"],
        request_no=outcome["request_no"],
        provider_refund_id=outcome["provider_refund_id"],
        status=ProviderRefundStatus(outcome["status"]),
    )
    recorded = services().refund_outcomes.record(outcome["shop_id"], notice)
    result = "refund_outcome_recorded" if recorded.recorded else "ignored"
    return {"received": True, "result": result, "order_id": notice.order_id if recorded.refund_id else None}


@once_per("event_id", argument="failure", expires_after_seconds=REPLAY_WINDOW_SECONDS)
def _record_payment_failure(failure: dict[str, Any]) -> dict[str, Any]:
    outcome = services().payment_failures.record(PaymentFailed(failure["order_id"], failure["payment_ref"]))
    return {"received": True, "result": "payment_failed" if outcome.closed else "ignored", "order_id": outcome.order_id}


@router.post(
    "/v1/webhooks/stripe",
    responses={200: {"description": "Received"}, 400: {"description": "Bad signature or body"}},
    openapi_extensions=request_body(
        "Signed with Stripe-Signature", {"application/json": StripeEvent.model_json_schema()}
    ),
)
def stripe_webhook() -> WebhookReceipt:
    verified = verify_stripe_event(
        router.current_event.decoded_body or "",
        router.current_event.headers.get("stripe-signature"),
        services().stripe_webhook_secret,
    )
    if isinstance(verified.notice, Ignored):
        logger.info("stripe event ignored", extra={"event_id": verified.event_id, "reason": verified.notice.reason})
        return WebhookReceipt(received=True, result="ignored")
    if _in_the_other_mode(verified):
        # Refused, so Stripe sends it again: a live payment for a shop still in test mode is taken once it goes live.
        raise InvalidRequest(
            f"a {'live' if verified.livemode else 'test'}-mode event for an order of a shop in the other mode",
            code="livemode_mismatch",
        )
    if isinstance(verified.notice, DisputeNotice):
        receipt = _record_dispute(dispute={"event_id": verified.event_id, **asdict(verified.notice)})
    elif isinstance(verified.notice, ProviderRefund):
        receipt = _record_provider_refund(refund={"event_id": verified.event_id, **asdict(verified.notice)})
    elif isinstance(verified.notice, PaymentFailed):
        receipt = _record_payment_failure(failure={"event_id": verified.event_id, **asdict(verified.notice)})
    else:
        receipt = _record_payment(payment={"event_id": verified.event_id, **asdict(verified.notice)})
    return WebhookReceipt.model_validate(receipt)


def _in_the_other_mode(verified: VerifiedEvent) -> bool:
    """Whether the event's ``livemode`` is not the mode of the Stripe key its order's shop pays with. One key serves
    every shop alike, checked without a read; with a key per mode, an event naming no order is left to the domain."""
    payment_methods = services().payment_methods
    expected = payment_methods.stripe_livemode(None)
    if expected is None:
        order_id = getattr(verified.notice, "order_id", None)
        try:
            order = services().orders.get(order_id) if order_id else None
        except NotFound:
            order = None
        if order is None:
            return False
        expected = payment_methods.stripe_livemode(order.shop_id)
    if verified.livemode != expected:
        logger.warning("stripe event of the other mode", extra={"event_id": verified.event_id})
        return True
    return False


ShopParameter = Annotated[str | None, Query(max_length=64, description="The shop whose account was paid (notify_url)")]


def _shops_provider(shop: str | None, method: str) -> Any:
    if not shop:
        raise InvalidRequest("the notification names no shop", code="unknown_shop")
    return services().payment_methods.provider(shop, method)


def _receive(shop: str, verified: VerifiedNotice[Any]) -> dict[str, Any]:
    """A verified notification recorded once per its event id; what is not a payment of this shop's order is
    acknowledged and changes nothing."""
    notice = verified.notice
    if not isinstance(notice, PaymentConfirmation):
        logger.info("notification ignored", extra={"event_id": verified.event_id, "kind": type(notice).__name__})
        return {"received": True, "result": "ignored", "order_id": None}
    try:
        order = services().orders.get(notice.order_id)
    except NotFound:
        order = None
    if order is None or order.shop_id != shop:
        logger.warning("notification for no order of this shop", extra={"event_id": verified.event_id, "shop": shop})
        return {"received": True, "result": "unknown_order", "order_id": None}
    return dict(_record_payment(payment={"event_id": verified.event_id, **asdict(notice)}))


def _refusal(provider: str, error: Exception) -> FakaError:
    """Why a notification was not taken, as a FakaError (a busy duplicate is retried by the provider)."""
    if isinstance(error, FakaError):
        refusal = error
    elif isinstance(error, IdempotencyAlreadyInProgressError):
        refusal = Conflict("the same notification is being processed; retry shortly", code="retry_later")
    else:
        refusal = Conflict(f"the {provider} API could not be asked: {error}", code="provider_unavailable")
    logger.warning("notification refused", extra={"provider": provider, "code": refusal.code})
    return refusal


def _refused() -> tuple[type[Exception], ...]:
    """What a notification may be refused for; the gateway's error is imported with the providers (cryptography)."""
    from faka.payments.gateway import PaymentGatewayError

    return (FakaError, IdempotencyAlreadyInProgressError, PaymentGatewayError)


@router.post(
    "/v1/webhooks/alipay",
    responses={
        200: {"description": "success", "content": {"text/plain": TEXT}},
        400: {"description": "failure", "content": {"text/plain": TEXT}},
    },
    openapi_extensions=request_body(
        "Form-encoded, RSA2-signed", {"application/x-www-form-urlencoded": AlipayNotification.model_json_schema()}
    ),
)
def alipay_webhook(shop: ShopParameter = None) -> Response[str]:
    """Alipay's asynchronous notification (form-encoded, RSA2): ``success`` only once verified and processed."""
    from faka.payments import alipay

    try:
        provider = _shops_provider(shop, ALIPAY)
        verified = provider.verify_notification(router.current_event.decoded_body or "")
        receipt = _receive(str(shop), verified)
        if receipt["result"] == PaymentResult.FLAGGED.value:
            raise InvalidRequest("the payment does not match the order", code="payment_mismatch")
    except _refused() as error:
        refusal = _refusal(ALIPAY, error)
        return Response(refusal.status, content_types.TEXT_PLAIN, alipay.NOTIFY_FAILURE)
    return Response(200, content_types.TEXT_PLAIN, alipay.NOTIFY_SUCCESS)


@router.post(
    "/v1/webhooks/wechatpay",
    responses={
        200: answers(WebhookReceipt, "Received"),
        400: {"description": "Refused: {code: FAIL, message}"},
    },
    openapi_extensions=request_body(
        "Signed with the Wechatpay-* headers", {"application/json": WechatPayNotification.model_json_schema()}
    ),
)
def wechat_pay_webhook(shop: ShopParameter = None) -> Response[str]:
    """WeChat Pay's API v3 notification (``Wechatpay-*`` signature, AES-GCM resource): a payment, or a refund's
    outcome (recorded on the refund once); a refusal is a 4xx ``{"code", "message"}``, which WeChat Pay sends again."""
    from faka.payments import wechat_pay

    event = router.current_event
    try:
        provider = _shops_provider(shop, WECHAT_PAY)
        verified = provider.verify_notification(dict(event.headers), (event.decoded_body or "").encode())
        notice = verified.notice
        if isinstance(notice, wechat_pay.RefundNotice):
            receipt = _record_refund_outcome(
                outcome={
                    "event_id": verified.event_id,
                    "shop_id": shop,
                    "provider": WECHAT_PAY,
                    "order_id": notice.order_id,
                    "request_no": notice.out_refund_no,
                    "provider_refund_id": notice.refund_id,
                    "status": notice.status,
                }
            )
        else:
            receipt = _receive(str(shop), verified)
        if receipt["result"] == PaymentResult.FLAGGED.value:
            raise InvalidRequest("the payment does not match the order", code="payment_mismatch")
    except _refused() as error:
        status, body = wechat_pay.failure_answer(_refusal(WECHAT_PAY, error))
        return Response(status, content_types.APPLICATION_JSON, json.dumps(body, ensure_ascii=False))
    return Response(200, content_types.APPLICATION_JSON, WebhookReceipt.model_validate(receipt).model_dump_json())
