"""What every route module shares: reading a body, the error shape, the shop a request names, operator authorization."""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent, APIGatewayProxyEventV2
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent
from pydantic import BaseModel, ValidationError
from pydantic_core import from_json

from faka import resources
from faka.catalog.codes import mask_card
from faka.errors import InvalidRequest
from faka.security import bearer_token
from faka.shared.model import Order, Product
from faka.wiring import services

if TYPE_CHECKING:
    from api.schemas.catalog import ProductView
    from api.schemas.orders import DeliveredKey


def read_json(text: str) -> Any:
    """A request body read as pydantic reads the bodies routes parse themselves: strict JSON (no NaN, no lone
    surrogate), nesting and numbers bounded. What it refuses is a decode error, which is answered ``malformed_json``.

    (``json.loads`` instead raises RecursionError on deep nesting and ValueError on a 5,000-digit number.)
    """
    try:
        return from_json(text, allow_inf_nan=False)
    except ValueError as error:
        raise json.JSONDecodeError(str(error), text, 0) from None


Body = TypeVar("Body", bound=BaseModel)


def parsed_body(model: type[Body], body: str, what: str) -> Body:
    """A JSON body a route reads itself, answered as Powertools answers the bodies it parses: JSON no parser should
    accept is ``malformed_json``, JSON of another shape ``invalid_request`` naming ``what``."""
    try:
        data = read_json(body)
    except json.JSONDecodeError:
        raise InvalidRequest("the body is not JSON this API reads", code="malformed_json") from None
    return validated(model, data, what)


def validated(model: type[Body], data: Any, what: str) -> Body:
    """``data`` read from a body of another type (CSV, a form) as ``model``: of another shape, ``invalid_request``."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise InvalidRequest(
            f"{what} does not match the API's schema", details=error.errors(include_url=False, include_input=False)
        ) from None


def _problem_body(code: str, message: str, details: Any = None) -> str:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return json.dumps(body)


def problem(status: int, code: str, message: str, details: Any = None) -> Response[str]:
    return Response(
        status_code=status, content_type=content_types.APPLICATION_JSON, body=_problem_body(code, message, details)
    )


def multipart_refusal(event: Mapping[str, Any]) -> dict[str, Any] | None:
    """The answer to a multipart body, which no route reads, before Powertools' multipart parser fails on it.

    That parser raises a bare ValueError on a ``multipart/form-data`` header without a ``boundary`` and on a
    body that is not Latin-1. The answer is a proxy response both payload formats (1.0 and 2.0) accept.
    """
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
    if not str(headers.get("content-type", "")).strip().lower().startswith("multipart/"):
        return None
    return {
        "statusCode": 415,
        "headers": {"Content-Type": content_types.APPLICATION_JSON},
        "body": _problem_body("unsupported_media_type", "send the body as application/json"),
        "isBase64Encoded": False,
    }


def json_response(status: int, body: Any) -> Response[str]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps(body))


def source_ip(event: APIGatewayProxyEvent | APIGatewayProxyEventV2) -> str:
    """The caller's address as API Gateway saw it, in payload format 1.0 (REST) or 2.0 (HTTP API, function URL)."""
    if isinstance(event, APIGatewayProxyEventV2):
        return event.request_context.http.source_ip
    return event.request_context.identity.source_ip


def shop_id(event: BaseProxyEvent) -> str:
    return event.headers.get("x-faka-shop") or services().settings.default_shop


def open_shop_id(event: BaseProxyEvent) -> str:
    """The shop a storefront request names, after checking it exists, so a typo is not an "unknown sku"."""
    shop = shop_id(event)
    services().shops.get(shop)
    return shop


def operator(event: BaseProxyEvent, *, platform_only: bool = False) -> str:
    """The shop the request names, once the bearer token is shown to act on it."""
    shop = shop_id(event)
    services().access.authorize(shop, bearer_token(event.headers.get("authorization")), platform_only=platform_only)
    return shop


def viewer_country(event: BaseProxyEvent) -> str | None:
    """The buyer's country as CloudFront saw it, or None unless the request provably came through CloudFront.

    The regional API is reachable directly too, where any client writes CloudFront-Viewer-Country itself.
    """
    expected = services().origin_verify_secret
    shown = event.headers.get(resources.ORIGIN_VERIFY_HEADER) or ""
    if not expected or not hmac.compare_digest(shown.encode(), expected.encode()):
        return None
    return event.headers.get("cloudfront-viewer-country")


# The bodies below are imported where they are built: the payment notifications share this module's error answers
# (api.gateway) and answer no product or key.
def product_view(product: Product) -> ProductView:
    from api.schemas.catalog import ProductView

    return ProductView(
        sku=product.sku,
        name=product.name,
        description=product.description,
        price=product.price,
        currency=product.currency,
        region=product.region,
        platform=product.platform,
        stock=product.stock,
        listed=product.listed,
    )


def delivered_keys(order: Order, *, masked: bool) -> list[DeliveredKey]:
    """The order's keys: in full for the buyer's own view, masked for everyone else."""
    from api.schemas.catalog import KeyPartView
    from api.schemas.orders import DeliveredKey

    cards = services().delivered_keys.cards(order)
    return [
        DeliveredKey(
            line_no=n,
            code=shown.code,
            parts=[KeyPartView(name=part.name, value=part.value) for part in shown.parts],
        )
        for n, card in cards
        for shown in [mask_card(card) if masked else card]
    ]
