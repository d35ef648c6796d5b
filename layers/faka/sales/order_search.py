"""Operators find a shop's orders by buyer, status, product and date, a page at a time, and export them.

An export is answered inline while it is small; a larger one (a busy shop's month) is written to the export store and
answered with a link to it, so neither the Lambda response limit nor a browser holding megabytes of CSV is in the way.

Every search is one index query: ``by_buyer`` when an address is given (a buyer has few orders), else ``by_shop``;
the orders it finds are then read (the indexes project only what never changes, so an order's updates write no
index entry), and a status filter applies to what was read.
A page ends in an opaque cursor signed with the deployment's secret and bound to the shop and filters it was made
for, so a cursor edited by hand, or made for another shop or search, is refused rather than read.
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import hmac
import io
import json
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from pynamodb.expressions.condition import Condition
from pynamodb.pagination import ResultIterator

from faka.adapters.tables.catalog import ShopItem
from faka.adapters.tables.orders import OrderItem
from faka.errors import InvalidRequest
from faka.sales.redaction import mask_email
from faka.shared.model import OrderStatus
from faka.trust.identity import buyer_ref

FILTERS = frozenset({"email", "status", "sku", "from", "to"})
DEFAULT_PAGE = 50
MAX_PAGE = 100
MAX_RANGE = timedelta(days=366)
EXPORT_PAGE = 500
EXPORT_COLUMNS = (
    "order_id",
    "created_at",
    "status",
    "sku",
    "quantity",
    "amount",
    "currency",
    "email",
    "payment_provider",
    "payment_ref",
    "paid_at",
    "delivered_at",
    "flag_reason",
)
_CURSOR_CONTEXT = b"faka order search cursor v1"


@dataclass(frozen=True)
class OrderSummary:
    """One order as an operator sees it in a list: the buyer's address masked, no keys."""

    order_id: str
    created_at: datetime
    status: str
    sku: str
    quantity: int
    amount: int
    currency: str
    email: str
    payment_provider: str | None
    payment_ref: str | None
    paid_at: datetime | None
    delivered_at: datetime | None
    flag_reason: str | None

    def row(self) -> dict[str, Any]:
        return {
            name: value.isoformat() if isinstance(value, datetime) else value
            for name, value in ((c, getattr(self, c)) for c in EXPORT_COLUMNS)
        }


@dataclass(frozen=True)
class OrderPage:
    orders: list[OrderSummary]
    next_cursor: str | None


def _instant(name: str, text: str, *, end_of_day: bool = False) -> datetime:
    """An ISO-8601 time (UTC unless it says otherwise); a bare date is its first instant, or with ``end_of_day``
    its last, so ``to=2026-11-30`` takes in the whole of that day."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidRequest(f"{name} must be an ISO-8601 date or time", code="invalid_filter") from None
    if end_of_day and "T" not in text and " " not in text:
        moment += timedelta(days=1, microseconds=-1)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class OrderQuery:
    """A validated search: which shop, which filters (all optional), how many per page."""

    shop_id: str
    email: str | None = None
    status: OrderStatus | None = None
    sku: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def parse(cls, shop_id: str, params: Mapping[str, str], *, allowed: Iterable[str] = FILTERS) -> OrderQuery:
        """The search the query string asks for; an unknown filter or a range over MAX_RANGE is refused (400)."""
        unknown = sorted(set(params) - set(allowed))
        if unknown:
            raise InvalidRequest(
                f"unknown filter(s): {', '.join(unknown)}; use {', '.join(sorted(allowed))}",
                code="unknown_filter",
                details={"unknown": unknown},
            )
        status = params.get("status") or None
        if status is not None and status not in OrderStatus.__members__.values():
            raise InvalidRequest(
                f"status must be one of {', '.join(s.value for s in OrderStatus)}", code="invalid_filter"
            )
        since = _instant("from", params["from"]) if params.get("from") else None
        until = _instant("to", params["to"], end_of_day=True) if params.get("to") else None
        if since and until and since > until:
            raise InvalidRequest("from must not be after to", code="invalid_filter")
        if since and (until or datetime.now(UTC)) - since > MAX_RANGE:
            raise InvalidRequest(f"the date range may span at most {MAX_RANGE.days} days", code="date_range_too_long")
        return cls(
            shop_id=shop_id,
            email=params.get("email") or None,
            status=OrderStatus(status) if status else None,
            sku=params.get("sku") or None,
            since=since,
            until=until,
        )

    def fingerprint(self) -> str:
        """What a cursor is bound to: the shop and every filter."""
        fields = [self.shop_id, buyer_ref(self.email) if self.email else "", self.status or "", self.sku or ""]
        fields += [self.since.isoformat() if self.since else "", self.until.isoformat() if self.until else ""]
        return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


def page_size(text: str | None) -> int:
    if not text:
        return DEFAULT_PAGE
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_PAGE:
        raise InvalidRequest(f"limit must be a whole number from 1 to {MAX_PAGE}", code="invalid_limit")
    return int(text)


class Fingerprinted(Protocol):
    def fingerprint(self) -> str:
        """What a cursor is bound to: the shop, the list and every filter."""
        ...


class CursorCodec:
    """Opaque, signed cursors: base64url of the query's fingerprint and DynamoDB's key, then an HMAC of both.

    Every list endpoint pages with them (orders, tickets, products …), each query fingerprinting its own list."""

    def __init__(self, secret: Callable[[], str]) -> None:
        self._secret = secret

    def _signature(self, payload: bytes) -> str:
        key = hmac.new(self._secret().encode(), _CURSOR_CONTEXT, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(hmac.new(key, payload, hashlib.sha256).digest()).decode().rstrip("=")

    def encode(self, query: Fingerprinted, last_key: Mapping[str, Any]) -> str:
        payload = json.dumps({"q": query.fingerprint(), "k": last_key}, separators=(",", ":"), sort_keys=True).encode()
        return f"{base64.urlsafe_b64encode(payload).decode().rstrip('=')}.{self._signature(payload)}"

    def decode(self, query: Fingerprinted, cursor: str) -> dict[str, Any]:
        """DynamoDB's key to resume from; a cursor not signed here, or made for another search, is refused (400)."""
        encoded, _, signature = cursor.partition(".")
        try:
            payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError):
            payload = b""
        if not payload or not hmac.compare_digest(self._signature(payload), signature):
            raise InvalidRequest("the cursor is not one this API issued", code="invalid_cursor")
        content = json.loads(payload)
        if content.get("q") != query.fingerprint():
            raise InvalidRequest("the cursor belongs to another search or shop", code="invalid_cursor")
        return dict(content["k"])


Listed = TypeVar("Listed")


@dataclass(frozen=True)
class ListScope:
    """A list with no filters of its own (a shop's products, the shops): what its cursors are bound to."""

    name: str
    shop_id: str

    def fingerprint(self) -> str:
        return hashlib.sha256(f"{self.name}\x1f{self.shop_id}".encode()).hexdigest()


def page_of(
    items: Sequence[Listed],
    key: Callable[[Listed], str],
    scope: ListScope,
    limit: int,
    cursor: str | None,
    cursors: CursorCodec,
) -> tuple[list[Listed], str | None]:
    """A page of a list read whole because it is small by nature, in ``key`` order, with the next page's cursor."""
    after = str(cursors.decode(scope, cursor)["after"]) if cursor else None
    rest = [item for item in sorted(items, key=key) if after is None or key(item) > after]
    page = rest[:limit]
    return page, cursors.encode(scope, {"after": key(page[-1])}) if len(rest) > limit else None


def _summary(item: OrderItem, now: datetime) -> OrderSummary:
    expired = item.status == OrderStatus.PENDING_PAYMENT and now >= item.expires_at
    return OrderSummary(
        order_id=item.order_id,
        created_at=item.created_at,
        status=OrderStatus.EXPIRED.value if expired else item.status,
        sku=item.sku,
        quantity=int(item.quantity),
        amount=int(item.amount),
        currency=item.currency,
        email=mask_email(item.email),
        payment_provider=item.payment_provider,
        payment_ref=item.payment_ref,
        paid_at=item.paid_at,
        delivered_at=item.delivered_at,
        flag_reason=item.flag_reason,
    )


class OrderSearch:
    def __init__(self, cursors: CursorCodec) -> None:
        self._cursors = cursors

    def page(self, query: OrderQuery, limit: int, cursor: str | None = None) -> OrderPage:
        """Up to ``limit`` orders, newest first, and the cursor of the next page (None after the last).

        A search by status, or by address, may answer a short page before its last: those filters apply after the
        index is read, so the cursor, not the page's length, tells whether more may follow.
        """
        start = self._cursors.decode(query, cursor) if cursor else None
        now = datetime.now(UTC)
        results = _index_query(query, now, start=start, limit=limit)
        orders = [_summary(item, now) for item in _full_orders(query, results, now)]
        last_key = results.last_evaluated_key
        return OrderPage(orders, self._cursors.encode(query, last_key) if last_key else None)

    @staticmethod
    def export(query: OrderQuery) -> str:
        """Every order the search finds, newest first, as CSV with a header row (alone when nothing matches)."""
        now = datetime.now(UTC)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        orders = _full_orders(query, _index_query(query, now), now)
        writer.writerows(_summary(item, now).row() for item in orders)
        return out.getvalue()


class ExportStore(ABC):
    @abstractmethod
    def publish(self, key: str, body: bytes, filename: str) -> tuple[str, int]:
        """Store ``body`` under ``key``; returns a URL that downloads it as ``filename``, and the seconds it works."""


@dataclass(frozen=True)
class ExportLink:
    url: str
    expires_in: int
    size: int
    filename: str


def export_filename(query: OrderQuery) -> str:
    return f"orders-{query.shop_id}.csv"


class OrderExports:
    def __init__(self, store: Callable[[], ExportStore], inline_bytes: int) -> None:
        self._store = store
        self._inline_bytes = inline_bytes

    def export(self, query: OrderQuery) -> str | ExportLink:
        """The search's CSV itself when it is at most ``inline_bytes``, else a link to it in the export store."""
        text = OrderSearch.export(query)
        body = text.encode()
        if len(body) <= self._inline_bytes:
            return text
        filename = export_filename(query)
        url, seconds = self._store().publish(f"{query.shop_id}/{uuid.uuid4().hex}/{filename}", body, filename)
        return ExportLink(url, seconds, len(body), filename)


def _index_query(
    query: OrderQuery, now: datetime, *, start: dict[str, Any] | None = None, limit: int | None = None
) -> ResultIterator[OrderItem]:
    """One query of by_buyer (an address given) or by_shop, newest first, within the date range."""
    range_condition: Condition | None = None
    if query.since and query.until:
        range_condition = OrderItem.created_at.between(query.since, query.until)
    elif query.since:
        range_condition = OrderItem.created_at >= query.since
    elif query.until:
        range_condition = OrderItem.created_at <= query.until
    options: dict[str, Any] = {
        "scan_index_forward": False,
        "last_evaluated_key": start,
        "limit": limit,
        # An export reads pages of EXPORT_PAGE: moto (faka local) answers 1 MB index pages far slower (105 s vs 54 s
        # for 10,000 orders); DynamoDB itself is indifferent.
        "page_size": limit or EXPORT_PAGE,
    }
    if query.email:
        # by_buyer spans shops and projects only the shop: the rest is read from the orders themselves.
        shop = OrderItem.shop_id == query.shop_id
        return OrderItem.by_buyer.query(buyer_ref(query.email), range_condition, filter_condition=shop, **options)
    # by_shop projects the product: that filter applies in the query; the status is read with the order.
    product = OrderItem.sku == query.sku if query.sku else None
    return OrderItem.by_shop.query(query.shop_id, range_condition, filter_condition=product, **options)


def _full_orders(query: OrderQuery, found: Iterable[OrderItem], now: datetime) -> Iterator[OrderItem]:
    """The orders found, read whole and filtered here (by_buyer projects only the shop, by_shop the product)."""
    ids = [item.order_id for item in found]
    read = {item.order_id: item for item in OrderItem.batch_get([(order_id, OrderItem.SK) for order_id in ids])}
    for order_id in ids:
        item = read.get(order_id)
        if item is None or (query.sku and item.sku != query.sku):
            continue
        if query.status and _summary(item, now).status != query.status:
            continue
        yield item


@dataclass(frozen=True)
class ShopSummary:
    shop_id: str
    name: str
    support_email: str


def all_shops() -> list[ShopSummary]:
    """Every shop, from the catalog's by_kind index (never a scan)."""
    return [
        ShopSummary(item.pk.removeprefix("SHOP#"), item.name, item.support_email)
        for item in ShopItem.by_kind.query("shop")
    ]
