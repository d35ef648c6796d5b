"""The operators' ticket list, against moto: pages with signed cursors, filters by status, claimant and words, and
each shop sees its own tickets only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from faka.adapters.tables.tickets import TicketItem
from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import open_shop

START = datetime(2026, 11, 1, tzinfo=UTC)


def seed(shop_id: str, count: int) -> list[str]:
    ids = [f"{shop_id}-t{n:03d}" for n in range(count)]
    with TicketItem.batch_write() as batch:
        for n, ticket_id in enumerate(ids):
            batch.save(
                TicketItem(
                    ticket_id,
                    "TICKET",
                    shop_id=shop_id,
                    order_id=f"order-{n}",
                    status="resolved" if n % 3 == 0 else "in_progress",
                    intent="refund_request" if n % 2 else "not_received",
                    severity=2,
                    source="api",
                    summary=f"Steam card {n} never arrived" if n % 5 == 0 else f"Question {n}",
                    created_at=START + timedelta(minutes=n),
                    claimed_by="ann" if n % 4 == 0 else None,
                )
            )
    return ids


@pytest.fixture
def shops(stack: Stack) -> dict[str, str]:
    open_shop(stack)
    opened = stack.api("POST", "/v1/admin/shops", {"shop_id": "other", "name": "O", "support_email": "o@x.io"}, ADMIN)
    seed("main", 25)
    seed("other", 3)
    return {"Authorization": f"Bearer {opened.body['operator_token']}", "X-Faka-Shop": "other"}


def listed(stack: Stack, query: str, headers: dict[str, str] = ADMIN) -> dict:
    response = stack.api("GET", "/v1/admin/tickets", headers=headers, query=query)
    assert response.status == 200, response.body
    return dict(response.body)


def test_25_tickets_come_10_at_a_time_newest_first_without_gaps(stack: Stack, shops: dict[str, str]) -> None:
    seen, cursor, pages = [], "", 0
    while True:
        page = listed(stack, "limit=10" + (f"&cursor={cursor}" if cursor else ""))
        seen += [t["ticket_id"] for t in page["tickets"]]
        pages += 1
        if not (cursor := page["next_cursor"]):
            break

    assert seen == [f"main-t{n:03d}" for n in reversed(range(25))]
    assert pages == 3


def test_status_claimant_and_words_filter_the_list(stack: Stack, shops: dict[str, str]) -> None:
    resolved = listed(stack, "status=resolved")["tickets"]
    mine = listed(stack, "claimed_by=ann")["tickets"]
    words = listed(stack, "q=STEAM%20arrived")["tickets"]
    both = listed(stack, "status=resolved&claimed_by=ann")["tickets"]

    assert {t["ticket_id"] for t in resolved} == {f"main-t{n:03d}" for n in range(0, 25, 3)}
    assert {t["claimed_by"] for t in mine} == {"ann"}
    assert len(mine) == len(range(0, 25, 4))
    assert {t["ticket_id"] for t in words} == {f"main-t{n:03d}" for n in range(0, 25, 5)}
    assert {t["ticket_id"] for t in both} == {f"main-t{n:03d}" for n in range(0, 25, 12)}


def test_a_shop_sees_its_own_tickets_and_a_foreign_or_tampered_cursor_is_400(
    stack: Stack, shops: dict[str, str]
) -> None:
    other = listed(stack, "", shops)
    assert [t["ticket_id"] for t in other["tickets"]] == ["other-t002", "other-t001", "other-t000"]
    assert stack.api("GET", "/v1/admin/tickets", headers={**shops, "X-Faka-Shop": "main"}).status == 403

    foreign = listed(stack, "limit=1", shops)["next_cursor"]
    mains = listed(stack, "limit=1")["next_cursor"]
    for query in (f"cursor={foreign}", f"cursor={mains}&status=resolved", f"cursor={mains[:-2]}xx"):
        refused = stack.api("GET", "/v1/admin/tickets", headers=ADMIN, query=query)
        assert refused.status == 400, query
        assert refused.body["code"] == "invalid_cursor"
    assert stack.api("GET", "/v1/admin/tickets", headers=ADMIN, query="owner=ann").body["code"] == "unknown_filter"
    assert stack.api("GET", "/v1/admin/tickets", headers=ADMIN, query="status=lost").body["code"] == "invalid_filter"
    assert stack.api("GET", "/v1/admin/tickets", headers=ADMIN, query="limit=1000").body["code"] == "invalid_limit"
