"""Operator alerts on `faka local`: a shop's WeCom robot (here the local webhook sink) gets the alert, and
``/_local/operator-alerts`` shows each alert with the channels it went to."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.e2e.conftest import ADMIN_TOKEN, LocalFaka
from tests.e2e.test_local_runtime import eventually, underpaid_order
from tests.e2e.test_ratings import bought_and_activated

pytestmark = pytest.mark.e2e

MOON = {"Authorization": f"Bearer {ADMIN_TOKEN}", "X-Faka-Shop": "moon"}


def test_a_held_order_alert_reaches_the_shops_wecom_robot_and_is_listed_with_its_channel(
    local_faka: LocalFaka,
) -> None:
    robot = f"{local_faka.api_url}/_local/webhook-sink?robot=wecom-{uuid.uuid4().hex[:8]}"
    configured = local_faka.http.put(
        f"{local_faka.api_url}/v1/admin/alert-channels",
        json={"channels": [{"kind": "wecom", "target": robot, "alerts": ["held_order"]}]},
        headers=MOON,
        timeout=30,
    )
    assert configured.status_code == 200, configured.text
    order = underpaid_order(local_faka)

    def delivered_alert() -> dict[str, Any] | None:
        alerts = local_faka.get("/_local/operator-alerts").json()["alerts"]
        alert = next((a for a in alerts if order["order_id"] in a["subject"]), None)
        wecom = [c for c in (alert or {}).get("channels", []) if c["channel"] == "wecom"]
        return alert if wecom and wecom[0]["status"] == "delivered" else None

    alert = eventually(delivered_alert, "the alert's delivery to the WeCom robot")
    assert alert["kind"] == "held_order"
    assert [c["channel"] for c in alert["channels"]] == ["sns", "wecom"]
    received = local_faka.get("/_local/webhook-sink").json()["received"]
    (message,) = [r["body"] for r in received if order["order_id"] in str(r["body"])]
    assert message["msgtype"] == "text"
    assert message["text"]["content"].startswith(alert["subject"])


def test_a_low_rating_alert_reaches_a_telegram_group_on_the_local_stand_in(local_faka: LocalFaka) -> None:
    chat = f"-100{uuid.uuid4().int % 10**9}"
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    configured = local_faka.http.put(
        f"{local_faka.api_url}/v1/admin/alert-channels",
        json={"channels": [{"kind": "telegram", "target": chat, "secret": "4242:local-bot", "alerts": ["low_rating"]}]},
        headers=admin,
        timeout=30,
    )
    assert configured.status_code == 200, configured.text
    sku = f"tg-{uuid.uuid4().hex[:8]}"
    product = {"sku": sku, "name": "Telegram card", "price": 500, "currency": "usd", "region": "US", "platform": "xbox"}
    assert local_faka.post("/v1/admin/products", json=product, headers=admin).status_code == 201
    keys = {"batch": "T1", "keys": [f"TG-{uuid.uuid4().hex[:10].upper()}"]}
    assert local_faka.post(f"/v1/admin/products/{sku}/keys", json=keys, headers=admin).status_code == 200
    order = bought_and_activated(local_faka, sku)
    form = local_faka.get(f"/v1/orders/{order['order_id']}/rating-form", headers=order["headers"]).json()
    scores = {d["key"]: 1 for d in form["dimensions"] if d["required"]}
    rated = local_faka.post(f"/v1/orders/{order['order_id']}/rating", json={"scores": scores}, headers=order["headers"])
    assert rated.status_code == 201, rated.text

    def sent() -> dict[str, Any] | None:
        messages = local_faka.get("/_local/telegram").json()["messages"]
        return next((m for m in messages if m["chat"]["id"] == chat and order["order_id"] in m["text"]), None)

    message = eventually(sent, "the low-rating alert in the Telegram group")
    assert message["text"].startswith(f"Low rating on order {order['order_id']}")
    assert message["bot"] == "4242"
