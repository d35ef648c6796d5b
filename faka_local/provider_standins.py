"""Local stand-ins for Alipay's gateway, WeChat Pay's API v3 and a TronGrid node: in-process transports
(plain callables taking an :class:`HttpRequest`) that ``faka local`` hands the real providers.

Each checks what the real service checks (faka's request signature, the merchant, amounts, idempotent
refund numbers), keeps its own record of trades, and signs its answers and notifications with sandbox keys
generated at start, so the providers' verification runs unchanged. :meth:`ProviderStandIns.pay` is what
``/_local/pay/{id}`` does: pay the order at its provider and give back the notification to post.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from faka.errors import InvalidRequest
from faka.payments import alipay, usdt_trc20, wechat_pay
from faka.payments.alipay import AlipayCredentials
from faka.payments.gateway import HttpRequest, HttpResponse, fen_to_yuan, rsa_sha256_valid, yuan_to_fen
from faka.payments.usdt_trc20 import AmountSlots
from faka.payments.wechat_pay import WechatPayCredentials

ALIPAY_WEBHOOK_PATH = "/v1/webhooks/alipay"
WECHAT_PAY_WEBHOOK_PATH = "/v1/webhooks/wechatpay"
SANDBOX_APP_ID = "2021000000000001"
SANDBOX_SELLER_ID = "2088000000000001"
SANDBOX_MCHID = "1900000001"
SANDBOX_APPID = "wx0000000000000001"
SANDBOX_BUYER_WALLET = "TBuyer1111111111111111111111111111"
SANDBOX_SHOP_WALLET = "TShop11111111111111111111111111111"
# Blocks mined after a sandbox transfer, so the watcher counts it confirmed at once.
_BLOCKS_TO_CONFIRM = usdt_trc20.DEFAULT_CONFIRMATIONS + 1


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _json_answer(status: int, body: Mapping[str, Any] | None, headers: Mapping[str, str] | None = None) -> HttpResponse:
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
    return HttpResponse(status, data, {"Content-Type": "application/json", **(headers or {})})


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class LocalNotification:
    """A provider's notification, signed by its sandbox key: POST ``body`` with ``headers`` to ``path``."""

    provider: str
    path: str
    headers: dict[str, str]
    body: bytes


# --- Alipay -----------------------------------------------------------------------------------------------


@dataclass
class _AlipayTrade:
    out_trade_no: str
    trade_no: str
    total_fen: int
    status: str = "WAIT_BUYER_PAY"
    paid_at: datetime | None = None
    refunds: dict[str, int] = field(default_factory=dict)  # out_request_no → fen


class AlipayGatewayStandIn:
    """``openapi.alipay.com/gateway.do`` for one application: query, refund and close, RSA2 both ways."""

    def __init__(self, app_id: str = SANDBOX_APP_ID, seller_id: str = SANDBOX_SELLER_ID) -> None:
        self.app_id = app_id
        self.seller_id = seller_id
        self._app_key = _new_key()  # the shop's application key: faka signs with it
        self._alipay_key = _new_key()  # Alipay's own: answers and notifications are signed with it
        self._trades: dict[str, _AlipayTrade] = {}
        self._lock = threading.Lock()

    def credentials(self) -> AlipayCredentials:
        return AlipayCredentials(
            self.app_id, _private_pem(self._app_key), _public_pem(self._alipay_key), self.seller_id
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        params = dict(parse_qsl(request.body.decode()))
        method = params.get("method", "")
        if params.get("app_id") != self.app_id or not self._signed_by_app(params):
            return self._answer(method, _alipay_error("40002", "isv.invalid-signature", "验签出错"))
        try:
            biz = json.loads(params.get("biz_content") or "{}")
        except ValueError:
            return self._answer(method, _alipay_error("40002", "isv.invalid-parameter", "参数无效"))
        handlers = {
            "alipay.trade.query": self._query,
            "alipay.trade.refund": self._refund,
            "alipay.trade.close": self._close,
        }
        handler = handlers.get(method)
        if handler is None:
            return self._answer(method, _alipay_error("40004", "isv.invalid-method", "不存在的方法名"))
        with self._lock:
            return self._answer(method, handler(biz))

    def _signed_by_app(self, params: Mapping[str, str]) -> bool:
        return params.get("sign_type") == "RSA2" and rsa_sha256_valid(
            self._app_key.public_key(), alipay.sign_content(params), params.get("sign", "")
        )

    def accept_page(self, checkout_url: str) -> dict[str, str]:
        """What the gateway does when the buyer's browser arrives with a page or WAP pay URL: check the
        signature and create the trade. Returns the biz_content, for the local payment page to show."""
        params = dict(parse_qsl(urlsplit(checkout_url).query))
        if params.get("app_id") != self.app_id or not self._signed_by_app(params):
            raise ValueError("the checkout URL is not signed by this application")
        biz: dict[str, str] = json.loads(params["biz_content"])
        with self._lock:
            self._trade(biz["out_trade_no"], yuan_to_fen(biz["total_amount"]))
        return biz

    def _trade(self, out_trade_no: str, total_fen: int) -> _AlipayTrade:
        trade = self._trades.get(out_trade_no)
        if trade is None:
            trade_no = f"{_now():%Y%m%d}2200{secrets.randbelow(10**16):016d}"
            trade = self._trades[out_trade_no] = _AlipayTrade(out_trade_no, trade_no, total_fen)
        return trade

    def pay(self, out_trade_no: str, total_fen: int) -> LocalNotification:
        """The buyer pays: the trade succeeds, and Alipay's notification of it is returned, signed."""
        with self._lock:
            trade = self._trade(out_trade_no, total_fen)
            if trade.status == "WAIT_BUYER_PAY":
                trade.status, trade.paid_at = "TRADE_SUCCESS", _now()
            return self.notification(trade)

    def notification(self, trade: _AlipayTrade) -> LocalNotification:
        paid_at = alipay.alipay_time(trade.paid_at or _now())
        fields = {
            "gmt_create": paid_at,
            "charset": "utf-8",
            "seller_email": "shop@example.com",
            "subject": trade.out_trade_no,
            "buyer_id": "2088102177846880",
            "invoice_amount": fen_to_yuan(trade.total_fen),
            "notify_id": secrets.token_hex(17),
            "fund_bill_list": json.dumps([{"amount": fen_to_yuan(trade.total_fen), "fundChannel": "ALIPAYACCOUNT"}]),
            "notify_type": "trade_status_sync",
            "trade_status": trade.status,
            "receipt_amount": fen_to_yuan(trade.total_fen),
            "app_id": self.app_id,
            "buyer_pay_amount": fen_to_yuan(trade.total_fen),
            "sign_type": "RSA2",
            "seller_id": self.seller_id,
            "gmt_payment": paid_at,
            "notify_time": alipay.alipay_time(_now()),
            "version": "1.0",
            "out_trade_no": trade.out_trade_no,
            "total_amount": fen_to_yuan(trade.total_fen),
            "trade_no": trade.trade_no,
            "auth_app_id": self.app_id,
            "buyer_logon_id": "buy***@example.com",
            "point_amount": "0.00",
        }
        signed = alipay.sign_params(fields, self._alipay_key, notification=True)
        return LocalNotification(
            alipay.PROVIDER,
            ALIPAY_WEBHOOK_PATH,
            {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            _form_body(signed),
        )

    def _find(self, biz: Mapping[str, str]) -> _AlipayTrade | None:
        if biz.get("out_trade_no"):
            return self._trades.get(biz["out_trade_no"])
        return next((t for t in self._trades.values() if t.trade_no == biz.get("trade_no")), None)

    def _query(self, biz: Mapping[str, str]) -> dict[str, Any]:
        trade = self._find(biz)
        if trade is None:
            return _alipay_error("40004", "ACQ.TRADE_NOT_EXIST", "交易不存在")
        return {
            **_ALIPAY_OK,
            "trade_no": trade.trade_no,
            "out_trade_no": trade.out_trade_no,
            "buyer_logon_id": "buy***@example.com",
            "trade_status": trade.status,
            "total_amount": fen_to_yuan(trade.total_fen),
            "buyer_pay_amount": fen_to_yuan(trade.total_fen) if trade.paid_at else "0.00",
            **({"send_pay_date": alipay.alipay_time(trade.paid_at)} if trade.paid_at else {}),
        }

    def _refund(self, biz: Mapping[str, str]) -> dict[str, Any]:
        trade = self._find(biz)
        if trade is None or trade.paid_at is None:
            return _alipay_error("40004", "ACQ.TRADE_NOT_EXIST", "交易不存在")
        request_no = biz.get("out_request_no") or trade.trade_no
        fund_change = "N"
        if request_no not in trade.refunds:
            amount = yuan_to_fen(biz["refund_amount"])
            if sum(trade.refunds.values()) + amount > trade.total_fen:
                return _alipay_error("40004", "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限")
            trade.refunds[request_no] = amount
            fund_change = "Y"
            if sum(trade.refunds.values()) == trade.total_fen:
                trade.status = "TRADE_CLOSED"
        return {
            **_ALIPAY_OK,
            "trade_no": trade.trade_no,
            "out_trade_no": trade.out_trade_no,
            "buyer_logon_id": "buy***@example.com",
            "fund_change": fund_change,
            "refund_fee": fen_to_yuan(sum(trade.refunds.values())),
        }

    def _close(self, biz: Mapping[str, str]) -> dict[str, Any]:
        trade = self._find(biz)
        if trade is None:
            return _alipay_error("40004", "ACQ.TRADE_NOT_EXIST", "交易不存在")
        if trade.status != "WAIT_BUYER_PAY":
            return _alipay_error("40004", "ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
        trade.status = "TRADE_CLOSED"
        return {**_ALIPAY_OK, "trade_no": trade.trade_no, "out_trade_no": trade.out_trade_no}

    def refunds(self) -> dict[str, dict[str, int]]:
        """Every refund paid, per out_trade_no (what ``/_local/refunds`` can show)."""
        with self._lock:
            return {t.out_trade_no: dict(t.refunds) for t in self._trades.values() if t.refunds}

    def _answer(self, method: str, answer: Mapping[str, Any]) -> HttpResponse:
        text = alipay.signed_response(method or "error", answer, self._alipay_key)
        return HttpResponse(200, text.encode(), {"Content-Type": "text/html;charset=utf-8"})


_ALIPAY_OK = {"code": "10000", "msg": "Success"}


def _alipay_error(code: str, sub_code: str, sub_msg: str) -> dict[str, str]:
    return {"code": code, "msg": "Business Failed", "sub_code": sub_code, "sub_msg": sub_msg}


def _form_body(fields: Mapping[str, str]) -> bytes:
    return urlencode(fields).encode()


# --- WeChat Pay ------------------------------------------------------------------------------------------


@dataclass
class _WechatTransaction:
    out_trade_no: str
    total: int
    trade_type: str
    payer_client_ip: str | None = None  # H5: the browser WeChat Pay expects the payment from
    transaction_id: str = ""
    trade_state: str = "NOTPAY"
    success_time: datetime | None = None


@dataclass(frozen=True)
class _WechatRefund:
    refund_id: str
    out_refund_no: str
    transaction_id: str
    out_trade_no: str
    refund: int
    total: int
    created: datetime


class WechatPayStandIn:
    """``api.mch.weixin.qq.com`` for one merchant: prepay, query, close and domestic refunds."""

    PLATFORM_SERIAL = "PUB_KEY_ID_0000000000000000000000000001"
    MERCHANT_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"

    # Where an h5_url leads: WeChat Pay's page that opens WeChat to pay (locally, the sandbox's page for it).
    H5_PAGE_URL = "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb"

    def __init__(
        self, mchid: str = SANDBOX_MCHID, appid: str = SANDBOX_APPID, *, h5_page_url: str = H5_PAGE_URL
    ) -> None:
        self.mchid = mchid
        self.appid = appid
        self.h5_page_url = h5_page_url
        self._prepaid: dict[str, str] = {}  # an H5 prepay_id → its out_trade_no
        self._merchant_key = _new_key()
        self._platform_key = _new_key()
        self.apiv3_key = secrets.token_hex(16).encode()  # 32 bytes
        self._transactions: dict[str, _WechatTransaction] = {}
        self._refunds: dict[str, _WechatRefund] = {}
        self._lock = threading.Lock()

    def credentials(self) -> WechatPayCredentials:
        return WechatPayCredentials(
            mchid=self.mchid,
            appid=self.appid,
            merchant_serial_no=self.MERCHANT_SERIAL,
            merchant_private_key_pem=_private_pem(self._merchant_key),
            apiv3_key=self.apiv3_key.decode(),
            platform_public_keys={self.PLATFORM_SERIAL: _public_pem(self._platform_key)},
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        target = urlsplit(request.url)
        path = target.path + (f"?{target.query}" if target.query else "")
        if not self._authorized(request, path):
            return _json_answer(401, {"code": "SIGN_ERROR", "message": "签名错误"})
        body: dict[str, Any] = json.loads(request.body) if request.body else {}
        parts = target.path.strip("/").split("/")
        with self._lock:
            if request.method == "POST" and parts[:3] == ["v3", "pay", "transactions"] and len(parts) == 4:
                return self._prepay(parts[3], body)
            if request.method == "GET" and parts[:3] == ["v3", "pay", "transactions"] and len(parts) == 5:
                return self._query(parts[3], unquote(parts[4]))
            if request.method == "POST" and parts[:4] == ["v3", "pay", "transactions", "out-trade-no"]:
                return self._close(unquote(parts[4]))
            if request.method == "POST" and target.path == "/v3/refund/domestic/refunds":
                return self._refund(body)
        return _json_answer(404, {"code": "NOT_FOUND", "message": "no such API in the stand-in"})

    def _authorized(self, request: HttpRequest, path: str) -> bool:
        try:
            fields = wechat_pay.read_authorization(request.headers.get("Authorization", ""))
            signed_at = int(fields.get("timestamp", ""))
        except (InvalidRequest, ValueError):
            return False
        fresh = abs(_now().timestamp() - signed_at) <= wechat_pay.SIGNATURE_TOLERANCE_SECONDS
        message = wechat_pay.signature_message(
            request.method, path, fields.get("timestamp", ""), fields.get("nonce_str", ""), request.body.decode()
        )
        return (
            fields.get("mchid") == self.mchid
            and fields.get("serial_no") == self.MERCHANT_SERIAL
            and fresh
            and rsa_sha256_valid(self._merchant_key.public_key(), message, fields.get("signature", ""))
        )

    def _signed(self, status: int, body: Mapping[str, Any] | None) -> HttpResponse:
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
        headers = wechat_pay.signed_headers(data, serial=self.PLATFORM_SERIAL, key=self._platform_key)
        return HttpResponse(status, data, {"Content-Type": "application/json", **headers})

    def _prepay(self, kind: str, body: Mapping[str, Any]) -> HttpResponse:
        if body.get("mchid") != self.mchid or body.get("appid") != self.appid:
            return _json_answer(400, {"code": "PARAM_ERROR", "message": "appid和mch_id不匹配"})
        out_trade_no, total = str(body["out_trade_no"]), int(body["amount"]["total"])
        transaction = self._transactions.setdefault(out_trade_no, _WechatTransaction(out_trade_no, total, kind.upper()))
        if transaction.total != total:
            return _json_answer(400, {"code": "INVALID_REQUEST", "message": "订单金额与原订单不一致"})
        if transaction.trade_state != "NOTPAY":
            return _json_answer(400, {"code": "ORDERPAID", "message": "该订单已支付"})
        prepay = f"wx{secrets.token_hex(14)}"
        if kind == "native":
            return self._signed(200, {"code_url": f"weixin://wxpay/bizpayurl?pr={prepay[:9]}"})
        scene = body.get("scene_info") or {}
        if not scene.get("payer_client_ip") or (scene.get("h5_info") or {}).get("type") not in {
            "Wap",
            "iOS",
            "Android",
        }:
            return _json_answer(
                400, {"code": "PARAM_ERROR", "message": "H5支付需要 scene_info.payer_client_ip 和 h5_info"}
            )
        transaction.payer_client_ip = str(scene["payer_client_ip"])
        self._prepaid[prepay] = out_trade_no
        return self._signed(
            200, {"h5_url": f"{self.h5_page_url}?prepay_id={prepay}&package={secrets.randbelow(10**10)}"}
        )

    def payer_client_ip(self, out_trade_no: str) -> str | None:
        """The browser IP an H5 prepay named (WeChat Pay compares it with the one paying)."""
        with self._lock:
            transaction = self._transactions.get(out_trade_no)
            return transaction.payer_client_ip if transaction else None

    def h5_transaction(self, h5_url: str) -> tuple[str, int]:
        """The order and amount (fen) an h5_url's page asks the buyer to pay: what WeChat shows before paying."""
        prepay = dict(parse_qsl(urlsplit(h5_url).query)).get("prepay_id", "")
        with self._lock:
            transaction = self._transactions[self._prepaid[prepay]]
            return transaction.out_trade_no, transaction.total

    def _query(self, by: str, key: str) -> HttpResponse:
        transaction = (
            self._transactions.get(key)
            if by == "out-trade-no"
            else next((t for t in self._transactions.values() if t.transaction_id == key), None)
        )
        if transaction is None:
            return _json_answer(404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
        return self._signed(200, self._transaction(transaction))

    def _transaction(self, transaction: _WechatTransaction) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "appid": self.appid,
            "mchid": self.mchid,
            "out_trade_no": transaction.out_trade_no,
            "trade_state": transaction.trade_state,
            "trade_state_desc": "支付成功" if transaction.success_time else "订单未支付",
            "amount": {"total": transaction.total, "currency": "CNY"},
        }
        if transaction.success_time:
            shown |= {
                "transaction_id": transaction.transaction_id,
                "trade_type": transaction.trade_type,
                "bank_type": "OTHERS",
                "attach": "",
                "success_time": transaction.success_time.astimezone(wechat_pay.CHINA_TIME).isoformat(),
                "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
                "amount": {
                    "total": transaction.total,
                    "payer_total": transaction.total,
                    "currency": "CNY",
                    "payer_currency": "CNY",
                },
            }
        return shown

    def _close(self, out_trade_no: str) -> HttpResponse:
        transaction = self._transactions.get(out_trade_no)
        if transaction is not None and transaction.trade_state not in {"NOTPAY", "CLOSED"}:
            return _json_answer(400, {"code": "ORDERPAID", "message": "该订单已支付"})
        if transaction is not None:
            transaction.trade_state = "CLOSED"
        return self._signed(204, None)

    def _refund(self, body: Mapping[str, Any]) -> HttpResponse:
        existing = self._refunds.get(str(body.get("out_refund_no")))
        if existing is not None:
            return self._signed(200, self._refund_view(existing))
        transaction = next(
            (
                t
                for t in self._transactions.values()
                if t.transaction_id and t.transaction_id == body.get("transaction_id")
            ),
            None,
        )
        if transaction is None:
            return _json_answer(404, {"code": "RESOURCE_NOT_EXISTS", "message": "订单不存在"})
        amount = body["amount"]
        refunded = sum(r.refund for r in self._refunds.values() if r.transaction_id == transaction.transaction_id)
        if int(amount["total"]) != transaction.total:
            return _json_answer(400, {"code": "PARAM_ERROR", "message": "订单金额与原订单不一致"})
        if refunded + int(amount["refund"]) > transaction.total:
            return _json_answer(403, {"code": "NOT_ENOUGH", "message": "申请退款金额超过订单可退金额"})
        refund = _WechatRefund(
            refund_id=f"50000000{secrets.randbelow(10**21):021d}",
            out_refund_no=str(body["out_refund_no"]),
            transaction_id=transaction.transaction_id,
            out_trade_no=transaction.out_trade_no,
            refund=int(amount["refund"]),
            total=transaction.total,
            created=_now(),
        )
        self._refunds[refund.out_refund_no] = refund
        transaction.trade_state = "REFUND"
        return self._signed(200, self._refund_view(refund))

    @staticmethod
    def _refund_view(refund: _WechatRefund) -> dict[str, Any]:
        return {
            "refund_id": refund.refund_id,
            "out_refund_no": refund.out_refund_no,
            "transaction_id": refund.transaction_id,
            "out_trade_no": refund.out_trade_no,
            "channel": "ORIGINAL",
            "user_received_account": "支付用户零钱",
            "create_time": refund.created.astimezone(wechat_pay.CHINA_TIME).isoformat(),
            "status": "SUCCESS",
            "amount": {
                "total": refund.total,
                "refund": refund.refund,
                "payer_total": refund.total,
                "payer_refund": refund.refund,
                "currency": "CNY",
            },
        }

    def pay(self, out_trade_no: str, total: int) -> LocalNotification:
        """The buyer pays in WeChat: the transaction succeeds; returns WeChat Pay's TRANSACTION.SUCCESS, signed."""
        with self._lock:
            transaction = self._transactions.setdefault(out_trade_no, _WechatTransaction(out_trade_no, total, "NATIVE"))
            if transaction.trade_state == "NOTPAY":
                transaction.trade_state = "SUCCESS"
                transaction.transaction_id = f"4200{_now():%Y%m%d}{secrets.randbelow(10**16):016d}"
                transaction.success_time = _now().replace(microsecond=0)
            return self._notification("TRANSACTION.SUCCESS", "transaction", "支付成功", self._transaction(transaction))

    def refund_notification(self, out_refund_no: str, status: str = "SUCCESS") -> LocalNotification:
        """WeChat Pay's notice of a refund's outcome: ``SUCCESS``, ``ABNORMAL`` (the buyer's account cannot take it)
        or ``CLOSED``, signed and encrypted as a payment's."""
        with self._lock:
            refund = self._refunds[out_refund_no]
        plain = {
            "mchid": self.mchid,
            "out_trade_no": refund.out_trade_no,
            "transaction_id": refund.transaction_id,
            "out_refund_no": refund.out_refund_no,
            "refund_id": refund.refund_id,
            "refund_status": status,
            **(
                {"success_time": refund.created.astimezone(wechat_pay.CHINA_TIME).isoformat()}
                if status == "SUCCESS"
                else {}
            ),
            "user_received_account": "支付用户零钱",
            "amount": {
                "total": refund.total,
                "refund": refund.refund,
                "payer_total": refund.total,
                "payer_refund": refund.refund,
            },
        }
        summary = {"SUCCESS": "退款成功", "ABNORMAL": "退款异常", "CLOSED": "退款关闭"}[status]
        return self._notification(f"REFUND.{status}", "refund", summary, plain)

    def _notification(
        self, event_type: str, original_type: str, summary: str, plain: Mapping[str, Any]
    ) -> LocalNotification:
        envelope = {
            "id": f"EV-{secrets.token_hex(12)}",
            "create_time": _now().astimezone(wechat_pay.CHINA_TIME).replace(microsecond=0).isoformat(),
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": summary,
            "resource": wechat_pay.encrypt_resource(
                plain, self.apiv3_key, original_type=original_type, associated_data=original_type
            ),
        }
        body = json.dumps(envelope, ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json",
            **wechat_pay.signed_headers(body, serial=self.PLATFORM_SERIAL, key=self._platform_key),
        }
        return LocalNotification(wechat_pay.PROVIDER, WECHAT_PAY_WEBHOOK_PATH, headers, body)


# --- TronGrid ----------------------------------------------------------------------------------------------


class TronGridStandIn:
    """A TronGrid-compatible node for a sandbox chain: the TRC20 transfer list, the latest block, and a
    transaction's block. A transfer is listed as confirmed once the chain has 19 blocks on top of it."""

    SOLIDIFIED_AFTER = usdt_trc20.DEFAULT_CONFIRMATIONS

    def __init__(self, contract: str = usdt_trc20.USDT_CONTRACT) -> None:
        self.contract = contract
        self._latest = 60_000_000
        self._transfers: list[dict[str, Any]] = []
        self._blocks: dict[str, int] = {}
        self._lock = threading.Lock()

    def send(self, from_address: str, to_address: str, amount: int, *, at: datetime | None = None) -> str:
        """A USDT transfer of ``amount`` base units, in the next block; returns its transaction hash."""
        tx_id = secrets.token_hex(32)
        with self._lock:
            self._latest += 1
            self._blocks[tx_id] = self._latest
            self._transfers.append(
                {
                    "transaction_id": tx_id,
                    "token_info": {
                        "symbol": "USDT",
                        "address": self.contract,
                        "decimals": usdt_trc20.TOKEN_DECIMALS,
                        "name": "Tether USD",
                    },
                    "block_timestamp": int((at or _now()).timestamp() * 1000),
                    "from": from_address,
                    "to": to_address,
                    "type": "Transfer",
                    "value": str(amount),
                }
            )
        return tx_id

    def mine(self, blocks: int) -> None:
        with self._lock:
            self._latest += blocks

    def __call__(self, request: HttpRequest) -> HttpResponse:
        target = urlsplit(request.url)
        with self._lock:
            if request.method == "POST" and target.path == "/wallet/getnowblock":
                return _json_answer(
                    200, {"blockID": secrets.token_hex(32), "block_header": {"raw_data": {"number": self._latest}}}
                )
            if request.method == "POST" and target.path == "/wallet/gettransactioninfobyid":
                tx_id = json.loads(request.body or b"{}").get("value", "")
                block = self._blocks.get(tx_id)
                info = {"id": tx_id, "blockNumber": block, "receipt": {"result": "SUCCESS"}} if block else {}
                return _json_answer(200, info)
            parts = target.path.strip("/").split("/")
            if (
                request.method == "GET"
                and len(parts) == 5
                and parts[:2] == ["v1", "accounts"]
                and parts[3:] == ["transactions", "trc20"]
            ):
                return _json_answer(200, self._list(parts[2], dict(parse_qsl(target.query))))
        return _json_answer(404, {"success": False, "error": "no such API in the stand-in"})

    def _list(self, address: str, query: Mapping[str, str]) -> dict[str, Any]:
        solid = self._latest - self.SOLIDIFIED_AFTER
        listed = [
            t
            for t in self._transfers
            if address in _sides(t, query)
            and (query.get("only_confirmed") != "true" or self._blocks[t["transaction_id"]] <= solid)
            and t["token_info"]["address"] == query.get("contract_address", t["token_info"]["address"])
            and t["block_timestamp"] >= int(query.get("min_timestamp", "0"))
        ]
        if query.get("order_by") != "block_timestamp,asc":
            listed.reverse()  # TronGrid lists newest first unless told otherwise
        start = int(query.get("fingerprint", "0"))
        limit = min(int(query.get("limit", "20")), 200)
        page = listed[start : start + limit]
        meta: dict[str, Any] = {"at": int(_now().timestamp() * 1000), "page_size": len(page)}
        if start + limit < len(listed):
            meta["fingerprint"] = str(start + limit)
        return {"data": page, "success": True, "meta": meta}


def _sides(transfer: Mapping[str, Any], query: Mapping[str, str]) -> tuple[str, ...]:
    """The addresses a listing by account matches a transfer on: its receiver, its sender, or both."""
    if query.get("only_to") == "true":
        return (transfer["to"],)
    if query.get("only_from") == "true":
        return (transfer["from"],)
    return (transfer["to"], transfer["from"])


# --- All three, as faka local holds them ------------------------------------------------------------------


class ProviderStandIns:
    """The sandbox's Alipay, WeChat Pay and TRON, with keys generated now; ``slots`` is the same store the
    local USDT provider allocates amounts in, so a sandbox payment sends each order its exact amount."""

    def __init__(
        self,
        slots: AmountSlots,
        *,
        shop_wallet: str = SANDBOX_SHOP_WALLET,
        wechat_h5_page_url: str = WechatPayStandIn.H5_PAGE_URL,
    ) -> None:
        self.alipay = AlipayGatewayStandIn()
        self.wechat_pay = WechatPayStandIn(h5_page_url=wechat_h5_page_url)
        self.tron = TronGridStandIn()
        self.shop_wallet = shop_wallet
        self._slots = slots

    def pay(self, provider: str, *, order_id: str, amount: int) -> LocalNotification | None:
        """Pay ``order_id`` (``amount`` in minor units) with ``provider`` as its buyer would; returns the
        notification to post to faka, or None for USDT, which has none: the watcher finds the transfer."""
        if provider == alipay.PROVIDER:
            return self.alipay.pay(order_id, amount)
        if provider == wechat_pay.PROVIDER:
            return self.wechat_pay.pay(order_id, amount)
        if provider == usdt_trc20.PROVIDER:
            slot = self._slots.of_order(order_id)
            if slot is None:
                raise LookupError(f"order {order_id} has no USDT amount: its checkout never ran")
            self.tron.send(SANDBOX_BUYER_WALLET, slot.wallet, slot.amount)
            self.tron.mine(_BLOCKS_TO_CONFIRM)
            return None
        raise ValueError(f"no sandbox stand-in for {provider}")
