"""Alipay open platform, RSA2 (SHA256withRSA): page pay (PC) and WAP pay, verified asynchronous
notifications, and ``alipay.trade.query`` / ``.refund`` / ``.close`` for reconciliation, refunds and expiry.

Spoken directly with ``cryptography`` (already a dependency) rather than an SDK: the protocol is one signature
scheme over sorted ``key=value`` pairs. python-alipay-sdk would add pycryptodomex and pyOpenSSL (11 MB) and
calls ``urlopen`` itself; the official alipay-sdk-python is 426 MB installed. Alipay prices in yuan with two
decimals; faka keeps fen, converted at the edge.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode

from cryptography.hazmat.primitives.asymmetric import rsa

from faka.errors import Conflict, InvalidRequest
from faka.payments.devices import BuyerDevice
from faka.payments.gateway import (
    HttpRequest,
    HttpTransport,
    Ignored,
    PaymentGatewayError,
    VerifiedNotice,
    bounded_reference,
    fen_to_yuan,
    load_private_key,
    load_public_key,
    rsa_sha256_sign,
    rsa_sha256_valid,
    yuan_to_fen,
)
from faka.ports import PaymentProvider
from faka.shared.model import PaymentConfirmation

PROVIDER = "alipay"
CURRENCY = "cny"
GATEWAY_URL = "https://openapi.alipay.com/gateway.do"
SANDBOX_GATEWAY_URL = "https://openapi-sandbox.dl.alipaydev.com/gateway.do"
# Alipay stops resending a notification only when the answer's body is exactly this; anything else is a failure.
NOTIFY_SUCCESS = "success"
NOTIFY_FAILURE = "failure"

_SUCCESS_CODE = "10000"
_PAID = frozenset({"TRADE_SUCCESS", "TRADE_FINISHED"})
_NOT_PAID = frozenset({"WAIT_BUYER_PAY", "TRADE_CLOSED"})
# Alipay's times are Beijing wall-clock times without an offset.
_BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
# Characters Alipay refuses in a subject.
_SUBJECT_FORBIDDEN = re.compile(r"[/=&]")


@dataclass(frozen=True)
class AlipayCredentials:
    """One shop's Alipay application. ``seller_id`` (the shop's 2088… PID), when given, must match notifications."""

    app_id: str
    app_private_key_pem: str
    alipay_public_key_pem: str
    seller_id: str | None = None


def sign_content(params: Mapping[str, str], *, notification: bool = False) -> bytes:
    """The text Alipay signs: non-empty parameters but ``sign`` sorted by name, as raw ``k=v`` joined by ``&``.

    A notification's signature also leaves out ``sign_type``; a request's covers it.
    """
    left_out = {"sign", "sign_type"} if notification else {"sign"}
    pairs = sorted((k, v) for k, v in params.items() if k not in left_out and v != "")
    return "&".join(f"{k}={v}" for k, v in pairs).encode()


def sign_params(params: Mapping[str, str], key: rsa.RSAPrivateKey, *, notification: bool = False) -> dict[str, str]:
    """``params`` with their RSA2 ``sign`` added (requests faka sends; notifications the local stand-in sends)."""
    return {**params, "sign": rsa_sha256_sign(key, sign_content(params, notification=notification))}


def alipay_time(moment: datetime) -> str:
    return moment.astimezone(_BEIJING).strftime(_TIME_FORMAT)


def verify_notification(
    body: str | Mapping[str, str], *, app_id: str, alipay_public_key: rsa.RSAPublicKey, seller_id: str | None = None
) -> VerifiedNotice[PaymentConfirmation | Ignored]:
    """An asynchronous notification (the form-encoded POST body, or its fields), checked and read.

    Raises :class:`InvalidRequest` for a forged, tampered, misaddressed or malformed notification; answer
    those with anything but ``success``. A replay parses to the same notice: deduplicating is the caller's.
    """
    form = _form(body) if isinstance(body, str) else dict(body)
    if form.get("sign_type") != "RSA2":
        raise InvalidRequest("an Alipay notification must be signed with RSA2", code="invalid_signature")
    if not rsa_sha256_valid(alipay_public_key, sign_content(form, notification=True), form.get("sign", "")):
        raise InvalidRequest("the notification's sign does not match its fields", code="invalid_signature")
    missing = [f for f in ("notify_id", "app_id", "out_trade_no", "trade_no", "trade_status") if not form.get(f)]
    if missing:
        raise InvalidRequest(f"the notification lacks {', '.join(missing)}", code="invalid_payload")
    if form["app_id"] != app_id:
        raise InvalidRequest("the notification is for another Alipay application", code="app_id_mismatch")
    if seller_id and form.get("seller_id") != seller_id:
        raise InvalidRequest("the notification is for another Alipay seller", code="seller_mismatch")
    status = form["trade_status"]
    event_id = f"{PROVIDER}:{form['trade_no']}:{status}"
    if form.get("refund_fee") or form.get("gmt_refund"):
        return VerifiedNotice(f"{event_id}:refund:{form.get('out_biz_no', '')}", Ignored("a refund of the trade"))
    if status in _NOT_PAID:
        return VerifiedNotice(event_id, Ignored(f"trade_status {status}"))
    if status not in _PAID:
        raise InvalidRequest(f"unknown trade_status {status!r}", code="invalid_payload")
    return VerifiedNotice(event_id, _confirmation(form, currency_checked=True))


def _form(body: str) -> dict[str, str]:
    try:
        pairs = parse_qsl(body, keep_blank_values=True, strict_parsing=True, errors="strict")
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequest("the notification is not a form-encoded body", code="invalid_payload") from None
    form = dict(pairs)
    if len(form) != len(pairs):
        raise InvalidRequest("a notification field is repeated", code="invalid_payload")
    return form


def _confirmation(trade: Mapping[str, Any], *, currency_checked: bool) -> PaymentConfirmation:
    """A paid trade (a notification's fields or a query's answer) as faka's confirmation."""
    # Domestic Alipay settles in CNY and says no currency; a cross-border trade names its own.
    currency = str(trade.get("trans_currency") or "CNY").lower()
    if currency_checked and currency != CURRENCY:
        raise InvalidRequest(f"a notification in {currency}, not {CURRENCY}", code="currency_mismatch")
    try:
        amount = yuan_to_fen(str(trade.get("total_amount")))
    except ValueError:
        raise InvalidRequest("the trade's total_amount is not an amount in yuan", code="invalid_payload") from None
    return PaymentConfirmation(str(trade["out_trade_no"]), amount, currency, PROVIDER, str(trade["trade_no"]))


class AlipayCheckout(PaymentProvider):
    """A shop's Alipay application: ``out_trade_no`` is faka's order id, ``trade_no`` the payment reference."""

    name = PROVIDER

    def __init__(
        self,
        credentials: AlipayCredentials,
        transport: HttpTransport,
        *,
        notify_url: str,
        expires_in: timedelta,
        gateway_url: str = GATEWAY_URL,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._credentials = credentials
        self._private_key = load_private_key(credentials.app_private_key_pem)
        self._alipay_key = load_public_key(credentials.alipay_public_key_pem)
        self._transport = transport
        self._notify_url = notify_url
        self._expires_in = expires_in
        self._gateway_url = gateway_url
        self._clock = clock

    def checkout(
        self, *, order_id: str, amount: int, currency: str, description: str, email: str, return_url: str
    ) -> dict[str, Any]:
        """PC page pay (``alipay.trade.page.pay``): a signed gateway URL the buyer's browser is sent to."""
        return self._page(
            "alipay.trade.page.pay", "FAST_INSTANT_TRADE_PAY", order_id, amount, currency, description, return_url
        )

    def mobile_checkout(
        self, *, order_id: str, amount: int, currency: str, description: str, return_url: str, device: BuyerDevice
    ) -> dict[str, Any]:
        """Pay in a phone's browser (``alipay.trade.wap.pay``), which hands over to the Alipay app when it is there; a
        buyer who gives up returns to ``return_url`` too (``quit_url``), where the order still waits for payment."""
        return self._page(
            "alipay.trade.wap.pay", "QUICK_WAP_WAY", order_id, amount, currency, description, return_url, return_url
        )

    def _page(
        self,
        method: str,
        product_code: str,
        order_id: str,
        amount: int,
        currency: str,
        description: str,
        return_url: str,
        quit_url: str | None = None,
    ) -> dict[str, Any]:
        if currency.lower() != CURRENCY:
            raise InvalidRequest(f"Alipay takes {CURRENCY.upper()} only", code="currency_not_supported")
        if amount <= 0:
            raise InvalidRequest("an Alipay payment needs a positive amount", code="invalid_amount")
        biz = {
            "out_trade_no": order_id,
            "total_amount": fen_to_yuan(amount),
            "subject": _SUBJECT_FORBIDDEN.sub(" ", description)[:256] or order_id,
            "product_code": product_code,
            "time_expire": alipay_time(self._clock() + self._expires_in),
        }
        if quit_url:
            biz["quit_url"] = quit_url
        params = self._signed(method, biz, return_url=return_url, notify_url=self._notify_url)
        return {"provider": self.name, "checkout_url": f"{self._gateway_url}?{urlencode(params)}"}

    def _signed(self, method: str, biz: Mapping[str, str], **extra: str) -> dict[str, str]:
        params = {
            "app_id": self._credentials.app_id,
            "method": method,
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "timestamp": alipay_time(self._clock()),
            "version": "1.0",
            "biz_content": json.dumps(biz, ensure_ascii=False, separators=(",", ":")),
            **extra,
        }
        return sign_params(params, self._private_key)

    def verify_notification(self, body: str | Mapping[str, str]) -> VerifiedNotice[PaymentConfirmation | Ignored]:
        return verify_notification(
            body,
            app_id=self._credentials.app_id,
            alipay_public_key=self._alipay_key,
            seller_id=self._credentials.seller_id,
        )

    def call(self, method: str, biz: Mapping[str, str]) -> dict[str, Any]:
        """One gateway API call; returns its verified ``<method>_response`` object, whatever its ``code``."""
        body = urlencode(self._signed(method, biz)).encode()
        answer = self._transport(
            HttpRequest(
                "POST",
                self._gateway_url,
                {"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"},
                body,
            )
        )
        if answer.status != 200:
            raise PaymentGatewayError(f"Alipay {method} answered HTTP {answer.status}")
        return verify_response(answer.body.decode(), method, self._alipay_key)

    def _trade(self, biz: Mapping[str, str]) -> dict[str, Any] | None:
        """The trade ``alipay.trade.query`` finds, or None when Alipay never created it (the buyer never came)."""
        trade = self.call("alipay.trade.query", biz)
        if trade.get("code") == _SUCCESS_CODE:
            return trade
        if trade.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
            return None
        raise PaymentGatewayError(f"alipay.trade.query: {trade.get('sub_code') or trade.get('code')}")

    def find_payments(self, order_id: str) -> list[PaymentConfirmation]:
        # One out_trade_no is one Alipay trade, paid at most once: a double charge cannot happen here.
        trade = self._trade({"out_trade_no": order_id})
        if trade is None or trade.get("trade_status") not in _PAID:
            return []
        # The currency is reported as it is, not refused: a payment taken in another one is flagged for an operator.
        return [_confirmation(trade, currency_checked=False)]

    def order_for_payment(self, *, payment_ref: str | None, charge: str | None) -> str | None:
        if not payment_ref:
            return None
        trade = self._trade({"trade_no": payment_ref})
        return str(trade["out_trade_no"]) if trade else None

    def refund(self, *, payment_ref: str, amount: int, idempotency_key: str) -> str:
        """``alipay.trade.refund``; the idempotency key is the ``out_request_no``, which Alipay refunds once."""
        request_no = bounded_reference(idempotency_key)
        answer = self.call(
            "alipay.trade.refund",
            {"trade_no": payment_ref, "refund_amount": fen_to_yuan(amount), "out_request_no": request_no},
        )
        if answer.get("code") == _SUCCESS_CODE:
            return request_no
        if answer.get("sub_code") == "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL":
            raise Conflict("the refunds would exceed the payment", code="refund_exceeds_payment")
        raise PaymentGatewayError(f"alipay.trade.refund: {answer.get('sub_code') or answer.get('code')}")

    def close(self, order_id: str) -> bool:
        """Close an unpaid trade at the order's expiry; False when it was paid meanwhile (reconcile it instead)."""
        answer = self.call("alipay.trade.close", {"out_trade_no": order_id})
        if answer.get("code") == _SUCCESS_CODE or answer.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
            return True
        if answer.get("sub_code") == "ACQ.TRADE_STATUS_ERROR":
            return False
        raise PaymentGatewayError(f"alipay.trade.close: {answer.get('sub_code') or answer.get('code')}")


def response_key(method: str) -> str:
    return method.replace(".", "_") + "_response"


def verify_response(text: str, method: str, alipay_public_key: rsa.RSAPublicKey) -> dict[str, Any]:
    """An API answer ``{"<method>_response": {...}, "sign": "..."}``, its sign checked over the exact text of
    the response object as it arrived (re-serialising would change the bytes Alipay signed)."""
    try:
        document = json.loads(text)
        raw, answer = _raw_member(text, response_key(method))
    except (ValueError, KeyError):
        raise PaymentGatewayError(f"Alipay {method} answered something that is not its response") from None
    if not isinstance(answer, dict) or document.get(response_key(method)) != answer:
        raise PaymentGatewayError(f"Alipay {method} answered something that is not its response")
    if not rsa_sha256_valid(alipay_public_key, raw.encode(), str(document.get("sign", ""))):
        raise PaymentGatewayError(f"the sign of Alipay's {method} answer does not match (code {answer.get('code')})")
    return answer


def _raw_member(text: str, key: str) -> tuple[str, Any]:
    """The text of a top-level member's value, and the value. An unescaped ``"key":`` occurs only as a key."""
    found = re.search(rf'"{re.escape(key)}"\s*:\s*', text)
    if not found:
        raise KeyError(key)
    value, end = json.JSONDecoder().raw_decode(text, found.end())
    return text[found.end() : end], value


def signed_response(method: str, answer: Mapping[str, Any], alipay_private_key: rsa.RSAPrivateKey) -> str:
    """An API answer as Alipay sends it, signed (the local stand-in and tests play Alipay with this)."""
    raw = json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
    sign = rsa_sha256_sign(alipay_private_key, raw.encode())
    return f'{{"{response_key(method)}":{raw},"sign":"{sign}"}}'
