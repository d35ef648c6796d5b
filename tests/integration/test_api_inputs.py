"""Bad input gets a clear 4xx with a machine-readable code, and leaves nothing half-written."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faka import resources
from faka.adapters.tables.orders import OrderItem, OrderTableItem
from faka.payments.stripe_signing import stripe_signature
from faka_local.apigateway import http_api_event, rest_event
from faka_local.event_sources import load_handler
from faka_local.lambda_context import LocalLambdaContext
from tests.integration.conftest import ADMIN, Response, Stack
from tests.integration.helpers import WEBHOOK_SECRET, add_product, open_shop, pay, place_order, signed_payment
from tests.samples import load_sample

GOOD_ORDER = {"sku": "steam-20-us", "quantity": 1, "email": "buyer@example.com", "locale": "en"}


@pytest.fixture
def shop(stack: Stack) -> Stack:
    open_shop(stack)
    add_product(stack, keys=["KEY-1", "KEY-2"])
    return stack


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("{not json", 400, "malformed_json"),
        ('{"sku": "steam-20-us", "quantity": "2", "email": "b@example.com"}', 400, "invalid_request"),
        ('{"sku": "steam-20-us", "quantity": true, "email": "b@example.com"}', 400, "invalid_request"),
        ('{"sku": "steam-20-us", "quantity": 1.5, "email": "b@example.com"}', 400, "invalid_request"),
        ('{"sku": "steam-20-us", "quantity": 1, "email": "not-an-email"}', 400, "invalid_request"),
        ('{"sku": "steam-20-us", "quantity": 1}', 400, "invalid_request"),
        ('{"sku": "steam-20-us", "quantity": 0, "email": "b@example.com"}', 400, "invalid_quantity"),
        ('{"sku": "steam-20-us", "quantity": -1, "email": "b@example.com"}', 400, "invalid_quantity"),
        ('{"sku": "steam-20-us", "quantity": 11, "email": "b@example.com"}', 400, "invalid_quantity"),
        ('{"sku": "no-such-sku", "quantity": 1, "email": "b@example.com"}', 404, "unknown_sku"),
        ('{"sku": "../etc", "quantity": 1, "email": "b@example.com"}', 400, "invalid_request"),
        (
            '{"sku": "steam-20-us", "quantity": 1, "email": "b@example.com", "locale": "<script>"}',
            400,
            "invalid_request",
        ),
        ("[]", 400, "invalid_request"),
    ],
)
def test_a_bad_order_is_refused_and_nothing_is_stored(shop: Stack, body: str, status: int, code: str) -> None:
    response = shop.api("POST", "/v1/orders", raw=body, headers={"Content-Type": "application/json"})
    assert (response.status, response.body["code"]) == (status, code)
    assert response.body["message"]
    assert list(OrderTableItem.scan()) == []


def test_an_unknown_shop_is_named_as_such(shop: Stack) -> None:
    response = shop.api("POST", "/v1/orders", GOOD_ORDER, {"X-Faka-Shop": "nope"})
    assert (response.status, response.body["code"]) == (404, "unknown_shop")


def test_an_order_is_shown_only_with_its_token(shop: Stack) -> None:
    order = place_order(shop)
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": order["access_token"]}):
        response = shop.api("GET", f"/v1/orders/{order['order_id']}", headers=headers)
        assert (response.status, response.body["code"]) == (404, "unknown_order")
    unknown = shop.api("GET", "/v1/orders/nope", headers={"Authorization": f"Bearer {order['access_token']}"})
    assert unknown.status == 404


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "t=1,v1=deadbeef",
        stripe_signature("other body", WEBHOOK_SECRET),
        "STALE",
        "FUTURE",
    ],
    ids=["empty", "garbage", "other-body", "stale", "future"],
)
def test_a_webhook_with_a_bad_or_stale_signature_is_refused(shop: Stack, signature: str) -> None:
    order = place_order(shop)
    body, _ = signed_payment(order["order_id"], order["amount"])
    if signature in ("STALE", "FUTURE"):
        offset = -400 if signature == "STALE" else 400
        signature = stripe_signature(body, WEBHOOK_SECRET, timestamp=int(time.time()) + offset)
    response = shop.api("POST", "/v1/webhooks/stripe", raw=body, headers={"Stripe-Signature": signature})
    assert (response.status, response.body["code"]) == (400, "invalid_signature")
    view = shop.api(
        "GET", f"/v1/orders/{order['order_id']}", headers={"Authorization": f"Bearer {order['access_token']}"}
    )
    assert view.body["status"] == "pending_payment"


def test_an_activation_callback_signed_ahead_of_time_is_refused(shop: Stack) -> None:
    body = json.dumps({"key": "NEVER-SOLD", "status": "activated", "at": "2026-12-01T00:00:00+00:00"})
    # The shop's callback secret (FAKA_SIGNING_SECRET for the seeded shops): only the date is wrong.
    signature = stripe_signature(body, "test-signing-secret", timestamp=int(time.time()) + 400)
    response = shop.api("POST", "/v1/activations", raw=body, headers={"X-Faka-Signature": signature})
    _assert_refused(response, 400, "invalid_signature")


def test_a_webhook_for_an_unknown_order_is_refused(shop: Stack) -> None:
    response = pay(shop, "no-such-order", 2000)
    assert (response.status, response.body["code"]) == (404, "unknown_order")


def test_a_signed_webhook_that_is_not_json_is_refused(shop: Stack) -> None:
    body = "{oops"
    response = shop.api(
        "POST", "/v1/webhooks/stripe", raw=body, headers={"Stripe-Signature": stripe_signature(body, WEBHOOK_SECRET)}
    )
    assert (response.status, response.body["code"]) == (400, "invalid_payload")


def test_operator_routes_need_the_right_token(shop: Stack) -> None:
    product = {"sku": "x", "name": "X", "price": 100, "currency": "usd", "region": "US", "platform": "steam"}
    assert shop.api("POST", "/v1/admin/products", product).body["code"] == "missing_token"
    forbidden = shop.api("POST", "/v1/admin/products", product, {"Authorization": "Bearer guess"})
    assert (forbidden.status, forbidden.body["code"]) == (403, "forbidden")


def test_a_shop_operator_acts_on_their_own_shop_only(shop: Stack) -> None:
    opened = shop.api(
        "POST", "/v1/admin/shops", {"shop_id": "moon", "name": "Moon", "support_email": "m@example.com"}, ADMIN
    )
    moon = {"Authorization": f"Bearer {opened.body['operator_token']}", "X-Faka-Shop": "moon"}
    product = {
        "sku": "apple-100",
        "name": "App Store",
        "price": 10000,
        "currency": "cny",
        "region": "CN",
        "platform": "apple",
    }
    assert shop.api("POST", "/v1/admin/products", product, moon).status == 201
    assert shop.api("POST", "/v1/admin/products", product, moon).status == 200  # identical: nothing new
    on_main = shop.api("POST", "/v1/admin/products", product, {**moon, "X-Faka-Shop": "main"})
    assert on_main.status == 403
    cannot_open = shop.api(
        "POST", "/v1/admin/shops", {"shop_id": "sun", "name": "S", "support_email": "s@example.com"}, moon
    )
    assert cannot_open.status == 403
    assert [p["sku"] for p in shop.api("GET", "/v1/products", headers={"X-Faka-Shop": "moon"}).body["products"]] == [
        "apple-100"
    ]
    assert "apple-100" not in [p["sku"] for p in shop.api("GET", "/v1/products").body["products"]]


def test_unknown_paths_are_404_in_the_error_shape(shop: Stack) -> None:
    response = shop.api("GET", "/v1/nothing-here")
    assert (response.status, response.body["code"]) == (404, "no_route")


def _json_routes(stack: Stack) -> list[tuple[str, str]]:
    """Every (method, path) of the served OpenAPI document that takes a JSON body, path parameters filled in.

    Payment providers' notifications are left out: their signature is checked before the body is read, so an unsigned
    body is refused for its signature whatever it holds (tests/integration/test_webhooks.py, test_payment_methods.py).
    """
    document = stack.api("GET", "/v1/openapi.json").body
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", "x", path))
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
        and not path.startswith("/v1/webhooks/")
    ]


def _assert_refused(response: Response, status: int, code: str) -> None:
    assert (response.status, response.body["code"]) == (status, code), response.body
    assert response.body["message"]


def test_a_multipart_body_is_refused_on_every_json_route(shop: Stack) -> None:
    routes = _json_routes(shop)
    assert len(routes) > 10
    for content_type in ("multipart/form-data", "multipart/form-data; boundary=xyz"):
        for method, path in routes:
            response = shop.api(method, path, raw="--xyz\r\n", headers={**ADMIN, "Content-Type": content_type})
            _assert_refused(response, 415, "unsupported_media_type")


def test_a_body_of_an_unknown_type_is_refused_in_the_error_shape(shop: Stack) -> None:
    response = shop.api("POST", "/v1/orders", raw=json.dumps(GOOD_ORDER), headers={"Content-Type": "text/plain"})
    _assert_refused(response, 415, "unsupported_media_type")


@pytest.mark.parametrize(
    "body",
    ["[" * 100_000, '{"a": ' * 100_000, "1" * 5_000, '{"sku": "steam-20-us", "quantity": NaN}', '{"sku": "\\ud800"}'],
    ids=["nested-array", "nested-object", "huge-integer", "nan", "lone-surrogate"],
)
def test_json_that_python_cannot_read_is_malformed_json_on_every_json_route(shop: Stack, body: str) -> None:
    for method, path in _json_routes(shop):
        response = shop.api(method, path, raw=body, headers={**ADMIN, "Content-Type": "application/json"})
        _assert_refused(response, 400, "malformed_json")
    import_response = shop.api("POST", "/v1/admin/products/steam-20-us/keys", raw=body, headers=ADMIN)
    assert import_response.status == 400


@pytest.mark.parametrize("header", ["Code", " code", "CODE ,note", "note, Key ", "\ufeffcode"])
def test_a_csv_import_finds_its_code_column_whatever_the_case_and_spacing(shop: Stack, header: str) -> None:
    column_first = not header.startswith("note")
    rows = [f"CSV-{n}" if column_first else f"n{n},CSV-{n}" for n in range(3)]
    response = shop.api(
        "POST",
        "/v1/admin/products/steam-20-us/keys",
        raw="\n".join([header, *rows]),
        headers={**ADMIN, "Content-Type": "text/csv; charset=utf-8"},
        query="batch=CSV-1",
    )
    assert response.status == 200, response.body
    assert (response.body["imported"], response.body["rejected"]) == (3, [])


def test_a_csv_field_past_the_csv_modules_limit_is_refused_with_its_line(shop: Stack) -> None:
    body = "code\nCSV-1\n" + "X" * 131_073 + "\nCSV-2\n"
    response = shop.api(
        "POST",
        "/v1/admin/products/steam-20-us/keys",
        raw=body,
        headers={**ADMIN, "Content-Type": "text/csv"},
        query="batch=CSV-1",
    )
    _assert_refused(response, 400, "invalid_csv")
    assert response.body["details"] == {"line": 3}
    assert shop.api("GET", "/v1/products").body["products"][0]["stock"] == 2


def test_a_csv_with_bare_carriage_returns_imports_each_line(shop: Stack) -> None:
    response = shop.api(
        "POST",
        "/v1/admin/products/steam-20-us/keys",
        raw="code\rCSV-1\rCSV-2\r",
        headers={**ADMIN, "Content-Type": "text/csv"},
        query="batch=CSV-1",
    )
    assert (response.status, response.body["imported"]) == (200, 2), response.body


@pytest.mark.parametrize(
    ("sample", "source_ip"),
    [("apigateway_http_create_order", "198.51.100.23"), ("function_url_create_order", "198.51.100.24")],
)
def test_http_api_and_function_url_events_are_served(shop: Stack, sample: str, source_ip: str) -> None:
    handler = load_handler(resources.API_FUNCTION)
    event = load_sample(sample)

    created = handler(event, LocalLambdaContext("faka-api"))

    assert created["statusCode"] == 201, created["body"]
    assert created["headers"]["Content-Type"] == "application/json"
    order = OrderItem.get(json.loads(created["body"])["order_id"], OrderItem.SK)
    assert (order.buyer_ip, order.locale) == (source_ip, "zh-CN")

    malformed = handler({**event, "body": "{oops"}, LocalLambdaContext("faka-api"))
    assert (malformed["statusCode"], json.loads(malformed["body"])["code"]) == (400, "malformed_json")
    listing = {**event, "rawPath": "/v1/products", "rawQueryString": "limit=5&limit=6", "body": None}
    listing["requestContext"] = {
        **event["requestContext"],
        "http": {**event["requestContext"]["http"], "method": "GET"},
    }
    products = handler(listing, LocalLambdaContext("faka-api"))
    assert products["statusCode"] == 200, products["body"]
    assert [p["sku"] for p in json.loads(products["body"])["products"]] == ["steam-20-us"]
    missing = handler({**listing, "rawPath": "/v1/nothing"}, LocalLambdaContext("faka-api"))
    assert (missing["statusCode"], json.loads(missing["body"])["code"]) == (404, "no_route")


@pytest.mark.parametrize("score", ["\u00b2", "\u0661\u0662"], ids=["superscript-two", "arabic-indic-twelve"])
def test_a_csat_form_score_in_other_digits_is_a_clear_answer(shop: Stack, score: str) -> None:
    # str.isdigit() holds for both; int() reads only the second (a decimal digit), which is then out of range.
    response = shop.api(
        "POST",
        "/v1/tickets/no-such-ticket/csat",
        raw=urlencode({"score": score}),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    _assert_refused(response, 400, "invalid_request")


# Whatever a client sends, the API answers 4xx in the error shape or 2xx: never a 5xx.
_JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(
        ["x" * 100_000, "\u0000", "\ud7ff\ue000", "\ud800", "<script>", "../..", "a@b", "2026-13-45T99:99:99"]
    ),
)
_JSON_VALUES = st.recursive(
    _JSON_SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
)
_RAW_BODIES = st.sampled_from(
    [
        b"",
        b"null",
        b"[]",
        b'"text"',
        b"-1e999",
        b"1" * 5_000,
        b"NaN",
        b'{"a": Infinity}',
        b"\xff\xfe\x00",
        b'{"sku": "\xed\xa0\x80"}',
        b'{"a": ' * 5_000,
        b"[" * 100_000,
        b"code\n" + b"X" * 131_073,
        b"a=1&a=2&b",
        b"--xyz\r\nContent-Disposition: form-data; name=a\r\n\r\n\xe4\xb8\xad\r\n--xyz--\r\n",
    ]
)
# Digits Python's str.isdigit() accepts and int() does not, text past every length limit, nothing at all.
_ODD_TEXT = ["", "1", "-1", "1e9", "\u00b2", "\u0661", "x" * 3_000, "null", "\u00e9", "\x00"]
_CONTENT_TYPES = st.sampled_from(
    [
        None,
        "application/json",
        "application/json; charset=latin-1",
        "text/plain",
        "text/csv",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "Multipart/Form-Data; boundary=xyz",
        "application/xml",
        "",
    ]
)


def _operations(stack: Stack) -> tuple[list[tuple[str, str, tuple[str, ...]]], list[str]]:
    """Every operation of the served OpenAPI document (path parameters filled in) with its body's field names
    (all the API's for a route that reads its own body), and every query parameter name."""
    document = stack.api("GET", "/v1/openapi.json").body
    schemas = document["components"]["schemas"]
    every_field = tuple(sorted({name for schema in schemas.values() for name in schema.get("properties", {})}))
    operations, queries = [], {"limit", "cursor", "batch", "status", "s"}
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            fields = tuple(schemas[body["$ref"].rpartition("/")[2]].get("properties", {})) if "$ref" in body else ()
            operations.append((method.upper(), re.sub(r"\{[^}]+\}", "x", path), fields or every_field))
            queries |= {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
    hidden = [("GET", "/v1/links/worked"), ("POST", "/v1/links/failed"), ("GET", "/v1/tickets/x/csat")]
    return operations + [(method, path, every_field) for method, path in hidden], sorted(queries)


def test_no_request_makes_the_api_fail(shop: Stack) -> None:
    operations, queries = _operations(shop)
    # Each path to the function API Gateway sends it to (resources.API_ROUTES).
    handlers = {function.name: load_handler(function) for function in resources.API_FUNCTIONS}

    def typed_bodies(fields: tuple[str, ...]) -> st.SearchStrategy[tuple[str | None, bytes]]:
        """Bodies for one route, mostly under the type they claim so they get past the content-type check."""
        as_json = st.one_of(_JSON_VALUES, st.dictionaries(st.sampled_from(fields), _JSON_VALUES, max_size=6)).map(
            lambda value: json.dumps(value).encode()
        )
        as_form = st.dictionaries(st.sampled_from(fields), st.sampled_from(_ODD_TEXT), max_size=4).map(
            lambda form: urlencode(form).encode()
        )
        as_csv = st.lists(st.sampled_from(_ODD_TEXT)).map(lambda rows: "\n".join(rows).encode())
        return st.one_of(
            st.tuples(st.sampled_from([None, "application/json"]), as_json),
            st.tuples(st.just("application/x-www-form-urlencoded"), as_form),
            st.tuples(st.just("text/csv"), as_csv),
            st.tuples(_CONTENT_TYPES, st.one_of(_RAW_BODIES, st.binary(max_size=40), as_json, as_form)),
        )

    requests = st.sampled_from(operations).flatmap(
        lambda operation: st.tuples(st.just(operation[:2]), typed_bodies(operation[2]))
    )
    query_strings = st.lists(
        st.tuples(st.sampled_from(queries), st.sampled_from(_ODD_TEXT)),
        max_size=4,
    ).map(urlencode)

    @settings(max_examples=500, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        request=requests,
        query=query_strings,
        payload_format=st.sampled_from([rest_event, http_api_event]),
        # Mostly the platform operator's, to reach past authorization into every route.
        authorization=st.sampled_from([ADMIN["Authorization"]] * 3 + [None, "Bearer a.b.c", "Basic abc", "Bearer"]),
    )
    def send(
        request: tuple[tuple[str, str], tuple[str | None, bytes]],
        query: str,
        payload_format: Callable[..., Any],
        authorization: str | None,
    ) -> None:
        (method, path), (content_type, body) = request
        headers = {
            **({"Authorization": authorization} if authorization is not None else {}),
            **({"Content-Type": content_type} if content_type is not None else {}),
        }
        event = payload_format(method, path, body=body, headers=headers, query=query)
        function = resources.function_serving(path)
        answer = handlers[function.name](event, LocalLambdaContext(function.physical_name))
        assert answer["statusCode"] < 500, (method, path, content_type, query, body[:200], answer.get("body"))
        headers = {**answer.get("headers", {}), **{k: v[0] for k, v in answer.get("multiValueHeaders", {}).items()}}
        # Buyer link pages answer a browser in HTML; every API error is a problem document.
        if answer["statusCode"] >= 400 and headers.get("Content-Type", "").startswith("application/json"):
            problem = json.loads(answer["body"])
            assert problem["code"], problem
            assert problem["message"], problem

    send()
