"""A storefront's webhook endpoint, locally: ``POST /_local/webhook-sink`` keeps what arrived, ``GET`` lists it.

Each request is checked the way a storefront should check it: the signature over the raw body with the
subscription's secret (named by ``X-Faka-Webhook-Id``), within Stripe's 300 s tolerance either way. ``?status=503``
in the subscribed URL makes the sink answer that status, to watch faka's retries.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import stripe

from faka.payments.stripe_webhook import verify_signature
from faka.platform.webhooks import EVENT_ID_HEADER, SIGNATURE_HEADER, WEBHOOK_ID_HEADER
from faka.wiring import services

# Enough for a demo session; the oldest go first.
_KEPT = 500


class WebhookSink:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: deque[dict[str, Any]] = deque(maxlen=_KEPT)

    def receive(self, body: bytes, headers: Mapping[str, str], *, answer: int) -> dict[str, Any]:
        text = body.decode("utf-8", errors="replace")
        headers = {name.lower(): value for name, value in headers.items()}
        webhook_id = headers.get(WEBHOOK_ID_HEADER.lower()) or ""
        error = None
        target = services().webhooks.target(webhook_id) if webhook_id else None
        if target is None:
            error = f"no subscription {webhook_id!r} (the {WEBHOOK_ID_HEADER} header)"
        else:
            try:
                verify_signature(text, headers.get(SIGNATURE_HEADER.lower()), target[1])
            except stripe.SignatureVerificationError as failure:
                error = str(failure)
        try:
            payload: Any = json.loads(text)
        except json.JSONDecodeError:
            payload = text
        record = {
            "received_at": datetime.now(UTC).isoformat(),
            "webhook_id": webhook_id,
            "event_id": headers.get(EVENT_ID_HEADER.lower()),
            "signature_valid": error is None,
            "signature_error": error,
            "answered": answer,
            "body": payload,
        }
        with self._lock:
            self._received.append(record)
        return record

    def received(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._received)
