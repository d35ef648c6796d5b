"""A client generated from the OpenAPI document buys a key, the api function answering its requests in-process.

(tests/e2e/test_generated_client.py buys with it over HTTP from ``faka local``.)
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from faka import resources
from faka_local.apigateway import rest_event
from faka_local.event_sources import load_handler
from faka_local.lambda_context import LocalLambdaContext
from tests.generated_client import GeneratedApi, generate_client
from tests.integration.conftest import Stack
from tests.integration.helpers import add_product, open_shop, signed_payment

BASE_URL = "https://api.faka.test"
KEY = "GENCLIENT-0001"


def _api_function(request: httpx.Request) -> httpx.Response:
    """The api function's answer to a client's request, as API Gateway would pass it on."""
    event = rest_event(
        request.method,
        request.url.path,
        body=request.content.decode() or None,
        headers=dict(request.headers),
        query=request.url.query.decode(),
    )
    answer = load_handler(resources.API_FUNCTION)(event, LocalLambdaContext("faka-api"))
    headers = {name: values[0] for name, values in (answer.get("multiValueHeaders") or {}).items()}
    return httpx.Response(answer["statusCode"], headers=headers | (answer.get("headers") or {}), text=answer["body"])


@pytest.fixture
def api(stack: Stack, tmp_path: Path) -> GeneratedApi:
    from api import handler

    package = generate_client(handler.openapi_document(), tmp_path)
    return GeneratedApi(package, BASE_URL, {"transport": httpx.MockTransport(_api_function)})


def test_a_client_generated_from_the_document_buys_a_key(stack: Stack, api: GeneratedApi) -> None:
    open_shop(stack)
    add_product(stack, keys=[KEY])

    order = api.place_order("steam-20-us", "buyer@example.com")
    body, signature = signed_payment(order.order_id, order.amount)
    paid = (
        api.client()
        .get_httpx_client()
        .post("/v1/webhooks/stripe", content=body, headers={"Stripe-Signature": signature})
    )
    view = api.order_view(order)

    assert paid.json()["result"] == "delivered"
    assert (view.status, [key.code for key in view.keys]) == ("delivered", [KEY])
