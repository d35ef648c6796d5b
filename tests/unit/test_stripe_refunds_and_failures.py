"""charge.refunded and checkout.session.async_payment_failed, read from Stripe's own published objects."""

from __future__ import annotations

from faka.payments.stripe_signing import stripe_signature
from faka.payments.stripe_webhook import Ignored, PaymentFailed, ProviderRefund, verify_stripe_event
from tests.unit.test_stripe_webhook import SECRET, stripe_event


def notice_of(body: str) -> object:
    return verify_stripe_event(body, stripe_signature(body, SECRET), SECRET).notice


def test_stripes_published_charge_refunded_in_full_is_read_as_a_provider_refund() -> None:
    body = stripe_event("charge.refunded", "charge.json", amount_refunded=100, refunded=True, payment_intent="pi_9")

    assert notice_of(body) == ProviderRefund(
        charge="ch_1PgafuB7WZ01zgkWXYmPNZs8",
        payment_ref="pi_9",
        order_id=None,
        amount=100,
        refunded_total=100,
        currency="usd",
        full=True,
    )


def test_a_partial_refund_says_so_and_an_order_in_the_charges_metadata_is_taken() -> None:
    body = stripe_event("charge.refunded", "charge.json", amount_refunded=40, metadata={"order_id": "ord7"})

    notice = notice_of(body)

    assert isinstance(notice, ProviderRefund)
    assert (notice.order_id, notice.refunded_total, notice.full, notice.payment_ref) == ("ord7", 40, False, None)


def test_an_async_payment_failure_names_its_order_and_payment() -> None:
    body = stripe_event(
        "checkout.session.async_payment_failed",
        "checkout.session.json",
        client_reference_id="ord8",
        payment_status="unpaid",
    )

    assert notice_of(body) == PaymentFailed("ord8", "pi_1PgafyB7WZ01zgkWSjxsAJo3")


def test_an_async_payment_failure_of_no_faka_order_is_acknowledged_and_ignored() -> None:
    body = stripe_event("checkout.session.async_payment_failed", "checkout.session.json")

    assert isinstance(notice_of(body), Ignored)
