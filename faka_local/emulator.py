"""Makes the emulator's DynamoDB answer one request at a time, as DynamoDB's own items do.

Each DynamoDB request is atomic on AWS. moto has no per-table lock, so a query can see an item
half-way through another thread's update (seen here as a KeyError while a sparse-index attribute
was being removed). Serializing requests at the emulator restores per-request atomicity while the
callers' own logic still interleaves freely between requests, which is what concurrency tests probe.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.dynamodb.responses import DynamoHandler

_lock = threading.RLock()
_original_call_action = DynamoHandler.call_action


def _atomic_call_action(self: DynamoHandler) -> Any:
    with _lock:
        return _original_call_action(self)


def serialize_dynamodb_requests() -> None:
    DynamoHandler.call_action = _atomic_call_action  # type: ignore[method-assign]
