"""The ``Idempotency-Key`` header on the routes that create something, with Stripe's semantics.

The same key with the same body is answered with the first answer (status and body, marked
``Idempotent-Replayed: true``); the same key with another body is refused with 409 ``idempotency_key_reused``;
while the first request is still running a duplicate gets 409 ``retry_later``. A key is scoped to its route and
to what the caller names (the shop, the order), and kept a day. First answers carry bearer credentials (an
order's access token, a ticket's token), so they are stored sealed, never readable from a table dump.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyValidationError
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

from api.http import problem
from faka.entry import once_per
from faka.errors import InvalidRequest
from faka.wiring import services

KEPT_SECONDS = 24 * 3600
_KEY = re.compile(r"[\x20-\x7e]{1,255}")

# Checked here rather than by the header's schema, so a bad key is answered ``invalid_idempotency_key``.
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="idempotency-key",
        description="Send the request again with the same key and body to get the first answer, not a second order "
        "(1 to 255 printable ASCII characters, kept 24 hours)",
    ),
]


def _mark_replayed(response: dict[str, Any], idempotent_data: DataRecord) -> dict[str, Any]:
    return {**response, "replayed": True}


@once_per("key", argument="request", expires_after_seconds=KEPT_SECONDS, same_payload="body", on_replay=_mark_replayed)
def _first_answer(request: dict[str, Any], answer: Callable[[], Response[str]]) -> dict[str, Any]:
    response = answer()
    return {
        "status": response.status_code,
        "sealed_body": services().vault.seal(str(response.body), context=request["key"]),
    }


def answer_once(
    key: str | None, scope: tuple[str, ...], body: Any, answer: Callable[[], Response[str]]
) -> Response[str]:
    """``answer()``, or the first answer given to the same ``Idempotency-Key`` within ``scope``.

    ``scope`` names the route and whatever a key must not be shared across; ``body`` is the request as read,
    so a difference in spacing or key order is the same request.
    """
    if key is None:
        return answer()
    if not _KEY.fullmatch(key):
        raise InvalidRequest(
            "Idempotency-Key must be 1 to 255 printable ASCII characters", code="invalid_idempotency_key"
        )
    scoped_key = json.dumps([*scope, key])
    try:
        first = _first_answer(request={"key": scoped_key, "body": body}, answer=answer)
    except IdempotencyValidationError:
        return problem(
            409, "idempotency_key_reused", "this Idempotency-Key was used with another request; use a new key"
        )
    return Response(
        status_code=first["status"],
        content_type=content_types.APPLICATION_JSON,
        body=services().vault.open(first["sealed_body"], context=scoped_key),
        headers={"Idempotent-Replayed": "true"} if first.get("replayed") else None,
    )
