"""What every route module shares: the error shape, the shop a request names, operator authorization."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from api.schemas import DeliveredKey, ProductView
from faka.domain.codes import mask_code
from faka.domain.model import Order, Product
from faka.security import bearer_token
from faka.wiring import services


def problem(status: int, code: str, message: str, details: Any = None) -> Response[str]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps(body))


def json_response(status: int, body: Any) -> Response[str]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps(body))


def shop_id(event: APIGatewayProxyEvent) -> str:
    return event.headers.get("x-faka-shop") or services().settings.default_shop


def open_shop_id(event: APIGatewayProxyEvent) -> str:
    """The shop a storefront request names, after checking it exists, so a typo is not an "unknown sku"."""
    shop = shop_id(event)
    services().shops.get(shop)
    return shop


def operator(event: APIGatewayProxyEvent, *, platform_only: bool = False) -> str:
    """The shop the request names, once the bearer token is shown to act on it."""
    shop = shop_id(event)
    services().access.authorize(shop, bearer_token(event.headers.get("authorization")), platform_only=platform_only)
    return shop


def product_view(product: Product) -> ProductView:
    return ProductView(
        sku=product.sku,
        name=product.name,
        description=product.description,
        price=product.price,
        currency=product.currency,
        region=product.region,
        platform=product.platform,
        stock=product.stock,
    )


def delivered_keys(order: Order, *, masked: bool) -> list[DeliveredKey]:
    """The order's keys: in full for the buyer's own view, masked for everyone else."""
    codes = services().delivered_keys.codes(order)
    return [DeliveredKey(line_no=n, code=mask_code(code) if masked else code) for n, code in codes]
