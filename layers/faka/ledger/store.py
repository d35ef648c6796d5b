"""The ledger table: each entry written with its shop's balances in one transaction, once per cause.

An entry's cause (the event that made it) is claimed by a conditional put in the same transaction that writes
the entry and adds its amounts to the balances, so a redelivered event, or two deliveries at once, change nothing
the second time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from faka.adapters.tables.ledger import (
    CommissionRateItem,
    LedgerBalanceItem,
    LedgerCauseItem,
    LedgerEntryItem,
    LedgerTableItem,
)
from faka.ledger.entries import Account, Entry, EntryKind

_ENTRY = "ENTRY#"
_BALANCE = "BALANCE#"


@dataclass(frozen=True)
class Balance:
    currency: str
    account: Account
    amount: int


def shop_key(shop_id: str) -> str:
    return f"SHOP#{shop_id}"


def instant(at: datetime) -> str:
    """A fixed-width UTC time, so entries sort by time within a shop."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_key(entry: Entry) -> str:
    return f"{_ENTRY}{instant(entry.occurred_at)}#{entry.cause}"


class LedgerStore:
    def __init__(self, connection: Connection | None = None) -> None:
        self._connection = connection or Connection()

    def record(self, entry: Entry) -> bool:
        """Write the entry and its balances; False when its cause was recorded before (nothing changes)."""
        shop = shop_key(entry.shop_id)
        sort_key = entry_key(entry)
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.save(
                    LedgerCauseItem(
                        f"CAUSE#{entry.cause}", LedgerCauseItem.SK, shop_id=entry.shop_id, entry_sk=sort_key
                    ),
                    condition=LedgerTableItem.pk.does_not_exist(),
                )
                transaction.save(
                    LedgerEntryItem(
                        shop,
                        sort_key,
                        cause=entry.cause,
                        entry_kind=entry.kind.value,
                        order_id=entry.order_id,
                        currency=entry.currency,
                        occurred_at=entry.occurred_at,
                        postings=json.dumps([[account.value, amount] for account, amount in entry.postings]),
                        commission_bps=entry.commission_bps,
                        ref=entry.ref,
                    )
                )
                for account, change in entry.net().items():
                    if change:
                        transaction.update(
                            LedgerBalanceItem(shop, f"{_BALANCE}{entry.currency}#{account.value}"),
                            actions=[
                                LedgerBalanceItem.kind.set(LedgerBalanceItem),
                                LedgerBalanceItem.balance.add(change),
                            ],
                        )
        except TransactWriteError as error:
            reasons = error.cancellation_reasons or []
            if reasons and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed":
                return False
            raise
        return True

    def entries(
        self, shop_id: str, since: datetime, until: datetime, *, limit: int, after: str | None = None
    ) -> tuple[list[Entry], str | None]:
        """The shop's entries in [since, until), oldest first, and the sort key to continue after (or None)."""
        query = LedgerEntryItem.query(
            shop_key(shop_id),
            LedgerEntryItem.sk.between(f"{_ENTRY}{instant(since)}", f"{_ENTRY}{instant(until)}"),
            limit=limit,
            last_evaluated_key={"pk": {"S": shop_key(shop_id)}, "sk": {"S": after}} if after else None,
            consistent_read=True,
        )
        found = [_entry(shop_id, item) for item in query if isinstance(item, LedgerEntryItem)]
        last = query.last_evaluated_key
        return found, (last["sk"]["S"] if last and len(found) == limit else None)

    def entries_across(
        self, shop_ids: Iterable[str], since: datetime, until: datetime, *, limit: int, after: str | None = None
    ) -> tuple[list[Entry], str | None]:
        """Several shops' entries in [since, until), oldest first across them, and the sort key to continue after.

        A cause is recorded once in the whole ledger and names its entry's sort key, so sort keys never repeat
        across shops: one key is a position in every shop's partition, and a page is the first ``limit`` of
        each shop's next ``limit`` entries after it, merged.
        """
        merged: list[tuple[str, Entry]] = []
        more = False
        for shop_id in shop_ids:
            found, last = self.entries(shop_id, since, until, limit=limit, after=after)
            merged.extend((entry_key(entry), entry) for entry in found)
            more = more or last is not None
        merged.sort(key=lambda keyed: keyed[0])
        page = merged[:limit]
        more = more or len(merged) > limit
        return [entry for _, entry in page], (page[-1][0] if more and page else None)

    def balances(self, shop_id: str) -> list[Balance]:
        balances = []
        for item in LedgerBalanceItem.query(
            shop_key(shop_id), LedgerBalanceItem.sk.startswith(_BALANCE), consistent_read=True
        ):
            currency, account = item.sk.removeprefix(_BALANCE).split("#", 1)
            balances.append(Balance(currency, Account(account), int(item.balance)))
        return balances

    def commission_rate(self, shop_id: str) -> int | None:
        try:
            return int(CommissionRateItem.get(shop_key(shop_id), CommissionRateItem.SK).rate_bps)
        except DoesNotExist:
            return None

    def set_commission_rate(self, shop_id: str, rate_bps: int) -> None:
        CommissionRateItem(shop_key(shop_id), CommissionRateItem.SK, rate_bps=rate_bps, set_at=datetime.now(UTC)).save()


def _entry(shop_id: str, item: LedgerEntryItem) -> Entry:
    return Entry(
        cause=item.cause,
        kind=EntryKind(item.entry_kind),
        shop_id=shop_id,
        order_id=item.order_id,
        currency=item.currency,
        occurred_at=item.occurred_at,
        postings=tuple((Account(account), int(amount)) for account, amount in json.loads(item.postings)),
        commission_bps=int(item.commission_bps) if item.commission_bps is not None else None,
        ref=item.ref,
    )
