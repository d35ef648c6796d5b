"""WeChat Pay API v3: signed requests, Native and H5 prepay, verified and decrypted notifications, query,
refunds and close.

Keys and the APIv3 key are generated here. Notifications are WeChat Pay's documented example (the
``TRANSACTION.SUCCESS`` envelope and the transaction it encrypts, with this test's merchant), encrypted with
AES-256-GCM and signed over ``timestamp\\nnonce\\nbody\\n`` in this file, independently of the module. The
APIs run against the local stand-in of WeChat Pay, which checks faka's Authorization header.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from faka.errors import InvalidRequest
from faka.payments import wechat_pay
from faka.payments.devices import BuyerDevice
from faka.payments.gateway import (
    HttpRequest,
    HttpResponse,
    Ignored,
    PaymentGatewayError,
    VerifiedNotice,
    load_private_key,
)
from faka.payments.usdt_trc20 import InMemoryAmountSlots
from faka.payments.wechat_pay import RefundNotice, WechatPayCheckout
from faka.shared.model import PaymentConfirmation
from faka_local.provider_standins import ProviderStandIns, WechatPayStandIn

MCHID = "1230000109"
APPID = "wxd678efh567hg6787"
SERIAL = "PUB_KEY_ID_0112340000000000000000000000000001"
APIV3_KEY = b"0123456789abcdef0123456789abcdef"
NOW = datetime(2026, 12, 6, 6, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def platform_key() -> rsa.RSAPrivateKey:
    """WeChat Pay's key: it signs notifications and answers; faka holds the public half."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def stranger_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def documented_transaction(**changes: Any) -> dict[str, Any]:
    """WeChat Pay's documented example of a paid transaction (the decrypted notification resource)."""
    transaction: dict[str, Any] = {
        "transaction_id": "1217752501201407033233368018",
        "amount": {"payer_total": 100, "total": 100, "currency": "CNY", "payer_currency": "CNY"},
        "mchid": MCHID,
        "trade_state": "SUCCESS",
        "bank_type": "CMC",
        "promotion_detail": [],
        "success_time": "2018-06-08T10:34:56+08:00",
        "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        "out_trade_no": "1217752501201407033233368018",
        "appid": APPID,
        "trade_state_desc": "支付成功",
        "trade_type": "NATIVE",
        "attach": "自定义数据",
        "scene_info": {"device_id": "013467007045764"},
    }
    transaction.update(changes)
    return transaction


def envelope(plain: dict[str, Any], *, event_type: str = "TRANSACTION.SUCCESS", key: bytes = APIV3_KEY) -> bytes:
    """The documented notification envelope around ``plain``, encrypted as WeChat Pay encrypts it."""
    nonce = "fdasflkja484"
    original_type = "refund" if event_type.startswith("REFUND") else "transaction"
    ciphertext = AESGCM(key).encrypt(nonce.encode(), json.dumps(plain).encode(), original_type.encode())
    return json.dumps(
        {
            "id": "EV-2018022511223320873",
            "create_time": "2015-05-20T13:29:35+08:00",
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": "支付成功",
            "resource": {
                "original_type": original_type,
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": base64.b64encode(ciphertext).decode(),
                "associated_data": original_type,
                "nonce": nonce,
            },
        },
        ensure_ascii=False,
    ).encode()


def headers(body: bytes, key: rsa.RSAPrivateKey, *, at: datetime = NOW, serial: str = SERIAL) -> dict[str, str]:
    """The Wechatpay-* headers, signed over ``timestamp\\nnonce\\nbody\\n`` with WeChat Pay's key."""
    timestamp, nonce = str(int(at.timestamp())), "593BEC0C930BF1AFEB40B4A08C8FB242"
    message = f"{timestamp}\n{nonce}\n{body.decode()}\n".encode()
    signature = base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()
    # As API Gateway hands them over: lower-case names.
    return {
        "wechatpay-serial": serial,
        "wechatpay-timestamp": timestamp,
        "wechatpay-nonce": nonce,
        "wechatpay-signature": signature,
        "wechatpay-signature-type": "WECHATPAY2-SHA256-RSA2048",
    }


def verify(
    body: bytes, headers: dict[str, str], platform_key: rsa.RSAPrivateKey
) -> VerifiedNotice[PaymentConfirmation | RefundNotice | Ignored]:
    return wechat_pay.verify_notification(
        headers,
        body,
        mchid=MCHID,
        appid=APPID,
        apiv3_key=APIV3_KEY,
        platform_keys={SERIAL: platform_key.public_key()},
        now=NOW.timestamp(),
    )


def refused(body: bytes, headers: dict[str, str], platform_key: rsa.RSAPrivateKey) -> str:
    with pytest.raises(InvalidRequest) as raised:
        verify(body, headers, platform_key)
    return raised.value.code


# --- notifications ------------------------------------------------------------------------------------------


def test_a_documented_payment_notification_is_the_order_paid(platform_key: rsa.RSAPrivateKey) -> None:
    body = envelope(documented_transaction())

    assert verify(body, headers(body, platform_key), platform_key) == VerifiedNotice(
        "EV-2018022511223320873",
        PaymentConfirmation("1217752501201407033233368018", 100, "cny", "wechat_pay", "1217752501201407033233368018"),
    )


def test_a_replayed_notification_parses_the_same_for_the_caller_to_deduplicate(platform_key: rsa.RSAPrivateKey) -> None:
    body = envelope(documented_transaction())
    signed = headers(body, platform_key)

    assert verify(body, signed, platform_key) == verify(body, signed, platform_key)


def test_a_refund_notification_names_the_order_payment_and_refund(platform_key: rsa.RSAPrivateKey) -> None:
    refund = {
        "mchid": MCHID,
        "transaction_id": "1217752501201407033233368018",
        "out_trade_no": "1217752501201407033233368018",
        "refund_id": "50000000382019052709732678859",
        "out_refund_no": "refund-01JREFUND",
        "refund_status": "SUCCESS",
        "success_time": "2018-06-08T10:34:56+08:00",
        "user_received_account": "招商银行信用卡0403",
        "amount": {"total": 999, "refund": 999, "payer_total": 999, "payer_refund": 999},
    }
    body = envelope(refund, event_type="REFUND.SUCCESS")

    assert verify(body, headers(body, platform_key), platform_key).notice == RefundNotice(
        order_id="1217752501201407033233368018",
        payment_ref="1217752501201407033233368018",
        refund_id="50000000382019052709732678859",
        out_refund_no="refund-01JREFUND",
        amount=999,
        currency="cny",
        status="SUCCESS",
    )


def test_other_events_and_unpaid_states_are_acknowledged_and_ignored(platform_key: rsa.RSAPrivateKey) -> None:
    other = envelope(documented_transaction(), event_type="MCH_TRANSFER.BILL.FINISHED")
    unpaid = envelope(documented_transaction(trade_state="NOTPAY"))

    assert verify(other, headers(other, platform_key), platform_key).notice == Ignored(
        "event_type MCH_TRANSFER.BILL.FINISHED"
    )
    assert verify(unpaid, headers(unpaid, platform_key), platform_key).notice == Ignored("trade_state NOTPAY")


def test_a_notification_signed_by_another_key_is_refused(
    platform_key: rsa.RSAPrivateKey, stranger_key: rsa.RSAPrivateKey
) -> None:
    body = envelope(documented_transaction())

    assert refused(body, headers(body, stranger_key), platform_key) == "invalid_signature"


def test_wechat_pays_signature_probe_is_refused(platform_key: rsa.RSAPrivateKey) -> None:
    body = envelope(documented_transaction())
    probe = {**headers(body, platform_key), "wechatpay-signature": "WECHATPAY/SIGNTEST/" + "A" * 300}

    assert refused(body, probe, platform_key) == "invalid_signature"


def test_a_tampered_body_is_refused_and_a_tampered_ciphertext_does_not_decrypt(platform_key: rsa.RSAPrivateKey) -> None:
    body = envelope(documented_transaction())
    signed = headers(body, platform_key)
    document = json.loads(body)
    # Every byte of the ciphertext changes the amount or the tag; re-signing (a leaked platform key) still fails.
    document["resource"]["ciphertext"] = base64.b64encode(b"\x00" * 64).decode()
    forged = json.dumps(document).encode()

    assert refused(forged, signed, platform_key) == "invalid_signature"
    assert refused(forged, headers(forged, platform_key), platform_key) == "invalid_payload"


def test_a_resource_encrypted_with_another_apiv3_key_is_refused(platform_key: rsa.RSAPrivateKey) -> None:
    body = envelope(documented_transaction(), key=secrets.token_bytes(32))

    assert refused(body, headers(body, platform_key), platform_key) == "invalid_payload"


@pytest.mark.parametrize("age", [timedelta(minutes=6), -timedelta(minutes=6)])
def test_a_stale_or_future_timestamp_is_refused(platform_key: rsa.RSAPrivateKey, age: timedelta) -> None:
    body = envelope(documented_transaction())

    assert refused(body, headers(body, platform_key, at=NOW - age), platform_key) == "stale_notification"


def test_a_timestamp_within_five_minutes_is_accepted(platform_key: rsa.RSAPrivateKey) -> None:
    body = envelope(documented_transaction())

    assert verify(body, headers(body, platform_key, at=NOW - timedelta(minutes=4)), platform_key).notice


def test_an_unknown_serial_or_missing_headers_are_refused(platform_key: rsa.RSAPrivateKey) -> None:
    body = envelope(documented_transaction())
    signed = headers(body, platform_key)

    assert refused(body, headers(body, platform_key, serial="PUB_KEY_ID_OTHER"), platform_key) == "unknown_serial"
    assert refused(body, {k: v for k, v in signed.items() if k != "wechatpay-nonce"}, platform_key) == (
        "invalid_signature"
    )


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"mchid": "1900000999"}, "mchid_mismatch"),
        ({"appid": "wx0000000000000999"}, "app_id_mismatch"),
        (
            {"amount": {"total": 100, "payer_total": 100, "currency": "USD", "payer_currency": "USD"}},
            "currency_mismatch",
        ),
        ({"amount": {"total": "100", "currency": "CNY"}}, "invalid_payload"),
        ({"out_trade_no": None} | {"transaction_id": None}, "invalid_payload"),
    ],
)
def test_a_genuine_notification_that_is_not_this_merchants_payment_is_refused(
    platform_key: rsa.RSAPrivateKey, changes: dict[str, Any], code: str
) -> None:
    plain = documented_transaction(**changes)
    plain = {k: v for k, v in plain.items() if v is not None}
    body = envelope(plain)

    assert refused(body, headers(body, platform_key), platform_key) == code


@pytest.mark.parametrize(
    "body", [b"not json", b"[]", b'{"id": "EV-1"}', b'{"id":"EV-1","event_type":"X","resource":1}']
)
def test_a_signed_body_that_is_not_a_notification_is_refused(platform_key: rsa.RSAPrivateKey, body: bytes) -> None:
    assert refused(body, headers(body, platform_key), platform_key) == "invalid_payload"


def test_a_refused_notification_is_answered_4xx_with_code_and_message() -> None:
    error = InvalidRequest("the Wechatpay-Signature does not match this body", code="invalid_signature")

    assert wechat_pay.failure_answer(error) == (
        400,
        {"code": "FAIL", "message": "the Wechatpay-Signature does not match this body"},
    )


# --- the API, against the stand-in --------------------------------------------------------------------------


@pytest.fixture
def standin() -> WechatPayStandIn:
    return WechatPayStandIn(MCHID, APPID)


class Recording:
    def __init__(self, standin: WechatPayStandIn, change: Callable[[HttpResponse], HttpResponse] | None = None) -> None:
        self.standin = standin
        self.change = change
        self.requests: list[HttpRequest] = []

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        answer = self.standin(request)
        return self.change(answer) if self.change else answer


def provider(standin: WechatPayStandIn, transport: Any = None, clock: Any = None) -> WechatPayCheckout:
    return WechatPayCheckout(
        standin.credentials(),
        transport or standin,
        notify_url="https://api.example.com/v1/webhooks/wechatpay",
        expires_in=timedelta(minutes=30),
        clock=clock or (lambda: datetime.now(UTC)),
    )


def test_native_checkout_is_a_signed_prepay_giving_the_code_url(standin: WechatPayStandIn) -> None:
    transport = Recording(standin)
    merchant_key = load_private_key(standin.credentials().merchant_private_key_pem)

    answer = provider(standin, transport).checkout(
        order_id="01JORDER", amount=500, currency="cny", description="Game card 100", email="", return_url=""
    )

    assert answer["code_url"].startswith("weixin://wxpay/bizpayurl?pr=")
    [request] = transport.requests
    assert (request.method, request.url) == ("POST", "https://api.mch.weixin.qq.com/v3/pay/transactions/native")
    body = json.loads(request.body)
    assert body | {"time_expire": ""} == {
        "appid": standin.appid,
        "mchid": standin.mchid,
        "description": "Game card 100",
        "out_trade_no": "01JORDER",
        "time_expire": "",
        "notify_url": "https://api.example.com/v1/webhooks/wechatpay",
        "amount": {"total": 500, "currency": "CNY"},
    }
    assert body["time_expire"].endswith("+08:00")
    # The Authorization header, checked by WeChat Pay's rule written out here.
    scheme, _, fields = request.headers["Authorization"].partition(" ")
    auth = dict(item.split("=", 1) for item in fields.split(","))
    auth = {k: v.strip('"') for k, v in auth.items()}
    assert (scheme, auth["mchid"], auth["serial_no"]) == (
        "WECHATPAY2-SHA256-RSA2048",
        standin.mchid,
        standin.MERCHANT_SERIAL,
    )
    message = f"POST\n/v3/pay/transactions/native\n{auth['timestamp']}\n{auth['nonce_str']}\n{request.body.decode()}\n"
    merchant_key.public_key().verify(
        base64.b64decode(auth["signature"]), message.encode(), padding.PKCS1v15(), hashes.SHA256()
    )


def test_h5_checkout_sends_the_buyer_back_to_the_order_page(standin: WechatPayStandIn) -> None:
    transport = Recording(standin)

    answer = provider(standin, transport).mobile_checkout(
        order_id="01JORDER",
        amount=500,
        currency="CNY",
        description="d",
        return_url="https://shop.example/o/01JORDER?t=x",
        device=BuyerDevice(mobile=True, ip="203.0.113.7"),
    )

    assert answer["h5_url"].endswith("&redirect_url=https%3A%2F%2Fshop.example%2Fo%2F01JORDER%3Ft%3Dx")
    assert transport.requests[0].url.endswith("/v3/pay/transactions/h5")
    assert json.loads(transport.requests[0].body)["scene_info"] == {
        "payer_client_ip": "203.0.113.7",
        "h5_info": {"type": "Wap"},
    }


def test_checkout_takes_yuan_only(standin: WechatPayStandIn) -> None:
    with pytest.raises(InvalidRequest) as raised:
        provider(standin).checkout(order_id="o", amount=500, currency="usd", description="", email="", return_url="")

    assert raised.value.code == "currency_not_supported"


def test_reconciliation_finds_the_payment_once_paid_and_the_notification_agrees(standin: WechatPayStandIn) -> None:
    wechat = provider(standin)
    assert wechat.find_payments("01JORDER") == []
    wechat.checkout(order_id="01JORDER", amount=500, currency="cny", description="d", email="", return_url="")
    assert wechat.find_payments("01JORDER") == []

    notification = standin.pay("01JORDER", 500)

    [payment] = wechat.find_payments("01JORDER")
    assert (payment.order_id, payment.amount, payment.currency, payment.provider) == (
        "01JORDER",
        500,
        "cny",
        "wechat_pay",
    )
    assert wechat.verify_notification(notification.headers, notification.body).notice == payment
    assert wechat.order_for_payment(payment_ref=payment.payment_ref, charge=None) == "01JORDER"
    assert wechat.order_for_payment(payment_ref="4200000000000000000000000000", charge=None) is None


def test_a_refund_is_made_once_per_idempotency_key_and_its_notification_reads_back(standin: WechatPayStandIn) -> None:
    wechat = provider(standin)
    standin.pay("01JORDER", 500)
    [payment] = wechat.find_payments("01JORDER")

    first = wechat.refund(payment_ref=payment.payment_ref, amount=200, idempotency_key="refund-a")
    again = wechat.refund(payment_ref=payment.payment_ref, amount=200, idempotency_key="refund-a")

    assert first == again
    notice = wechat.verify_notification(*_parts(standin.refund_notification("refund-a"))).notice
    assert isinstance(notice, RefundNotice)
    assert (notice.refund_id, notice.amount, notice.order_id) == (first, 200, "01JORDER")
    with pytest.raises(PaymentGatewayError, match="NOT_ENOUGH"):
        wechat.refund(payment_ref=payment.payment_ref, amount=400, idempotency_key="refund-b")


def _parts(notification: Any) -> tuple[dict[str, str], bytes]:
    return notification.headers, notification.body


def test_close_at_expiry_closes_an_unpaid_transaction_and_reports_a_paid_one(standin: WechatPayStandIn) -> None:
    wechat = provider(standin)
    for order_id in ("01JUNPAID", "01JPAID"):
        wechat.checkout(order_id=order_id, amount=100, currency="cny", description="d", email="", return_url="")
    standin.pay("01JPAID", 100)

    assert wechat.close("01JUNPAID") is True
    assert wechat.close("01JNEVER") is True
    assert wechat.close("01JPAID") is False


def test_an_answer_whose_signature_does_not_match_is_not_believed(standin: WechatPayStandIn) -> None:
    standin.pay("01JORDER", 500)

    def understate(answer: HttpResponse) -> HttpResponse:
        return HttpResponse(answer.status, answer.body.replace(b'"total": 500', b'"total": 1'), answer.headers)

    with pytest.raises(PaymentGatewayError, match="Signature"):
        provider(standin, Recording(standin, understate)).find_payments("01JORDER")


def test_a_request_signed_with_a_stale_clock_is_refused_by_wechat_pay(standin: WechatPayStandIn) -> None:
    late = provider(standin, clock=lambda: datetime.now(UTC) - timedelta(minutes=10))

    with pytest.raises(PaymentGatewayError, match="SIGN_ERROR"):
        late.checkout(order_id="01JORDER", amount=100, currency="cny", description="d", email="", return_url="")


def test_the_sandbox_pays_with_wechat_pays_own_signed_notification_for_faka_to_verify() -> None:
    standins = ProviderStandIns(InMemoryAmountSlots())

    notification = standins.pay("wechat_pay", order_id="01JORDER", amount=500)

    assert notification is not None
    assert (notification.provider, notification.path) == ("wechat_pay", "/v1/webhooks/wechatpay")
    assert notification.headers["Wechatpay-Serial"] == standins.wechat_pay.PLATFORM_SERIAL
    verified = provider(standins.wechat_pay).verify_notification(notification.headers, notification.body)
    assert verified.notice == provider(standins.wechat_pay).find_payments("01JORDER")[0]
