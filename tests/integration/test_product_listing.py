"""Delisting a product: buyers neither see nor order it, orders placed before are served, relisting restores it."""

from __future__ import annotations

import json

import pytest

from faka.adapters.tables.outreach import RatingLeaderboardItem
from faka.insight.ratings import LEADERBOARD_KEY
from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import add_product, open_shop, pay, place_order

SKU = "steam-20-us"


@pytest.fixture
def shop(stack: Stack) -> Stack:
    open_shop(stack)
    add_product(stack, keys=["LIST-0001-AAAA", "LIST-0002-AAAA"])
    add_product(stack, sku="steam-50-us", keys=["OTHER-0001-AAAA"])
    return stack


def storefront_skus(stack: Stack) -> list[str]:
    return [p["sku"] for p in stack.api("GET", "/v1/products").body["products"]]


def operator_view(stack: Stack) -> dict:
    return {p["sku"]: p for p in stack.api("GET", "/v1/admin/products", headers=ADMIN).body["products"]}


def test_a_delisted_product_is_hidden_from_buyers_and_refuses_orders_until_relisted(shop: Stack) -> None:
    delisted = shop.api("POST", f"/v1/admin/products/{SKU}/delist", headers=ADMIN)
    assert delisted.status == 200, delisted.body
    assert (delisted.body["sku"], delisted.body["listed"], delisted.body["stock"]) == (SKU, False, 2)

    assert storefront_skus(shop) == ["steam-50-us"]
    advice = shop.api("GET", f"/v1/products/{SKU}/advice", query="country=US")
    assert (advice.status, advice.body["code"]) == (404, "unknown_sku")
    order = {"sku": SKU, "quantity": 1, "email": "buyer@example.com", "locale": "en"}
    refused = shop.api("POST", "/v1/orders", order)
    assert (refused.status, refused.body["code"]) == (409, "product_delisted")
    assert operator_view(shop)[SKU]["listed"] is False, "operators still see it, marked delisted"

    relisted = shop.api("POST", f"/v1/admin/products/{SKU}/relist", headers=ADMIN)
    assert (relisted.status, relisted.body["listed"], relisted.body["stock"]) == (200, True, 2)
    assert storefront_skus(shop) == [SKU, "steam-50-us"]
    assert shop.api("POST", "/v1/orders", order).status == 201


def test_an_order_placed_before_the_delisting_is_still_paid_and_delivered(shop: Stack) -> None:
    placed = place_order(shop)
    assert shop.api("POST", f"/v1/admin/products/{SKU}/delist", headers=ADMIN).status == 200

    assert pay(shop, placed["order_id"], placed["amount"]).body["result"] == "delivered"
    buyer = {"Authorization": f"Bearer {placed['access_token']}"}
    view = shop.api("GET", f"/v1/orders/{placed['order_id']}", headers=buyer).body
    assert view["status"] == "delivered"
    assert [key["code"] for key in view["keys"]] in (["LIST-0001-AAAA"], ["LIST-0002-AAAA"])


def test_editing_a_delisted_product_keeps_it_delisted_and_an_unknown_sku_is_404(shop: Stack) -> None:
    assert shop.api("POST", f"/v1/admin/products/{SKU}/delist", headers=ADMIN).status == 200
    edit = {"sku": SKU, "name": "Steam $20, renamed", "price": 2100, "currency": "usd", "region": "US"}
    assert shop.api("POST", "/v1/admin/products", {**edit, "platform": "steam"}, ADMIN).status == 200
    assert operator_view(shop)[SKU]["listed"] is False
    assert SKU not in storefront_skus(shop)

    unknown = shop.api("POST", "/v1/admin/products/no-such-sku/delist", headers=ADMIN)
    assert (unknown.status, unknown.body["code"]) == (404, "unknown_sku")
    assert shop.api("POST", f"/v1/admin/products/{SKU}/relist").status in (401, 403), "operators only"


def test_a_delisted_product_leaves_the_platform_recommendations(shop: Stack) -> None:
    board = [{"shop_id": "main", "sku": sku, "name": "Steam", "mean": 4.9, "count": 10} for sku in (SKU, "steam-50-us")]
    RatingLeaderboardItem(*LEADERBOARD_KEY, entries=json.dumps(board)).save()

    def recommended() -> list[str]:
        return [entry["sku"] for entry in shop.api("GET", "/v1/recommendations").body["recommendations"]]

    assert recommended() == [SKU, "steam-50-us"]
    assert shop.api("POST", f"/v1/admin/products/{SKU}/delist", headers=ADMIN).status == 200
    assert recommended() == ["steam-50-us"]
    assert shop.api("POST", f"/v1/admin/products/{SKU}/relist", headers=ADMIN).status == 200
    assert recommended() == [SKU, "steam-50-us"]
