"""A shop's test/live switch, for every provider: Alipay's sandbox gateway or its own, WeChat Pay's API or a
configured stand-in of it, TRON mainnet's USDT or a testnet's, and the platform's Stripe key of the shop's mode,
whose events must come from that mode."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from faka.adapters.tables.orders import OrderItem
from faka.payments import alipay, usdt_trc20, wechat_pay
from faka.payments.gateway import HttpRequest, HttpResponse, HttpTransport
from faka.payments.providers import SandboxCheckout, StripeCheckout
from faka.payments.shop_methods import TRONGRID_URL, PaymentNetwork
from faka.payments.stripe_signing import stripe_signature
from faka.payments.stripe_webhook import checkout_completed_event
from faka.payments.usdt_wallet import UsdtAtPar
from faka.wiring import services
from faka_local.sandbox_payments import SandboxPayments
from tests.integration.conftest import ADMIN, Response, Stack
from tests.integration.helpers import WEBHOOK_SECRET, open_shop

WECHAT_PAY_TEST_URL = "https://wechatpay-standin.example"
TRON_TEST_URL = "https://tron-testnet.example"
TEST_USDT = "TTestUsdt111111111111111111111111"
CNY, USD = "cny-card", "usd-card"


@dataclass
class Recording:
    """A transport that remembers each request's URL on its way to the stand-in."""

    standin: HttpTransport
    urls: list[str] = field(default_factory=list)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.urls.append(request.url)
        return self.standin(request)


@dataclass
class Shops:
    """Two shops, main in test mode and moon in live mode, with the same sandbox accounts."""

    stack: Stack
    wechat: Recording
    tron: Recording

    def order(self, shop: str, method: str, sku: str = CNY) -> dict[str, Any]:
        draft = {"sku": sku, "quantity": 1, "email": "buyer@example.com", "payment_method": method}
        answer = self.stack.api("POST", "/v1/orders", draft, {"X-Faka-Shop": shop})
        assert answer.status == 201, answer.body
        return dict(answer.body)


def _stock(stack: Stack, shop: str) -> None:
    headers = {**ADMIN, "X-Faka-Shop": shop}
    for sku, currency in ((CNY, "cny"), (USD, "usd")):
        product = {"sku": sku, "name": sku, "price": 2000, "currency": currency, "region": "CN", "platform": "steam"}
        assert stack.api("POST", "/v1/admin/products", product, headers).status in (200, 201)
        keys = {"batch": "B1", "keys": [f"{sku.upper()}-{shop.upper()}-{n:04d}-ABCD" for n in range(3)]}
        assert stack.api("POST", f"/v1/admin/products/{sku}/keys", keys, headers).status == 200


@pytest.fixture
def shops(stack: Stack) -> Shops:
    payments = SandboxPayments(services(), services().settings.public_base_url)
    wechat, tron = Recording(payments.standins.wechat_pay), Recording(payments.standins.tron)
    # No local Alipay page here: the checkout_url names the gateway the shop's mode uses.
    services().payment_network = PaymentNetwork(
        alipay=payments.standins.alipay,
        wechat_pay=wechat,
        tron=tron,
        tron_test_url=TRON_TEST_URL,
        usdt_test_contract=TEST_USDT,
        wechat_pay_test_url=WECHAT_PAY_TEST_URL,
    )
    for shop in ("main", "moon"):
        open_shop(stack, shop)
        payments.enable_all_methods(services(), shop)
        _stock(stack, shop)
    live = {"methods": ["stripe", "alipay", "wechat_pay", "usdt_trc20"], "live": True}
    answer = stack.api("PUT", "/v1/admin/payment-methods", live, {**ADMIN, "X-Faka-Shop": "moon"})
    assert answer.status == 200, answer.body
    return Shops(stack, wechat, tron)


def test_alipay_wechat_pay_and_usdt_reach_the_test_endpoints_in_test_mode_and_the_live_ones_in_live_mode(
    shops: Shops,
) -> None:
    gateways = [shops.order(shop, "alipay")["payment"]["checkout_url"].split("?")[0] for shop in ("main", "moon")]
    for shop in ("main", "moon"):
        shops.order(shop, "wechat_pay")
    listings = []
    for shop in ("main", "moon"):
        usdt = services().payment_methods.provider(shop, "usdt_trc20")
        assert isinstance(usdt, UsdtAtPar)
        shops.tron.urls.clear()
        usdt.watch(datetime.now(UTC) - timedelta(hours=1))
        listings.append(next(url for url in shops.tron.urls if "/transactions/trc20" in url))

    assert gateways == [alipay.SANDBOX_GATEWAY_URL, alipay.GATEWAY_URL]
    assert [url.split("/v3/")[0] for url in shops.wechat.urls] == [WECHAT_PAY_TEST_URL, wechat_pay.API_URL]
    assert listings[0].startswith(f"{TRON_TEST_URL}/v1/accounts/")
    assert f"contract_address={TEST_USDT}" in listings[0]
    assert listings[1].startswith(f"{TRONGRID_URL}/v1/accounts/")
    assert f"contract_address={usdt_trc20.USDT_CONTRACT}" in listings[1]


def test_a_test_mode_shop_takes_no_wechat_pay_where_no_test_endpoint_is_configured(
    shops: Shops, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A deployment with no WeChat Pay test endpoint: its payment methods are built anew on this network.
    monkeypatch.setitem(vars(services()), "payment_network", PaymentNetwork(wechat_pay=shops.wechat))
    monkeypatch.delitem(vars(services()), "payment_methods")
    draft = {"sku": CNY, "quantity": 1, "email": "buyer@example.com", "payment_method": "wechat_pay"}

    refused = shops.stack.api("POST", "/v1/orders", draft, {"X-Faka-Shop": "main"})
    live = shops.stack.api("POST", "/v1/orders", draft, {"X-Faka-Shop": "moon"})

    assert (refused.status, refused.body["code"]) == (409, "payment_mode_unavailable")
    assert live.status == 201, live.body
    assert [url.split("/v3/")[0] for url in shops.wechat.urls] == [wechat_pay.API_URL]


def _paid_event(stack: Stack, order: dict[str, Any], *, livemode: bool) -> Response:
    body = checkout_completed_event(
        event_id=f"evt_{order['order_id']}_{livemode}",
        session_id=f"cs_sandbox_{order['order_id']}",
        order_id=order["order_id"],
        amount=order["amount"],
        currency=order["currency"],
        email="buyer@example.com",
        livemode=livemode,
    )
    signature = stripe_signature(body, WEBHOOK_SECRET)
    return stack.api("POST", "/v1/webhooks/stripe", raw=body, headers={"Stripe-Signature": signature})


def test_each_shop_pays_with_the_stripe_key_of_its_mode_and_an_event_of_the_other_mode_is_refused(
    shops: Shops, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = SimpleNamespace(url="https://checkout.stripe.com/c/pay/cs_live_1", id="cs_live_1")
    live_client = SimpleNamespace(
        v1=SimpleNamespace(checkout=SimpleNamespace(sessions=SimpleNamespace(create=lambda params, options: session)))
    )
    live = StripeCheckout(live_client, "https://shop.example", livemode=True)
    test = SandboxCheckout(services().settings.public_base_url)
    monkeypatch.setitem(vars(services()), "stripe_accounts", {True: live, False: test})
    in_test, in_live = shops.order("main", "stripe", USD), shops.order("moon", "stripe", USD)

    live_for_test = _paid_event(shops.stack, in_test, livemode=True)
    test_for_live = _paid_event(shops.stack, in_live, livemode=False)
    untouched = [OrderItem.get(o["order_id"], OrderItem.SK).status for o in (in_test, in_live)]
    test_for_test = _paid_event(shops.stack, in_test, livemode=False)
    live_for_live = _paid_event(shops.stack, in_live, livemode=True)

    assert in_test["payment"]["provider"] == "sandbox"
    assert (in_live["payment"]["provider"], in_live["payment"]["checkout_url"]) == ("stripe", session.url)
    assert (live_for_test.status, live_for_test.body["code"]) == (400, "livemode_mismatch")
    assert (test_for_live.status, test_for_live.body["code"]) == (400, "livemode_mismatch")
    assert untouched == ["pending_payment", "pending_payment"]
    assert (test_for_test.status, test_for_test.body["result"]) == (200, "delivered")
    assert (live_for_live.status, live_for_live.body["result"]) == (200, "delivered")
