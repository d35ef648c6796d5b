"""Refunds and reconciliation on `faka local`, over HTTP: the refund review ASL runs on the emulator."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from tests.e2e.conftest import ADMIN_TOKEN, LocalFaka
from tests.e2e.test_local_runtime import assert_problem, eventually, place_order

pytestmark = pytest.mark.e2e

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
MOON = {**ADMIN, "X-Faka-Shop": "moon"}


def buyer(order: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {order['access_token']}"}


def provider_refund(local_faka: LocalFaka, refund_id: str) -> dict[str, Any] | None:
    refunds = local_faka.get("/_local/refunds").json()["refunds"]
    return next((r for r in refunds if r["idempotency_key"] == f"refund-{refund_id}"), None)


def refund_of(local_faka: LocalFaka, order: dict[str, Any]) -> dict[str, Any]:
    (refund,) = local_faka.get(f"/v1/orders/{order['order_id']}/refunds", headers=buyer(order)).json()["refunds"]
    return dict(refund)


def paid_order(local_faka: LocalFaka, **extra: Any) -> dict[str, Any]:
    email = f"refund-{uuid.uuid4().hex[:8]}@example.com"
    order = place_order(local_faka, email, **extra)
    assert local_faka.post(f"/_local/pay/{order['order_id']}").status_code == 200
    return {**order, "email": email}


def test_an_unused_key_is_refunded_in_seconds(local_faka: LocalFaka) -> None:
    order = paid_order(local_faka)
    ask = {"reason": "bought the wrong region"}

    began = time.monotonic()
    response = local_faka.post(f"/v1/orders/{order['order_id']}/refund", json=ask, headers=buyer(order))
    assert response.status_code == 202, response.text
    refund_id = response.json()["refund_id"]
    eventually(lambda: provider_refund(local_faka, refund_id), "the provider refund", timeout=10)
    elapsed = time.monotonic() - began
    print(f"refund request to provider refund: {elapsed:.2f} s")  # the figure quoted in the closing note, with -s

    refund = eventually(lambda: (r := refund_of(local_faka, order))["status"] == "completed" and r, "completion")
    assert refund["decided_by"] == "risk_rules"
    assert local_faka.get(f"/v1/orders/{order['order_id']}", headers=buyer(order)).json()["status"] == "refunded"
    # Asking again answers with the same refund; no money moves twice.
    again = local_faka.post(f"/v1/orders/{order['order_id']}/refund", json=ask, headers=buyer(order))
    assert again.json()["refund_id"] == refund_id
    refunds = local_faka.get("/_local/refunds").json()["refunds"]
    assert [r["payment_ref"] for r in refunds].count(f"pi_sandbox_{order['order_id']}") == 1
    # The delivery email may never go out: a notice for an order refunded meanwhile is skipped.
    eventually(
        lambda: [
            m
            for m in local_faka.get("/_local/outbox").json()["messages"]
            if m["to"] == order["email"] and m["subject"].startswith("Refund of 20.00 USD sent")
        ],
        "the refund email",
    )


def test_a_risky_refund_waits_for_an_operator(local_faka: LocalFaka) -> None:
    policy = {"auto_approve_limits": {"cny": 0}, "review_sla_seconds": 86400, "sla_policy": "auto_approve"}
    assert local_faka.http.put(local_faka.api_url + "/v1/admin/refund-policy", json=policy, headers=MOON, timeout=30).ok
    order = paid_order(local_faka, sku="apple-100-cn", headers={"X-Faka-Shop": "moon"})

    ask = {"reason": "changed my mind"}
    response = local_faka.post(f"/v1/orders/{order['order_id']}/refund", json=ask, headers=buyer(order))
    refund_id = response.json()["refund_id"]

    eventually(lambda: refund_of(local_faka, order)["status"] == "in_review", "the review")
    alerts = eventually(
        lambda: [a for a in local_faka.get("/_local/operator-alerts").json()["alerts"] if refund_id in a["message"]],
        "the operator alert",
    )
    assert f"/v1/admin/refunds/{refund_id}/decision" in alerts[0]["message"]
    time.sleep(1)
    assert refund_of(local_faka, order)["status"] == "in_review"
    assert provider_refund(local_faka, refund_id) is None
    assert_problem(local_faka.post(f"/v1/admin/refunds/{refund_id}/decision", json={"decision": "approve"}), 401)

    decided = local_faka.post(f"/v1/admin/refunds/{refund_id}/decision", json={"decision": "approve"}, headers=MOON)

    assert decided.status_code == 200, decided.text
    eventually(lambda: provider_refund(local_faka, refund_id), "the provider refund")
    assert eventually(lambda: refund_of(local_faka, order)["status"] == "completed", "completion")


def test_a_dropped_webhook_is_reconciled(local_faka: LocalFaka) -> None:
    order = place_order(local_faka, f"dropped-{uuid.uuid4().hex[:8]}@example.com")

    paid = local_faka.post(f"/_local/pay/{order['order_id']}?drop_webhook=1")

    assert paid.json() == {"paid": True, "webhook": "dropped"}
    assert local_faka.get(f"/v1/orders/{order['order_id']}", headers=buyer(order)).json()["status"] == "pending_payment"
    began = time.monotonic()
    view = eventually(
        lambda: (
            (v := local_faka.get(f"/v1/orders/{order['order_id']}", headers=buyer(order)).json())["status"]
            == "delivered"
            and v
        ),
        "delivery by reconciliation",
        timeout=30,
    )
    print(f"dropped webhook delivered after {time.monotonic() - began:.1f} s")
    assert len(view["keys"]) == 1
