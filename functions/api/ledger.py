"""The platform's ledger for operators: entries and balances, the settlement report, each shop's commission rate.

A shop's operator sees its own shop; the platform operator names a shop with ``?shop=`` (or ``X-Faka-Shop``),
or names none and sees every shop's entries (oldest first across shops, paged by the same cursor) and balances,
and a settlement report of every shop.
"""

from __future__ import annotations

import re
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import BaseModel, Field

from api.http import operator
from api.schemas.common import IDENTIFIER_PATTERN, TEXT
from faka.ledger.entries import Entry
from faka.ledger.ledger import DEFAULT_PAGE, MAX_PAGE, Period
from faka.platform.access import Role
from faka.sales.order_search import all_shops
from faka.security import bearer_token
from faka.wiring import services

router = APIGatewayRouter()


class PostingView(BaseModel):
    account: str = Field(description="shop | commission | advances | funds")
    amount: int = Field(description="Signed, in minor units; an entry's amounts sum to zero")


class EntryView(BaseModel):
    cause: str = Field(description="The event that made the entry, e.g. OrderPaid:<order id>")
    kind: str = Field(description="payment | refund | chargeback | compensation")
    shop_id: str
    order_id: str
    currency: str
    occurred_at: str
    postings: list[PostingView]
    commission_bps: int | None = None
    ref: str | None = None


class BalanceView(BaseModel):
    shop_id: str
    currency: str
    account: str
    amount: int = Field(description="shop: what the platform owes the shop; commission: what the platform kept")


class LedgerView(BaseModel):
    shop_id: str | None = Field(description="Null: every shop (the platform operator's view), entries across shops")
    commission_bps: int | None = None
    entries: list[EntryView]
    balances: list[BalanceView]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null after the last")


class CommissionRate(BaseModel):
    rate_bps: int = Field(ge=0, le=10_000, description="Basis points of each payment the platform keeps")


def _scope(shop: str | None) -> str | None:
    """The shop asked about, once the token may see it; None for the platform operator naming no shop."""
    event = router.current_event
    named = shop or event.headers.get("x-faka-shop")
    target = named or services().settings.default_shop
    role = services().access.authorize(target, bearer_token(event.headers.get("authorization")))
    return None if named is None and role is Role.PLATFORM_OPERATOR else target


def _entry(entry: Entry) -> EntryView:
    return EntryView(
        cause=entry.cause,
        kind=entry.kind.value,
        shop_id=entry.shop_id,
        order_id=entry.order_id,
        currency=entry.currency,
        occurred_at=entry.occurred_at.isoformat(),
        postings=[PostingView(account=account.value, amount=amount) for account, amount in entry.postings],
        commission_bps=entry.commission_bps,
        ref=entry.ref,
    )


def _balances(shop_id: str) -> list[BalanceView]:
    return [
        BalanceView(shop_id=shop_id, currency=b.currency, account=b.account.value, amount=b.amount)
        for b in services().ledger.balances(shop_id)
    ]


@router.get(
    "/v1/admin/ledger",
    responses={200: {"description": "A page of entries"}, 400: {"description": "Bad period, limit or cursor"}},
)
def ledger(
    shop: Annotated[str | None, Query(max_length=64, pattern=IDENTIFIER_PATTERN)] = None,
    first: Annotated[str | None, Query(alias="from")] = None,
    last: Annotated[str | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    cursor: Annotated[str | None, Query()] = None,
) -> LedgerView:
    shop_id = _scope(shop)
    period = Period.parse(first, last)
    if shop_id is None:
        shops = [s.shop_id for s in all_shops()]
        page = services().ledger.page_across(shops, period, limit=limit, cursor=cursor)
        return LedgerView(
            shop_id=None,
            entries=[_entry(entry) for entry in page.entries],
            balances=[balance for s in shops for balance in _balances(s)],
            next_cursor=page.next_cursor,
        )
    page = services().ledger.page(shop_id, period, limit=limit, cursor=cursor)
    return LedgerView(
        shop_id=shop_id,
        commission_bps=services().ledger.commission_rate(shop_id),
        entries=[_entry(entry) for entry in page.entries],
        balances=_balances(shop_id),
        next_cursor=page.next_cursor,
    )


@router.get(
    "/v1/admin/ledger/settlement",
    responses={200: {"description": "The settlement, one row per entry", "content": {"text/csv": TEXT}}},
)
def settlement(
    shop: Annotated[str | None, Query(max_length=64, pattern=IDENTIFIER_PATTERN)] = None,
    first: Annotated[str | None, Query(alias="from")] = None,
    last: Annotated[str | None, Query(alias="to")] = None,
) -> Response[str]:
    shop_id = _scope(shop)
    period = Period.parse(first, last)
    shops = [shop_id] if shop_id else [s.shop_id for s in all_shops()]
    # The shop may come from X-Faka-Shop, unchecked by the query's pattern: the header value never reaches a header.
    scope = re.sub(r"[^A-Za-z0-9._-]", "_", shop_id or "all")
    name = f"settlement-{scope}-{period.first.isoformat()}-{period.last.isoformat()}.csv"
    return Response(
        status_code=200,
        content_type="text/csv; charset=utf-8",
        body=services().ledger.settlement(shops, period),
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.put(
    "/v1/admin/ledger/commission",
    responses={200: {"description": "Set"}, 403: {"description": "Only the platform operator sets it"}},
)
def set_commission(rate: CommissionRate) -> CommissionRate:
    """The platform operator sets the shop's (``X-Faka-Shop``) commission for the payments recorded from now on."""
    shop_id = operator(router.current_event, platform_only=True)
    return CommissionRate(rate_bps=services().ledger.set_commission_rate(shop_id, rate.rate_bps))
