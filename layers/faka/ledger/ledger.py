"""The ledger's service: records the money events, shows entries and balances, writes the settlement report."""

from __future__ import annotations

import base64
import binascii
import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from faka.errors import InvalidRequest
from faka.ledger.entries import BASIS_POINTS, Account, Entry, EntryKind, entry_for
from faka.ledger.store import Balance, LedgerStore, instant
from faka.observability import logger, metrics

MAX_PAGE = 100
DEFAULT_PAGE = 50
MAX_PERIOD_DAYS = 366
SETTLEMENT_COLUMNS = (
    "shop_id",
    "currency",
    "from",
    "to",
    "payments",
    "commission",
    "refunds",
    "chargebacks",
    "compensations",
    "net_to_shop",
    "balance_owed",
)


@dataclass(frozen=True)
class Period:
    """Whole UTC days, ``first`` to ``last`` inclusive."""

    first: date
    last: date

    @property
    def since(self) -> datetime:
        return datetime.combine(self.first, time.min, UTC)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time.min, UTC)

    @classmethod
    def parse(cls, first: str | None, last: str | None, *, today: date | None = None) -> Period:
        """``from``/``to`` as YYYY-MM-DD; by default the last 30 days up to today."""
        today = today or datetime.now(UTC).date()
        end = _day(last, "to") if last else today
        start = _day(first, "from") if first else end - timedelta(days=29)
        if start > end:
            raise InvalidRequest("from is after to", code="invalid_filter")
        if (end - start).days >= MAX_PERIOD_DAYS:
            raise InvalidRequest(f"at most {MAX_PERIOD_DAYS} days at once", code="date_range_too_long")
        return cls(start, end)


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidRequest(f"{name} must be a date (YYYY-MM-DD)", code="invalid_filter") from None


@dataclass(frozen=True)
class LedgerPage:
    entries: list[Entry]
    next_cursor: str | None


class Ledger:
    def __init__(self, store: LedgerStore, default_commission_bps: int) -> None:
        self._store = store
        self._default_commission_bps = default_commission_bps

    # --- recording ----------------------------------------------------------------------------------------

    def record(self, detail_type: str, detail: Mapping[str, Any], event_time: str) -> Entry | None:
        """The entry for one domain event, written once; None for an event that moves no money."""
        occurred_at = _occurred_at(detail, event_time)
        rate = self.commission_rate(detail["shop_id"]) if detail_type == "OrderPaid" else 0
        entry = entry_for(detail_type, detail, occurred_at, rate)
        if entry is None:
            return None
        if self._store.record(entry):
            metrics.add_metric(name="LedgerEntries", unit="Count", value=1)
            logger.info("ledger entry", extra={"cause": entry.cause, "kind": entry.kind, "shop_id": entry.shop_id})
        else:
            logger.info("ledger entry recorded before", extra={"cause": entry.cause})
        return entry

    # --- commission ---------------------------------------------------------------------------------------

    def commission_rate(self, shop_id: str) -> int:
        """The shop's commission in basis points: its own rate, else the platform's default."""
        own = self._store.commission_rate(shop_id)
        return self._default_commission_bps if own is None else own

    def set_commission_rate(self, shop_id: str, rate_bps: int) -> int:
        """Applies to payments recorded from now on; what is recorded keeps the rate it was recorded at."""
        if not 0 <= rate_bps <= BASIS_POINTS:
            raise InvalidRequest(f"rate_bps must be 0 to {BASIS_POINTS}", code="invalid_rate")
        self._store.set_commission_rate(shop_id, rate_bps)
        logger.info("commission rate set", extra={"shop_id": shop_id, "rate_bps": rate_bps})
        return rate_bps

    # --- reading ------------------------------------------------------------------------------------------

    def page(self, shop_id: str, period: Period, *, limit: int, cursor: str | None) -> LedgerPage:
        after = _decode_cursor(cursor, period) if cursor else None
        entries, last = self._store.entries(shop_id, period.since, period.until, limit=limit, after=after)
        return LedgerPage(entries, _encode_cursor(last) if last else None)

    def page_across(self, shop_ids: Iterable[str], period: Period, *, limit: int, cursor: str | None) -> LedgerPage:
        """Every named shop's entries, oldest first across them: the platform operator's view, paged like one shop's."""
        after = _decode_cursor(cursor, period) if cursor else None
        entries, last = self._store.entries_across(shop_ids, period.since, period.until, limit=limit, after=after)
        return LedgerPage(entries, _encode_cursor(last) if last else None)

    def balances(self, shop_id: str) -> list[Balance]:
        return self._store.balances(shop_id)

    def settlement(self, shop_ids: Iterable[str], period: Period) -> str:
        """CSV, one row per shop and currency with entries in the period: what to pay each shop out."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(SETTLEMENT_COLUMNS)
        for shop_id in shop_ids:
            owed = {b.currency: b.amount for b in self._store.balances(shop_id) if b.account is Account.SHOP}
            for currency, totals in sorted(self._period_totals(shop_id, period).items()):
                writer.writerow(
                    [
                        shop_id,
                        currency,
                        period.first.isoformat(),
                        period.last.isoformat(),
                        *(totals[column] for column in SETTLEMENT_COLUMNS[4:10]),
                        owed.get(currency, 0),
                    ]
                )
        return out.getvalue()

    def _period_totals(self, shop_id: str, period: Period) -> dict[str, dict[str, int]]:
        totals: dict[str, dict[str, int]] = {}
        after: str | None = None
        while True:
            entries, after = self._store.entries(shop_id, period.since, period.until, limit=MAX_PAGE, after=after)
            for entry in entries:
                row = totals.setdefault(entry.currency, dict.fromkeys(SETTLEMENT_COLUMNS[4:10], 0))
                net = entry.net()
                row["net_to_shop"] += net.get(Account.SHOP, 0)
                match entry.kind:
                    case EntryKind.PAYMENT:
                        row["payments"] += -net[Account.FUNDS]
                        row["commission"] += net[Account.COMMISSION]
                    case EntryKind.REFUND:
                        row["refunds"] += net[Account.FUNDS]
                    case EntryKind.CHARGEBACK:
                        row["chargebacks"] += net[Account.FUNDS]
                    case EntryKind.COMPENSATION:
                        row["compensations"] += net[Account.FUNDS]
            if after is None:
                return totals


def _occurred_at(detail: Mapping[str, Any], event_time: str) -> datetime:
    """When the money moved: the event's own time field, else when EventBridge received it."""
    stamp = detail.get("paid_at") or detail.get("completed_at") or detail.get("refunded_at") or event_time
    return datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))


def _encode_cursor(sort_key: str) -> str:
    return base64.urlsafe_b64encode(sort_key.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, period: Period) -> str:
    """The entry to continue after; a cursor naming no entry of this period is refused (400)."""
    try:
        sort_key = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, ValueError):
        sort_key = ""
    if not f"ENTRY#{instant(period.since)}" <= sort_key <= f"ENTRY#{instant(period.until)}":
        raise InvalidRequest("the cursor is not one this API issued for this period", code="invalid_cursor")
    return sort_key
