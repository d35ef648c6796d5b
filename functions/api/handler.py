"""The HTTP API behind API Gateway: one function, routes grouped by who calls them.

Routes parse and authorize, call one domain service and shape the answer; rules live in ``faka``.
Every error leaves here as ``{"code", "message"}`` with its 4xx status.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError
from aws_lambda_powertools.utilities.typing import LambdaContext

from api import activation, help_desk, operators, payments, ratings, refunds, reports, storefront, tickets, webhooks
from api.http import problem
from faka.domain.issuance import ContendedStock
from faka.entry import register_context
from faka.errors import FakaError
from faka.observability import logger, metrics, tracer

app = APIGatewayRestResolver(enable_validation=True)
for routes in (storefront, payments, operators, activation, tickets, refunds, help_desk, reports, ratings, webhooks):
    app.include_router(routes.router)


@app.exception_handler(FakaError)
def _domain_error(error: FakaError) -> Response[str]:
    return problem(error.status, error.code, error.message, error.details)


@app.exception_handler(RequestValidationError)
def _invalid_request(error: RequestValidationError) -> Response[str]:
    details = [{"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in error.errors()]
    code = "malformed_json" if any(d["type"] == "json_invalid" for d in details) else "invalid_request"
    return problem(400, code, "the request does not match the API's schema", details)


@app.exception_handler(UnicodeDecodeError)
def _undecodable_body(error: UnicodeDecodeError) -> Response[str]:
    return problem(400, "invalid_encoding", "the request body is not UTF-8 text")


@app.exception_handler([ContendedStock, IdempotencyAlreadyInProgressError])
def _retry_later(error: Exception) -> Response[str]:
    return problem(409, "retry_later", "the same request is being processed; retry shortly")


@app.not_found
def _no_route(error: NotFoundError) -> Response[str]:
    return problem(404, "no_route", "no such path or method")


@app.get("/v1/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/v1/openapi.json", include_in_schema=False)
def openapi() -> Response[str]:
    document = app.get_openapi_json_schema(
        title="faka", version="1.0.0", description="Automatic card-key delivery with after-sales"
    )
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=document)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    register_context(context)
    return app.resolve(event, context)
