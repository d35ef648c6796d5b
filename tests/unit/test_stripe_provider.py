"""The real StripeCheckout and Stripe SDK against a stub of Stripe's API on 127.0.0.1.

The stub answers with Stripe's published example objects (tests/fixtures/stripe), changed only where a test
needs a value, and records every request, so the tests see what the SDK puts on the wire (path, form
fields, Idempotency-Key) and how the provider reads Stripe's answers. Nothing leaves the machine.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import stripe

from faka.payments.providers import StripeCheckout
from faka.shared.model import PaymentConfirmation

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "stripe"
API_KEY = "sk_test_faka_stub"


def fixture(name: str, **changes: Any) -> dict[str, Any]:
    obj: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    obj.update(changes)
    return obj


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]


@dataclass
class StripeStub:
    """Answers each (method, path) with the replies queued for it, the last one again once the others are used."""

    url: str = ""
    requests: list[Request] = field(default_factory=list)
    replies: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)

    def reply(self, method: str, path: str, body: dict[str, Any], status: int = 200) -> None:
        self.replies.setdefault((method, path), []).append((status, body))

    def answer(self, request: Request) -> tuple[int, dict[str, Any]]:
        self.requests.append(request)
        queued = self.replies.get((request.method, request.path))
        if not queued:
            return 404, {"error": {"type": "invalid_request_error", "message": f"stub: no reply for {request.path}"}}
        return queued.pop(0) if len(queued) > 1 else queued[0]


def _single(values: dict[str, list[str]]) -> dict[str, str]:
    return {name: value[-1] for name, value in values.items()}


@pytest.fixture
def stub() -> Iterator[StripeStub]:
    stripe_stub = StripeStub()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            target = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            request = Request(
                self.command,
                target.path,
                _single(parse_qs(target.query)),
                _single(parse_qs(body)),
                {name.lower(): value for name, value in self.headers.items()},
            )
            status, reply = stripe_stub.answer(request)
            payload = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Request-Id", f"req_stub_{len(stripe_stub.requests)}")
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the test's assertions are the record

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stripe_stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield stripe_stub
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def provider(stub: StripeStub) -> StripeCheckout:
    # Built as faka.wiring builds it, only pointed at the stub.
    client = stripe.StripeClient(API_KEY, base_addresses={"api": stub.url})
    return StripeCheckout(client, "https://shop.example")


def test_checkout_opens_a_session_carrying_the_order_to_the_payment_intent(
    stub: StripeStub, provider: StripeCheckout
) -> None:
    session = fixture("checkout.session")
    stub.reply("POST", "/v1/checkout/sessions", session)

    started = provider.checkout(
        order_id="ord1",
        amount=2000,
        currency="usd",
        description="Steam $20 × 1",
        email="buyer@example.com",
        return_url="https://shop.example/o/ord1",
    )

    assert started == {"provider": "stripe", "checkout_url": session["url"], "session_id": session["id"]}
    [request] = stub.requests
    assert (request.method, request.path) == ("POST", "/v1/checkout/sessions")
    assert request.headers["idempotency-key"] == "checkout-ord1"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.form == {
        "mode": "payment",
        "client_reference_id": "ord1",
        "metadata[order_id]": "ord1",
        "payment_intent_data[metadata][order_id]": "ord1",
        "customer_email": "buyer@example.com",
        "line_items[0][quantity]": "1",
        "line_items[0][price_data][currency]": "usd",
        "line_items[0][price_data][unit_amount]": "2000",
        "line_items[0][price_data][product_data][name]": "Steam $20 × 1",
        "success_url": "https://shop.example/o/ord1",
        "cancel_url": "https://shop.example",
        "payment_method_types[0]": "card",
    }


def test_a_shop_offering_alipay_and_wechat_pay_through_stripe_asks_for_them_with_wechat_pays_web_client(
    stub: StripeStub, provider: StripeCheckout
) -> None:
    stub.reply("POST", "/v1/checkout/sessions", fixture("checkout.session"))

    provider.offering(("card", "alipay", "wechat_pay")).checkout(
        order_id="ord2",
        amount=10000,
        currency="cny",
        description="QQ 100 × 1",
        email="buyer@example.com",
        return_url="https://shop.example/o/ord2",
    )
    provider.offering(("alipay",)).checkout(
        order_id="ord3",
        amount=10000,
        currency="cny",
        description="QQ 100 × 1",
        email="buyer@example.com",
        return_url="https://shop.example/o/ord3",
    )

    offered, alipay_only = (request.form for request in stub.requests)
    assert [offered[f"payment_method_types[{n}]"] for n in range(3)] == ["card", "alipay", "wechat_pay"]
    assert offered["payment_method_options[wechat_pay][client]"] == "web"
    assert alipay_only["payment_method_types[0]"] == "alipay"
    assert "payment_method_types[1]" not in alipay_only
    assert not any(name.startswith("payment_method_options") for name in alipay_only)


def test_a_refund_names_the_payment_intent_and_carries_the_refund_id_as_idempotency_key(
    stub: StripeStub, provider: StripeCheckout
) -> None:
    stub.reply("POST", "/v1/refunds", fixture("refund"))

    refund_ref = provider.refund(payment_ref="pi_3Pay", amount=1500, idempotency_key="rf_01J")

    assert refund_ref == "re_1Pgc72B7WZ01zgkWqPvrRrPE"
    [request] = stub.requests
    assert (request.method, request.path) == ("POST", "/v1/refunds")
    assert request.form == {"payment_intent": "pi_3Pay", "amount": "1500", "metadata[faka_refund]": "rf_01J"}
    assert request.headers["idempotency-key"] == "rf_01J"


def test_a_payment_recorded_as_a_checkout_session_is_refunded_through_its_intent(
    stub: StripeStub, provider: StripeCheckout
) -> None:
    session = fixture("checkout.session")
    stub.reply("GET", f"/v1/checkout/sessions/{session['id']}", session)
    stub.reply("POST", "/v1/refunds", fixture("refund"))

    provider.refund(payment_ref=session["id"], amount=2000, idempotency_key="rf_02")

    lookup, refund = stub.requests
    assert (lookup.method, lookup.path) == ("GET", f"/v1/checkout/sessions/{session['id']}")
    assert refund.form["payment_intent"] == session["payment_intent"] == "pi_1PgafyB7WZ01zgkWSjxsAJo3"
    assert refund.headers["idempotency-key"] == "rf_02"


def test_a_refund_retried_after_a_stripe_outage_sends_the_same_idempotency_key(
    stub: StripeStub, provider: StripeCheckout
) -> None:
    stub.reply("POST", "/v1/refunds", {"error": {"type": "api_error", "message": "stub outage"}}, status=500)
    stub.reply("POST", "/v1/refunds", fixture("refund"))

    # The client is built without SDK retries: the outage fails the step, and the refund review's
    # RefundPayment Retry runs it again with the same refund id.
    with pytest.raises(stripe.APIError, match="stub outage"):
        provider.refund(payment_ref="pi_3Pay", amount=1500, idempotency_key="rf_03")
    assert provider.refund(payment_ref="pi_3Pay", amount=1500, idempotency_key="rf_03") == "re_1Pgc72B7WZ01zgkWqPvrRrPE"

    assert [r.headers["idempotency-key"] for r in stub.requests] == ["rf_03", "rf_03"]
    assert stub.requests[0].form == stub.requests[1].form


def test_a_refund_stripe_refuses_raises_so_the_review_step_fails(stub: StripeStub, provider: StripeCheckout) -> None:
    refused = {
        "error": {
            "type": "invalid_request_error",
            "code": "charge_already_refunded",
            "message": "Charge ch_1 has already been refunded.",
        }
    }
    stub.reply("POST", "/v1/refunds", refused, status=400)

    with pytest.raises(stripe.InvalidRequestError, match="already been refunded"):
        provider.refund(payment_ref="pi_3Pay", amount=1500, idempotency_key="rf_04")
    assert len(stub.requests) == 1  # a 400 is an answer, not an outage: never retried


def test_reconciliation_searches_the_orders_succeeded_payment_intent(
    stub: StripeStub, provider: StripeCheckout
) -> None:
    intent = fixture(
        "payment_intent", status="succeeded", amount=2000, amount_received=2000, metadata={"order_id": "ord1"}
    )
    stub.reply(
        "GET",
        "/v1/payment_intents/search",
        {"object": "search_result", "url": "/v1/payment_intents/search", "has_more": False, "data": [intent]},
    )

    found = provider.find_payment("ord1")

    assert found == PaymentConfirmation("ord1", 2000, "usd", "stripe", "pi_1PgafyB7WZ01zgkWSjxsAJo3")
    [request] = stub.requests
    assert (request.method, request.path) == ("GET", "/v1/payment_intents/search")
    assert request.query == {"query": "metadata['order_id']:'ord1' AND status:'succeeded'", "limit": "10"}


def test_reconciliation_finds_nothing_when_stripe_has_no_such_payment(
    stub: StripeStub, provider: StripeCheckout
) -> None:
    empty = {"object": "search_result", "url": "/v1/payment_intents/search", "has_more": False, "data": []}
    stub.reply("GET", "/v1/payment_intents/search", empty)

    assert provider.find_payment("ord2") is None


def test_a_dispute_naming_only_a_charge_finds_the_order_through_the_charges_intent(
    stub: StripeStub, provider: StripeCheckout
) -> None:
    charge = fixture("charge", payment_intent="pi_3Disputed")
    stub.reply("GET", f"/v1/charges/{charge['id']}", charge)
    stub.reply("GET", "/v1/payment_intents/pi_3Disputed", fixture("payment_intent", metadata={"order_id": "ord9"}))

    assert provider.order_for_payment(payment_ref=None, charge=charge["id"]) == "ord9"
    assert [r.path for r in stub.requests] == [f"/v1/charges/{charge['id']}", "/v1/payment_intents/pi_3Disputed"]


def test_a_payment_intent_of_no_faka_order_names_no_order(stub: StripeStub, provider: StripeCheckout) -> None:
    stub.reply("GET", "/v1/payment_intents/pi_1PgafyB7WZ01zgkWSjxsAJo3", fixture("payment_intent"))

    assert provider.order_for_payment(payment_ref="pi_1PgafyB7WZ01zgkWSjxsAJo3", charge=None) is None
    assert provider.order_for_payment(payment_ref=None, charge=None) is None
    assert len(stub.requests) == 1


def test_a_double_charge_shows_as_two_payments_oldest_first(stub: StripeStub, provider: StripeCheckout) -> None:
    first, second = (
        fixture("payment_intent", id=ref, created=created, status="succeeded", amount_received=2000)
        for ref, created in (("pi_first", 1_700_000_000), ("pi_second", 1_700_000_090))
    )
    search = {"object": "search_result", "url": "/v1/payment_intents/search", "has_more": False}
    stub.reply("GET", "/v1/payment_intents/search", {**search, "data": [second, first]})

    assert [p.payment_ref for p in provider.find_payments("ord3")] == ["pi_first", "pi_second"]
