"""A client generated from the OpenAPI document buys a key, the api function answering its requests in-process.

(tests/e2e/test_generated_client.py buys with it over HTTP from ``faka local``.)
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from faka import resources
from faka_local.apigateway import rest_event
from faka_local.event_sources import load_handler
from faka_local.lambda_context import LocalLambdaContext
from tests.generated_client import GeneratedApi, generate_client
from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import add_product, open_shop, signed_payment

BASE_URL = "https://api.faka.test"
KEY = "GENCLIENT-0001"


def _api_function(request: httpx.Request) -> httpx.Response:
    """The answer of the function serving the request's path (resources.API_ROUTES), as API Gateway would pass it on."""
    event = rest_event(
        request.method,
        request.url.path,
        body=request.content.decode() or None,
        headers=dict(request.headers),
        query=request.url.query.decode(),
    )
    function = resources.function_serving(request.url.path)
    answer = load_handler(function)(event, LocalLambdaContext(function.physical_name))
    headers = {name: values[0] for name, values in (answer.get("multiValueHeaders") or {}).items()}
    return httpx.Response(answer["statusCode"], headers=headers | (answer.get("headers") or {}), text=answer["body"])


@pytest.fixture
def api(stack: Stack, tmp_path: Path) -> GeneratedApi:
    from api import handler

    package = generate_client(handler.openapi_document(), tmp_path)
    return GeneratedApi(package, BASE_URL, {"transport": httpx.MockTransport(_api_function)})


def _bought(stack: Stack, api: GeneratedApi) -> tuple[Any, httpx.Response]:
    """An order placed through the generated client and paid with a signed Stripe event; the order and the answer."""
    open_shop(stack)
    add_product(stack, keys=[KEY])
    order = api.place_order("steam-20-us", "buyer@example.com")
    body, signature = signed_payment(order.order_id, order.amount)
    paid = (
        api.client()
        .get_httpx_client()
        .post("/v1/webhooks/stripe", content=body, headers={"Stripe-Signature": signature})
    )
    return order, paid


def test_a_client_generated_from_the_document_buys_a_key(stack: Stack, api: GeneratedApi) -> None:
    order, paid = _bought(stack, api)
    view = api.order_view(order)

    assert paid.json()["result"] == "delivered"
    assert (view.status, [key.code for key in view.keys]) == ("delivered", [KEY])


def test_the_generated_client_reads_the_reports_built_from_plain_dicts(stack: Stack, api: GeneratedApi) -> None:
    """These answers are documented by models the routes do not build: a documented field the answer lacks would
    fail the generated model's parsing."""
    order, _ = _bought(stack, api)
    operator = api.client(ADMIN["Authorization"].removeprefix("Bearer "))
    today = datetime.now(UTC).date().isoformat()
    question = api.models.KnowledgeQuestion(question="How do I redeem my Steam card?")
    calls = {
        "kpi_summary_v1_admin_reports_summary_get": ("KpiSummary", {"from_": today, "to": today}),
        "ticket_figures_v1_admin_reports_tickets_get": ("TicketFigures", {}),
        "activation_figures_v1_admin_reports_activation_get": ("ActivationFigures", {}),
        "batch_health_v1_admin_reports_batches_get": ("BatchHealthList", {}),
        "complaint_suggestions_v1_admin_reports_suggestions_get": ("SuggestionList", {}),
        "tone_rules_v1_admin_tone_get": ("ToneView", {}),
        "order_evidence_v1_admin_orders_order_id_evidence_get": ("EvidencePack", {"order_id": order.order_id}),
        "list_articles_v1_admin_knowledge_articles_get": ("ArticleList", {}),
        "try_question_v1_admin_knowledge_answer_post": ("KnowledgeAnswer", {"body": question}),
    }

    answers = {
        operation_id: api.call(operation_id, client=operator, **kwargs) for operation_id, (_, kwargs) in calls.items()
    }

    assert {name: type(answers[name]).__name__ for name in calls} == {name: model for name, (model, _) in calls.items()}
    assert answers["batch_health_v1_admin_reports_batches_get"].batches[0].imported == 1
    assert answers["order_evidence_v1_admin_orders_order_id_evidence_get"].order["order_id"] == order.order_id
