"""Operator routes: shops, products, key imports, batches, orders, activation figures, tickets, alert channels."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import BaseModel, Field, ValidationError

from api.http import delivered_keys, json_response, operator, parsed_body, product_view, validated
from api.schemas.activation import ActivationFigures, ActivationReceipt, OperatorActivation
from api.schemas.catalog import (
    BatchStatusChange,
    ImportReport,
    KeyImport,
    KeyWithParts,
    ProductDraft,
    ProductList,
    ProductView,
    RejectedKey,
    ShopCreated,
    ShopDraft,
)
from api.schemas.common import answers
from api.schemas.orders import OperatorOrderView
from api.schemas.support import TicketList, TicketView
from faka.activation.activation import ActivationSignal, ActivationStatus, SignalSource
from faka.activation.reports import activation_report
from faka.catalog.codes import CODE_COLUMNS, Card, normalize_card, read_card
from faka.errors import InvalidRequest, NotFound
from faka.insight.ticket_search import TicketQuery, TicketSearch
from faka.platform.alert_channels import MAX_CHANNELS_PER_SHOP, AlertChannel, AlertKind, ChannelDraft, ChannelKind
from faka.sales.order_search import MAX_PAGE, ListScope, page_of, page_size
from faka.shared.model import BatchStatus, Product
from faka.wiring import services

router = APIGatewayRouter()


@router.post(
    "/v1/admin/shops",
    responses={201: {"description": "Shop opened", "content": {"application/json": {"model": ShopCreated}}}},
)
def open_shop(draft: Annotated[ShopDraft, Body()]) -> Response[str]:
    operator(router.current_event, platform_only=True)
    shop, token = services().shops.open(draft.shop_id, draft.name, str(draft.support_email))
    return json_response(201, ShopCreated(shop_id=shop.shop_id, operator_token=token).model_dump())


@router.post(
    "/v1/admin/products",
    responses={
        201: {"description": "Created", "content": {"application/json": {"model": ProductView}}},
        200: {"description": "Updated", "content": {"application/json": {"model": ProductView}}},
    },
)
def save_product(draft: Annotated[ProductDraft, Body()]) -> Response[str]:
    shop_id = operator(router.current_event)
    product, created = services().catalog.save_product(Product(shop_id=shop_id, **draft.model_dump()))
    return json_response(201 if created else 200, product_view(product).model_dump())


@router.post("/v1/admin/products/<sku>/delist")
def delist_product(sku: str) -> ProductView:
    """Take the product off sale: buyers neither see nor order it (409 product_delisted); paid orders still get their
    keys, and its stock stays for when it is listed again."""
    shop_id = operator(router.current_event)
    return product_view(services().catalog.set_listed(shop_id, sku, listed=False))


@router.post("/v1/admin/products/<sku>/relist")
def relist_product(sku: str) -> ProductView:
    """Put a delisted product on sale again, as it was."""
    shop_id = operator(router.current_event)
    return product_view(services().catalog.set_listed(shop_id, sku, listed=True))


class OperatorProductList(ProductList):
    next_cursor: str | None = Field(default=None, description="Pass as cursor for the next page; null after the last")


@router.get("/v1/admin/products")
def operator_products(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = MAX_PAGE, cursor: Annotated[str | None, Query()] = None
) -> OperatorProductList:
    """The shop's products by SKU, ``limit`` a page (100 at most), ``cursor`` paging on."""
    shop_id = operator(router.current_event)
    scope = ListScope("products", shop_id)
    products, next_cursor = page_of(
        services().catalog.products(shop_id), lambda p: p.sku, scope, limit, cursor, services().cursors
    )
    return OperatorProductList(products=[product_view(p) for p in products], next_cursor=next_cursor)


def _csv_cards(body: str) -> list[Card | None]:
    """One key per row: its code from the code column (``code``, ``key`` … whatever their case and spacing) when the
    first row names one, else the first column; every other non-empty cell is a secret part, named by its header.

    A code cell may hold a multi-line card or ``账号----密码`` (:func:`read_card`); a row that is no key is None.
    The byte-order mark spreadsheets write is skipped.
    """
    # newline="": a line may end in CR alone (classic Mac exports), which the csv module reads only so.
    reader = csv.reader(io.StringIO(body.removeprefix("\ufeff"), newline=""))
    try:
        rows = [row for row in reader if row]
    except csv.Error as error:
        raise InvalidRequest(
            f"line {reader.line_num} of the CSV cannot be read: {error}",
            code="invalid_csv",
            details={"line": reader.line_num},
        ) from None
    header = [cell.strip() for cell in rows[0]] if rows else []
    named = [i for name in CODE_COLUMNS for i, cell in enumerate(header) if cell.lower() == name]
    column, names = (named[0], header) if named else (0, [])
    return [
        read_card(
            row[column] if column < len(row) else "",
            [(names[i] if i < len(names) else "", cell) for i, cell in enumerate(row) if i != column],
        )
        for row in (rows[1:] if named else rows)
    ]


def _json_key(item: Any) -> str | Card | None:
    """A key of a JSON import: a code, or ``{"code", "parts"}``; anything else is rejected at its index."""
    if isinstance(item, str):
        return item
    try:
        key = KeyWithParts.model_validate(item)
    except ValidationError:
        return None
    parts = key.parts.items() if isinstance(key.parts, dict) else [(part.name, part.value) for part in key.parts]
    return normalize_card(key.code, parts)


_IMPORT = "the import"


def _key_import() -> tuple[KeyImport, list[str | Card | None]]:
    """Keys arrive as JSON (codes, or codes with their parts), or as CSV (a key a row, its other cells its parts)."""
    event = router.current_event
    body = event.decoded_body or ""
    content_type = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type == "text/csv":
        query = event.query_string_parameters or {}
        cards = _csv_cards(body)
        fields = {
            "batch": query.get("batch", ""),
            "supplier": query.get("supplier", ""),
            "supplier_email": query.get("supplier_email") or None,
            "keys": cards,
        }
        request = validated(KeyImport, fields, _IMPORT)
        return request, list(cards)
    request = parsed_body(KeyImport, body, _IMPORT)
    return request, [_json_key(item) for item in request.keys]


# The key import reads its body itself (JSON, or CSV with the batch in the query), which Powertools cannot describe:
# api.handler.openapi_document adds this as the operation's request body.
KEY_IMPORT_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": KeyImport.model_json_schema(ref_template="#/components/schemas/{model}")},
        "text/csv": {
            "schema": {
                "type": "string",
                "description": f"One key a row: the code from the column named {' or '.join(CODE_COLUMNS)} when the "
                "first row names one, else the first column; the row's other cells are the key's secret parts, "
                "named by their header. A code cell may hold a multi-line card (first line the code, "
                "the others parts) or `账号----密码`. ?batch=, ?supplier= and ?supplier_email= in the query",
            }
        },
    },
}


@router.post("/v1/admin/products/<sku>/keys", responses={200: {"description": "Import report"}})
def import_keys(sku: str) -> ImportReport:
    shop_id = operator(router.current_event)
    request, keys = _key_import()
    result = services().catalog.import_keys(
        shop_id,
        sku,
        request.batch,
        keys,
        supplier=request.supplier,
        supplier_email=str(request.supplier_email) if request.supplier_email else None,
    )
    return ImportReport(
        batch=request.batch,
        imported=result.imported,
        rejected=[RejectedKey(index=r.index, code=r.code) for r in result.rejected],
    )


class BatchChanged(BaseModel):
    batch: str
    status: str


@router.put("/v1/admin/products/<sku>/batches/<batch_id>")
def change_batch(sku: str, batch_id: str, change: Annotated[BatchStatusChange, Body()]) -> BatchChanged:
    shop_id = operator(router.current_event)
    services().catalog.set_batch_status(shop_id, sku, batch_id, BatchStatus(change.status))
    return BatchChanged(batch=batch_id, status=change.status)


@router.get("/v1/admin/orders/<order_id>")
def operator_order(order_id: str) -> OperatorOrderView:
    shop_id = operator(router.current_event)
    order = services().orders.get(order_id)
    if order.shop_id != shop_id:
        raise NotFound("no such order", code="unknown_order")
    return OperatorOrderView(
        order_id=order.order_id,
        shop_id=order.shop_id,
        # Derived: an unpaid order past its payment window (or cancelled) reads as expired.
        status=order.status_at(datetime.now(UTC)).value,
        sku=order.sku,
        quantity=order.quantity,
        amount=order.amount,
        currency=order.currency,
        email=order.email,
        buyer_ip=order.buyer_ip,
        buyer_country=order.buyer_country,
        flag_reason=order.flag_reason,
        payment_ref=order.payment_ref,
        keys=delivered_keys(order, masked=True),
        created_at=order.created_at,
        paid_at=order.paid_at,
        delivered_at=order.delivered_at,
        refund_ids=[refund.refund_id for refund in services().refunds.for_order(order.order_id)],
    )


@router.post("/v1/admin/orders/<order_id>/activation")
def operator_activation(order_id: str, change: Annotated[OperatorActivation, Body()]) -> ActivationReceipt:
    shop_id = operator(router.current_event)
    if services().orders.get(order_id).shop_id != shop_id:
        raise NotFound("no such order", code="unknown_order")
    signal = ActivationSignal(
        ActivationStatus(change.status), SignalSource.OPERATOR, datetime.now(UTC), change.account_region
    )
    outcome = services().activations.record(order_id, signal, line_no=change.line_no)
    return ActivationReceipt(recorded=True, changed_lines=outcome.changed_lines)


@router.get(
    "/v1/admin/reports/activation", responses={200: answers(ActivationFigures, "The shop's activation figures")}
)
def activation_figures() -> dict[str, Any]:
    return activation_report(services().counters, operator(router.current_event))


@router.get("/v1/admin/tickets")
def list_tickets() -> TicketList:
    """The shop's tickets, newest first, 100 a page unless ``limit`` says otherwise; ``status``, ``claimed_by`` and
    ``q`` (words in the id, order, intent or masked summary) filter them; ``cursor`` pages on."""
    event = router.current_event
    shop_id = operator(event)
    params = dict(event.query_string_parameters or {})
    limit, cursor = page_size(params.pop("limit", None) or str(MAX_PAGE)), params.pop("cursor", None) or None
    page = TicketSearch(services().cursors).page(TicketQuery.parse(shop_id, params), limit, cursor)
    return TicketList(
        tickets=[TicketView(**{**asdict(t), "created_at": t.created_at.isoformat()}) for t in page.tickets],
        next_cursor=page.next_cursor,
    )


class AlertChannelDraft(BaseModel):
    kind: ChannelKind
    target: str = Field(
        min_length=1,
        max_length=2048,
        description="The robot's webhook URL (wecom, dingtalk, feishu), the chat id (telegram) or the address (email)",
    )
    secret: str | None = Field(
        default=None,
        description="Write-only: the bot token (telegram) or signing secret (dingtalk, feishu). Left out for a "
        "channel already listed with the same kind and target, its current secret is kept.",
    )
    alerts: list[AlertKind] = Field(default_factory=list, description="The alert kinds it receives; empty: all")


class AlertChannelsDraft(BaseModel):
    channels: list[AlertChannelDraft] = Field(max_length=MAX_CHANNELS_PER_SHOP)


class AlertChannelView(BaseModel):
    channel_id: str
    kind: ChannelKind
    target: str
    alerts: list[AlertKind]
    has_secret: bool


class AlertChannelList(BaseModel):
    channels: list[AlertChannelView]
    alert_kinds: list[AlertKind] = Field(description="Every kind of alert a channel may choose")


def _alert_channels(channels: list[AlertChannel]) -> AlertChannelList:
    return AlertChannelList(
        channels=[
            AlertChannelView(
                channel_id=c.channel_id, kind=c.kind, target=c.target, alerts=list(c.alerts), has_secret=c.has_secret
            )
            for c in channels
        ],
        alert_kinds=list(AlertKind),
    )


@router.get("/v1/admin/alert-channels")
def alert_channels() -> AlertChannelList:
    return _alert_channels(services().alert_channels.of_shop(operator(router.current_event)))


@router.put("/v1/admin/alert-channels")
def replace_alert_channels(draft: Annotated[AlertChannelsDraft, Body()]) -> AlertChannelList:
    """The shop's alert channels become exactly the ones listed; secrets are sealed and never shown again."""
    shop_id = operator(router.current_event)
    drafts = [ChannelDraft(c.kind, c.target, c.secret, tuple(c.alerts)) for c in draft.channels]
    return _alert_channels(services().alert_channels.replace(shop_id, drafts))
