"""Stripe webhooks: signature check with the stripe SDK, then only the fields faka needs.

The models accept every other field Stripe sends (``extra="allow"``) and every nullable one as null,
so Stripe's full objects parse as they are.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from faka.errors import InvalidRequest
from faka.shared.model import DisputeNotice, PaymentConfirmation

SIGNATURE_TOLERANCE_SECONDS = 300
PROVIDER = "stripe"


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="allow")


class StripeEventData(_Lenient):
    object: dict[str, Any]


class StripeEvent(_Lenient):
    id: str
    type: str
    data: StripeEventData
    # Stripe's live mode (true) or test mode (false): what the key and the shop it paid must agree with.
    livemode: bool = False


class CheckoutSession(_Lenient):
    id: str
    client_reference_id: str | None = None
    metadata: dict[str, str] | None = None
    amount_total: int | None = None
    currency: str | None = None
    payment_status: str | None = None
    payment_intent: str | dict[str, Any] | None = None


class PaymentIntent(_Lenient):
    id: str
    metadata: dict[str, str] | None = None
    amount_received: int | None = None
    currency: str | None = None
    status: str | None = None


class Charge(_Lenient):
    id: str
    amount: int
    amount_refunded: int
    currency: str
    refunded: bool
    payment_intent: str | dict[str, Any] | None = None
    metadata: dict[str, str] | None = None


class Dispute(_Lenient):
    id: str
    charge: str | dict[str, Any] | None = None
    payment_intent: str | dict[str, Any] | None = None
    amount: int
    currency: str
    reason: str | None = None
    status: str
    metadata: dict[str, str] | None = None


@dataclass(frozen=True)
class Ignored:
    """A genuine Stripe event that asks nothing of faka; answered 200 so Stripe stops sending it."""

    event_id: str
    reason: str


@dataclass(frozen=True)
class ProviderRefund:
    """The provider says a charge has ``refunded_total`` refunded so far: faka's own refunds, or one made outside
    faka (the provider's dashboard), which faka has to catch up with."""

    charge: str
    payment_ref: str | None
    order_id: str | None
    amount: int
    refunded_total: int
    currency: str
    full: bool


@dataclass(frozen=True)
class PaymentFailed:
    """An asynchronous payment method (a bank debit, a voucher) failed after checkout: nothing will arrive."""

    order_id: str
    payment_ref: str


StripeNotice = PaymentConfirmation | DisputeNotice | ProviderRefund | PaymentFailed | Ignored


@dataclass(frozen=True)
class VerifiedEvent:
    event_id: str
    notice: StripeNotice
    livemode: bool = False


_SESSION_PAID = {"checkout.session.completed", "checkout.session.async_payment_succeeded"}
_DISPUTES = {"charge.dispute.created": False, "charge.dispute.closed": True}


def verify_signature(payload: str, header: str | None, secret: str) -> None:
    """Stripe's signature scheme (``t=<unix>,v1=<HMAC>``), the tolerance applied both ways: Stripe's webhooks,
    supplier callbacks and the local webhook sink all verify with this.

    The SDK's ``verify_header`` refuses only a timestamp too far in the past, so a signature dated ahead would
    stay replayable until its date. Raises :class:`stripe.SignatureVerificationError`.
    """
    # Imported where it is called: only the API verifies, and the SDK is in the layer of the functions calling Stripe.
    import stripe

    stripe.WebhookSignature.verify_header(payload, header, secret, tolerance=SIGNATURE_TOLERANCE_SECONDS)
    if _signed_at(header or "") > time.time() + SIGNATURE_TOLERANCE_SECONDS:
        raise stripe.SignatureVerificationError("Timestamp is in the future", header, payload)


def _signed_at(header: str) -> int:
    """The ``t=`` of a header ``verify_header`` accepted, read the way the SDK reads it (the first ``t``)."""
    return next(int(item.split("=", 2)[1]) for item in header.split(",") if item.split("=", 2)[0] == "t")


def webhook_secrets(secret: str) -> tuple[str, ...]:
    """The endpoint secrets Stripe may sign with, from the secret that holds them: one ``whsec_…``, or
    ``{"live": "whsec_…", "test": "whsec_…"}`` when live and test mode each send to their own endpoint."""
    text = secret.strip()
    if not text.startswith("{"):
        return (text,)
    by_mode = json.loads(text)
    if not isinstance(by_mode, dict) or not any(by_mode.get(mode) for mode in ("live", "test")):
        raise ValueError('the Stripe webhook secret is a whsec_… or {"live": …, "test": …}')
    return tuple(str(by_mode[mode]) for mode in ("live", "test") if by_mode.get(mode))


def verify_stripe_event(payload: str, signature: str | None, secret: str) -> VerifiedEvent:
    """An event signed with one of ``secret``'s endpoint secrets (:func:`webhook_secrets`), read."""
    import stripe

    for endpoint_secret in webhook_secrets(secret):
        try:
            verify_signature(payload, signature, endpoint_secret)
            break
        except stripe.SignatureVerificationError:
            continue
    else:
        raise InvalidRequest("the Stripe-Signature header does not match this body", code="invalid_signature")
    try:
        event = StripeEvent.model_validate_json(payload)
        return VerifiedEvent(event.id, _read(event), event.livemode)
    except ValidationError as error:
        raise InvalidRequest(
            "the event body is not a Stripe event faka can read",
            code="invalid_payload",
            details=error.errors(include_url=False, include_input=False),
        ) from None


def _id(reference: str | dict[str, Any] | None) -> str | None:
    """An expandable Stripe field: the id, or the expanded object's id."""
    return reference.get("id") if isinstance(reference, dict) else reference


def _read(event: StripeEvent) -> StripeNotice:
    if event.type == "checkout.session.async_payment_failed":
        failed = CheckoutSession.model_validate(event.data.object)
        failed_order = failed.client_reference_id or (failed.metadata or {}).get("order_id")
        if not failed_order:
            return Ignored(event.id, "no faka order reference")
        return PaymentFailed(failed_order, _id(failed.payment_intent) or failed.id)
    if event.type == "charge.refunded":
        charge = Charge.model_validate(event.data.object)
        return ProviderRefund(
            charge=charge.id,
            payment_ref=_id(charge.payment_intent),
            order_id=(charge.metadata or {}).get("order_id"),
            amount=charge.amount,
            refunded_total=charge.amount_refunded,
            currency=charge.currency.lower(),
            full=charge.refunded,
        )
    if event.type in _SESSION_PAID:
        session = CheckoutSession.model_validate(event.data.object)
        if session.payment_status != "paid":
            return Ignored(event.id, f"payment_status {session.payment_status}")
        order_id = session.client_reference_id or (session.metadata or {}).get("order_id")
        payment_ref = _id(session.payment_intent) or session.id
        return _confirmation(event, order_id, session.amount_total, session.currency, payment_ref)
    if event.type in _DISPUTES:
        dispute = Dispute.model_validate(event.data.object)
        return DisputeNotice(
            dispute_id=dispute.id,
            charge=_id(dispute.charge),
            payment_ref=_id(dispute.payment_intent),
            order_id=(dispute.metadata or {}).get("order_id"),
            amount=dispute.amount,
            currency=dispute.currency.lower(),
            reason=dispute.reason or "general",
            status=dispute.status,
            closed=_DISPUTES[event.type],
        )
    if event.type == "payment_intent.succeeded":
        payment = PaymentIntent.model_validate(event.data.object)
        order_id = (payment.metadata or {}).get("order_id")
        return _confirmation(event, order_id, payment.amount_received, payment.currency, payment.id)
    return Ignored(event.id, f"event type {event.type}")


def _confirmation(
    event: StripeEvent, order_id: str | None, amount: int | None, currency: str | None, payment_ref: str
) -> PaymentConfirmation | Ignored:
    if not order_id:
        return Ignored(event.id, "no faka order reference")
    if amount is None or not currency:
        raise InvalidRequest("a paid event without amount or currency", code="invalid_payload")
    return PaymentConfirmation(order_id, amount, currency.lower(), PROVIDER, payment_ref)


def checkout_completed_event(
    *, event_id: str, session_id: str, order_id: str, amount: int, currency: str, email: str, livemode: bool = False
) -> str:
    """A ``checkout.session.completed`` event body of Stripe's shape, for the sandbox provider (test mode) and tests."""
    created = int(time.time())
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "api_version": "2024-06-20",
            "created": created,
            "livemode": livemode,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": "checkout.session.completed",
            "data": {
                "object": {
                    "id": session_id,
                    "object": "checkout.session",
                    "amount_total": amount,
                    "currency": currency,
                    "client_reference_id": order_id,
                    "customer_details": {"email": email},
                    "metadata": {"order_id": order_id},
                    "mode": "payment",
                    "payment_intent": f"pi_sandbox_{session_id.removeprefix('cs_sandbox_')}",
                    "payment_status": "paid",
                    "status": "complete",
                }
            },
        }
    )
