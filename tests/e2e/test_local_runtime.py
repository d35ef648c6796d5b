"""The local runtime as a storefront, a buyer and an operator see it: HTTP only."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest

from faka import resources
from faka.payments.stripe_signing import stripe_signature
from faka.payments.stripe_webhook import checkout_completed_event
from tests.e2e.conftest import ADMIN_TOKEN, ORIGIN_VERIFY_SECRET, WEBHOOK_SECRET, LocalFaka

pytestmark = pytest.mark.e2e

# A bound against hangs, not a target: on a busy 2-core machine a queue hop behind backed-off idle pollers and a
# browser test in the other worker can take well over 10 s.
DELIVERY_TIMEOUT_SECONDS = 45


def eventually(probe: Callable[[], Any], what: str, timeout: float = DELIVERY_TIMEOUT_SECONDS) -> Any:
    """The first truthy result of ``probe``, polling until ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout} s")
        time.sleep(0.2)


def place_order(local_faka: LocalFaka, email: str, sku: str = "steam-20-us", **extra: Any) -> dict[str, Any]:
    response = local_faka.post("/v1/orders", json={"sku": sku, "quantity": 1, "email": email, "locale": "en"}, **extra)
    assert response.status_code == 201, response.text
    order: dict[str, Any] = response.json()
    return order


def assert_problem(response: Any, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body["code"], str)
    assert isinstance(body["message"], str)
    if code:
        assert body["code"] == code


def test_health_and_the_openapi_document(local_faka: LocalFaka) -> None:
    assert local_faka.get("/v1/health").status_code == 200

    document = local_faka.get("/v1/openapi.json").json()

    assert {
        "/v1/products",
        "/v1/orders",
        "/v1/orders/{order_id}",
        "/v1/webhooks/stripe",
        "/v1/admin/products",
        "/v1/admin/products/{sku}/keys",
    } <= set(document["paths"])


def test_the_default_shop_and_another_shop_list_their_products(local_faka: LocalFaka) -> None:
    main = local_faka.get("/v1/products").json()["products"]
    moon = local_faka.get("/v1/products", headers={"X-Faka-Shop": "moon"}).json()["products"]

    assert "steam-20-us" in {p["sku"] for p in main}
    assert "apple-100-cn" in {p["sku"] for p in moon}
    assert not {p["sku"] for p in main} & {p["sku"] for p in moon}
    for product in main + moon:
        assert {"sku", "name", "price", "currency", "region", "platform", "stock"} <= set(product)
        assert isinstance(product["price"], int)
        assert product["currency"] == product["currency"].lower()
        # Other tests buy from the same local shops, so a product may be sold out by now.
        assert isinstance(product["stock"], int)
        assert product["stock"] >= 0


def test_a_sandbox_payment_delivers_the_key_on_the_order_page_and_by_email(local_faka: LocalFaka) -> None:
    buyer = f"buyer-{uuid.uuid4().hex[:8]}@example.com"
    order = place_order(local_faka, buyer)
    assert order["status"] == "pending_payment"
    # The sandbox's checkout page returns the buyer to their order page, as Stripe's success_url does.
    order_page = quote(f"{local_faka.api_url}/o/{order['order_id']}", safe="")
    assert (
        order["payment"]["checkout_url"]
        == f"{local_faka.api_url}/_local/pay/{order['order_id']}?return_url={order_page}"
    )
    assert "Pay" in local_faka.get(f"/_local/pay/{order['order_id']}").text

    paid = local_faka.post(f"/_local/pay/{order['order_id']}")
    assert paid.status_code == 200, paid.text
    assert paid.json()["paid"] is True
    assert paid.json()["webhook_status"] == 200

    owner = {"Authorization": f"Bearer {order['access_token']}"}

    def delivered() -> dict[str, Any] | None:
        view: dict[str, Any] = local_faka.get(f"/v1/orders/{order['order_id']}", headers=owner).json()
        return view if view["status"] == "delivered" else None

    [key] = eventually(delivered, "delivery")["keys"]

    def delivery_email() -> dict[str, Any] | None:
        messages = local_faka.get("/_local/outbox").json()["messages"]
        return next((m for m in messages if m["channel"] == "email" and m["to"] == buyer), None)

    mail = eventually(delivery_email, "the delivery email")
    assert key["code"] in mail["text"]
    assert key["code"] in mail["html"]
    assert key["code"] not in mail["subject"]
    assert mail["sent_at"]


def test_an_unknown_order_cannot_be_paid(local_faka: LocalFaka) -> None:
    assert_problem(local_faka.post("/_local/pay/0123456789abcdef0123456789abcdef"), 404)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        pytest.param('{"sku": "steam-20-us", ', 400, "malformed_json", id="malformed JSON"),
        pytest.param('{"sku": "steam-20-us", "quantity": 0, "email": "b@example.com"}', 400, None, id="quantity 0"),
        pytest.param(
            '{"sku": "no-such-card", "quantity": 1, "email": "b@example.com"}', 404, "unknown_sku", id="unknown sku"
        ),
        pytest.param('{"sku": "steam-20-us", "quantity": 1, "email": "not-an-email"}', 400, None, id="invalid email"),
    ],
)
def test_a_bad_order_is_refused_with_a_problem(local_faka: LocalFaka, body: str, status: int, code: str | None) -> None:
    response = local_faka.post("/v1/orders", data=body, headers={"Content-Type": "application/json"})

    assert_problem(response, status, code)


def test_a_webhook_with_a_bad_signature_is_refused(local_faka: LocalFaka) -> None:
    order = place_order(local_faka, "forger@example.com")
    body = checkout_completed_event(
        event_id=f"evt_{uuid.uuid4().hex}",
        session_id="cs_forged",
        order_id=order["order_id"],
        amount=order["amount"],
        currency=order["currency"],
        email="forger@example.com",
    )

    response = local_faka.post(
        "/v1/webhooks/stripe", data=body, headers={"Stripe-Signature": stripe_signature(body, "whsec_wrong")}
    )

    assert_problem(response, 400, "invalid_signature")
    owner = {"Authorization": f"Bearer {order['access_token']}"}
    assert local_faka.get(f"/v1/orders/{order['order_id']}", headers=owner).json()["status"] == "pending_payment"


def test_a_correctly_signed_webhook_is_accepted(local_faka: LocalFaka) -> None:
    order = place_order(local_faka, "direct@example.com", sku="apple-100-cn", headers={"X-Faka-Shop": "moon"})
    body = checkout_completed_event(
        event_id=f"evt_{uuid.uuid4().hex}",
        session_id=f"cs_{uuid.uuid4().hex}",
        order_id=order["order_id"],
        amount=order["amount"],
        currency=order["currency"],
        email="direct@example.com",
    )

    response = local_faka.post(
        "/v1/webhooks/stripe", data=body, headers={"Stripe-Signature": stripe_signature(body, WEBHOOK_SECRET)}
    )

    assert response.status_code == 200, response.text
    assert response.json()["result"] == "delivered"


def test_the_wrong_token_does_not_show_an_order(local_faka: LocalFaka) -> None:
    order = place_order(local_faka, "owner@example.com")

    response = local_faka.get(f"/v1/orders/{order['order_id']}", headers={"Authorization": "Bearer not-the-token"})

    assert_problem(response, 404)


def test_unknown_paths_are_a_problem_too(local_faka: LocalFaka) -> None:
    assert_problem(local_faka.get("/nowhere"), 404, "no_route")
    assert_problem(local_faka.get("/v1/nowhere"), 404, "no_route")


def test_the_emulator_answers_like_aws(local_faka: LocalFaka) -> None:
    dynamodb = local_faka.aws("dynamodb")

    tables = set(dynamodb.list_tables()["TableNames"])

    assert {
        resources.CATALOG_TABLE,
        resources.KEYS_TABLE,
        resources.ORDERS_TABLE,
        resources.IDEMPOTENCY_TABLE,
    } <= tables


def test_the_buyer_ip_and_country_come_from_the_forwarding_headers(local_faka: LocalFaka) -> None:
    forwarded = place_order(
        local_faka,
        "proxied@example.com",
        headers={
            "X-Forwarded-For": "203.0.113.9, 10.0.0.1",
            "CloudFront-Viewer-Country": "DE",
            resources.ORIGIN_VERIFY_HEADER: ORIGIN_VERIFY_SECRET,
        },
    )
    direct = place_order(local_faka, "direct-ip@example.com")
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

    forwarded_view = local_faka.get(f"/v1/admin/orders/{forwarded['order_id']}", headers=admin).json()
    direct_view = local_faka.get(f"/v1/admin/orders/{direct['order_id']}", headers=admin).json()

    assert (forwarded_view["buyer_ip"], forwarded_view["buyer_country"]) == ("203.0.113.9", "DE")
    assert direct_view["buyer_ip"] == "127.0.0.1"


def test_a_browser_pays_on_the_checkout_page(local_faka: LocalFaka) -> None:
    order = place_order(local_faka, "browser@example.com", sku="psn-50-hk")

    page = local_faka.post(
        f"/_local/pay/{order['order_id']}", data="", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )

    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Paid" in page.text


def underpaid_order(local_faka: LocalFaka) -> dict[str, Any]:
    """A moon order paid one cent short through a Stripe-signed webhook: held, and its operators alerted."""
    order = place_order(local_faka, "short@example.com", sku="apple-100-cn", headers={"X-Faka-Shop": "moon"})
    body = checkout_completed_event(
        event_id=f"evt_{uuid.uuid4().hex}",
        session_id=f"cs_{uuid.uuid4().hex}",
        order_id=order["order_id"],
        amount=order["amount"] - 1,
        currency=order["currency"],
        email="short@example.com",
    )
    response = local_faka.post(
        "/v1/webhooks/stripe", data=body, headers={"Stripe-Signature": stripe_signature(body, WEBHOOK_SECRET)}
    )
    assert response.json()["result"] == "flagged"
    return order


def test_a_payment_that_does_not_match_alerts_the_shop_operators(local_faka: LocalFaka) -> None:
    order = underpaid_order(local_faka)

    def alert() -> dict[str, Any] | None:
        alerts = local_faka.get("/_local/operator-alerts").json()["alerts"]
        return next((a for a in alerts if order["order_id"] in a["subject"]), None)

    assert eventually(alert, "the operator alert")["shop_id"] == "moon"
