"""Operator routes to find orders, export them, act on one (resend its delivery email), list shops, and say who
the caller is.

Registered before the operator routes so ``/v1/admin/orders/export`` is not read as an order id.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import BaseModel, Field

from api.http import operator, shop_id
from faka.platform.access import Role
from faka.sales.order_search import (
    MAX_PAGE,
    ExportLink,
    ListScope,
    OrderQuery,
    OrderSearch,
    all_shops,
    export_filename,
    page_of,
    page_size,
)
from faka.security import bearer_token
from faka.wiring import services

router = APIGatewayRouter()
OrderId = Annotated[str, Path(max_length=64)]


class OrderRow(BaseModel):
    order_id: str
    created_at: str
    status: str
    sku: str
    quantity: int
    amount: int
    currency: str
    email: str = Field(description="Masked")
    payment_provider: str | None
    payment_ref: str | None
    paid_at: str | None
    delivered_at: str | None
    flag_reason: str | None


class OrderList(BaseModel):
    orders: list[OrderRow]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null after the last")


class ShopRow(BaseModel):
    shop_id: str
    name: str
    support_email: str


class ShopList(BaseModel):
    shops: list[ShopRow]
    next_cursor: str | None = Field(default=None, description="Pass as cursor for the next page; null after the last")


def _search() -> OrderSearch:
    return OrderSearch(services().cursors)


def _query(*, paged: bool) -> tuple[OrderQuery, dict[str, str]]:
    event = router.current_event
    shop_id = operator(event)
    params = dict(event.query_string_parameters or {})
    paging: dict[str, str] = {name: params.pop(name) for name in ("limit", "cursor") if paged and name in params}
    return OrderQuery.parse(shop_id, params), paging


@router.get("/v1/admin/orders")
def search_orders() -> OrderList:
    query, paging = _query(paged=True)
    page = _search().page(query, page_size(paging.get("limit")), paging.get("cursor") or None)
    return OrderList(orders=[OrderRow.model_validate(o.row()) for o in page.orders], next_cursor=page.next_cursor)


class ExportUrl(BaseModel):
    url: str = Field(description="Downloads the CSV (presigned; no bearer token needed)")
    expires_in: int = Field(description="Seconds the URL works")
    size: int = Field(description="Bytes of CSV")
    filename: str


@router.get(
    "/v1/admin/orders/export",
    responses={
        200: {
            "description": "The CSV itself (text/csv), or for a large range a link to it (application/json)",
            "content": {"text/csv": {"schema": {"type": "string"}}, "application/json": {"model": ExportUrl}},
        }
    },
)
def export_orders() -> Response[str]:
    query, _ = _query(paged=False)
    exported = services().order_exports.export(query)
    if isinstance(exported, ExportLink):
        link = ExportUrl(
            url=exported.url, expires_in=exported.expires_in, size=exported.size, filename=exported.filename
        )
        return Response(status_code=200, content_type="application/json", body=link.model_dump_json())
    return Response(
        status_code=200,
        content_type="text/csv; charset=utf-8",
        body=exported,
        headers={"Content-Disposition": f'attachment; filename="{export_filename(query)}"'},
    )


@router.get("/v1/admin/shops")
def list_shops(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = MAX_PAGE, cursor: Annotated[str | None, Query()] = None
) -> ShopList:
    """The platform operator sees every shop, by id, ``limit`` a page; a shop's operator, its own."""
    shop, role = _caller()
    if role is not Role.PLATFORM_OPERATOR:
        own = services().shops.get(shop)
        return ShopList(shops=[ShopRow(shop_id=own.shop_id, name=own.name, support_email=own.support_email)])
    scope = ListScope("shops", shop)
    shops, next_cursor = page_of(all_shops(), lambda s: s.shop_id, scope, limit, cursor, services().cursors)
    rows = [ShopRow(shop_id=s.shop_id, name=s.name, support_email=s.support_email) for s in shops]
    return ShopList(shops=rows, next_cursor=next_cursor)


class OperatorIdentity(BaseModel):
    role: Role = Field(description="platform_operator acts on every shop; shop_operator on its own")
    shop_id: str = Field(description="The shop the request named (X-Faka-Shop)")


def _caller() -> tuple[str, Role]:
    """The shop the request names and the caller's role on it."""
    event = router.current_event
    shop = shop_id(event)
    return shop, services().access.authorize(shop, bearer_token(event.headers.get("authorization")))


@router.get("/v1/admin/me")
def who_am_i() -> OperatorIdentity:
    """What the console shows and offers: the caller's role for the shop the request names."""
    shop, role = _caller()
    return OperatorIdentity(role=role, shop_id=shop)


class DeliveryResent(BaseModel):
    order_id: str
    message_id: str = Field(description="The new email's id; the order's delivery email from now on")
    resends_this_hour: int


@router.post(
    "/v1/admin/orders/<order_id>/resend",
    responses={
        200: {"description": "Sent again", "content": {"application/json": {"model": DeliveryResent}}},
        409: {"description": "Not delivered"},
        429: {"description": "Sent again too often this hour"},
    },
)
def resend_delivery(order_id: OrderId) -> DeliveryResent:
    """The delivery email again, with the order's current keys, to the address the order was placed with only."""
    shop, role = _caller()
    resent = services().order_actions.resend_delivery(order_id, shop, role.value)
    return DeliveryResent(
        order_id=resent.order_id, message_id=resent.message_id, resends_this_hour=resent.resends_this_hour
    )
