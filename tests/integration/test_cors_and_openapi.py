"""CORS for browser storefronts on other origins, and the OpenAPI document a client generator can use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, APIGatewayRestResolver
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver

from faka import resources
from faka_local.apigateway import http_api_event, rest_event
from faka_local.event_sources import load_handler
from faka_local.lambda_context import LocalLambdaContext
from tests.integration.conftest import Stack
from tests.integration.helpers import open_shop

SHOP_ORIGIN = "https://shop.example"
PAYLOAD_FORMATS = [(APIGatewayRestResolver, rest_event), (APIGatewayHttpResolver, http_api_event)]


def _headers(answer: dict[str, Any]) -> dict[str, str]:
    """An answer's headers, lower-cased: payload format 1.0 answers them as multiValueHeaders."""
    multi = {name: values[0] for name, values in (answer.get("multiValueHeaders") or {}).items()}
    return {name.lower(): value for name, value in (multi | (answer.get("headers") or {})).items()}


def _served(method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], str]:
    """The api function's answer, as faka local and API Gateway receive it."""
    answer = load_handler(resources.API_FUNCTION)(rest_event(method, path, headers=headers), LocalLambdaContext("api"))
    return answer["statusCode"], _headers(answer), answer.get("body") or ""


def _answer(
    kind: type[ApiGatewayResolver], event: Callable[..., dict[str, Any]], origins: str, method: str, headers: dict
) -> dict[str, Any]:
    """The api function's routes behind a resolver allowing ``origins``, as the handler configures it."""
    from api import handler

    resolver = handler.resolver(kind, cors=handler.cors_config(origins))
    answer = resolver.resolve(event(method, "/v1/products", headers=headers), LocalLambdaContext("faka-api"))
    return {**answer, "headers": _headers(answer)}


def _preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-faka-shop,idempotency-key",
    }


@pytest.fixture
def shop(stack: Stack) -> Stack:
    open_shop(stack)
    return stack


@pytest.mark.parametrize(("kind", "event"), PAYLOAD_FORMATS)
def test_a_preflight_from_an_allowed_origin_is_answered_with_the_cors_headers(
    shop: Stack, kind: type[ApiGatewayResolver], event: Callable[..., dict[str, Any]]
) -> None:
    answer = _answer(kind, event, f"{SHOP_ORIGIN}, https://other.example", "OPTIONS", _preflight(SHOP_ORIGIN))

    headers = answer["headers"]
    assert answer["statusCode"] == 204
    assert headers["access-control-allow-origin"] == SHOP_ORIGIN
    assert "POST" in headers["access-control-allow-methods"]
    assert {"X-Faka-Shop", "Idempotency-Key", "Content-Type", "Authorization"} <= set(
        headers["access-control-allow-headers"].split(",")
    )
    assert "access-control-allow-credentials" not in headers


@pytest.mark.parametrize(("kind", "event"), PAYLOAD_FORMATS)
def test_a_disallowed_origin_gets_no_allow_origin(
    shop: Stack, kind: type[ApiGatewayResolver], event: Callable[..., dict[str, Any]]
) -> None:
    preflight = _answer(kind, event, SHOP_ORIGIN, "OPTIONS", _preflight("https://evil.example"))
    request = _answer(kind, event, SHOP_ORIGIN, "GET", {"Origin": "https://evil.example"})

    assert "access-control-allow-origin" not in preflight["headers"]
    assert (request["statusCode"], "access-control-allow-origin" in request["headers"]) == (200, False)


def test_without_origins_no_request_gets_cors_headers(shop: Stack) -> None:
    request = _answer(APIGatewayRestResolver, rest_event, "", "GET", {"Origin": SHOP_ORIGIN})

    assert (request["statusCode"], "access-control-allow-origin" in request["headers"]) == (200, False)


def test_by_default_any_origin_may_call_the_api_and_read_its_errors(shop: Stack) -> None:
    status, headers, _ = _served("GET", "/v1/products", {"Origin": SHOP_ORIGIN})
    refused, refused_headers, _ = _served("GET", "/v1/products", {"Origin": SHOP_ORIGIN, "X-Faka-Shop": "nowhere"})

    assert (status, headers["access-control-allow-origin"]) == (200, "*")
    assert (refused, refused_headers["access-control-allow-origin"]) == (404, "*")


@pytest.fixture
def document(stack: Stack) -> dict[str, Any]:
    return stack.api("GET", "/v1/openapi.json").body


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }


def test_the_document_declares_the_credentials_and_which_routes_take_them(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    operations = _operations(document)

    assert [(schemes[name]["type"], schemes[name]["scheme"]) for name in ("operatorBearer", "buyerToken")] == [
        ("http", "bearer"),
        ("http", "bearer"),
    ]
    assert (schemes["stripeSignature"]["in"], schemes["stripeSignature"]["name"]) == ("header", "Stripe-Signature")
    assert (schemes["fakaSignature"]["in"], schemes["fakaSignature"]["name"]) == ("header", "X-Faka-Signature")
    assert operations[("GET", "/v1/admin/orders")]["security"] == [{"operatorBearer": []}]
    assert operations[("GET", "/v1/orders/{order_id}")]["security"] == [{"buyerToken": []}]
    assert operations[("POST", "/v1/webhooks/stripe")]["security"] == [{"stripeSignature": []}]
    assert operations[("POST", "/v1/activations")]["security"] == [{"fakaSignature": []}]
    assert "security" not in operations[("GET", "/v1/products")]
    assert "security" not in operations[("POST", "/v1/orders")]


def test_the_routes_reading_the_shop_declare_the_x_faka_shop_header(document: dict[str, Any]) -> None:
    def reads_shop(operation: dict[str, Any]) -> bool:
        return any(p["name"] == "X-Faka-Shop" and p["in"] == "header" for p in operation.get("parameters", []))

    operations = _operations(document)

    assert all(reads_shop(o) for (_, path), o in operations.items() if path.startswith("/v1/admin/"))
    assert reads_shop(operations[("GET", "/v1/products")])
    assert reads_shop(operations[("POST", "/v1/orders")])
    assert not reads_shop(operations[("GET", "/v1/orders/{order_id}")])


def test_the_document_describes_the_400_problem_the_api_answers_not_a_422(stack: Stack, document: dict) -> None:
    problem = document["components"]["schemas"]["Problem"]
    order = _operations(document)[("POST", "/v1/orders")]
    refused = stack.api("POST", "/v1/orders", {"lines": "not a list"})

    assert not [key for key, operation in _operations(document).items() if "422" in operation["responses"]]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert order["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    assert refused.status == 400
    assert set(problem["required"]) <= set(refused.body) <= set(problem["properties"])


def test_the_docs_page_lists_every_operation_without_third_party_script(stack: Stack, document: dict) -> None:
    status, headers, page = _served("GET", "/v1/docs", {})

    assert (status, headers["content-type"]) == (200, "text/html; charset=utf-8")
    assert headers["content-security-policy"].startswith("default-src 'none';")
    assert "<script" not in page
    assert all(f"{method} {path}" in page for method, path in _operations(document))
