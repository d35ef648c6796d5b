"""Checkout with Stripe (on AWS) or with the sandbox (locally, and for demos)."""

from __future__ import annotations

from typing import Any

from faka.ports import PaymentProvider


class StripeCheckout(PaymentProvider):
    name = "stripe"

    def __init__(self, client: Any, success_url: str, cancel_url: str) -> None:
        self._client = client  # a stripe.StripeClient
        self._success_url = success_url
        self._cancel_url = cancel_url

    def checkout(self, *, order_id: str, amount: int, currency: str, description: str, email: str) -> dict[str, Any]:
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
                "success_url": self._success_url.format(order_id=order_id),
                "cancel_url": self._cancel_url.format(order_id=order_id),
            },
            options={"idempotency_key": f"checkout-{order_id}"},
        )
        return {"provider": self.name, "checkout_url": session.url, "session_id": session.id}


class SandboxCheckout(PaymentProvider):
    """Pays instantly on a local page, which then sends a Stripe-format signed webhook to faka itself."""

    name = "sandbox"

    def __init__(self, base_url: str) -> None:
        self._base_url = base_url.rstrip("/")

    def checkout(self, *, order_id: str, amount: int, currency: str, description: str, email: str) -> dict[str, Any]:
        return {"provider": self.name, "checkout_url": f"{self._base_url}/_local/pay/{order_id}"}
