"""WeChat Pay API v3: signed requests (WECHATPAY2-SHA256-RSA2048), Native (QR ``code_url``) and H5 prepay,
verified and decrypted notifications (payments and refunds), query by ``out_trade_no``, domestic refunds.

Spoken directly with ``cryptography`` rather than the ``wechatpayv3`` SDK, which calls ``requests`` itself
against a fixed gateway (no transport to hand it, so no local stand-in) and, unless given the WeChat Pay public
key, downloads platform certificates while it is constructed. Amounts are fen already.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from faka.errors import FakaError, InvalidRequest
from faka.payments.devices import BuyerDevice
from faka.payments.gateway import (
    HttpRequest,
    HttpResponse,
    HttpTransport,
    Ignored,
    PaymentGatewayError,
    VerifiedNotice,
    bounded_reference,
    load_private_key,
    load_public_key,
    rsa_sha256_sign,
    rsa_sha256_valid,
)
from faka.ports import PaymentProvider
from faka.shared.model import PaymentConfirmation

PROVIDER = "wechat_pay"
CURRENCY = "cny"
API_URL = "https://api.mch.weixin.qq.com"
AUTH_SCHEME = "WECHATPAY2-SHA256-RSA2048"
# A notification or answer signed longer ago (or further ahead) than this is refused, as WeChat Pay advises.
SIGNATURE_TOLERANCE_SECONDS = 300

_PAID_STATES = frozenset({"SUCCESS", "REFUND"})  # REFUND: paid, then (partly) refunded
_REFUND_EVENTS = frozenset({"REFUND.SUCCESS", "REFUND.ABNORMAL", "REFUND.CLOSED"})
_DESCRIPTION_MAX = 127
# WeChat Pay writes times with the +08:00 offset.
CHINA_TIME = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class WechatPayCredentials:
    """One shop's merchant account.

    ``platform_public_keys`` maps each ``Wechatpay-Serial`` WeChat Pay may sign with to its PEM: the WeChat
    Pay public key (serial ``PUB_KEY_ID_…``) or a platform certificate; a serial not listed is refused.
    """

    mchid: str
    appid: str
    merchant_serial_no: str
    merchant_private_key_pem: str
    apiv3_key: str
    platform_public_keys: Mapping[str, str]


@dataclass(frozen=True)
class RefundNotice:
    """A refund's outcome (``REFUND.SUCCESS``, ``.ABNORMAL`` or ``.CLOSED``), whoever started it."""

    order_id: str
    payment_ref: str
    refund_id: str
    out_refund_no: str
    amount: int
    currency: str
    status: str


def signature_message(*parts: str) -> bytes:
    """WeChat Pay's signed text: each part followed by a newline."""
    return "".join(f"{part}\n" for part in parts).encode()


def authorization(
    method: str, path: str, body: str, *, mchid: str, serial_no: str, key: rsa.RSAPrivateKey, timestamp: int, nonce: str
) -> str:
    """The ``Authorization`` header of a request to ``path`` (with its query string)."""
    signature = rsa_sha256_sign(key, signature_message(method, path, str(timestamp), nonce, body))
    return (
        f'{AUTH_SCHEME} mchid="{mchid}",nonce_str="{nonce}",signature="{signature}",'
        f'timestamp="{timestamp}",serial_no="{serial_no}"'
    )


def read_authorization(header: str) -> dict[str, str]:
    """The fields of an ``Authorization`` header faka signed (what WeChat Pay, and the local stand-in, check)."""
    scheme, _, fields = header.partition(" ")
    if scheme != AUTH_SCHEME:
        raise InvalidRequest(f"not a {AUTH_SCHEME} authorization", code="invalid_signature")
    parsed = {}
    for item in fields.split(","):
        name, _, value = item.partition("=")
        parsed[name.strip()] = value.strip().strip('"')
    return parsed


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), "")


def verify_signed(
    headers: Mapping[str, str], body: bytes, platform_keys: Mapping[str, rsa.RSAPublicKey], now: float
) -> None:
    """A notification's or an answer's ``Wechatpay-*`` headers over ``timestamp\\nnonce\\nbody\\n``.

    Raises :class:`InvalidRequest`: an unknown serial, a stale or future timestamp, a signature that does
    not match (WeChat Pay also sends deliberately wrong ``WECHATPAY/SIGNTEST/`` probes, refused here).
    """
    serial = _header(headers, "Wechatpay-Serial")
    timestamp = _header(headers, "Wechatpay-Timestamp")
    nonce = _header(headers, "Wechatpay-Nonce")
    signature = _header(headers, "Wechatpay-Signature")
    if not (serial and timestamp and nonce and signature):
        raise InvalidRequest("the Wechatpay-* signature headers are missing", code="invalid_signature")
    key = platform_keys.get(serial)
    if key is None:
        raise InvalidRequest(f"no WeChat Pay key with serial {serial}", code="unknown_serial")
    if not timestamp.isdigit() or abs(now - int(timestamp)) > SIGNATURE_TOLERANCE_SECONDS:
        raise InvalidRequest("the Wechatpay-Timestamp is not within five minutes", code="stale_notification")
    if not rsa_sha256_valid(key, signature_message(timestamp, nonce, body.decode(errors="replace")), signature):
        raise InvalidRequest("the Wechatpay-Signature does not match this body", code="invalid_signature")


def signed_headers(body: bytes, *, serial: str, key: rsa.RSAPrivateKey, timestamp: int | None = None) -> dict[str, str]:
    """The ``Wechatpay-*`` headers WeChat Pay puts on a notification or an answer (the stand-in and tests)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    nonce = secrets.token_hex(16)
    return {
        "Wechatpay-Serial": serial,
        "Wechatpay-Timestamp": ts,
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": rsa_sha256_sign(key, signature_message(ts, nonce, body.decode())),
        "Wechatpay-Signature-Type": AUTH_SCHEME,
    }


def decrypt_resource(resource: Mapping[str, Any], apiv3_key: bytes) -> dict[str, Any]:
    """A notification's ``resource``, AEAD_AES_256_GCM with the APIv3 key, as the JSON object it encrypts."""
    if resource.get("algorithm") != "AEAD_AES_256_GCM":
        raise InvalidRequest("the resource is not AEAD_AES_256_GCM", code="invalid_payload")
    try:
        plaintext = AESGCM(apiv3_key).decrypt(
            str(resource["nonce"]).encode(),
            base64.b64decode(str(resource["ciphertext"]), validate=True),
            str(resource.get("associated_data") or "").encode(),
        )
        decrypted = json.loads(plaintext)
    except (KeyError, InvalidTag, binascii.Error, ValueError):
        raise InvalidRequest("the resource does not decrypt with the APIv3 key", code="invalid_payload") from None
    if not isinstance(decrypted, dict):
        raise InvalidRequest("the resource is not an object", code="invalid_payload")
    return decrypted


def encrypt_resource(
    plain: Mapping[str, Any], apiv3_key: bytes, *, original_type: str, associated_data: str
) -> dict[str, str]:
    """A ``resource`` as WeChat Pay encrypts it (the local stand-in and tests play WeChat Pay with this)."""
    nonce = secrets.token_hex(6)  # 12 characters, as WeChat Pay's
    ciphertext = AESGCM(apiv3_key).encrypt(
        nonce.encode(), json.dumps(plain, ensure_ascii=False).encode(), associated_data.encode()
    )
    return {
        "original_type": original_type,
        "algorithm": "AEAD_AES_256_GCM",
        "ciphertext": base64.b64encode(ciphertext).decode(),
        "associated_data": associated_data,
        "nonce": nonce,
    }


def verify_notification(
    headers: Mapping[str, str],
    body: bytes,
    *,
    mchid: str,
    appid: str,
    apiv3_key: bytes,
    platform_keys: Mapping[str, rsa.RSAPublicKey],
    now: float | None = None,
) -> VerifiedNotice[PaymentConfirmation | RefundNotice | Ignored]:
    """A payment or refund notification, verified (signature, freshness), decrypted and checked to be this
    merchant's. Raises :class:`InvalidRequest`, answered with :func:`failure_answer`; a replay parses to
    the same notice (its ``id``): deduplicating is the caller's."""
    verify_signed(headers, body, platform_keys, time.time() if now is None else now)
    try:
        envelope = json.loads(body)
        event_id, event_type, resource = str(envelope["id"]), str(envelope["event_type"]), envelope["resource"]
    except (ValueError, KeyError, TypeError):
        raise InvalidRequest("the notification is not a WeChat Pay notification", code="invalid_payload") from None
    if not isinstance(resource, dict):
        raise InvalidRequest("the notification's resource is not an object", code="invalid_payload")
    if event_type != "TRANSACTION.SUCCESS" and event_type not in _REFUND_EVENTS:
        return VerifiedNotice(event_id, Ignored(f"event_type {event_type}"))
    plain = decrypt_resource(resource, apiv3_key)
    if plain.get("mchid") != mchid:
        raise InvalidRequest("the notification is for another merchant", code="mchid_mismatch")
    try:
        if event_type in _REFUND_EVENTS:
            return VerifiedNotice(event_id, _refund_notice(plain))
        if plain.get("appid") != appid:
            raise InvalidRequest("the notification is for another application", code="app_id_mismatch")
        if plain.get("trade_state") not in _PAID_STATES:
            return VerifiedNotice(event_id, Ignored(f"trade_state {plain.get('trade_state')}"))
        return VerifiedNotice(event_id, _confirmation(plain, currency_checked=True))
    except (KeyError, TypeError, ValueError):
        raise InvalidRequest("the notification's resource lacks what faka reads", code="invalid_payload") from None


def _confirmation(transaction: Mapping[str, Any], *, currency_checked: bool) -> PaymentConfirmation:
    amount = transaction["amount"]
    currency = str(amount["currency"]).lower()
    if currency_checked and currency != CURRENCY:
        raise InvalidRequest(f"a notification in {currency}, not {CURRENCY}", code="currency_mismatch")
    return PaymentConfirmation(
        str(transaction["out_trade_no"]), _fen(amount["total"]), currency, PROVIDER, str(transaction["transaction_id"])
    )


def _refund_notice(refund: Mapping[str, Any]) -> RefundNotice:
    return RefundNotice(
        order_id=str(refund["out_trade_no"]),
        payment_ref=str(refund["transaction_id"]),
        refund_id=str(refund["refund_id"]),
        out_refund_no=str(refund["out_refund_no"]),
        amount=_fen(refund["amount"]["refund"]),
        currency=CURRENCY,
        status=str(refund["refund_status"]),
    )


def _fen(value: Any) -> int:
    if type(value) is not int or value <= 0:
        raise ValueError(f"not an amount in fen: {value!r}")
    return value


def failure_answer(error: FakaError) -> tuple[int, dict[str, str]]:
    """How a refused notification is answered: a 4xx with ``{"code", "message"}``; WeChat Pay sends it again."""
    return error.status, {"code": "FAIL", "message": error.message}


class WechatPayCheckout(PaymentProvider):
    """A shop's WeChat Pay merchant account: ``out_trade_no`` is faka's order id, ``transaction_id`` the payment."""

    name = PROVIDER

    def __init__(
        self,
        credentials: WechatPayCredentials,
        transport: HttpTransport,
        *,
        notify_url: str,
        expires_in: timedelta,
        api_url: str = API_URL,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._credentials = credentials
        self._private_key = load_private_key(credentials.merchant_private_key_pem)
        self._platform_keys = {serial: load_public_key(pem) for serial, pem in credentials.platform_public_keys.items()}
        self._apiv3_key = credentials.apiv3_key.encode()
        if len(self._apiv3_key) != 32:
            raise ValueError("the APIv3 key is 32 bytes")
        self._transport = transport
        self._notify_url = notify_url
        self._expires_in = expires_in
        self._api_url = api_url.rstrip("/")
        self._clock = clock

    def checkout(
        self, *, order_id: str, amount: int, currency: str, description: str, email: str, return_url: str
    ) -> dict[str, Any]:
        """Native pay: the ``code_url`` the storefront shows as a QR code for the buyer's WeChat to scan."""
        answer = self._prepay("native", order_id, amount, currency, description)
        return {"provider": self.name, "code_url": str(answer["code_url"]), "expires_at": self._expiry().isoformat()}

    def mobile_checkout(
        self, *, order_id: str, amount: int, currency: str, description: str, return_url: str, device: BuyerDevice
    ) -> dict[str, Any]:
        """H5 pay in a phone's browser outside WeChat: the buyer is sent to ``h5_url``, which opens WeChat to pay, then
        back to ``return_url``. WeChat Pay checks the browser's IP (``payer_client_ip``) against the one paying, so
        a browser whose IP is unknown gets the QR code instead (long-pressed on a phone, it opens WeChat too)."""
        if not device.ip:
            return self.checkout(
                order_id=order_id, amount=amount, currency=currency, description=description, email="", return_url=""
            )
        scene = {"payer_client_ip": device.ip, "h5_info": {"type": "Wap"}}
        answer = self._prepay("h5", order_id, amount, currency, description, scene_info=scene)
        url = f"{answer['h5_url']}&redirect_url={quote(return_url, safe='')}"
        return {"provider": self.name, "h5_url": url, "expires_at": self._expiry().isoformat()}

    def _expiry(self) -> datetime:
        return (self._clock() + self._expires_in).replace(microsecond=0)

    def _prepay(
        self, kind: str, order_id: str, amount: int, currency: str, description: str, **extra: Any
    ) -> dict[str, Any]:
        if currency.lower() != CURRENCY:
            raise InvalidRequest(f"WeChat Pay takes {CURRENCY.upper()} only", code="currency_not_supported")
        if amount <= 0:
            raise InvalidRequest("a WeChat Pay payment needs a positive amount", code="invalid_amount")
        body = {
            "appid": self._credentials.appid,
            "mchid": self._credentials.mchid,
            "description": description[:_DESCRIPTION_MAX] or order_id,
            "out_trade_no": order_id,
            "time_expire": self._expiry().astimezone(CHINA_TIME).isoformat(),
            "notify_url": self._notify_url,
            "amount": {"total": amount, "currency": CURRENCY.upper()},
            **extra,
        }
        status, answer = self.call("POST", f"/v3/pay/transactions/{kind}", body)
        if status != 200:
            raise PaymentGatewayError(f"WeChat Pay {kind} prepay: {answer.get('code')} {answer.get('message')}")
        return answer

    def verify_notification(
        self, headers: Mapping[str, str], body: bytes
    ) -> VerifiedNotice[PaymentConfirmation | RefundNotice | Ignored]:
        return verify_notification(
            headers,
            body,
            mchid=self._credentials.mchid,
            appid=self._credentials.appid,
            apiv3_key=self._apiv3_key,
            platform_keys=self._platform_keys,
            now=self._clock().timestamp(),
        )

    def call(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
        """One signed API call; a 2xx answer's signature is checked before it is read (WeChat Pay leaves its
        error answers unsigned, and faka acts on those only to give up or to find nothing)."""
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":")) if body is not None else ""
        auth = authorization(
            method,
            path,
            text,
            mchid=self._credentials.mchid,
            serial_no=self._credentials.merchant_serial_no,
            key=self._private_key,
            timestamp=int(self._clock().timestamp()),
            nonce=secrets.token_hex(16),
        )
        headers = {"Authorization": auth, "Accept": "application/json", "User-Agent": "faka"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        answer = self._transport(HttpRequest(method, self._api_url + path, headers, text.encode()))
        if 200 <= answer.status < 300:
            try:
                verify_signed(answer.headers, answer.body, self._platform_keys, self._clock().timestamp())
            except InvalidRequest as error:
                raise PaymentGatewayError(f"WeChat Pay's answer to {path}: {error.message}") from None
        return answer.status, _json(answer)

    def _transaction(self, path: str) -> dict[str, Any] | None:
        status, answer = self.call("GET", f"{path}?mchid={quote(self._credentials.mchid)}")
        if status == 404 or answer.get("code") == "ORDER_NOT_EXIST":
            return None
        if status != 200:
            raise PaymentGatewayError(f"WeChat Pay {path}: {answer.get('code')} {answer.get('message')}")
        return answer

    def find_payments(self, order_id: str) -> list[PaymentConfirmation]:
        # One out_trade_no is one WeChat Pay transaction, paid at most once.
        transaction = self._transaction(f"/v3/pay/transactions/out-trade-no/{quote(order_id, safe='')}")
        if transaction is None or transaction.get("trade_state") not in _PAID_STATES:
            return []
        # The currency is reported as it is, not refused: a payment taken in another one is flagged for an operator.
        return [_confirmation(transaction, currency_checked=False)]

    def order_for_payment(self, *, payment_ref: str | None, charge: str | None) -> str | None:
        if not payment_ref:
            return None
        transaction = self._transaction(f"/v3/pay/transactions/id/{quote(payment_ref, safe='')}")
        return str(transaction["out_trade_no"]) if transaction else None

    def refund(self, *, payment_ref: str, amount: int, idempotency_key: str) -> str:
        """A domestic refund; ``out_refund_no`` is the idempotency key, which WeChat Pay refunds once."""
        transaction = self._transaction(f"/v3/pay/transactions/id/{quote(payment_ref, safe='')}")
        if transaction is None:
            raise PaymentGatewayError(f"WeChat Pay knows no transaction {payment_ref}")
        body = {
            "transaction_id": payment_ref,
            "out_refund_no": bounded_reference(idempotency_key),
            "notify_url": self._notify_url,
            "amount": {"refund": amount, "total": int(transaction["amount"]["total"]), "currency": CURRENCY.upper()},
        }
        status, answer = self.call("POST", "/v3/refund/domestic/refunds", body)
        if status != 200:
            raise PaymentGatewayError(f"WeChat Pay refund: {answer.get('code')} {answer.get('message')}")
        return str(answer["refund_id"])

    def close(self, order_id: str) -> bool:
        """Close an unpaid transaction at the order's expiry; False when it was paid meanwhile (reconcile it)."""
        path = f"/v3/pay/transactions/out-trade-no/{quote(order_id, safe='')}"
        status, answer = self.call("POST", f"{path}/close", {"mchid": self._credentials.mchid})
        if status == 204 or answer.get("code") == "ORDER_NOT_EXIST":
            return True
        if self.find_payments(order_id):
            return False
        raise PaymentGatewayError(f"WeChat Pay close: {answer.get('code')} {answer.get('message')}")


def _json(answer: HttpResponse) -> dict[str, Any]:
    if not answer.body:
        return {}
    try:
        parsed = json.loads(answer.body)
    except ValueError:
        raise PaymentGatewayError(f"WeChat Pay answered HTTP {answer.status} with a body that is not JSON") from None
    return parsed if isinstance(parsed, dict) else {}
