"""Stripe's webhook signature (the ``Stripe-Signature`` header) as Stripe computes it.

The local runtime's sandbox checkout and the tests sign Stripe events with it, and outbound webhooks sign their
deliveries the same way. Apart from :mod:`faka.payments.stripe_webhook`, whose pydantic models read Stripe's events,
so that a function which only signs loads none of them.
"""

from __future__ import annotations

import hashlib
import hmac
import time


def stripe_signature(payload: str, secret: str, timestamp: int | None = None) -> str:
    """A Stripe-Signature header for ``payload``, as Stripe computes it (sandbox provider and tests)."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"
