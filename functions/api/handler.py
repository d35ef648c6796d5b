"""The HTTP API behind API Gateway: one function, routes grouped by who calls them.

Routes parse and authorize, call one domain service and shape the answer; rules live in ``faka``.
Every error leaves here as ``{"code", "message"}`` with its 4xx status.

The same routes answer API Gateway's REST proxy events (payload format 1.0) and the 2.0 format that
HTTP APIs and Lambda function URLs send, each through the Powertools resolver made for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler import (
    APIGatewayHttpResolver,
    APIGatewayRestResolver,
    Response,
    content_types,
)
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver, Router
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestUnsupportedContentType, RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError
from aws_lambda_powertools.utilities.typing import LambdaContext

from api import (
    activation,
    admin_orders,
    help_desk,
    operators,
    order_lookup,
    payments,
    ratings,
    refunds,
    reports,
    storefront,
    suppliers,
    tickets,
    webhooks,
)
from api.http import multipart_refusal, problem, read_json
from faka.domain.issuance import ContendedStock
from faka.entry import register_context
from faka.errors import FakaError
from faka.observability import logger, metrics, tracer

common = Router()


@common.exception_handler(FakaError)
def _domain_error(error: FakaError) -> Response[str]:
    return problem(error.status, error.code, error.message, error.details)


@common.exception_handler(RequestValidationError)
def _invalid_request(error: RequestValidationError) -> Response[str]:
    details = [{"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in error.errors()]
    code = "malformed_json" if any(d["type"] == "json_invalid" for d in details) else "invalid_request"
    return problem(400, code, "the request does not match the API's schema", details)


@common.exception_handler(RequestUnsupportedContentType)
def _unsupported_body(error: RequestUnsupportedContentType) -> Response[str]:
    return problem(415, "unsupported_media_type", "send the body as application/json")


@common.exception_handler(UnicodeDecodeError)
def _undecodable_body(error: UnicodeDecodeError) -> Response[str]:
    return problem(400, "invalid_encoding", "the request body is not UTF-8 text")


@common.exception_handler([ContendedStock, IdempotencyAlreadyInProgressError])
def _retry_later(error: Exception) -> Response[str]:
    return problem(409, "retry_later", "the same request is being processed; retry shortly")


@common.exception_handler(NotFoundError)
def _no_route(error: NotFoundError) -> Response[str]:
    return problem(404, "no_route", "no such path or method")


@common.get("/v1/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@common.get("/v1/openapi.json", include_in_schema=False)
def openapi() -> Response[str]:
    document = app.get_openapi_json_schema(
        title="faka", version="1.0.0", description="Automatic card-key delivery with after-sales"
    )
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=document)


def _resolver(kind: type[ApiGatewayResolver]) -> ApiGatewayResolver:
    resolver = kind(enable_validation=True, json_body_deserializer=read_json)
    # admin_orders before operators: its /v1/admin/orders/export must not match /v1/admin/orders/<order_id>.
    for routes in (
        admin_orders,
        storefront,
        payments,
        operators,
        suppliers,
        activation,
        tickets,
        refunds,
        help_desk,
        reports,
        ratings,
        webhooks,
        order_lookup,
    ):
        resolver.include_router(routes.router)
    resolver.include_router(common)
    return resolver


app = _resolver(APIGatewayRestResolver)
# Payload format 2.0 is one shape for HTTP APIs and function URLs (a function URL's event is an HTTP API's).
http_app = _resolver(APIGatewayHttpResolver)


def _resolver_for(event: Mapping[str, Any]) -> ApiGatewayResolver:
    return http_app if event.get("version") == "2.0" else app


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    register_context(context)
    if refusal := multipart_refusal(event):
        return refusal
    return _resolver_for(event).resolve(event, context)
