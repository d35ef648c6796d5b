"""Activation signals from outside: supplier callbacks and the signed links in buyer emails."""

from __future__ import annotations

import html
from datetime import UTC, datetime

import stripe
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import ValidationError

from api.schemas import (
    ActivationCallback,
    ActivationReceipt,
)
from faka.domain.activation import ActivationSignal, ActivationStatus, SignalSource
from faka.domain.links import LinkAction
from faka.domain.reminders import template_key
from faka.errors import InvalidRequest, NotFound
from faka.payments.stripe_webhook import verify_signature
from faka.wiring import services

router = APIGatewayRouter()


@router.post("/v1/activations", responses={404: {"description": "No delivered key has this code"}})
def activation_callback() -> ActivationReceipt:
    """Supplier or merchant callback, signed like Stripe's webhooks with FAKA_SIGNING_SECRET."""
    body = router.current_event.decoded_body or ""
    secret = services().links_secret
    try:
        verify_signature(body, router.current_event.headers.get("x-faka-signature"), secret)
    except stripe.SignatureVerificationError:
        raise InvalidRequest("the X-Faka-Signature header does not match this body", code="invalid_signature") from None
    try:
        callback = ActivationCallback.model_validate_json(body)
    except ValidationError as error:
        raise InvalidRequest(
            "the callback does not match the API's schema", details=error.errors(include_url=False, include_input=False)
        ) from None
    signal = ActivationSignal(
        ActivationStatus(callback.status), SignalSource.SUPPLIER, callback.at, callback.account_region
    )
    outcome = services().activations.record_for_code(callback.key, signal)
    return ActivationReceipt(recorded=True, changed_lines=outcome.changed_lines)


_LINK_ANSWERS = {
    LinkAction.WORKED: "Thank you — glad it worked! / 感谢确认，祝您使用愉快！",
    LinkAction.FAILED: (
        "Sorry about that. We have opened a case and will help you shortly. / "
        "抱歉给您带来不便，我们已创建售后工单，将尽快为您处理。"
    ),
    LinkAction.HELPFUL_YES: "Thank you for your feedback. / 感谢您的反馈。",
    LinkAction.HELPFUL_NO: "Thank you for your feedback; we will improve this guide. / 感谢反馈，我们会改进这份指南。",
    LinkAction.OPT_OUT: "You will not receive activation reminders any more. / 您将不再收到兑换提醒。",
}


@router.get("/v1/links/<action>", include_in_schema=False)
def follow_link(action: str) -> Response[str]:
    """Where the buttons in buyer emails lead; the link's signature is its only credential."""
    try:
        link_action = LinkAction(action)
    except ValueError:
        raise NotFound("no such link", code="no_route") from None
    params = services().links.verify(action, router.current_event.query_string_parameters or {})
    order = services().orders.get(params["o"])
    now = datetime.now(UTC)
    if link_action in (LinkAction.WORKED, LinkAction.FAILED):
        status = ActivationStatus.ACTIVATED if link_action is LinkAction.WORKED else ActivationStatus.FAILED
        services().activations.record(order.order_id, ActivationSignal(status, SignalSource.BUYER, now))
        if link_action is LinkAction.FAILED:
            services().tickets.open_once(
                key=f"{order.order_id}:buyer_reported_failure",
                shop_id=order.shop_id,
                order_id=order.order_id,
                intent="invalid_key",
                severity=3,
                source="email_link",
                locale=order.locale,
                summary=f"The buyer reports the key(s) of order {order.order_id} did not work.",
            )
    elif link_action is LinkAction.OPT_OUT:
        services().outreach.opt_out(order.email)
    else:
        vote = "helpful_yes" if link_action is LinkAction.HELPFUL_YES else "helpful_no"
        services().counters.add(template_key(order.shop_id), params.get("t", "unknown"), {vote: 1})
    page = f"<!doctype html><meta charset=utf-8><title>faka</title><p>{html.escape(_LINK_ANSWERS[link_action])}</p>"
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=page)
