"""The operator's order list reads a page's orders in one BatchGet after its index query, never one read per order;
the export in one BatchGet per hundred orders (requests counted as moto answers them)."""

from __future__ import annotations

from typing import Any

from faka import resources
from tests.integration.aws_requests import aws_requests
from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import open_shop
from tests.integration.test_admin_orders import _seed


def _orders_table_reads(stack: Stack, path: str, query: str) -> tuple[list[str], Any]:
    with aws_requests() as made:
        response = stack.api("GET", path, headers=ADMIN, query=query)
    assert response.status == 200, response.body
    return [r.operation for r in made if r.reads(resources.ORDERS_TABLE)], response.body


def test_each_page_is_one_index_query_and_one_batch_get_of_its_orders(stack: Stack) -> None:
    open_shop(stack)
    seeded = _seed("main", 150)

    first, page = _orders_table_reads(stack, "/v1/admin/orders", "limit=100")
    second, rest = _orders_table_reads(stack, "/v1/admin/orders", f"limit=100&cursor={page['next_cursor']}")

    assert [o["order_id"] for o in page["orders"] + rest["orders"]] == list(reversed(seeded))
    assert first == second == ["Query", "BatchGetItem"]


def test_an_export_reads_its_orders_a_hundred_at_a_time(stack: Stack) -> None:
    open_shop(stack)
    _seed("main", 250)

    reads, _ = _orders_table_reads(stack, "/v1/admin/orders/export", "")

    assert reads == ["Query", "BatchGetItem", "BatchGetItem", "BatchGetItem"]
