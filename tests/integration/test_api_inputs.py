"""Bad input gets a clear 4xx with a machine-readable code, and leaves nothing half-written."""

from __future__ import annotations

import time

import pytest

from faka.adapters.tables import OrderTableItem
from faka.payments.stripe_webhook import stripe_signature
from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import WEBHOOK_SECRET, add_product, open_shop, pay, place_order, signed_payment

GOOD_ORDER = {"sku": "steam-20-us", "quantity": 1, "email": "buyer@example.com", "locale": "en"}


@pytest.fixture
def shop(stack: Stack) -> Stack:
    open_shop(stack)
    add_product(stack, keys=["KEY-1", "KEY-2"])
    return stack


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("{not json", 400, "malformed_json"),
        ('{"sku": "steam-20-us", "quantity": "2", "email": "b@example.com"}', 400, "invalid_request"),
        ('{"sku": "steam-20-us", "quantity": true, "email": "b@example.com"}', 400, "invalid_request"),
        ('{"sku": "steam-20-us", "quantity": 1.5, "email": "b@example.com"}', 400, "invalid_request"),
        ('{"sku": "steam-20-us", "quantity": 1, "email": "not-an-email"}', 400, "invalid_request"),
        ('{"sku": "steam-20-us", "quantity": 1}', 400, "invalid_request"),
        ('{"sku": "steam-20-us", "quantity": 0, "email": "b@example.com"}', 400, "invalid_quantity"),
        ('{"sku": "steam-20-us", "quantity": -1, "email": "b@example.com"}', 400, "invalid_quantity"),
        ('{"sku": "steam-20-us", "quantity": 11, "email": "b@example.com"}', 400, "invalid_quantity"),
        ('{"sku": "no-such-sku", "quantity": 1, "email": "b@example.com"}', 404, "unknown_sku"),
        ('{"sku": "../etc", "quantity": 1, "email": "b@example.com"}', 400, "invalid_request"),
        (
            '{"sku": "steam-20-us", "quantity": 1, "email": "b@example.com", "locale": "<script>"}',
            400,
            "invalid_request",
        ),
        ("[]", 400, "invalid_request"),
    ],
)
def test_a_bad_order_is_refused_and_nothing_is_stored(shop: Stack, body: str, status: int, code: str) -> None:
    response = shop.api("POST", "/v1/orders", raw=body, headers={"Content-Type": "application/json"})
    assert (response.status, response.body["code"]) == (status, code)
    assert response.body["message"]
    assert list(OrderTableItem.scan()) == []


def test_an_unknown_shop_is_named_as_such(shop: Stack) -> None:
    response = shop.api("POST", "/v1/orders", GOOD_ORDER, {"X-Faka-Shop": "nope"})
    assert (response.status, response.body["code"]) == (404, "unknown_shop")


def test_an_order_is_shown_only_with_its_token(shop: Stack) -> None:
    order = place_order(shop)
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": order["access_token"]}):
        response = shop.api("GET", f"/v1/orders/{order['order_id']}", headers=headers)
        assert (response.status, response.body["code"]) == (404, "unknown_order")
    unknown = shop.api("GET", "/v1/orders/nope", headers={"Authorization": f"Bearer {order['access_token']}"})
    assert unknown.status == 404


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "t=1,v1=deadbeef",
        stripe_signature("other body", WEBHOOK_SECRET),
        "STALE",
    ],
    ids=["empty", "garbage", "other-body", "stale"],
)
def test_a_webhook_with_a_bad_or_stale_signature_is_refused(shop: Stack, signature: str) -> None:
    order = place_order(shop)
    body, _ = signed_payment(order["order_id"], order["amount"])
    if signature == "STALE":
        signature = stripe_signature(body, WEBHOOK_SECRET, timestamp=int(time.time()) - 400)
    response = shop.api("POST", "/v1/webhooks/stripe", raw=body, headers={"Stripe-Signature": signature})
    assert (response.status, response.body["code"]) == (400, "invalid_signature")
    view = shop.api(
        "GET", f"/v1/orders/{order['order_id']}", headers={"Authorization": f"Bearer {order['access_token']}"}
    )
    assert view.body["status"] == "pending_payment"


def test_a_webhook_for_an_unknown_order_is_refused(shop: Stack) -> None:
    response = pay(shop, "no-such-order", 2000)
    assert (response.status, response.body["code"]) == (404, "unknown_order")


def test_a_signed_webhook_that_is_not_json_is_refused(shop: Stack) -> None:
    body = "{oops"
    response = shop.api(
        "POST", "/v1/webhooks/stripe", raw=body, headers={"Stripe-Signature": stripe_signature(body, WEBHOOK_SECRET)}
    )
    assert (response.status, response.body["code"]) == (400, "invalid_payload")


def test_operator_routes_need_the_right_token(shop: Stack) -> None:
    product = {"sku": "x", "name": "X", "price": 100, "currency": "usd", "region": "US", "platform": "steam"}
    assert shop.api("POST", "/v1/admin/products", product).body["code"] == "missing_token"
    forbidden = shop.api("POST", "/v1/admin/products", product, {"Authorization": "Bearer guess"})
    assert (forbidden.status, forbidden.body["code"]) == (403, "forbidden")


def test_a_shop_operator_acts_on_their_own_shop_only(shop: Stack) -> None:
    opened = shop.api(
        "POST", "/v1/admin/shops", {"shop_id": "moon", "name": "Moon", "support_email": "m@example.com"}, ADMIN
    )
    moon = {"Authorization": f"Bearer {opened.body['operator_token']}", "X-Faka-Shop": "moon"}
    product = {
        "sku": "apple-100",
        "name": "App Store",
        "price": 10000,
        "currency": "cny",
        "region": "CN",
        "platform": "apple",
    }
    assert shop.api("POST", "/v1/admin/products", product, moon).status == 201
    assert shop.api("POST", "/v1/admin/products", product, moon).status == 200  # identical: nothing new
    on_main = shop.api("POST", "/v1/admin/products", product, {**moon, "X-Faka-Shop": "main"})
    assert on_main.status == 403
    cannot_open = shop.api(
        "POST", "/v1/admin/shops", {"shop_id": "sun", "name": "S", "support_email": "s@example.com"}, moon
    )
    assert cannot_open.status == 403
    assert [p["sku"] for p in shop.api("GET", "/v1/products", headers={"X-Faka-Shop": "moon"}).body["products"]] == [
        "apple-100"
    ]
    assert "apple-100" not in [p["sku"] for p in shop.api("GET", "/v1/products").body["products"]]


def test_unknown_paths_are_404_in_the_error_shape(shop: Stack) -> None:
    response = shop.api("GET", "/v1/nothing-here")
    assert (response.status, response.body["code"]) == (404, "no_route")
