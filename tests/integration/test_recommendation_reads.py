"""The platform's recommendations check the board's products against their catalogs in one read, whatever the number
of shops on the board (requests counted as moto answers them)."""

from __future__ import annotations

import json

from faka import resources
from faka.adapters.tables.outreach import RatingLeaderboardItem
from faka.insight.ratings import LEADERBOARD_KEY
from tests.integration.aws_requests import aws_requests
from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import open_shop

SHOPS = ("main", "moon", "sun")
SKUS = ("steam-20-us", "steam-50-us")


def _product(stack: Stack, shop_id: str, sku: str) -> None:
    product = {"sku": sku, "name": f"{shop_id} {sku}", "price": 2000, "currency": "usd", "region": "US"}
    saved = stack.api("POST", "/v1/admin/products", {**product, "platform": "steam"}, {**ADMIN, "X-Faka-Shop": shop_id})
    assert saved.status == 201, saved.body


def test_a_board_spanning_shops_is_checked_against_the_catalog_in_one_read(stack: Stack) -> None:
    for shop_id in SHOPS:
        open_shop(stack, shop_id)
        for sku in SKUS:
            _product(stack, shop_id, sku)
    delisted = stack.api("POST", "/v1/admin/products/steam-50-us/delist", headers={**ADMIN, "X-Faka-Shop": "moon"})
    assert delisted.status == 200, delisted.body
    board = [
        {"shop_id": shop_id, "sku": sku, "name": sku, "mean": 4.9 - n / 100, "count": 10}
        for n, (shop_id, sku) in enumerate((shop_id, sku) for shop_id in SHOPS for sku in (*SKUS, "gone-sku"))
    ]
    RatingLeaderboardItem(*LEADERBOARD_KEY, entries=json.dumps(board)).save()

    with aws_requests() as made:
        answer = stack.api("GET", "/v1/recommendations", query="limit=50")

    assert answer.status == 200, answer.body
    assert [(r["shop_id"], r["sku"]) for r in answer.body["recommendations"]] == [
        (shop_id, sku) for shop_id in SHOPS for sku in SKUS if (shop_id, sku) != ("moon", "steam-50-us")
    ], "a delisted product and one no catalog holds are passed over, the board's order kept"
    catalog_reads = [r.operation for r in made if r.reads(resources.CATALOG_TABLE)]
    assert catalog_reads == ["BatchGetItem"]


def test_an_empty_board_reads_no_catalog(stack: Stack) -> None:
    with aws_requests() as made:
        answer = stack.api("GET", "/v1/recommendations")

    assert (answer.status, answer.body["recommendations"]) == (200, [])
    assert not [r for r in made if r.reads(resources.CATALOG_TABLE)]
