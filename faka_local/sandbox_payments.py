"""The sandbox's Alipay, WeChat Pay and TRON in ``faka local``: stand-ins with keys generated at start, handed to
the real providers as their network, the demo shops' accounts at them, and what ``/_local/pay/{id}`` does for an
order paid with one of them (post that provider's own signed notification to the path the provider would use).
"""

from __future__ import annotations

import html
from dataclasses import asdict
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from faka.payments import alipay, usdt_trc20, wechat_pay
from faka.payments.shop_methods import METHODS, PaymentNetwork, PaymentSettingsChange
from faka.shared.model import Order
from faka.wiring import Services
from faka_local.apigateway import rest_event
from faka_local.provider_standins import (
    SANDBOX_BUYER_WALLET,
    SANDBOX_SHOP_WALLET,
    LocalNotification,
    ProviderStandIns,
)

# Where an Alipay checkout_url leads locally: the sandbox's page standing in for Alipay's cashier.
ALIPAY_PAGE_PATH = "/_local/alipay/gateway.do"
# Where a WeChat Pay h5_url leads locally: the sandbox's page standing in for the one that opens WeChat to pay.
WECHAT_H5_PAGE_PATH = "/_local/wechatpay/checkmweb"
PROVIDER_METHODS = frozenset({alipay.PROVIDER, wechat_pay.PROVIDER, usdt_trc20.PROVIDER})
# Each demo shop has its own wallet, so one shop's watcher never reads another's transfers.
_WALLETS = {"main": SANDBOX_SHOP_WALLET}


def _wallet(shop_id: str) -> str:
    return _WALLETS.get(shop_id) or ("T" + f"{shop_id.capitalize()}{'1' * 33}"[:33])


class SandboxPayments:
    """Installs the stand-ins as the providers' network of ``services`` (before its payment methods are built)."""

    def __init__(self, services: Services, api_url: str) -> None:
        self._slots = services.amount_slots
        self.standins = ProviderStandIns(self._slots, wechat_h5_page_url=f"{api_url.rstrip('/')}{WECHAT_H5_PAGE_PATH}")
        services.payment_network = PaymentNetwork(
            alipay=self.standins.alipay,
            wechat_pay=self.standins.wechat_pay,
            tron=self.standins.tron,
            alipay_gateway_url=f"{api_url.rstrip('/')}{ALIPAY_PAGE_PATH}",
            # Shops in test mode (the demo shops are) pay the same stand-ins: WeChat Pay's transport answers any base
            # URL, and the sandbox chain has one USDT token.
            wechat_pay_test_url=wechat_pay.API_URL,
            usdt_test_contract=self.standins.tron.contract,
        )

    def enable_all_methods(self, services: Services, shop_id: str) -> None:
        """The shop takes all four methods, its Alipay, WeChat Pay and TRON accounts the stand-ins' (test mode)."""
        credentials: dict[str, dict[str, Any]] = {
            alipay.PROVIDER: asdict(self.standins.alipay.credentials()),
            wechat_pay.PROVIDER: asdict(self.standins.wechat_pay.credentials()),
            usdt_trc20.PROVIDER: {"wallet": _wallet(shop_id)},
        }
        services.payment_methods.configure(shop_id, PaymentSettingsChange(METHODS, None, False, credentials))

    def pay(self, order: Order, *, amount: int | None = None) -> LocalNotification | None:
        """The buyer pays the order at its provider; returns the notification to post (USDT: none, the watcher
        sees the transfer). ``amount`` (minor units) sends another amount than the order's, in USDT only."""
        method = str(order.payment_method)
        if method == usdt_trc20.PROVIDER and amount is not None:
            slot = self._slots.of_order(order.order_id)
            if slot is None:
                raise LookupError(f"order {order.order_id} has no USDT amount: its checkout never ran")
            self.standins.tron.send(SANDBOX_BUYER_WALLET, slot.wallet, amount * usdt_trc20.SUFFIXES + slot.suffix)
            self.standins.tron.mine(usdt_trc20.DEFAULT_CONFIRMATIONS + 1)
            return None
        return self.standins.pay(method, order_id=order.order_id, amount=order.amount)

    @staticmethod
    def notification_event(order: Order, notification: LocalNotification) -> dict[str, Any]:
        """The notification as API Gateway hands it to the api function, at the shop's notify_url."""
        return rest_event(
            "POST",
            notification.path,
            body=notification.body.decode(),
            headers=notification.headers,
            query=urlencode({"shop": order.shop_id}),
            source_ip="127.0.0.1",
        )

    def alipay_page(self, url: str) -> str:
        """Alipay's cashier for a checkout_url: the trade is created; paying posts to ``/_local/pay/{id}``."""
        try:
            biz = self.standins.alipay.accept_page(url)
        except (ValueError, KeyError):
            return "<h1>支付宝 sandbox</h1><p>This checkout URL is not signed by the shop's application.</p>"
        params = dict(parse_qsl(urlsplit(url).query))
        order_id = html.escape(biz["out_trade_no"])
        back = urlencode({"return_url": params.get("return_url", "")})
        return f"""<h1>支付宝 Alipay (sandbox)</h1>
<p>{html.escape(biz.get("subject", ""))}</p>
<p>订单 Order <code>{order_id}</code>: <strong>¥{html.escape(biz["total_amount"])}</strong></p>
<form method="post" action="/_local/pay/{order_id}?{html.escape(back)}">
<button type="submit">确认付款 Pay</button></form>
<p><small>No money moves. Pay sends faka Alipay's signed asynchronous notification (RSA2), as Alipay
would.</small></p>"""

    def wechat_h5_page(self, url: str) -> str:
        """WeChat Pay's H5 page for an h5_url (a phone's browser): paying posts to ``/_local/pay/{id}``, then the
        buyer goes back to its ``redirect_url``."""
        try:
            order_id, total = self.standins.wechat_pay.h5_transaction(url)
        except KeyError:
            return "<h1>微信支付 sandbox</h1><p>This h5_url names no prepay of the sandbox's merchant.</p>"
        back = urlencode({"return_url": dict(parse_qsl(urlsplit(url).query)).get("redirect_url", "")})
        order = html.escape(order_id)
        return f"""<h1>微信支付 WeChat Pay H5 (sandbox)</h1>
<p>订单 Order <code>{order}</code>: <strong>¥{total // 100}.{total % 100:02d}</strong></p>
<form method="post" action="/_local/pay/{order}?{html.escape(back)}">
<button type="submit">确认支付 Pay</button></form>
<p><small>No money moves. Pay sends faka WeChat Pay's signed, encrypted TRANSACTION.SUCCESS notification, as
WeChat Pay would.</small></p>"""
