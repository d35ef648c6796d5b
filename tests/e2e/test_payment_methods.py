"""Against ``faka local``: an order paid by each of the four methods is delivered, and a forged notification for
each is refused and issues nothing (USDT has none to forge: a transfer of another amount is refused instead)."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from faka.payments import alipay, wechat_pay
from faka.payments.gateway import fen_to_yuan as alipay_amount
from faka.payments.stripe_signing import stripe_signature
from faka.payments.stripe_webhook import checkout_completed_event
from faka_local.provider_standins import (
    SANDBOX_APP_ID,
    SANDBOX_APPID,
    SANDBOX_MCHID,
    SANDBOX_SELLER_ID,
    WechatPayStandIn,
)
from tests.e2e.conftest import LocalFaka

# The watcher runs every 2 s in the e2e session (FAKA_LOCAL_RECONCILE_INTERVAL); a transfer is seen within a few runs.
SETTLE_SECONDS = 20
CASES = [
    ("main", "steam-20-us", "stripe"),
    ("moon", "apple-100-cn", "alipay"),
    ("moon", "apple-100-cn", "wechat_pay"),
    ("main", "steam-20-us", "usdt_trc20"),
]


def _order(local_faka: LocalFaka, shop: str, sku: str, method: str) -> dict[str, Any]:
    draft = {"sku": sku, "quantity": 1, "email": "buyer@example.com", "locale": "zh-CN", "payment_method": method}
    response = local_faka.post("/v1/orders", json=draft, headers={"X-Faka-Shop": shop})
    assert response.status_code == 201, response.text
    return dict(response.json())


def _view(local_faka: LocalFaka, order: dict[str, Any]) -> dict[str, Any]:
    token = {"Authorization": f"Bearer {order['access_token']}"}
    return dict(local_faka.get(f"/v1/orders/{order['order_id']}", headers=token).json())


def _until(local_faka: LocalFaka, order: dict[str, Any], statuses: set[str]) -> dict[str, Any]:
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        view = _view(local_faka, order)
        if view["status"] in statuses or time.monotonic() > deadline:
            return view
        time.sleep(0.2)


@pytest.mark.parametrize(("shop", "sku", "method"), CASES, ids=[case[2] for case in CASES])
def test_an_order_paid_by_each_method_is_delivered(local_faka: LocalFaka, shop: str, sku: str, method: str) -> None:
    methods = local_faka.get("/v1/storefront", params={"shop": shop}).json()["payment_methods"]
    assert methods == ["stripe", "alipay", "wechat_pay", "usdt_trc20"]
    order = _order(local_faka, shop, sku, method)
    if method == "alipay":
        cashier = local_faka.get(order["payment"]["checkout_url"].removeprefix(local_faka.api_url))
        assert cashier.status_code == 200
        assert "Alipay" in cashier.text

    paid_at = time.monotonic()
    paid = local_faka.post(f"/_local/pay/{order['order_id']}")
    view = _until(local_faka, order, {"delivered"})
    seconds = time.monotonic() - paid_at

    assert paid.status_code == 200, paid.text
    assert view["status"] == "delivered"
    assert len(view["keys"]) == 1
    print(f"\n{method}: paid → delivered in {seconds:.2f} s")


def _someone_elses_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _forged_stripe(order: dict[str, Any]) -> tuple[str, str]:
    """Stripe's event for the order, signed with a secret that is not the deployment's."""
    body = checkout_completed_event(
        event_id=f"evt_{secrets.token_hex(8)}",
        session_id=f"cs_forged_{order['order_id']}",
        order_id=order["order_id"],
        amount=order["amount"],
        currency=order["currency"],
        email="buyer@example.com",
    )
    return body, stripe_signature(body, f"whsec_{secrets.token_hex(16)}")


def _forged_alipay(order: dict[str, Any]) -> str:
    """Alipay's notification of the order's payment, signed by a key that is not Alipay's."""
    fields = {
        "notify_id": secrets.token_hex(17),
        "notify_type": "trade_status_sync",
        "app_id": SANDBOX_APP_ID,
        "seller_id": SANDBOX_SELLER_ID,
        "out_trade_no": order["order_id"],
        "trade_no": f"2026120622001{secrets.randbelow(10**15):015d}",
        "trade_status": "TRADE_SUCCESS",
        "total_amount": alipay_amount(order["amount"]),
        "sign_type": "RSA2",
    }
    return urlencode(alipay.sign_params(fields, _someone_elses_key(), notification=True))


def _forged_wechat(order: dict[str, Any]) -> tuple[dict[str, str], bytes]:
    """WeChat Pay's TRANSACTION.SUCCESS for the order, encrypted and signed with keys that are not WeChat Pay's."""
    paid = {
        "mchid": SANDBOX_MCHID,
        "appid": SANDBOX_APPID,
        "out_trade_no": order["order_id"],
        "transaction_id": f"4200{secrets.randbelow(10**24):024d}",
        "trade_state": "SUCCESS",
        "amount": {"total": order["amount"], "currency": "CNY"},
    }
    resource = wechat_pay.encrypt_resource(
        paid, secrets.token_hex(16).encode(), original_type="transaction", associated_data="transaction"
    )
    body = json.dumps({"id": f"EV-{secrets.token_hex(8)}", "event_type": "TRANSACTION.SUCCESS", "resource": resource})
    headers = wechat_pay.signed_headers(
        body.encode(), serial=WechatPayStandIn.PLATFORM_SERIAL, key=_someone_elses_key()
    )
    return {"Content-Type": "application/json", **headers}, body.encode()


@pytest.mark.parametrize(("shop", "sku", "method"), CASES, ids=[case[2] for case in CASES])
def test_a_forged_notification_for_each_method_is_refused_and_issues_nothing(
    local_faka: LocalFaka, shop: str, sku: str, method: str
) -> None:
    order = _order(local_faka, shop, sku, method)
    if method == "stripe":
        body, signature = _forged_stripe(order)
        answer = local_faka.post("/v1/webhooks/stripe", data=body, headers={"Stripe-Signature": signature})
        assert answer.status_code == 400
    elif method == "alipay":
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        answer = local_faka.post(f"/v1/webhooks/alipay?shop={shop}", data=_forged_alipay(order), headers=form)
        assert (answer.status_code, answer.text) == (400, "failure")
    elif method == "wechat_pay":
        headers, encrypted = _forged_wechat(order)
        answer = local_faka.post(f"/v1/webhooks/wechatpay?shop={shop}", data=encrypted, headers=headers)
        assert answer.status_code == 400
        assert answer.json()["code"] == "FAIL"
    else:
        # A transfer of one cent less than asked: the watcher sees it, and the order is held, not delivered.
        short = local_faka.post(f"/_local/pay/{order['order_id']}?amount={order['amount'] - 1}")
        assert short.status_code == 200

    view = _until(local_faka, order, {"on_hold"}) if method == "usdt_trc20" else _view(local_faka, order)
    assert view["status"] == ("on_hold" if method == "usdt_trc20" else "pending_payment")
    assert view["keys"] == []
