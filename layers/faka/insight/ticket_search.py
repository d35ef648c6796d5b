"""Operators list a shop's tickets a page at a time: by status, by who claimed them, by words in them.

One ``by_shop`` index query, newest first; the index projects only the item kind, so each page's tickets are read
whole and filtered here, and a filtered page may be short before the last: the cursor, not the page's length, says
whether more may follow. Cursors are the order search's (:class:`faka.sales.order_search.CursorCodec`): opaque,
signed, bound to the shop and the filters, so another shop's or another search's cursor is refused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from faka.adapters.tables.tickets import TicketItem
from faka.errors import InvalidRequest
from faka.sales.order_search import CursorCodec
from faka.support.ticket_records import TicketStatus

FILTERS = frozenset({"status", "claimed_by", "q"})
MAX_TERM = 200


@dataclass(frozen=True)
class TicketQuery:
    shop_id: str
    status: TicketStatus | None = None
    claimed_by: str | None = None
    # Words to find in the ticket's id, order id, intent or (masked) summary, whatever their case.
    q: str | None = None

    @classmethod
    def parse(cls, shop_id: str, params: Mapping[str, str]) -> TicketQuery:
        unknown = sorted(set(params) - FILTERS)
        if unknown:
            raise InvalidRequest(
                f"unknown filter(s): {', '.join(unknown)}; use {', '.join(sorted(FILTERS))}",
                code="unknown_filter",
                details={"unknown": unknown},
            )
        status = params.get("status") or None
        if status is not None and status not in TicketStatus.__members__.values():
            raise InvalidRequest(
                f"status must be one of {', '.join(s.value for s in TicketStatus)}", code="invalid_filter"
            )
        q = (params.get("q") or "").strip() or None
        if q is not None and len(q) > MAX_TERM:
            raise InvalidRequest(f"q holds at most {MAX_TERM} characters", code="invalid_filter")
        return cls(shop_id, TicketStatus(status) if status else None, params.get("claimed_by") or None, q)

    def fingerprint(self) -> str:
        fields = ["tickets", self.shop_id, self.status or "", self.claimed_by or "", self.q or ""]
        return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()

    def matches(self, item: TicketItem) -> bool:
        if self.status and item.status != self.status:
            return False
        if self.claimed_by and item.claimed_by != self.claimed_by:
            return False
        if self.q:
            text = " ".join(filter(None, [item.ticket_id, item.order_id, item.intent, item.summary])).casefold()
            return all(word in text for word in self.q.casefold().split())
        return True


@dataclass(frozen=True)
class TicketSummary:
    ticket_id: str
    order_id: str | None
    status: str
    intent: str
    confidence: float
    language: str
    sentiment: str
    severity: int
    severity_reasons: list[str]
    entities: dict[str, Any]
    source: str
    summary: str
    created_at: datetime
    claimed_by: str | None


@dataclass(frozen=True)
class TicketPage:
    tickets: list[TicketSummary]
    next_cursor: str | None


class TicketSearch:
    def __init__(self, cursors: CursorCodec) -> None:
        self._cursors = cursors

    def page(self, query: TicketQuery, limit: int, cursor: str | None = None) -> TicketPage:
        start = self._cursors.decode(query, cursor) if cursor else None
        found = TicketItem.by_shop.query(query.shop_id, scan_index_forward=False, limit=limit, last_evaluated_key=start)
        ids = [item.ticket_id for item in found]
        read = {i.ticket_id: i for i in TicketItem.batch_get([(ticket_id, TicketItem.SK) for ticket_id in ids])}
        items = [read[ticket_id] for ticket_id in ids if ticket_id in read and query.matches(read[ticket_id])]
        last_key = found.last_evaluated_key
        return TicketPage([_summary(i) for i in items], self._cursors.encode(query, last_key) if last_key else None)


def _summary(item: TicketItem) -> TicketSummary:
    return TicketSummary(
        ticket_id=item.ticket_id,
        order_id=item.order_id,
        status=item.status,
        intent=item.intent,
        confidence=float(item.confidence),
        language=item.language,
        sentiment=item.sentiment,
        severity=int(item.severity),
        severity_reasons=[str(reason) for reason in item.severity_reasons or ()],
        entities=json.loads(item.entities or "{}"),
        source=item.source,
        summary=item.summary,
        created_at=item.created_at,
        claimed_by=item.claimed_by,
    )
