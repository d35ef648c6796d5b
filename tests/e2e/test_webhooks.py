"""Storefront webhooks over HTTP against `faka local`: subscribe the local sink, buy, see the signed event arrive."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.e2e.conftest import ADMIN_TOKEN, LocalFaka
from tests.e2e.test_local_runtime import eventually, place_order

pytestmark = pytest.mark.e2e

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def test_a_purchase_sends_a_signed_order_delivered_webhook_to_the_subscribed_sink(local_faka: LocalFaka) -> None:
    subscribed = local_faka.post(
        "/v1/admin/webhooks",
        json={"url": f"{local_faka.api_url}/_local/webhook-sink", "events": ["order.delivered"]},
        headers=ADMIN,
    )
    assert subscribed.status_code == 201, subscribed.text
    hook = subscribed.json()
    try:
        order = place_order(local_faka, f"buyer-{uuid.uuid4().hex[:8]}@example.com")
        assert local_faka.post(f"/_local/pay/{order['order_id']}").status_code == 200

        def arrived() -> dict[str, Any] | None:
            received = local_faka.get("/_local/webhook-sink").json()["received"]
            return next(
                (
                    r
                    for r in received
                    if r["webhook_id"] == hook["webhook_id"] and r["body"]["data"]["order_id"] == order["order_id"]
                ),
                None,
            )

        record = eventually(arrived, "the order.delivered webhook")
        assert record["signature_valid"] is True, record["signature_error"]
        assert record["body"]["type"] == "order.delivered"
        assert record["event_id"] == record["body"]["id"]
        owner = {"Authorization": f"Bearer {order['access_token']}"}
        [key] = local_faka.get(f"/v1/orders/{order['order_id']}", headers=owner).json()["keys"]
        assert key["code"] not in str(record["body"])

        [delivery] = local_faka.get(f"/v1/admin/webhooks/{hook['webhook_id']}/deliveries", headers=ADMIN).json()[
            "deliveries"
        ]
        assert (delivery["status"], delivery["attempts"], delivery["response_code"]) == ("delivered", 1, 200)
    finally:
        local_faka.http.delete(
            f"{local_faka.api_url}/v1/admin/webhooks/{hook['webhook_id']}", headers=ADMIN, timeout=30
        )
