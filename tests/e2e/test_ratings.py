"""Ratings on `faka local`: buy, activate through the signed supplier callback, rate, and see the figures the
ratings stream keeps, up to a recommendation, over HTTP only."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from faka.payments.stripe_signing import stripe_signature
from tests.e2e.conftest import ADMIN_TOKEN, SIGNING_SECRET, LocalFaka
from tests.e2e.test_local_runtime import eventually, place_order

pytestmark = pytest.mark.e2e

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
RATINGS_FOR_A_RECOMMENDATION = 10


def bought_and_activated(local_faka: LocalFaka, sku: str) -> dict[str, Any]:
    order = place_order(local_faka, f"rater-{uuid.uuid4().hex[:8]}@example.com", sku=sku)
    assert local_faka.post(f"/_local/pay/{order['order_id']}").status_code == 200
    buyer = {"Authorization": f"Bearer {order['access_token']}"}
    view = eventually(
        lambda: (v := local_faka.get(f"/v1/orders/{order['order_id']}", headers=buyer).json())["keys"] and v,
        "the delivery",
    )
    raw = json.dumps({"key": view["keys"][0]["code"], "status": "activated", "at": datetime.now(UTC).isoformat()})
    activated = local_faka.post(
        "/v1/activations",
        data=raw,
        headers={"Content-Type": "application/json", "X-Faka-Signature": stripe_signature(raw, SIGNING_SECRET)},
    )
    assert activated.status_code == 200, activated.text
    return {**order, "headers": buyer}


def test_rated_orders_add_up_to_a_recommendation(local_faka: LocalFaka) -> None:
    sku = f"rated-{uuid.uuid4().hex[:8]}"
    product = {"sku": sku, "name": "Rated card", "price": 500, "currency": "usd", "region": "US", "platform": "xbox"}
    assert local_faka.post("/v1/admin/products", json=product, headers=ADMIN).status_code == 201
    keys = [f"RATE-{uuid.uuid4().hex[:8].upper()}-{n:02d}" for n in range(RATINGS_FOR_A_RECOMMENDATION)]
    imported = local_faka.post(f"/v1/admin/products/{sku}/keys", json={"batch": "R1", "keys": keys}, headers=ADMIN)
    assert imported.json()["imported"] == RATINGS_FOR_A_RECOMMENDATION

    for n in range(RATINGS_FOR_A_RECOMMENDATION):
        order = bought_and_activated(local_faka, sku)
        form = local_faka.get(f"/v1/orders/{order['order_id']}/rating-form", headers=order["headers"]).json()
        assert (form["category"], form["eligible"]) == ("game_card", True)
        scores = {d["key"]: 5 for d in form["dimensions"] if d["required"]}
        rated = local_faka.post(
            f"/v1/orders/{order['order_id']}/rating", json={"scores": scores}, headers=order["headers"]
        )
        assert rated.status_code == 201, rated.text
        if n == 0:
            again = local_faka.post(
                f"/v1/orders/{order['order_id']}/rating", json={"scores": scores}, headers=order["headers"]
            )
            assert (again.status_code, again.json()["code"]) == (409, "already_rated")

    def listed() -> dict[str, Any] | None:
        products = local_faka.get("/v1/products").json()["products"]
        return next((p for p in products if p["sku"] == sku and p["recommended"]), None)

    eventually(listed, "the recommendation from the ratings stream")
    entries = local_faka.get("/v1/recommendations").json()["recommendations"]
    assert {"shop_id": "main", "sku": sku, "name": "Rated card", "mean": 5.0, "count": 10} in entries
    shops = local_faka.get("/v1/admin/platform/shops", headers=ADMIN).json()["shops"]
    main = next(s for s in shops if s["shop_id"] == "main")
    assert main["ratings"]["count"] >= RATINGS_FOR_A_RECOMMENDATION
