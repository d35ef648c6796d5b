"""Alipay (RSA2): signed page/WAP pay URLs, verified notifications, and the query/refund/close APIs.

Keys are generated here. Notifications take the shape of Alipay's documented example of an asynchronous
notification (the field set of its ``trade_status_sync`` sample), and the text to sign is built in this file
from Alipay's rule, independently of the module, so a mistake in the module's signing cannot pass unseen.
The APIs are exercised against the local stand-in of Alipay's gateway, which checks faka's signatures.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from faka.errors import Conflict, InvalidRequest
from faka.payments import alipay
from faka.payments.alipay import AlipayCheckout
from faka.payments.devices import BuyerDevice
from faka.payments.gateway import (
    HttpRequest,
    HttpResponse,
    HttpTransport,
    Ignored,
    PaymentGatewayError,
    VerifiedNotice,
    urllib_transport,
)
from faka.payments.usdt_trc20 import InMemoryAmountSlots
from faka.shared.model import PaymentConfirmation
from faka_local.provider_standins import AlipayGatewayStandIn, ProviderStandIns

APP_ID = "2021000000000001"
SELLER_ID = "2088000000000001"
NOW = datetime(2026, 12, 6, 6, 30, tzinfo=UTC)  # 14:30 in Beijing


@pytest.fixture(scope="module")
def alipay_key() -> rsa.RSAPrivateKey:
    """Alipay's own key: it signs notifications and answers; faka holds the public half."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def stranger_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def rsa2(key: rsa.RSAPrivateKey, fields: dict[str, str], *, leave_out: tuple[str, ...]) -> str:
    """Alipay's rule, written out: non-empty fields but ``leave_out``, sorted by name, ``k=v`` joined by ``&``."""
    content = "&".join(f"{k}={v}" for k, v in sorted(fields.items()) if k not in leave_out and v)
    return base64.b64encode(key.sign(content.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def documented_notification(key: rsa.RSAPrivateKey, **changes: str) -> dict[str, str]:
    """Alipay's documented notification fields (trade_status_sync), signed as Alipay signs them."""
    fields = {
        "gmt_create": "2026-12-06 14:29:01",
        "charset": "utf-8",
        "seller_email": "shop@example.com",
        "subject": "Game card 100",
        "buyer_id": "2088102177846880",
        "invoice_amount": "88.88",
        "notify_id": "2026120600222142903097031468950829",
        "fund_bill_list": '[{"amount":"88.88","fundChannel":"ALIPAYACCOUNT"}]',
        "notify_type": "trade_status_sync",
        "trade_status": "TRADE_SUCCESS",
        "receipt_amount": "88.88",
        "app_id": APP_ID,
        "buyer_pay_amount": "88.88",
        "sign_type": "RSA2",
        "seller_id": SELLER_ID,
        "gmt_payment": "2026-12-06 14:29:03",
        "notify_time": "2026-12-06 14:29:03",
        "version": "1.0",
        "out_trade_no": "01JEXAMPLEORDER0000000000A",
        "total_amount": "88.88",
        "trade_no": "2026120622001446881439283941",
        "auth_app_id": APP_ID,
        "buyer_logon_id": "buy***@example.com",
        "point_amount": "0.00",
    }
    fields.update(changes)
    return {**fields, "sign": rsa2(key, fields, leave_out=("sign", "sign_type"))}


def verify(body: str | dict[str, str], key: rsa.RSAPrivateKey) -> VerifiedNotice[PaymentConfirmation | Ignored]:
    return alipay.verify_notification(body, app_id=APP_ID, alipay_public_key=key.public_key(), seller_id=SELLER_ID)


# --- notifications ------------------------------------------------------------------------------------------


def test_a_documented_notification_is_the_order_paid_in_fen(alipay_key: rsa.RSAPrivateKey) -> None:
    verified = verify(urlencode(documented_notification(alipay_key)), alipay_key)

    assert verified == VerifiedNotice(
        "alipay:2026120622001446881439283941:TRADE_SUCCESS",
        PaymentConfirmation("01JEXAMPLEORDER0000000000A", 8888, "cny", "alipay", "2026120622001446881439283941"),
    )


def test_trade_finished_is_the_same_payment(alipay_key: rsa.RSAPrivateKey) -> None:
    finished = verify(documented_notification(alipay_key, trade_status="TRADE_FINISHED"), alipay_key)
    success = verify(documented_notification(alipay_key), alipay_key)

    assert finished.notice == success.notice


def test_a_replayed_notification_parses_the_same_for_the_caller_to_deduplicate(alipay_key: rsa.RSAPrivateKey) -> None:
    body = urlencode(documented_notification(alipay_key))

    assert verify(body, alipay_key) == verify(body, alipay_key)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"trade_status": "WAIT_BUYER_PAY"}, "trade_status WAIT_BUYER_PAY"),
        ({"trade_status": "TRADE_CLOSED"}, "trade_status TRADE_CLOSED"),
        ({"refund_fee": "10.00", "gmt_refund": "2026-12-06 15:00:00.000", "out_biz_no": "refund-1"}, "a refund"),
    ],
)
def test_a_genuine_notification_of_no_payment_is_acknowledged_and_ignored(
    alipay_key: rsa.RSAPrivateKey, changes: dict[str, str], reason: str
) -> None:
    verified = verify(documented_notification(alipay_key, **changes), alipay_key)

    assert isinstance(verified.notice, Ignored)
    assert verified.notice.reason.startswith(reason)


def refused(body: str | dict[str, str], key: rsa.RSAPrivateKey) -> str:
    with pytest.raises(InvalidRequest) as raised:
        verify(body, key)
    return raised.value.code


def test_a_notification_signed_by_another_key_is_refused(
    alipay_key: rsa.RSAPrivateKey, stranger_key: rsa.RSAPrivateKey
) -> None:
    assert refused(documented_notification(stranger_key), alipay_key) == "invalid_signature"


def test_a_tampered_amount_is_refused(alipay_key: rsa.RSAPrivateKey) -> None:
    tampered = {**documented_notification(alipay_key), "total_amount": "0.01"}

    assert refused(tampered, alipay_key) == "invalid_signature"


def test_a_notification_without_its_sign_or_with_rsa1_is_refused(alipay_key: rsa.RSAPrivateKey) -> None:
    genuine = documented_notification(alipay_key)

    assert refused({k: v for k, v in genuine.items() if k != "sign"}, alipay_key) == "invalid_signature"
    assert refused({**genuine, "sign_type": "RSA"}, alipay_key) == "invalid_signature"
    assert refused({**genuine, "sign": "not base64!"}, alipay_key) == "invalid_signature"


def test_a_genuine_notification_for_another_application_or_seller_is_refused(alipay_key: rsa.RSAPrivateKey) -> None:
    assert refused(documented_notification(alipay_key, app_id="2021000000009999"), alipay_key) == "app_id_mismatch"
    assert refused(documented_notification(alipay_key, seller_id="2088000000009999"), alipay_key) == "seller_mismatch"


def test_a_notification_in_another_currency_is_refused(alipay_key: rsa.RSAPrivateKey) -> None:
    assert refused(documented_notification(alipay_key, trans_currency="USD"), alipay_key) == "currency_mismatch"


@pytest.mark.parametrize(
    "changes",
    [{"total_amount": "88.888"}, {"total_amount": "-1.00"}, {"trade_status": "TRADE_PENDING"}, {"trade_no": ""}],
)
def test_a_signed_notification_faka_cannot_read_is_refused(
    alipay_key: rsa.RSAPrivateKey, changes: dict[str, str]
) -> None:
    assert refused(documented_notification(alipay_key, **changes), alipay_key) == "invalid_payload"


@pytest.mark.parametrize(
    ("body", "code"),
    [("a=1&a=2", "invalid_payload"), ("sign_type=RSA2&b", "invalid_payload"), ("", "invalid_signature")],
)
def test_a_body_that_is_not_one_signed_form_is_refused(alipay_key: rsa.RSAPrivateKey, body: str, code: str) -> None:
    assert refused(body, alipay_key) == code


def test_a_repeated_field_is_refused_before_its_signature_is_read(alipay_key: rsa.RSAPrivateKey) -> None:
    genuine = urlencode(documented_notification(alipay_key))

    assert refused(f"{genuine}&total_amount=0.01", alipay_key) == "invalid_payload"


# --- checkout -----------------------------------------------------------------------------------------------


@pytest.fixture
def gateway() -> AlipayGatewayStandIn:
    return AlipayGatewayStandIn(APP_ID, SELLER_ID)


def provider(gateway: AlipayGatewayStandIn, transport: HttpTransport | None = None) -> AlipayCheckout:
    return AlipayCheckout(
        gateway.credentials(),
        transport or gateway,
        notify_url="https://api.example.com/v1/webhooks/alipay",
        expires_in=timedelta(minutes=30),
        clock=lambda: NOW,
    )


def signed_query(url: str, gateway: AlipayGatewayStandIn) -> dict[str, str]:
    """The URL's parameters, after checking their sign with the application's public key, by Alipay's rule."""
    params = dict(parse_qsl(urlsplit(url).query))
    app_public = alipay.load_private_key(gateway.credentials().app_private_key_pem).public_key()
    content = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "sign" and v)
    app_public.verify(base64.b64decode(params["sign"]), content.encode(), padding.PKCS1v15(), hashes.SHA256())
    return params


def test_page_pay_is_a_signed_gateway_url_in_yuan_expiring_in_beijing_time(gateway: AlipayGatewayStandIn) -> None:
    answer = provider(gateway).checkout(
        order_id="01JORDER",
        amount=8888,
        currency="cny",
        description="Game card / 100",
        email="",
        return_url="https://s/o",
    )

    assert answer["provider"] == "alipay"
    assert answer["checkout_url"].startswith(alipay.GATEWAY_URL + "?")
    params = signed_query(answer["checkout_url"], gateway)
    assert params | {"sign": "", "biz_content": ""} == {
        "app_id": APP_ID,
        "method": "alipay.trade.page.pay",
        "format": "JSON",
        "charset": "utf-8",
        "sign_type": "RSA2",
        "timestamp": "2026-12-06 14:30:00",
        "version": "1.0",
        "return_url": "https://s/o",
        "notify_url": "https://api.example.com/v1/webhooks/alipay",
        "sign": "",
        "biz_content": "",
    }
    assert json.loads(params["biz_content"]) == {
        "out_trade_no": "01JORDER",
        "total_amount": "88.88",
        "subject": "Game card   100",
        "product_code": "FAST_INSTANT_TRADE_PAY",
        "time_expire": "2026-12-06 15:00:00",
    }
    assert gateway.accept_page(answer["checkout_url"])["out_trade_no"] == "01JORDER"


def test_wap_pay_names_its_product_and_where_a_buyer_who_gives_up_returns(gateway: AlipayGatewayStandIn) -> None:
    answer = provider(gateway).mobile_checkout(
        order_id="01JORDER",
        amount=5,
        currency="CNY",
        description="x",
        return_url="https://s/o",
        device=BuyerDevice(mobile=True, ip="203.0.113.7"),
    )

    biz = json.loads(signed_query(answer["checkout_url"], gateway)["biz_content"])
    assert (biz["product_code"], biz["quit_url"], biz["total_amount"]) == ("QUICK_WAP_WAY", "https://s/o", "0.05")
    assert signed_query(answer["checkout_url"], gateway)["method"] == "alipay.trade.wap.pay"


def test_checkout_takes_yuan_only(gateway: AlipayGatewayStandIn) -> None:
    with pytest.raises(InvalidRequest) as raised:
        provider(gateway).checkout(order_id="o", amount=100, currency="usd", description="", email="", return_url="")

    assert raised.value.code == "currency_not_supported"


# --- query, refund, close -------------------------------------------------------------------------------------


def test_reconciliation_finds_the_payment_only_once_the_trade_is_paid(gateway: AlipayGatewayStandIn) -> None:
    alipay_provider = provider(gateway)
    assert alipay_provider.find_payments("01JORDER") == []
    gateway.accept_page(
        alipay_provider.checkout(
            order_id="01JORDER", amount=8888, currency="cny", description="d", email="", return_url="https://s/o"
        )["checkout_url"]
    )
    assert alipay_provider.find_payments("01JORDER") == []

    notification = gateway.pay("01JORDER", 8888)

    [payment] = alipay_provider.find_payments("01JORDER")
    assert (payment.order_id, payment.amount, payment.currency, payment.provider) == ("01JORDER", 8888, "cny", "alipay")
    assert alipay_provider.verify_notification(notification.body.decode()).notice == payment
    assert alipay_provider.order_for_payment(payment_ref=payment.payment_ref, charge=None) == "01JORDER"
    assert alipay_provider.order_for_payment(payment_ref="2026000000000000000000000000", charge=None) is None


def test_a_refund_is_paid_once_per_idempotency_key_and_never_beyond_the_payment(gateway: AlipayGatewayStandIn) -> None:
    alipay_provider = provider(gateway)
    gateway.pay("01JORDER", 8888)
    [payment] = alipay_provider.find_payments("01JORDER")

    first = alipay_provider.refund(payment_ref=payment.payment_ref, amount=1000, idempotency_key="refund-a")
    again = alipay_provider.refund(payment_ref=payment.payment_ref, amount=1000, idempotency_key="refund-a")
    long_key = "duplicate-" + "x" * 80
    alipay_provider.refund(payment_ref=payment.payment_ref, amount=1000, idempotency_key=long_key)

    assert first == again == "refund-a"
    refunds = gateway.refunds()["01JORDER"]
    assert sum(refunds.values()) == 2000
    assert all(len(request_no) <= 64 for request_no in refunds)
    with pytest.raises(Conflict) as raised:
        alipay_provider.refund(payment_ref=payment.payment_ref, amount=7000, idempotency_key="refund-b")
    assert raised.value.code == "refund_exceeds_payment"


def test_close_at_expiry_closes_an_unpaid_trade_and_reports_a_paid_one(gateway: AlipayGatewayStandIn) -> None:
    alipay_provider = provider(gateway)
    for order_id in ("01JUNPAID", "01JPAID"):
        gateway.accept_page(
            alipay_provider.checkout(
                order_id=order_id, amount=100, currency="cny", description="d", email="", return_url="https://s/o"
            )["checkout_url"]
        )
    gateway.pay("01JPAID", 100)

    assert alipay_provider.close("01JUNPAID") is True
    assert alipay_provider.close("01JNEVEROPENED") is True
    assert alipay_provider.close("01JPAID") is False


class Recording:
    """Passes requests to the stand-in and lets a test change the answer on the way back."""

    def __init__(
        self, gateway: AlipayGatewayStandIn, change: Callable[[HttpResponse], HttpResponse] | None = None
    ) -> None:
        self.gateway = gateway
        self.change = change
        self.requests: list[HttpRequest] = []

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        answer = self.gateway(request)
        return self.change(answer) if self.change else answer


def test_api_calls_are_signed_form_posts(gateway: AlipayGatewayStandIn) -> None:
    transport = Recording(gateway)
    provider(gateway, transport).find_payments("01JORDER")

    [request] = transport.requests
    form = dict(parse_qsl(request.body.decode()))
    assert (request.method, request.url) == ("POST", alipay.GATEWAY_URL)
    assert request.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert (form["method"], json.loads(form["biz_content"])) == ("alipay.trade.query", {"out_trade_no": "01JORDER"})
    signed_query("https://x/?" + request.body.decode(), gateway)


def test_an_answer_whose_sign_does_not_match_is_not_believed(gateway: AlipayGatewayStandIn) -> None:
    gateway.pay("01JORDER", 8888)

    def understate(answer: HttpResponse) -> HttpResponse:
        return HttpResponse(answer.status, answer.body.replace(b'"88.88"', b'"0.01"'), answer.headers)

    with pytest.raises(PaymentGatewayError, match="sign"):
        provider(gateway, Recording(gateway, understate)).find_payments("01JORDER")


def test_an_answer_is_verified_over_its_text_as_sent(alipay_key: rsa.RSAPrivateKey) -> None:
    # Alipay's documented answer shape, with spacing json.dumps would not produce: the sign covers these bytes.
    inner = '{"code": "10000",  "msg":"Success", "trade_no":"2026120622001446881439283941", "total_amount":"88.88"}'
    sign = base64.b64encode(alipay_key.sign(inner.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()
    text = f'{{"alipay_trade_query_response": {inner},\n "sign":"{sign}"}}'

    answer = alipay.verify_response(text, "alipay.trade.query", alipay_key.public_key())

    assert answer["total_amount"] == "88.88"
    with pytest.raises(PaymentGatewayError):
        alipay.verify_response(text.replace("88.88", "98.88"), "alipay.trade.query", alipay_key.public_key())
    with pytest.raises(PaymentGatewayError):
        alipay.verify_response(text, "alipay.trade.refund", alipay_key.public_key())


def test_an_http_failure_is_a_gateway_error(gateway: AlipayGatewayStandIn) -> None:
    def unavailable(request: HttpRequest) -> HttpResponse:
        return HttpResponse(502, b"Bad Gateway")

    with pytest.raises(PaymentGatewayError, match="502"):
        provider(gateway, unavailable).find_payments("01JORDER")


def test_the_sandbox_pays_with_alipays_own_signed_notification_for_faka_to_verify() -> None:
    standins = ProviderStandIns(InMemoryAmountSlots())

    notification = standins.pay("alipay", order_id="01JORDER", amount=8888)

    assert notification is not None
    assert (notification.provider, notification.path) == ("alipay", "/v1/webhooks/alipay")
    assert notification.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    verified = provider(standins.alipay).verify_notification(notification.body.decode())
    assert verified.notice == provider(standins.alipay).find_payments("01JORDER")[0]


def test_the_real_transport_speaks_https_only_and_reports_no_answer_as_a_gateway_error() -> None:
    with pytest.raises(PaymentGatewayError, match="https only"):
        urllib_transport(HttpRequest("POST", "http://openapi.alipay.com/gateway.do"))
    with pytest.raises(PaymentGatewayError, match="no answer"):
        urllib_transport(HttpRequest("POST", "https://127.0.0.1:9/gateway.do"))  # the discard port: refused
