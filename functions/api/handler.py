"""The HTTP API behind API Gateway: every path but the payment providers' notifications, routes grouped by who calls
them.

Routes parse and authorize, call one domain service and shape the answer; rules live in ``faka``.
Every error leaves here as ``{"code", "message"}`` with its 4xx status (``api.gateway``).

The payment providers' notifications (``api.payments``) are served by a function of their own
(``payment_notifications``, see ``faka.resources.API_ROUTES``), so their first delivery after idle does not wait for
the storefront and admin routes to load; this function still writes the whole API's document, theirs included.
Here, the operator console's routes (``OPERATORS_ONLY``, every path under ``/v1/admin/``) load with the first operator
request, so a buyer's first request after idle does not wait for them either.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import (
    APIGatewayHttpResolver,
    APIGatewayRestResolver,
    CORSConfig,
    Response,
    content_types,
)
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver, Router
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent, APIGatewayProxyEventV2

from api.gateway import cors_config, is_payload_v2, serving
from api.gateway import resolver as gateway_resolver
from api.pages import page
from api.schemas.common import Health
from faka import resources
from faka.config import get_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.openapi.models import SecurityScheme

common = Router()


@common.get("/v1/health")
def health() -> Health:
    return Health(status="ok")


def security_schemes() -> dict[str, SecurityScheme]:
    """The credentials the document names. Powertools' OpenAPI models are ~100 pydantic classes (about half the
    resolver's import time), which Powertools itself imports only to write the document; so do we."""
    from aws_lambda_powertools.event_handler.openapi.models import APIKey, HTTPBearer

    return {
        "operatorBearer": HTTPBearer(
            description="The admin token, or a Cognito access token of the console's user pool"
        ),
        "buyerToken": HTTPBearer(
            description="The order's access token (POST /v1/orders answers it) or the order-page token of the "
            "buyer's email"
        ),
        "stripeSignature": APIKey.model_validate(
            {"in": "header", "name": "Stripe-Signature", "description": "Stripe's signature of the webhook body"}
        ),
        "fakaSignature": APIKey.model_validate(
            {
                "in": "header",
                "name": "X-Faka-Signature",
                "description": "HMAC-SHA256 of the body with the callback secret",
            }
        ),
        "wechatpaySignature": APIKey.model_validate(
            {
                "in": "header",
                "name": "Wechatpay-Signature",
                "description": "WeChat Pay's signature of Wechatpay-Timestamp, Wechatpay-Nonce and the body",
            }
        ),
    }


# The routes authorize themselves (api.http.operator, the buyer's token, the signatures); the document says which
# credential each path group takes, and which groups read the shop from X-Faka-Shop.
_PATH_SECURITY = (
    (re.compile(r"^/v1/admin/"), "operatorBearer"),
    (re.compile(r"^/v1/orders/\{order_id\}|^/v1/tickets/\{ticket_id\}(/messages)?$"), "buyerToken"),
    (re.compile(r"^/v1/webhooks/stripe$"), "stripeSignature"),
    (re.compile(r"^/v1/webhooks/wechatpay$"), "wechatpaySignature"),
    (re.compile(r"^/v1/activations$"), "fakaSignature"),
)
_READS_SHOP = re.compile(r"^/v1/(admin/|products|orders$|storefront$|activations$)")
# The pages that email links open answer a bad link with a page (api.pages.link_problem).
_ANSWERS_PAGES = re.compile(r"^/v1/links/|^/v1/tickets/\{ticket_id\}/(csat|confirm)$")
_SHOP_PARAMETER = {
    "name": "X-Faka-Shop",
    "in": "header",
    "required": False,
    "description": "The shop the request is about; the deployment's default shop when absent",
    "schema": {"type": "string", "maxLength": 64},
}
_PROBLEM_SCHEMA = {
    "title": "Problem",
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string", "description": "Machine-readable, e.g. invalid_request"},
        "message": {"type": "string"},
        "details": {"description": "What was wrong, when there is more to say (e.g. the invalid fields)"},
    },
}
_PROBLEM = {content_types.APPLICATION_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
_PAGE_OR_PROBLEM = {"text/html": {"schema": {"type": "string"}}, **_PROBLEM}


@cache
def openapi_document() -> dict[str, Any]:
    """Powertools' document, told what it cannot infer: credentials, the shop header and the error the API answers.

    Built once per container: the routes it describes are fixed at import, and callers only read it.

    Powertools documents request validation failures as 422 ``HTTPValidationError``; this API answers them 400
    ``Problem`` (see ``_invalid_request``).
    """
    document: dict[str, Any] = json.loads(
        documented().get_openapi_json_schema(
            title="faka",
            version="1.0.0",
            description="Automatic card-key delivery with after-sales",
            security_schemes=security_schemes(),
        )
    )
    schemas = document["components"]["schemas"]
    for unused in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        schemas.pop(unused, None)
    schemas["Problem"] = _PROBLEM_SCHEMA
    for path, operations in document["paths"].items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            responses.setdefault("400", {"description": "Invalid request"})
            error_content = _PAGE_OR_PROBLEM if _ANSWERS_PAGES.match(path) else _PROBLEM
            for status, response in responses.items():
                # Unless the route declared another media type (Alipay's plain-text "failure").
                if status.startswith("4") and "application/json" in response.get("content", {"application/json": {}}):
                    response["content"] = error_content
            if _READS_SHOP.match(path):
                operation.setdefault("parameters", []).append(_SHOP_PARAMETER)
            if scheme := next((name for pattern, name in _PATH_SECURITY if pattern.search(path)), None):
                operation["security"] = [{scheme: []}]
    from api.operators import KEY_IMPORT_BODY

    document["paths"]["/v1/admin/products/{sku}/keys"]["post"]["requestBody"] = KEY_IMPORT_BODY
    return document


@common.get("/v1/openapi.json", include_in_schema=False)
def openapi() -> Response[str]:
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=json.dumps(openapi_document()))


@common.get("/v1/docs", include_in_schema=False)
def docs() -> Response[str]:
    """The operations, rendered here: Powertools' Swagger UI loads its script from a CDN, which the CSP forbids."""
    document = openapi_document()
    operations = [
        {
            "method": method.upper(),
            "path": path,
            "summary": operation.get("summary", ""),
            "security": ", ".join(name for requirement in operation.get("security", []) for name in requirement),
        }
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]
    return page(
        "api_docs.html.j2",
        openapi_version=document["openapi"],
        security_schemes=document["components"]["securitySchemes"],
        operations=operations,
    )


# The route modules (api.<name>), matched and documented in this order; admin_orders before operators: its
# /v1/admin/orders/export must not match /v1/admin/orders/<order_id>. ``payments`` is where the document lists the
# payment notifications, which another function serves.
_ROUTE_MODULES = (
    "admin_orders",
    "ledger",
    "storefront",
    "payments",
    "payment_methods",
    "operators",
    "suppliers",
    "activation",
    "tickets",
    "refunds",
    "help_desk",
    # The help desk's last routes before they moved apart: the document lists them where it did.
    "csat",
    "knowledge",
    "experiments",
    "reports",
    "ratings",
    "webhooks",
    "order_lookup",
)
# Served by functions of their own (resources.API_ROUTES); still in the API's document.
NOT_SERVED_HERE = frozenset(route.routes for route in resources.API_ROUTES)
OPERATOR_PREFIX = "/v1/admin/"
# The route modules every path of which is under OPERATOR_PREFIX: imported with the first operator request, so a
# buyer's first request after idle does not wait for the console's routes, their models and their services.
OPERATORS_ONLY = frozenset(
    {
        "admin_orders",
        "ledger",
        "help_desk",
        "payment_methods",
        "operators",
        "suppliers",
        "knowledge",
        "experiments",
        "reports",
        "webhooks",
    }
)


def _routers(modules: Iterable[str]) -> tuple[Router, ...]:
    return (*(importlib.import_module(f"api.{module}").router for module in modules), common)


def resolver(kind: type[ApiGatewayResolver], *, cors: CORSConfig | None, operators: bool = True) -> ApiGatewayResolver:
    """The routes this function serves; with ``operators=False``, all but those of the modules in OPERATORS_ONLY.

    The two answer every path outside OPERATOR_PREFIX alike, but a preflight's Access-Control-Allow-Methods lists
    the methods of the resolver's routes: without the operators' own, no DELETE.
    """
    modules = (m for m in _ROUTE_MODULES if m not in NOT_SERVED_HERE and (operators or m not in OPERATORS_ONLY))
    return gateway_resolver(kind, _routers(modules), cors=cors)


@cache
def documented() -> ApiGatewayResolver:
    """Every route of the API, the payment notifications' included: what the document describes, never served here.

    Built on the first request for the document, so the notifications' routes are not imported at cold start.
    """
    return gateway_resolver(APIGatewayRestResolver, _routers(_ROUTE_MODULES), cors=None)


_cors = cors_config(get_settings().cors_origins)
_for_buyers: dict[type[ApiGatewayResolver], ApiGatewayResolver] = {
    kind: resolver(kind, cors=_cors, operators=False) for kind in (APIGatewayRestResolver, APIGatewayHttpResolver)
}


@cache
def _for_operators(kind: type[ApiGatewayResolver]) -> ApiGatewayResolver:
    """Every route this function serves, built on the first request under OPERATOR_PREFIX."""
    return resolver(kind, cors=_cors)


def _resolver_for(event: dict[str, Any]) -> ApiGatewayResolver:
    """Payload format 2.0 is one shape for HTTP APIs and function URLs (a function URL's event is an HTTP API's)."""
    if is_payload_v2(event):
        kind: type[ApiGatewayResolver] = APIGatewayHttpResolver
        path = APIGatewayProxyEventV2(event).path
    else:
        kind, path = APIGatewayRestResolver, APIGatewayProxyEvent(event).path
    return _for_operators(kind) if path.startswith(OPERATOR_PREFIX) else _for_buyers[kind]


lambda_handler = serving(_resolver_for)
