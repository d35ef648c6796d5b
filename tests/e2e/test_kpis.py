"""The KPI summary over HTTP against `faka local`: a purchase shows up in today's figures."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from tests.e2e.conftest import ADMIN_TOKEN, LocalFaka
from tests.e2e.test_local_runtime import eventually, place_order

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def test_a_purchase_shows_in_the_summary(local_faka: LocalFaka) -> None:
    today = datetime.now(UTC).date().isoformat()

    def summary() -> dict[str, Any]:
        response = local_faka.get(f"/v1/admin/reports/summary?from={today}&to={today}", headers=ADMIN)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    before = summary()["products"].get("steam-20-us", {"orders": 0, "keys_delivered": 0})
    order = place_order(local_faka, f"kpi-{uuid.uuid4().hex[:8]}@example.com")
    assert local_faka.post(f"/_local/pay/{order['order_id']}").status_code == 200

    def counted() -> dict[str, Any] | None:
        product: dict[str, Any] = summary()["products"].get("steam-20-us", {})
        delivered = product.get("keys_delivered", 0) > before["keys_delivered"]
        return product if product.get("orders", 0) > before["orders"] and delivered else None

    product = eventually(counted, "the purchase in the KPI summary")
    assert product["revenue"]["usd"] >= order["amount"]
    assert product["mean_delivery_seconds"] is not None
    assert local_faka.get("/v1/admin/reports/batches", headers=ADMIN).json()["batches"]
