"""Checkout, refunds and payment look-ups with Stripe (on AWS) or with the sandbox (locally, and for demos)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from pynamodb.exceptions import PutError

from faka.adapters.tables.refunds import RefundTableItem, SandboxPaymentItem, SandboxRefundItem
from faka.errors import Conflict
from faka.ports import PaymentProvider
from faka.shared.model import PaymentConfirmation

# A double charge is two or three payments: more for one order would be a provider's fault, not a buyer's.
_PAYMENTS_PER_ORDER = 10


# What a shop's Stripe checkout offers unless it names others (faka.payments.shop_methods): cards, as always.
STRIPE_PAYMENT_METHOD_TYPES: tuple[str, ...] = ("card",)
# The types a shop may offer through the platform's Stripe account, where that account supports them.
OFFERED_STRIPE_PAYMENT_METHOD_TYPES = frozenset({"card", "alipay", "wechat_pay"})


def stripe_keys(secret: str) -> dict[bool, str]:
    """The platform's Stripe secret keys by mode (live: True), from the secret that holds them: one key, which then
    serves shops of both modes (as before modes existed), or ``{"live": "sk_live_…", "test": "sk_test_…"}``."""
    text = secret.strip()
    if not text.startswith("{"):
        return {True: text, False: text}
    keys = json.loads(text)
    if not isinstance(keys, dict) or (not keys.get("live") and not keys.get("test")):
        raise ValueError('the Stripe key secret is a key or {"live": …, "test": …}')
    live, test = keys.get("live") or keys["test"], keys.get("test") or keys["live"]
    return {True: str(live), False: str(test)}


def is_live_key(api_key: str) -> bool:
    """A live-mode secret or restricted key (``sk_live_``, ``rk_live_``); test keys say ``_test_``."""
    return api_key.startswith(("sk_live_", "rk_live_"))


class StripeCheckout(PaymentProvider):
    name = "stripe"

    def __init__(
        self,
        client: Any,
        cancel_url: str,
        payment_method_types: tuple[str, ...] = STRIPE_PAYMENT_METHOD_TYPES,
        *,
        livemode: bool = False,
    ) -> None:
        self._client = client  # a stripe.StripeClient
        self._cancel_url = cancel_url
        self._payment_method_types = payment_method_types
        # The mode of the account's key: its events carry the same livemode.
        self.livemode = livemode

    def offering(self, payment_method_types: tuple[str, ...]) -> StripeCheckout:
        """The same account's checkout offering these payment method types (one shop's choice)."""
        return StripeCheckout(self._client, self._cancel_url, payment_method_types, livemode=self.livemode)

    def checkout(
        self, *, order_id: str, amount: int, currency: str, description: str, email: str, return_url: str
    ) -> dict[str, Any]:
        session = self._client.v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "client_reference_id": order_id,
                "metadata": {"order_id": order_id},
                "payment_intent_data": {"metadata": {"order_id": order_id}},
                "customer_email": email,
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": currency,
                            "unit_amount": amount,
                            "product_data": {"name": description},
                        },
                    }
                ],
                "success_url": return_url,
                "cancel_url": self._cancel_url.format(order_id=order_id),
                "payment_method_types": list(self._payment_method_types),
                # WeChat Pay through Stripe needs the client it is paid from: a QR code on Stripe's web page.
                **(
                    {"payment_method_options": {"wechat_pay": {"client": "web"}}}
                    if "wechat_pay" in self._payment_method_types
                    else {}
                ),
            },
            options={"idempotency_key": f"checkout-{order_id}"},
        )
        return {"provider": self.name, "checkout_url": session.url, "session_id": session.id}

    def refund(self, *, payment_ref: str, amount: int, idempotency_key: str) -> str:
        # A payment recorded without a PaymentIntent (an old Checkout Session) is refunded through its intent.
        intent = payment_ref
        if payment_ref.startswith("cs_"):
            intent = self._client.v1.checkout.sessions.retrieve(payment_ref).payment_intent
        refund = self._client.v1.refunds.create(
            params={"payment_intent": intent, "amount": amount, "metadata": {"faka_refund": idempotency_key}},
            options={"idempotency_key": idempotency_key},
        )
        return str(refund.id)

    def find_payments(self, order_id: str) -> list[PaymentConfirmation]:
        # Checkout copies the order id onto the PaymentIntent (payment_intent_data.metadata). Search is
        # eventually consistent, within a minute normally: well inside reconciliation's few minutes.
        found = self._client.v1.payment_intents.search(
            params={"query": f"metadata['order_id']:'{order_id}' AND status:'succeeded'", "limit": _PAYMENTS_PER_ORDER}
        )
        return [
            PaymentConfirmation(order_id, int(intent.amount_received), str(intent.currency), self.name, intent.id)
            for intent in sorted(found.data, key=lambda intent: int(intent.created))
        ]

    def order_for_payment(self, *, payment_ref: str | None, charge: str | None) -> str | None:
        if not payment_ref and charge:
            payment_ref = self._client.v1.charges.retrieve(charge).payment_intent
        if not payment_ref:
            return None
        metadata = self._client.v1.payment_intents.retrieve(payment_ref).metadata
        # A StripeObject is not a dict (in the pinned SDK): no .get, only item access and to_dict().
        order_id = metadata.to_dict().get("order_id") if metadata else None
        return str(order_id) if order_id else None


class SandboxCheckout(PaymentProvider):
    """Pays instantly on a local page, which then sends a Stripe-format signed webhook to faka itself.

    It keeps a ledger like a provider's own (in the refunds table): what was paid, whether its webhook was
    sent or dropped on purpose, and what was refunded, so reconciliation and refunds have something to ask.
    Its events are Stripe's test mode's (``livemode`` false), for shops of either mode.
    """

    name = "sandbox"
    livemode = False

    def __init__(self, base_url: str) -> None:
        self._base_url = base_url.rstrip("/")

    def checkout(
        self, *, order_id: str, amount: int, currency: str, description: str, email: str, return_url: str
    ) -> dict[str, Any]:
        query = urlencode({"return_url": return_url})
        return {"provider": self.name, "checkout_url": f"{self._base_url}/_local/pay/{order_id}?{query}"}

    @staticmethod
    def session_id(order_id: str) -> str:
        """One checkout session per order, as the sandbox's page and events name it."""
        return f"cs_sandbox_{order_id}"

    @staticmethod
    def payment_ref(order_id: str) -> str:
        return f"pi_sandbox_{order_id}"

    def record_payment(
        self, order_id: str, amount: int, currency: str, *, webhook_sent: bool, again: bool = False
    ) -> str:
        """Take a payment; ``again`` charges the order a second time (a double charge), under its own reference."""
        payment_ref = f"pi_sandboxdup_{uuid.uuid4().hex[:16]}" if again else self.payment_ref(order_id)
        paid_at = datetime.now(UTC)
        # Under the payment (what refunds check against) and in the order's own list, as a provider's search by
        # order finds every payment made for it.
        for pk, sk in (
            (_ledger(payment_ref), "PAYMENT"),
            (_order_payments(order_id), f"PAYMENT#{paid_at.isoformat()}"),
        ):
            SandboxPaymentItem(
                pk,
                sk,
                payment_ref=payment_ref,
                amount=amount,
                currency=currency,
                paid_at=paid_at,
                webhook_sent=webhook_sent,
            ).save()
        return payment_ref

    def refund(self, *, payment_ref: str, amount: int, idempotency_key: str) -> str:
        payment = next(iter(SandboxPaymentItem.query(_ledger(payment_ref), SandboxPaymentItem.sk == "PAYMENT")), None)
        refunded = sum(
            int(r.amount)
            for r in SandboxRefundItem.query(_ledger(payment_ref), RefundTableItem.sk.startswith("REFUND#"))
        )
        item = SandboxRefundItem(
            _ledger(payment_ref),
            f"REFUND#{idempotency_key}",
            payment_ref=payment_ref,
            refund_ref=f"re_sandbox_{uuid.uuid4().hex[:24]}",
            amount=amount,
            refunded_at=datetime.now(UTC),
        )
        try:
            item.save(condition=RefundTableItem.sk.does_not_exist())
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            # A replay of the same refund: answered with the first one, as Stripe answers an idempotency key.
            return str(SandboxRefundItem.get(item.pk, item.sk).refund_ref)
        if payment is not None and refunded + amount > int(payment.amount):
            item.delete()
            raise Conflict("the refunds would exceed the payment", code="refund_exceeds_payment")
        return str(item.refund_ref)

    def find_payments(self, order_id: str) -> list[PaymentConfirmation]:
        return [
            PaymentConfirmation(order_id, int(item.amount), item.currency, self.name, item.payment_ref)
            for item in SandboxPaymentItem.query(
                _order_payments(order_id), SandboxPaymentItem.sk.startswith("PAYMENT#")
            )
        ]

    def order_for_payment(self, *, payment_ref: str | None, charge: str | None) -> str | None:
        for ref in (payment_ref, charge):
            if ref and ref.startswith(("pi_sandbox_", "ch_sandbox_")):
                return ref.split("_", 2)[2]
        return None

    def refunds(self) -> list[dict[str, Any]]:
        """Every refund the sandbox paid, oldest first (the local runtime shows them at /_local/refunds)."""
        items = [
            i
            for i in RefundTableItem.scan(RefundTableItem.sk.startswith("REFUND#"))
            if isinstance(i, SandboxRefundItem)
        ]
        return [
            {
                "refund_ref": i.refund_ref,
                "payment_ref": i.payment_ref,
                "amount": int(i.amount),
                "idempotency_key": i.sk.removeprefix("REFUND#"),
                "refunded_at": i.refunded_at.isoformat(),
            }
            for i in sorted(items, key=lambda i: i.refunded_at)
        ]


def _ledger(payment_ref: str) -> str:
    return f"SANDBOX#{payment_ref}"


def _order_payments(order_id: str) -> str:
    return f"SANDBOX_ORDER#{order_id}"
