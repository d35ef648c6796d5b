"""Activation signals from outside: supplier callbacks and the signed links in buyer emails."""

from __future__ import annotations

from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from api.http import parsed_body, shop_id
from api.pages import link_problem, page
from api.schemas.activation import ActivationCallback, ActivationReceipt
from api.schemas.common import request_body
from faka.activation.activation import ActivationSignal, ActivationStatus, SignalSource
from faka.errors import FakaError, InvalidRequest, NotFound
from faka.wiring import services

router = APIGatewayRouter()


@router.post(
    "/v1/activations",
    responses={200: {"description": "Recorded"}, 404: {"description": "No delivered key has this code"}},
    openapi_extensions=request_body(
        "Signed with X-Faka-Signature", {"application/json": ActivationCallback.model_json_schema()}
    ),
)
def activation_callback() -> ActivationReceipt:
    """Supplier or merchant callback, signed like Stripe's webhooks with the key's supplier's callback secret
    (the shop's own for a batch that names no supplier)."""
    event = router.current_event
    body = event.decoded_body or ""
    callback = parsed_body(ActivationCallback, body, "the callback")
    header = event.headers.get("x-faka-signature")
    secrets = services().callback_secrets
    keys = services().activations.delivered_keys(callback.key)
    # The key whose supplier signed: another supplier's signature gets the same answer as a wrong one.
    signed = next((key for key in keys if _signed_by_any(body, header, secrets.for_key(key))), None)
    if signed is None:
        if not keys and _signed_by_any(body, header, secrets.valid(shop_id(event))):
            raise NotFound("no delivered key has this code", code="unknown_key")
        raise InvalidRequest("the X-Faka-Signature header does not match this body", code="invalid_signature")
    signal = ActivationSignal(
        ActivationStatus(callback.status), SignalSource.SUPPLIER, callback.at, callback.account_region
    )
    outcome = services().activations.record_for_key(signed, signal)
    return ActivationReceipt(recorded=True, changed_lines=outcome.changed_lines)


def _signed_by_any(body: str, header: str | None, secrets: list[str]) -> bool:
    # Imported where they are needed: the SDK costs the API's cold start ~25 ms, and the Stripe event models beside
    # the signature check ~15 ms, for a callback it may never get.
    import stripe

    from faka.payments.stripe_webhook import verify_signature

    for secret in secrets:
        try:
            verify_signature(body, header, secret)
        except stripe.SignatureVerificationError:
            continue
        return True
    return False


@router.get("/v1/links/<action>", include_in_schema=False)
def link_page(action: str) -> Response[str]:
    """Where the buttons in buyer emails lead: a page that asks, so a mail scanner opening the link changes nothing."""
    query = router.current_event.query_string_parameters or {}
    try:
        link = services().link_actions.open(action, query)
    except FakaError as error:
        return link_problem(error)
    return page(
        "link_confirm.html.j2",
        action=link.action.value,
        order_id=link.order.order_id,
        form_action=f"?{urlencode(query)}",
    )


@router.post("/v1/links/<action>", include_in_schema=False)
def follow_link(action: str) -> Response[str]:
    """The buyer pressed the page's button: the link's signature, in the query as on the page, is its credential."""
    try:
        link = services().link_actions.act(action, router.current_event.query_string_parameters or {})
    except FakaError as error:
        return link_problem(error)
    return page("link_done.html.j2", action=link.action.value)
