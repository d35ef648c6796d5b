"""The ledger's arithmetic: every entry balances, and over any history each balance is what its events say."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from faka.errors import InvalidRequest
from faka.ledger.entries import Account, Entry, EntryKind, entry_for
from faka.ledger.ledger import Ledger, Period
from faka.ledger.store import Balance, LedgerStore

AT = "2026-12-06T10:00:00+00:00"


class InMemoryStore(LedgerStore):
    """The store's contract without DynamoDB: an entry per cause, balances as the sums of what was entered."""

    def __init__(self, rates: dict[str, int] | None = None) -> None:
        self.entries_by_cause: dict[str, Entry] = {}
        self.totals: dict[tuple[str, str, Account], int] = defaultdict(int)
        self.rates = rates or {}

    def record(self, entry: Entry) -> bool:
        if entry.cause in self.entries_by_cause:
            return False
        self.entries_by_cause[entry.cause] = entry
        for account, change in entry.net().items():
            self.totals[entry.shop_id, entry.currency, account] += change
        return True

    def balances(self, shop_id: str) -> list[Balance]:
        return [Balance(c, a, amount) for (s, c, a), amount in self.totals.items() if s == shop_id]

    def commission_rate(self, shop_id: str) -> int | None:
        return self.rates.get(shop_id)


def test_a_payment_credits_the_shop_less_the_commission_rounded_down_for_the_platform() -> None:
    entry = entry_for(
        "OrderPaid", {"order_id": "o", "shop_id": "s", "amount": 999, "currency": "CNY"}, datetime.now(UTC), 250
    )

    assert entry is not None
    assert entry.currency == "cny"
    assert entry.net() == {Account.FUNDS: -999, Account.SHOP: 975, Account.COMMISSION: 24}


def test_an_entry_that_does_not_balance_cannot_exist() -> None:
    with pytest.raises(ValueError, match="does not balance"):
        Entry("c", EntryKind.REFUND, "s", "o", "usd", datetime.now(UTC), ((Account.SHOP, -5), (Account.FUNDS, 4)))


def test_events_that_move_no_money_make_no_entry() -> None:
    detail = {"order_id": "o", "shop_id": "s", "amount": 1, "currency": "usd"}
    assert entry_for("OrderDelivered", detail, datetime.now(UTC), 500) is None


def test_a_period_is_whole_days_and_refuses_a_backwards_or_too_long_range() -> None:
    period = Period.parse("2026-01-01", "2026-01-31")
    assert (period.since.isoformat(), period.until.isoformat()) == (
        "2026-01-01T00:00:00+00:00",
        "2026-02-01T00:00:00+00:00",
    )
    for first, last, code in (
        ("2026-02-01", "2026-01-01", "invalid_filter"),
        ("2025-01-01", "2026-06-01", "date_range_too_long"),
    ):
        with pytest.raises(InvalidRequest) as raised:
            Period.parse(first, last)
        assert raised.value.code == code


SHOPS = st.sampled_from(["north", "south"])
CURRENCIES = st.sampled_from(["usd", "cny"])
AMOUNTS = st.integers(min_value=0, max_value=10_000_000)


@st.composite
def money_events(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    kind = draw(st.sampled_from(["OrderPaid", "RefundCompleted", "Compensation", "DisputeOpened", "ChargeRefunded"]))
    ident = draw(st.integers(min_value=0, max_value=5))  # small, so the same event is often delivered again
    detail: dict[str, Any] = {
        "order_id": f"o{ident}",
        "shop_id": draw(SHOPS),
        "amount": draw(AMOUNTS),
        "currency": draw(CURRENCIES),
    }
    match kind:
        case "RefundCompleted" | "Compensation":
            detail |= {"refund_id": f"{kind}{ident}", "compensated_by_platform": kind == "Compensation"}
            kind = "RefundCompleted"
        case "DisputeOpened":
            detail["dispute_id"] = f"dp{ident}"
        case "ChargeRefunded":
            detail |= {"charge": f"ch{ident}", "refunded_total": draw(st.integers(min_value=1, max_value=3))}
    return kind, detail


def first_deliveries(history: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """Each distinct event once, as first delivered: what the books must reflect."""
    first_of: dict[str, tuple[str, dict[str, Any]]] = {}
    for detail_type, detail in history:
        key = {
            "OrderPaid": f"paid:{detail['order_id']}",
            "RefundCompleted": f"refund:{detail.get('refund_id')}",
            "DisputeOpened": f"dispute:{detail.get('dispute_id')}",
            "ChargeRefunded": f"charge:{detail.get('charge')}:{detail.get('refunded_total')}",
        }[detail_type]
        first_of.setdefault(key, (detail_type, detail))
    return list(first_of.values())


def expected_balances(
    history: list[tuple[str, dict[str, Any]]], rates: dict[str, int], default_bps: int = 500
) -> dict[tuple[str, str, Account], int]:
    """What each (shop, currency, account) should hold, worked out from the events without the ledger's code."""
    expected: dict[tuple[str, str, Account], int] = defaultdict(int)
    for detail_type, detail in first_deliveries(history):
        where = (detail["shop_id"], detail["currency"])
        amount = detail["amount"]
        if detail_type == "OrderPaid":
            kept = amount * rates.get(detail["shop_id"], default_bps) // 10_000
            expected[(*where, Account.FUNDS)] -= amount
            expected[(*where, Account.SHOP)] += amount - kept
            expected[(*where, Account.COMMISSION)] += kept
        else:
            expected[(*where, Account.FUNDS)] += amount
            expected[(*where, Account.SHOP)] -= amount
    return {key: amount for key, amount in expected.items() if amount}


def assert_books_match(
    balances_of: Callable[[str], list[Balance]],
    shops: list[str],
    history: list[tuple[str, dict[str, Any]]],
    rates: dict[str, int],
) -> None:
    expected = expected_balances(history, rates)
    for shop in shops:
        held = {(shop, b.currency, b.account): b.amount for b in balances_of(shop) if b.amount}
        assert held == {key: amount for key, amount in expected.items() if key[0] == shop}
        for currency in {currency for _, currency, _ in held}:
            assert sum(amount for (_, c, _), amount in held.items() if c == currency) == 0


@given(
    history=st.lists(money_events(), max_size=40),
    rates=st.fixed_dictionaries({"north": st.integers(min_value=0, max_value=10_000)}),
)
def test_over_any_history_the_ledger_sums_to_zero_and_each_balance_equals_its_events(
    history: list[tuple[str, dict[str, Any]]], rates: dict[str, int]
) -> None:
    store = InMemoryStore(rates)
    ledger = Ledger(store, default_commission_bps=500)

    for detail_type, detail in history:
        ledger.record(detail_type, detail, AT)

    assert_books_match(store.balances, ["north", "south"], history, rates)
    assert len(store.entries_by_cause) == len(first_deliveries(history))
    assert all(sum(amount for _, amount in e.postings) == 0 for e in store.entries_by_cause.values())
