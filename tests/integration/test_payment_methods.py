"""Alipay, WeChat Pay and USDT (TRC20) end to end through the api and reconcile functions, against the providers'
local stand-ins: a paid order is delivered exactly once; a forged, tampered, stale or mismatched notification issues
nothing and is answered in its provider's failure format; reconciliation asks each order's own provider."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from faka.adapters.messaging import SnsOperatorAlerts
from faka.adapters.tables.orders import OrderItem
from faka.adapters.tables.refunds import RefundItem
from faka.money.refund_review import ReviewWorkflow
from faka.payments import alipay, usdt_trc20, wechat_pay
from faka.payments.providers import StripeCheckout
from faka.payments.usdt_trc20 import SUFFIXES, AmountSlot
from faka.payments.usdt_wallet import DynamoAmountSlots, UsdtOrderSlotItem
from faka.sales.orders import PLACED_PARTITIONS
from faka.sales.reconciliation import UsdtWatcher
from faka.wiring import services
from faka_local.provider_standins import SANDBOX_BUYER_WALLET, LocalNotification
from faka_local.sandbox_payments import SandboxPayments
from tests.integration.concurrency_harness import invocations_apart_per_thread
from tests.integration.conftest import ADMIN, Response, Stack
from tests.integration.helpers import open_shop, pay, run_reconcile_schedule

CNY_SKU, USD_SKU = "qq-100-cn", "steam-20-us"
HOUR = timedelta(hours=1)
DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 "
    "Mobile/15E148 Safari/604.1"
)
ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"
)


@dataclass
class Shop:
    stack: Stack
    payments: SandboxPayments

    def order(
        self, method: str | None, sku: str = CNY_SKU, shop: str = "main", user_agent: str = DESKTOP
    ) -> dict[str, Any]:
        draft = {"sku": sku, "quantity": 1, "email": "buyer@example.com", "locale": "zh-CN"}
        if method:
            draft["payment_method"] = method
        response = self.stack.api("POST", "/v1/orders", draft, {"X-Faka-Shop": shop, "User-Agent": user_agent})
        assert response.status == 201, response.body
        return dict(response.body)

    def view(self, order: dict[str, Any]) -> dict[str, Any]:
        token = {"Authorization": f"Bearer {order['access_token']}"}
        return dict(self.stack.api("GET", f"/v1/orders/{order['order_id']}", headers=token).body)

    def notify(self, notification: LocalNotification, *, shop: str = "main", body: bytes | None = None) -> Response:
        return self.stack.api(
            "POST",
            notification.path,
            raw=(body if body is not None else notification.body).decode(),
            headers=notification.headers,
            query=urlencode({"shop": shop}),
        )

    def pay_alipay(self, order: dict[str, Any], amount: int | None = None) -> LocalNotification:
        return self.payments.standins.alipay.pay(order["order_id"], amount or order["amount"])

    def pay_wechat(self, order: dict[str, Any]) -> LocalNotification:
        return self.payments.standins.wechat_pay.pay(order["order_id"], order["amount"])


def _product(stack: Stack, sku: str, currency: str, keys: list[str]) -> None:
    product = {"sku": sku, "name": sku, "price": 10000 if currency == "cny" else 2000, "currency": currency}
    response = stack.api("POST", "/v1/admin/products", {**product, "region": "CN", "platform": "steam"}, ADMIN)
    assert response.status in (200, 201), response.body
    response = stack.api("POST", f"/v1/admin/products/{sku}/keys", {"batch": "B1", "keys": keys}, ADMIN)
    assert response.status == 200, response.body


@pytest.fixture
def shop(stack: Stack) -> Shop:
    open_shop(stack)
    # Before anything builds the payment methods: their providers talk to these stand-ins.
    payments = SandboxPayments(services(), services().settings.public_base_url)
    payments.enable_all_methods(services(), "main")
    _product(stack, CNY_SKU, "cny", [f"QQ-{n:04d}-ABCD-EFGH" for n in range(8)])
    _product(stack, USD_SKU, "usd", [f"STEAM-{n:04d}-ABCD-EFGH" for n in range(8)])
    return Shop(stack, payments)


def _orders() -> int:
    return sum(1 for _ in OrderItem.scan(OrderItem.sk == OrderItem.SK))


def _keys(shop: Shop, order: dict[str, Any]) -> list[dict[str, Any]]:
    return list(shop.view(order)["keys"])


# --- paid → delivered, each method ---------------------------------------------------------------------------------


def test_an_alipay_order_is_paid_on_alipays_page_and_delivered_once(shop: Shop) -> None:
    order = shop.order("alipay")
    checkout_url = order["payment"]["checkout_url"]
    assert checkout_url.startswith("http://127.0.0.1:3000/_local/alipay/gateway.do?")
    assert order["payment"]["method"] == "alipay"
    params = dict(parse_qsl(checkout_url.split("?", 1)[1]))
    assert params["notify_url"].endswith("/v1/webhooks/alipay?shop=main")
    assert json.loads(params["biz_content"])["total_amount"] == "100.00"
    shop.payments.standins.alipay.accept_page(checkout_url)  # the buyer's browser at Alipay's cashier

    notification = shop.pay_alipay(order)
    answer = shop.notify(notification)

    assert (answer.status, answer.body) == (200, "success")
    assert shop.view(order)["status"] == "delivered"
    # Alipay sends it again until it reads success: a replay changes nothing.
    assert shop.notify(notification).body == "success"
    assert len(_keys(shop, order)) == 1


def test_a_wechat_pay_order_gets_a_qr_code_and_is_delivered_once(shop: Shop) -> None:
    order = shop.order("wechat_pay")
    assert order["payment"]["code_url"].startswith("weixin://wxpay/bizpayurl?pr=")
    assert order["payment"]["sandbox_pay_url"].endswith(f"/_local/pay/{order['order_id']}")

    notification = shop.pay_wechat(order)
    answer = shop.notify(notification)

    assert answer.status == 200, answer.body
    assert answer.body["result"] == "delivered"
    assert shop.notify(notification).body["result"] == "delivered"  # the replay: the first answer, nothing more
    assert len(_keys(shop, order)) == 1


def test_a_usdt_order_is_paid_by_its_exact_amount_and_the_watcher_delivers_it(shop: Shop) -> None:
    order = shop.order("usdt_trc20", USD_SKU)
    payment = order["payment"]
    assert payment["address"] == "TShop11111111111111111111111111111"
    assert payment["amount"].startswith("20.00")
    assert payment["amount"] != "20.000000"
    assert datetime.fromisoformat(payment["expires_at"]) > datetime.now(UTC)

    assert shop.payments.pay(services().orders.get(order["order_id"])) is None  # the transfer, on the sandbox chain
    run_reconcile_schedule()
    run_reconcile_schedule()  # the next run sees the same transfer again: recorded once

    assert shop.view(order)["status"] == "delivered"
    assert len(_keys(shop, order)) == 1


def test_stripe_stays_the_default_for_a_shop_that_never_chose(stack: Stack) -> None:
    open_shop(stack)
    _product(stack, USD_SKU, "usd", ["STEAM-0001-ABCD-EFGH"])
    order = stack.api("POST", "/v1/orders", {"sku": USD_SKU, "quantity": 1, "email": "b@example.com"}).body

    assert order["payment"]["method"] == "stripe"
    assert pay(stack, order["order_id"], order["amount"]).body["result"] == "delivered"


@pytest.mark.parametrize(
    ("method", "sku", "fields"),
    [
        ("alipay", CNY_SKU, {"checkout_url"}),
        ("wechat_pay", CNY_SKU, {"code_url", "expires_at", "sandbox_pay_url"}),
        ("usdt_trc20", USD_SKU, {"address", "amount", "expires_at", "sandbox_pay_url"}),
    ],
)
def test_the_mailed_order_page_shows_how_to_pay_only_while_the_order_waits_for_its_payment(
    shop: Shop, method: str, sku: str, fields: set[str]
) -> None:
    order = shop.order(method, sku)
    mailed_link = {"Authorization": f"Bearer {services().links.order_page_token(order['order_id'])}"}

    pending = shop.stack.api("GET", f"/v1/orders/{order['order_id']}", headers=mailed_link).body

    assert pending["status"] == "pending_payment"
    assert pending["payment"] == order["payment"]
    assert fields <= set(pending["payment"])
    if method == "usdt_trc20":
        shop.payments.pay(services().orders.get(order["order_id"]))
        run_reconcile_schedule()
    else:
        shop.notify(shop.pay_alipay(order) if method == "alipay" else shop.pay_wechat(order))
    paid = shop.stack.api("GET", f"/v1/orders/{order['order_id']}", headers=mailed_link).body
    assert (paid["status"], paid["payment"]) == ("delivered", None)


def test_an_expired_order_shows_no_way_to_pay(shop: Shop) -> None:
    order = shop.order("wechat_pay")
    OrderItem(order["order_id"], OrderItem.SK).update(
        actions=[OrderItem.expires_at.set(datetime.now(UTC) - timedelta(seconds=1))]
    )

    view = shop.view(order)

    assert (view["status"], view["payment"]) == ("expired", None)


# --- refused: forged, tampered, stale, mismatched -----------------------------------------------------------------


def _sign_alipay(fields: dict[str, str], key: rsa.RSAPrivateKey) -> bytes:
    return urlencode(alipay.sign_params(fields, key, notification=True)).encode()


def test_a_forged_or_tampered_alipay_notification_is_answered_failure_and_issues_nothing(shop: Shop) -> None:
    order = shop.order("alipay")
    genuine = shop.pay_alipay(order)
    fields = dict(parse_qsl(genuine.body.decode()))
    someone_else = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    forged = _sign_alipay({k: v for k, v in fields.items() if k != "sign"}, someone_else)
    tampered = urlencode({**fields, "total_amount": "0.01"}).encode()
    other_shop = shop.notify(genuine, shop="nobody")

    for body in (forged, tampered):
        answer = shop.notify(genuine, body=body)
        assert (answer.status, answer.body) == (400, "failure")
    assert (other_shop.status, other_shop.body) == (409, "failure")  # no Alipay account of that shop to verify with
    assert shop.view(order)["status"] == "pending_payment"
    assert _keys(shop, order) == []


def test_an_alipay_payment_of_another_amount_or_currency_issues_nothing(shop: Shop) -> None:
    short, foreign = shop.order("alipay"), shop.order("alipay")
    alipay_key = shop.payments.standins.alipay._alipay_key  # the stand-in plays Alipay signing something unusual
    fields = dict(parse_qsl(shop.pay_alipay(foreign).body.decode()))
    in_usd = _sign_alipay({**{k: v for k, v in fields.items() if k != "sign"}, "trans_currency": "USD"}, alipay_key)

    paid_short = shop.notify(shop.pay_alipay(short, amount=1))
    paid_in_usd = shop.notify(LocalNotification("alipay", "/v1/webhooks/alipay", {}, in_usd))

    assert (paid_short.status, paid_short.body) == (400, "failure")
    assert shop.view(short)["status"] == "on_hold"
    assert (paid_in_usd.status, paid_in_usd.body) == (400, "failure")
    assert shop.view(foreign)["status"] == "pending_payment"
    assert _keys(shop, short) == _keys(shop, foreign) == []


def _wechat_notification(shop: Shop, plain: dict[str, Any], *, timestamp: int | None = None) -> LocalNotification:
    standin = shop.payments.standins.wechat_pay
    envelope = {
        "id": "EV-test",
        "event_type": "TRANSACTION.SUCCESS",
        "resource_type": "encrypt-resource",
        "resource": wechat_pay.encrypt_resource(
            plain, standin.apiv3_key, original_type="transaction", associated_data="transaction"
        ),
    }
    body = json.dumps(envelope).encode()
    headers = wechat_pay.signed_headers(
        body, serial=standin.PLATFORM_SERIAL, key=standin._platform_key, timestamp=timestamp
    )
    return LocalNotification("wechat_pay", "/v1/webhooks/wechatpay", headers, body)


def test_forged_stale_and_mismatched_wechat_pay_notifications_are_refused_4xx_and_issue_nothing(shop: Shop) -> None:
    order = shop.order("wechat_pay")
    genuine = shop.pay_wechat(order)
    plain = wechat_pay.decrypt_resource(
        json.loads(genuine.body)["resource"], shop.payments.standins.wechat_pay.apiv3_key
    )
    envelope = json.loads(genuine.body)
    tampered = json.dumps({**envelope, "id": "EV-other"}).encode()
    stale = _wechat_notification(shop, plain, timestamp=int(time.time()) - 600)
    in_usd = _wechat_notification(shop, {**plain, "amount": {**plain["amount"], "currency": "USD"}})
    short = _wechat_notification(shop, {**plain, "amount": {**plain["amount"], "total": 1}})

    answers = [
        shop.notify(genuine, body=tampered),
        shop.notify(stale),
        shop.notify(in_usd),
        shop.notify(genuine, shop="nobody"),
    ]
    assert [a.status for a in answers] == [400, 400, 400, 409]
    assert all(a.body["code"] == "FAIL" and a.body["message"] for a in answers)
    assert shop.view(order)["status"] == "pending_payment"

    paid_short = shop.notify(short)
    assert paid_short.status == 400
    assert paid_short.body["code"] == "FAIL"
    assert shop.view(order)["status"] == "on_hold"
    assert _keys(shop, order) == []


def test_a_notification_for_an_unknown_order_is_acknowledged_and_creates_nothing(shop: Shop) -> None:
    unknown = shop.payments.standins.alipay.pay("no-such-order", 10000)

    answer = shop.notify(unknown)

    assert (answer.status, answer.body) == (200, "success")
    assert OrderItem.count("no-such-order") == 0


def test_a_usdt_transfer_of_another_amount_holds_the_order_and_issues_nothing(shop: Shop) -> None:
    order = shop.order("usdt_trc20", USD_SKU)

    shop.payments.pay(services().orders.get(order["order_id"]), amount=order["amount"] - 100)
    run_reconcile_schedule()

    assert shop.view(order)["status"] == "on_hold"
    assert _keys(shop, order) == []


def test_a_wallet_gives_each_amount_to_one_order_until_it_is_no_longer_held(aws: object) -> None:
    slots, now = DynamoAmountSlots(), datetime.now(UTC).replace(microsecond=0)

    def slot(order_id: str, at: datetime) -> AmountSlot:
        return AmountSlot("TWallet", order_id, 2000, 42, at, at + timedelta(minutes=30), at + timedelta(minutes=90))

    assert slots.claim(slot("first", now), now)
    assert not slots.claim(slot("second", now), now)  # the same amount, still held by the first order
    assert not slots.claim(replace(slot("first", now), suffix=43), now)  # one order, one amount
    later = now + timedelta(minutes=91)
    assert slots.claim(slot("third", later), later)
    assert slots.holder("TWallet", 42) == slot("third", later)
    assert slots.of_order("first") == slot("first", now)


def test_the_watcher_reads_each_wallet_from_where_it_got_to(shop: Shop) -> None:
    order = shop.order("usdt_trc20", USD_SKU)
    shop.payments.pay(services().orders.get(order["order_id"]))
    watched: list[str] = []
    watcher = UsdtWatcher(services().payment_methods, lambda event_id, _: watched.append(event_id), look_back=HOUR)

    first = watcher.run()
    second = watcher.run()
    much_later = watcher.run(datetime.now(UTC) + timedelta(hours=3))

    assert (first.wallets, first.transfers, first.recorded) == (1, 1, 1)
    assert second.transfers == 1  # seen again inside the overlap: recording is once per transfer (event_id)
    assert much_later.transfers == 0
    assert watched[0] == watched[1]


# --- the same notification three times at once --------------------------------------------------------------------


@pytest.fixture
def threads_apart() -> Iterator[None]:
    with invocations_apart_per_thread():
        yield


@pytest.mark.parametrize("method", ["alipay", "wechat_pay"])
def test_the_same_notification_three_times_at_once_issues_one_key(shop: Shop, threads_apart: None, method: str) -> None:
    order = shop.order(method)
    notification = shop.pay_alipay(order) if method == "alipay" else shop.pay_wechat(order)

    def until_accepted(_: int) -> int:
        # A duplicate arriving while the first is processed is refused; the provider sends it again later.
        for _attempt in range(50):
            answer = shop.notify(notification)
            if answer.status == 200:
                return answer.status
            time.sleep(0.05)
        return answer.status

    with ThreadPoolExecutor(3) as pool:
        statuses = list(pool.map(until_accepted, range(3)))

    assert statuses == [200, 200, 200]
    assert shop.view(order)["status"] == "delivered"
    assert len(_keys(shop, order)) == 1


# --- reconciliation, per provider ----------------------------------------------------------------------------------


def test_a_phone_pays_with_alipay_wap_pay_and_a_computer_with_page_pay(shop: Shop) -> None:
    on_phone, on_computer = shop.order("alipay", user_agent=PHONE), shop.order("alipay")

    phone_params = dict(parse_qsl(on_phone["payment"]["checkout_url"].split("?", 1)[1]))
    computer_params = dict(parse_qsl(on_computer["payment"]["checkout_url"].split("?", 1)[1]))

    assert phone_params["method"] == "alipay.trade.wap.pay"
    assert json.loads(phone_params["biz_content"])["product_code"] == "QUICK_WAP_WAY"
    assert json.loads(phone_params["biz_content"])["quit_url"] == phone_params["return_url"]
    assert computer_params["method"] == "alipay.trade.page.pay"
    assert json.loads(computer_params["biz_content"])["product_code"] == "FAST_INSTANT_TRADE_PAY"
    # The sandbox's cashier takes both, and the phone's order is delivered like any other.
    shop.payments.standins.alipay.accept_page(on_phone["payment"]["checkout_url"])
    assert shop.notify(shop.pay_alipay(on_phone)).body == "success"
    assert shop.view(on_phone)["status"] == "delivered"


def test_a_phone_pays_with_wechat_pay_h5_and_a_computer_scans_the_native_qr_code(shop: Shop) -> None:
    on_phone, on_computer = shop.order("wechat_pay", user_agent=ANDROID), shop.order("wechat_pay")
    h5_url = on_phone["payment"]["h5_url"]

    assert "code_url" not in on_phone["payment"]
    assert h5_url.startswith("http://127.0.0.1:3000/_local/wechatpay/checkmweb?prepay_id=wx")
    redirect = dict(parse_qsl(h5_url.split("?", 1)[1]))["redirect_url"]
    assert redirect.endswith(f"/o/{on_phone['order_id']}")
    assert shop.payments.standins.wechat_pay.payer_client_ip(on_phone["order_id"]) == "203.0.113.7"
    assert shop.view(on_phone)["payment"]["h5_url"] == h5_url  # the order page sends the buyer there too
    assert on_computer["payment"]["code_url"].startswith("weixin://wxpay/bizpayurl?pr=")
    assert "h5_url" not in on_computer["payment"]
    # The sandbox's H5 page pays the order it names, then sends the buyer back to the order page.
    page = shop.payments.wechat_h5_page(h5_url)
    assert f'action="/_local/pay/{on_phone["order_id"]}?return_url=' in page
    assert shop.notify(shop.pay_wechat(on_phone)).body["result"] == "delivered"


def test_reconciliation_finds_each_providers_payment_whose_notification_never_came(shop: Shop) -> None:
    by_alipay, by_wechat, by_usdt = shop.order("alipay"), shop.order("wechat_pay"), shop.order("usdt_trc20", USD_SKU)
    shop.pay_alipay(by_alipay)  # paid at the provider; the notifications are lost
    shop.pay_wechat(by_wechat)
    # The chain's transfer is found by asking about the order, not only by the watcher.
    slot = UsdtOrderSlotItem.get(*UsdtOrderSlotItem.key(by_usdt["order_id"])).slot()
    shop.payments.standins.tron.send(SANDBOX_BUYER_WALLET, slot.wallet, slot.amount)
    shop.payments.standins.tron.mine(usdt_trc20.DEFAULT_CONFIRMATIONS + 1)

    report = services().reconciliation.run(datetime.now(UTC) + timedelta(minutes=4))

    assert (report.checked, report.fulfilled) == (3, 3)
    assert [shop.view(o)["status"] for o in (by_alipay, by_wechat, by_usdt)] == ["delivered"] * 3


def test_unpaid_alipay_and_wechat_pay_trades_are_closed_at_expiry(shop: Shop) -> None:
    by_alipay = shop.order("alipay")
    shop.order("wechat_pay")
    shop.payments.standins.alipay.accept_page(by_alipay["payment"]["checkout_url"])

    report = services().reconciliation.run(datetime.now(UTC) + timedelta(minutes=31))

    assert (report.checked, report.closed) == (2, 2)
    closed = shop.pay_alipay(by_alipay)  # the buyer comes back too late: Alipay refuses the closed trade
    assert dict(parse_qsl(closed.body.decode()))["trade_status"] == "TRADE_CLOSED"
    assert shop.notify(closed).body == "success"  # acknowledged: nothing to record
    assert OrderItem.get(by_alipay["order_id"], OrderItem.SK).status == "pending_payment"
    # Asked about once at that age: the next run has nothing new to read.
    assert services().reconciliation.run(datetime.now(UTC) + timedelta(minutes=31)).checked == 0


def test_orders_are_found_by_placement_shard_and_orders_of_the_old_pending_index_still_reconciled(shop: Shop) -> None:
    orders = [shop.order("alipay") for _ in range(6)]
    # Placed before the upgrade: in the pending_payment index of old, not in the placed index.
    legacy = OrderItem.get(orders[0]["order_id"], OrderItem.SK)
    legacy.update(actions=[OrderItem.placed_shard.remove(), OrderItem.payment_pending.set("pending#3")])
    shop.pay_alipay(orders[0])  # its notification is lost
    shards = {OrderItem.get(o["order_id"], OrderItem.SK).placed_shard for o in orders[1:]}

    report = services().reconciliation.run(datetime.now(UTC) + timedelta(minutes=4))

    assert shards <= set(PLACED_PARTITIONS)
    assert len(shards) > 1
    assert (report.checked, report.fulfilled) == (6, 1)
    assert shop.view(orders[0])["status"] == "delivered"
    assert OrderItem.get(orders[0]["order_id"], OrderItem.SK).payment_pending is None  # out of the index of old
    # The others are asked about again at their next age, not at every run.
    assert services().reconciliation.run(datetime.now(UTC) + timedelta(minutes=5)).checked == 0
    assert services().reconciliation.run(datetime.now(UTC) + timedelta(minutes=16)).checked == 5


# --- USDT refunds: sent by an operator, recorded by the transaction hash ------------------------------------------


@pytest.fixture
def review_steps_run_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """This stack has no refund review state machine: the tests run its steps (tests/statemachines runs the ASL)."""
    monkeypatch.setattr(ReviewWorkflow, "start", lambda self, refund: None)


def test_an_approved_usdt_refund_waits_for_the_operators_transfer_and_completes_once_when_recorded(
    shop: Shop, monkeypatch: pytest.MonkeyPatch, events_match_their_schemas: list[str], review_steps_run_here: None
) -> None:
    alerts: list[tuple[str, str]] = []
    monkeypatch.setattr(SnsOperatorAlerts, "alert", lambda _, subject, message, **__: alerts.append((subject, message)))
    order = shop.order("usdt_trc20", USD_SKU)
    shop.payments.pay(services().orders.get(order["order_id"]))
    run_reconcile_schedule()
    refunds = services().refunds
    refund = refunds.request(services().orders.get(order["order_id"]), reason="not needed", approved_by="operator")
    # The review's last two steps, as its state machine runs them (a retried step changes nothing).
    refunds.revoke_keys(refund.refund_id)
    refunds.refund_payment(refund.refund_id)
    refunds.refund_payment(refund.refund_id)

    assert refunds.get(refund.refund_id).status == "awaiting_payout"
    [(_, message)] = [alert for alert in alerts if "send 20.00 USDT" in alert[0]]
    assert SANDBOX_BUYER_WALLET in message
    assert f"/v1/admin/refunds/{refund.refund_id}/payout" in message
    assert "RefundCompleted" not in events_match_their_schemas

    payout = f"/v1/admin/refunds/{refund.refund_id}/payout"
    unknown = shop.stack.api("POST", payout, {"tx_hash": "ab" * 32}, ADMIN)
    wallet = order["payment"]["address"]
    too_little = shop.payments.standins.tron.send(wallet, SANDBOX_BUYER_WALLET, (order["amount"] - 1) * SUFFIXES)
    sent = shop.payments.standins.tron.send(wallet, SANDBOX_BUYER_WALLET, order["amount"] * SUFFIXES)
    shop.payments.standins.tron.mine(usdt_trc20.DEFAULT_CONFIRMATIONS + 1)
    short = shop.stack.api("POST", payout, {"tx_hash": too_little}, ADMIN)
    recorded = shop.stack.api("POST", payout, {"tx_hash": sent}, ADMIN)
    again = shop.stack.api("POST", payout, {"tx_hash": sent}, ADMIN)

    assert (unknown.status, unknown.body["code"]) == (400, "refund_not_found")
    assert (short.status, short.body["code"]) == (400, "refund_too_small")
    assert recorded.status == 200, recorded.body
    assert (recorded.body["status"], recorded.body["provider_ref"]) == ("completed", sent)
    assert again.body == recorded.body
    assert events_match_their_schemas.count("RefundCompleted") == 1
    assert shop.view(order)["status"] == "refunded"


def _awaiting_payout(shop: Shop) -> tuple[dict[str, Any], str]:
    """A paid USDT order whose approved refund waits for the operator's transfer: the order and the refund id."""
    order = shop.order("usdt_trc20", USD_SKU)
    shop.payments.pay(services().orders.get(order["order_id"]))
    run_reconcile_schedule()
    refunds = services().refunds
    refund = refunds.request(services().orders.get(order["order_id"]), reason="not needed", approved_by="operator")
    refunds.revoke_keys(refund.refund_id)
    refunds.refund_payment(refund.refund_id)
    assert refunds.get(refund.refund_id).status == "awaiting_payout"
    return order, refund.refund_id


def _payout_to_buyer(shop: Shop, order: dict[str, Any]) -> str:
    """One confirmed transfer from the shop's wallet back to the buyer, large enough for either refund."""
    sent = shop.payments.standins.tron.send(
        order["payment"]["address"], SANDBOX_BUYER_WALLET, order["amount"] * SUFFIXES
    )
    shop.payments.standins.tron.mine(usdt_trc20.DEFAULT_CONFIRMATIONS + 1)
    return sent


def test_a_usdt_payout_hash_settles_one_refund_and_another_refund_naming_it_is_refused(
    shop: Shop, review_steps_run_here: None
) -> None:
    (first, first_refund), (second, second_refund) = _awaiting_payout(shop), _awaiting_payout(shop)
    sent = _payout_to_buyer(shop, first)

    recorded = shop.stack.api("POST", f"/v1/admin/refunds/{first_refund}/payout", {"tx_hash": sent}, ADMIN)
    reused = shop.stack.api("POST", f"/v1/admin/refunds/{second_refund}/payout", {"tx_hash": sent}, ADMIN)
    replayed = shop.stack.api("POST", f"/v1/admin/refunds/{first_refund}/payout", {"tx_hash": sent}, ADMIN)

    assert recorded.status == 200, recorded.body
    assert (reused.status, reused.body["code"]) == (409, "payout_already_recorded")
    assert replayed.body == recorded.body
    assert services().refunds.get(second_refund).status == "awaiting_payout"
    assert (shop.view(first)["status"], shop.view(second)["status"]) == ("refunded", "refund_pending")


def test_one_payout_hash_recorded_for_two_refunds_at_once_completes_exactly_one(
    shop: Shop, review_steps_run_here: None, threads_apart: None, events_match_their_schemas: list[str]
) -> None:
    awaiting = [_awaiting_payout(shop) for _ in range(2)]
    sent = _payout_to_buyer(shop, awaiting[0][0])

    def record(refund_id: str) -> tuple[int, str | None]:
        answer = shop.stack.api("POST", f"/v1/admin/refunds/{refund_id}/payout", {"tx_hash": sent}, ADMIN)
        return answer.status, answer.body.get("code")

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(record, [refund_id for _, refund_id in awaiting] * 2))

    statuses = [services().refunds.get(refund_id).status for _, refund_id in awaiting]
    assert sorted(statuses) == ["awaiting_payout", "completed"]
    winner = statuses.index("completed")
    by_refund = [answers[winner], answers[winner + 2]], [answers[1 - winner], answers[3 - winner]]
    assert by_refund[0] == [(200, None), (200, None)]
    assert by_refund[1] == [(409, "payout_already_recorded")] * 2
    assert events_match_their_schemas.count("RefundCompleted") == 1


def _refunded_through_wechat_pay(shop: Shop) -> tuple[dict[str, Any], str, str]:
    """A WeChat Pay order paid, then refunded by faka through WeChat Pay: the order, faka's refund id and the
    out_refund_no it was sent with."""
    order = shop.order("wechat_pay")
    assert shop.notify(shop.pay_wechat(order)).status == 200
    refunds = services().refunds
    refund = refunds.request(services().orders.get(order["order_id"]), reason="not needed", approved_by="operator")
    refunds.revoke_keys(refund.refund_id)
    refunds.refund_payment(refund.refund_id)
    assert refunds.get(refund.refund_id).status == "completed"
    return order, refund.refund_id, f"refund-{refund.refund_id}"


def _provider_status(refund_id: str) -> tuple[str | None, datetime | None]:
    item = RefundItem.get(refund_id, RefundItem.SK)
    return item.provider_status, item.provider_status_at


def test_a_wechat_pay_refund_success_is_recorded_on_the_refund_once(shop: Shop, review_steps_run_here: None) -> None:
    order, refund_id, out_refund_no = _refunded_through_wechat_pay(shop)
    succeeded = shop.payments.standins.wechat_pay.refund_notification(out_refund_no)

    first = shop.notify(succeeded)
    recorded = _provider_status(refund_id)
    replayed = shop.notify(succeeded)  # the same notice again
    again = shop.notify(shop.payments.standins.wechat_pay.refund_notification(out_refund_no))  # another id, same news

    assert first.status == 200, first.body
    assert (first.body["result"], first.body["order_id"]) == ("refund_outcome_recorded", order["order_id"])
    assert recorded[0] == "SUCCESS"
    assert replayed.body == first.body
    assert (again.status, again.body["result"]) == (200, "ignored")
    assert _provider_status(refund_id) == recorded


def test_an_abnormal_or_closed_wechat_pay_refund_alerts_the_operators_once(
    shop: Shop, review_steps_run_here: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    alerts: list[tuple[str, str]] = []
    monkeypatch.setattr(SnsOperatorAlerts, "alert", lambda _, subject, message, **__: alerts.append((subject, message)))
    _, abnormal_id, abnormal_no = _refunded_through_wechat_pay(shop)
    _, closed_id, closed_no = _refunded_through_wechat_pay(shop)
    standin = shop.payments.standins.wechat_pay

    for notification in (
        standin.refund_notification(abnormal_no, "ABNORMAL"),
        standin.refund_notification(abnormal_no, "ABNORMAL"),
        standin.refund_notification(closed_no, "CLOSED"),
        standin.refund_notification(closed_no, "CLOSED"),
    ):
        assert shop.notify(notification).status == 200
    refund_alerts = [subject for subject, _ in alerts if "at wechat_pay" in subject]
    settled = shop.notify(standin.refund_notification(abnormal_no, "SUCCESS"))  # settled by hand at WeChat Pay

    assert refund_alerts == [
        f"Refund {abnormal_id[:8]} abnormal at wechat_pay",
        f"Refund {closed_id[:8]} closed at wechat_pay",
    ]
    assert _provider_status(closed_id)[0] == "CLOSED"
    assert settled.body["result"] == "refund_outcome_recorded"
    assert _provider_status(abnormal_id)[0] == "SUCCESS"


def test_a_refund_outcome_for_no_refund_of_the_shops_is_acknowledged_and_changes_nothing(
    shop: Shop, review_steps_run_here: None
) -> None:
    _, refund_id, out_refund_no = _refunded_through_wechat_pay(shop)
    # Another shop with the same merchant account: its notify_url verifies the notice, but the refund is not its own.
    open_shop(shop.stack, "moon")
    shop.payments.enable_all_methods(services(), "moon")
    notification = shop.payments.standins.wechat_pay.refund_notification(out_refund_no, "CLOSED")

    answer = shop.notify(notification, shop="moon")

    assert (answer.status, answer.body["result"], answer.body["order_id"]) == (200, "ignored", None)
    assert _provider_status(refund_id) == (None, None)


def test_a_refund_not_awaiting_a_payout_takes_none(shop: Shop, review_steps_run_here: None) -> None:
    order = shop.order("alipay")
    shop.notify(shop.pay_alipay(order))
    refund = services().refunds.request(services().orders.get(order["order_id"]), reason="x", approved_by="operator")

    answer = shop.stack.api("POST", f"/v1/admin/refunds/{refund.refund_id}/payout", {"tx_hash": "ab" * 32}, ADMIN)

    assert (answer.status, answer.body["code"]) == (409, "not_awaiting_payout")


# --- the shop's settings --------------------------------------------------------------------------------------------


def test_an_order_names_a_method_the_shop_takes_or_is_refused_before_anything_is_created(shop: Shop) -> None:
    settings = {"methods": ["stripe", "alipay", "wechat_pay"], "currency": "cny", "live": False}
    assert shop.stack.api("PUT", "/v1/admin/payment-methods", settings, ADMIN).status == 200
    draft = {"sku": CNY_SKU, "quantity": 1, "email": "b@example.com"}

    not_enabled = shop.stack.api("POST", "/v1/orders", {**draft, "payment_method": "usdt_trc20"})
    unknown = shop.stack.api("POST", "/v1/orders", {**draft, "payment_method": "paypal"})
    wrong_currency = shop.stack.api("POST", "/v1/orders", {**draft, "sku": USD_SKU, "payment_method": "alipay"})

    assert (not_enabled.status, not_enabled.body["code"]) == (400, "payment_method_not_enabled")
    assert (unknown.status, unknown.body["code"]) == (400, "invalid_request")
    assert (wrong_currency.status, wrong_currency.body["code"]) == (400, "payment_method_not_enabled")
    assert shop.order(None)["payment"]["method"] == "stripe"  # the first enabled taking CNY
    assert _orders() == 1


def test_an_enabled_method_without_credentials_refuses_the_order_with_409(stack: Stack) -> None:
    open_shop(stack)
    _product(stack, CNY_SKU, "cny", ["QQ-0001-ABCD-EFGH"])
    settings = {"methods": ["wechat_pay", "stripe"], "currency": "cny"}
    assert stack.api("PUT", "/v1/admin/payment-methods", settings, ADMIN).status == 200

    refused = stack.api("POST", "/v1/orders", {"sku": CNY_SKU, "quantity": 1, "email": "b@example.com"})

    assert (refused.status, refused.body["code"]) == (409, "payment_method_not_configured")
    assert _orders() == 0


@dataclass
class _StripeSessions:
    """Stripe's checkout.sessions as StripeCheckout calls it: records each session's parameters."""

    created: list[dict[str, Any]] = field(default_factory=list)

    def create(self, params: dict[str, Any], options: dict[str, Any]) -> SimpleNamespace:
        self.created.append(params)
        return SimpleNamespace(url="https://checkout.stripe.com/c/pay/cs_test_1", id="cs_test_1")


def test_a_shop_offers_alipay_and_wechat_pay_through_stripe_once_it_names_them(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    sessions = _StripeSessions()
    client = SimpleNamespace(v1=SimpleNamespace(checkout=SimpleNamespace(sessions=sessions)))
    stripe = StripeCheckout(client, "https://shop.example")
    monkeypatch.setitem(vars(services()), "stripe_accounts", {True: stripe, False: stripe})
    assert shop.stack.api("GET", "/v1/admin/payment-methods", headers=ADMIN).body["stripe_payment_method_types"] == [
        "card"
    ]
    shop.order("stripe")
    settings = {"methods": ["stripe"], "stripe_payment_method_types": ["alipay", "wechat_pay", "card"]}

    answered = shop.stack.api("PUT", "/v1/admin/payment-methods", settings, ADMIN)
    shop.order("stripe")
    refused = shop.stack.api(
        "PUT", "/v1/admin/payment-methods", {**settings, "stripe_payment_method_types": ["paypal"]}, ADMIN
    )

    assert answered.body["stripe_payment_method_types"] == ["alipay", "wechat_pay", "card"]
    assert [session["payment_method_types"] for session in sessions.created] == [
        ["card"],
        ["alipay", "wechat_pay", "card"],
    ]
    assert sessions.created[1]["payment_method_options"] == {"wechat_pay": {"client": "web"}}
    assert (refused.status, refused.body["code"]) == (400, "invalid_request")


def test_operators_set_methods_and_credentials_which_are_never_answered(shop: Shop) -> None:
    standin = shop.payments.standins.alipay.credentials()
    account = {
        "app_id": standin.app_id,
        "app_private_key_pem": standin.app_private_key_pem,
        "alipay_public_key_pem": standin.alipay_public_key_pem,
        "seller_id": standin.seller_id,
    }
    settings = {"methods": ["alipay", "stripe"], "currency": "cny", "live": True, "credentials": {"alipay": account}}
    bad_pem = {**settings, "credentials": {"alipay": {**account, "app_private_key_pem": "-" * 80}}}

    put = shop.stack.api("PUT", "/v1/admin/payment-methods", settings, ADMIN)
    got = shop.stack.api("GET", "/v1/admin/payment-methods", headers=ADMIN)
    refused = shop.stack.api("PUT", "/v1/admin/payment-methods", bad_pem, ADMIN)
    anonymous = shop.stack.api("GET", "/v1/admin/payment-methods")

    assert put.status == got.status == 200
    assert got.body["methods"] == ["alipay", "stripe"]
    assert got.body["live"] is True
    assert got.body["credentials"]["alipay"] == {
        "configured": True,
        "app_id": standin.app_id,
        "seller_id": standin.seller_id,
    }
    for text in (json.dumps(put.body), json.dumps(got.body)):
        assert "PRIVATE KEY" not in text
        assert "PUBLIC KEY" not in text
    assert (refused.status, refused.body["code"]) == (400, "invalid_credentials")
    assert anonymous.status == 401
    products = shop.stack.api("GET", "/v1/products").body
    assert products["payment_methods"] == ["alipay", "stripe"]
    assert {p["sku"]: p["payment_methods"] for p in products["products"]} == {
        CNY_SKU: ["alipay", "stripe"],
        USD_SKU: ["stripe"],
    }
    assert shop.stack.api("GET", "/v1/storefront").body["payment_methods"] == ["alipay", "stripe"]


# --- what a paid order costs -----------------------------------------------------------------------------------------


@pytest.fixture
def dynamodb_requests(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every DynamoDB request moto answers, by action: the table reads and writes a path makes."""
    from moto.dynamodb.responses import DynamoHandler

    seen: list[str] = []
    answer = DynamoHandler.call_action

    def counted(self: DynamoHandler) -> Any:
        seen.append(self._get_action())
        return answer(self)

    monkeypatch.setattr(DynamoHandler, "call_action", counted)
    return seen


# Measured (moto's request count): 8 from Stripe's webhook to the delivered order, 10 from Alipay's notification (the
# order read first to check its shop), 9 from WeChat Pay's, 58 from a reconcile run whose watcher finds the USDT
# transfer (the wallets listed, the amount's holder, the watermark, its own idempotency record), 43 of them what payment
# reconciliation reads and writes every run whatever was ordered (its progress read and written, 4 ages × 8 shards of
# the placed index, the 9 partitions of the old pending-payment index). Bounds with little room: a second pass over the
# order would break them.
REQUESTS_PER_PAID_ORDER = {"stripe": 10, "alipay": 12, "wechat_pay": 12, "usdt_trc20": 62}


@pytest.mark.parametrize("method", ["stripe", "alipay", "wechat_pay", "usdt_trc20"])
def test_a_paid_order_takes_a_bounded_number_of_dynamodb_requests(
    shop: Shop, dynamodb_requests: list[str], method: str
) -> None:
    order = shop.order(method, USD_SKU if method in {"stripe", "usdt_trc20"} else CNY_SKU)
    placed = len(dynamodb_requests)
    if method == "stripe":
        pay(shop.stack, order["order_id"], order["amount"])
    elif method == "usdt_trc20":
        shop.payments.pay(services().orders.get(order["order_id"]))
        run_reconcile_schedule()
    else:
        shop.notify(shop.pay_alipay(order) if method == "alipay" else shop.pay_wechat(order))
    paying = dynamodb_requests[placed:]

    assert OrderItem.get(order["order_id"], OrderItem.SK).status == "delivered"
    print(f"\n{method}: {placed} DynamoDB requests to place, {len(paying)} to pay and deliver")
    assert len(paying) <= REQUESTS_PER_PAID_ORDER[method], paying
