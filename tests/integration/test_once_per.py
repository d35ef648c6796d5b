"""faka.entry.once_per against moto: each idempotent function keeps its own key, and all of a process's share one
DynamoDB client, built on the first call rather than when a handler module is imported."""

from __future__ import annotations

from typing import Any

from faka import entry
from faka.entry import once_per
from faka_local.provision import Provisioned


def test_each_function_keeps_its_key_and_all_share_one_client_built_on_first_call(aws: Provisioned) -> None:
    entry._idempotency_client.cache_clear()
    ran: list[tuple[str, dict[str, str]]] = []

    @once_per("order", argument="request", expires_after_seconds=60)
    def once_per_order(request: dict[str, str]) -> dict[str, Any]:
        ran.append(("order", request))
        return {"runs": len(ran)}

    @once_per("ticket", argument="request", expires_after_seconds=60)
    def once_per_ticket(request: dict[str, str]) -> dict[str, Any]:
        ran.append(("ticket", request))
        return {"runs": len(ran)}

    assert entry._idempotency_client.cache_info().currsize == 0, "decorating must build no client"

    first = once_per_order(request={"order": "o-1", "ticket": "t-1"})
    assert once_per_order(request={"order": "o-1", "ticket": "t-2"}) == first
    # Same ticket, other orders: keyed by the ticket, not by the first function's key.
    second = once_per_ticket(request={"order": "o-2", "ticket": "t-1"})
    assert once_per_ticket(request={"order": "o-3", "ticket": "t-1"}) == second

    assert ran == [("order", {"order": "o-1", "ticket": "t-1"}), ("ticket", {"order": "o-2", "ticket": "t-1"})]
    assert entry._idempotency_client.cache_info().currsize == 1
    assert entry._idempotency_client.cache_info().misses == 1
