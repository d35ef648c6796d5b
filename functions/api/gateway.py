"""What every function behind the API Gateway shares: the error answers, CORS, and the handler serving its routes.

API Gateway sends each path prefix to the function serving it (``faka.resources.API_ROUTES``); each of those
functions is a handler built here from the route modules it serves, so they answer errors, both payload formats and
malformed bodies alike. Importing this module imports no route module: a function loads only the routes it serves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from aws_lambda_powertools.event_handler import CORSConfig, Response
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver, Router
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestUnsupportedContentType, RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError
from aws_lambda_powertools.utilities.typing import LambdaContext

from api.http import multipart_refusal, problem, read_json
from faka.entry import register_context
from faka.errors import FakaError
from faka.observability import logger, metrics, tracer
from faka.sales.issuance import ContendedStock

LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]
# The resolver answering an event: by its payload format, and for the api function by its path too.
ResolverFor = Callable[[dict[str, Any]], ApiGatewayResolver]

errors = Router()


@errors.exception_handler(FakaError)
def _domain_error(error: FakaError) -> Response[str]:
    return problem(error.status, error.code, error.message, error.details)


@errors.exception_handler(RequestValidationError)
def _invalid_request(error: RequestValidationError) -> Response[str]:
    details = [{"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in error.errors()]
    code = "malformed_json" if any(d["type"] == "json_invalid" for d in details) else "invalid_request"
    return problem(400, code, "the request does not match the API's schema", details)


@errors.exception_handler(RequestUnsupportedContentType)
def _unsupported_body(error: RequestUnsupportedContentType) -> Response[str]:
    return problem(415, "unsupported_media_type", "send the body as application/json")


@errors.exception_handler(UnicodeDecodeError)
def _undecodable_body(error: UnicodeDecodeError) -> Response[str]:
    return problem(400, "invalid_encoding", "the request body is not UTF-8 text")


@errors.exception_handler([ContendedStock, IdempotencyAlreadyInProgressError])
def _retry_later(error: Exception) -> Response[str]:
    return problem(409, "retry_later", "the same request is being processed; retry shortly")


@errors.exception_handler(NotFoundError)
def _no_route(error: NotFoundError) -> Response[str]:
    return problem(404, "no_route", "no such path or method")


def cors_config(origins: str) -> CORSConfig | None:
    """Browsers on these origins (comma-separated, ``*`` for any) may call the API; none when empty.

    Credentials travel as bearer tokens, never cookies, so credentialed CORS is off.
    """
    allowed = [origin.strip() for origin in origins.split(",") if origin.strip()]
    if not allowed:
        return None
    return CORSConfig(
        allow_origin=allowed[0],
        extra_origins=allowed[1:],
        allow_headers=["X-Faka-Shop", "X-Faka-Device", "Idempotency-Key"],
        max_age=600,
        allow_credentials=False,
    )


def resolver(
    kind: type[ApiGatewayResolver], routers: Iterable[Router], *, cors: CORSConfig | None
) -> ApiGatewayResolver:
    """A resolver of ``kind`` for ``routers`` (matched in this order), then ``errors``: what every function answers."""
    routes_for = kind(enable_validation=True, json_body_deserializer=read_json, cors=cors)
    for router in routers:
        routes_for.include_router(router)
    routes_for.include_router(errors)
    return routes_for


def by_payload_format(rest: ApiGatewayResolver, http: ApiGatewayResolver) -> ResolverFor:
    """API Gateway's REST proxy events (payload format 1.0) to ``rest``, and the 2.0 format HTTP APIs and function
    URLs send (one shape for both) to ``http``."""
    return lambda event: http if is_payload_v2(event) else rest


def is_payload_v2(event: dict[str, Any]) -> bool:
    return event.get("version") == "2.0"


def serving(resolver_for: ResolverFor) -> LambdaHandler:
    """The Lambda handler answering each event with the resolver ``resolver_for`` picks for it."""

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        register_context(context)
        if refusal := multipart_refusal(event):
            return refusal
        return resolver_for(event).resolve(event, context)

    return lambda_handler
