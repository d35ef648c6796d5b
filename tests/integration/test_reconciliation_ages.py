"""Payment reconciliation reads the orders placed at fixed ages from the placed index (faka.sales.reconciliation):
each unpaid order is asked about once at each age, a missed run is made up by the next, and a run reads only what
was placed since the last one, never further back than its catch-up bound."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from faka.adapters.tables.orders import OrderItem
from faka.sales.orders import Orders
from faka.sales.reconciliation import CATCH_UP, check_ages
from faka.wiring import services
from tests.integration.conftest import Stack
from tests.integration.helpers import add_product, open_shop, pay, place_order


def checked(minutes_later: float) -> tuple[int, int, int]:
    """A reconciliation run as if it ran ``minutes_later`` from now: (checked, fulfilled, closed)."""
    report = services().reconciliation.run(datetime.now(UTC) + timedelta(minutes=minutes_later))
    return report.checked, report.fulfilled, report.closed


def test_the_check_ages_run_from_the_first_asking_to_an_hour_past_expiry() -> None:
    ages = check_ages(timedelta(minutes=3), timedelta(minutes=30))

    assert [age.total_seconds() / 60 for age in ages] == [3, 15, 30, 90]


def test_an_unpaid_order_is_asked_about_once_at_each_age_then_left(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack)
    place_order(stack)

    runs = [checked(minutes) for minutes in (1, 4, 5, 16, 17, 31, 32, 91, 92, 150)]

    assert runs == [
        (0, 0, 0),  # too early: its webhook may still come
        (1, 0, 0),
        (0, 0, 0),
        (1, 0, 0),  # halfway to expiry
        (0, 0, 0),
        (1, 0, 0),  # at expiry (Stripe has no trade to close)
        (0, 0, 0),
        (1, 0, 1),  # an hour past expiry: asked a last time and left
        (0, 0, 0),
        (0, 0, 0),
    ]


def test_a_paid_order_is_read_but_not_asked_about_and_its_payment_wrote_no_index_key(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack, keys=["KEY-0001"])
    order = place_order(stack)
    placed = OrderItem.get(order["order_id"], OrderItem.SK)

    assert pay(stack, order["order_id"], order["amount"]).body["result"] == "delivered"

    paid = OrderItem.get(order["order_id"], OrderItem.SK)
    assert (paid.placed_shard, paid.created_at) == (placed.placed_shard, placed.created_at)
    assert (placed.payment_pending, paid.payment_pending) == (None, None)
    assert checked(4) == (0, 0, 0)


def test_runs_missed_are_made_up_by_the_next_within_the_catch_up_bound(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_shop(stack)
    add_product(stack)
    place_order(stack)
    read: list[tuple[datetime, datetime]] = []
    placed_between = Orders.placed_between

    def recorded(start: datetime, end: datetime, limit: int) -> list[tuple[str, datetime]]:
        read.append((start, end))
        return placed_between(start, end, limit)

    monkeypatch.setattr(Orders, "placed_between", staticmethod(recorded))

    # Nothing ran for 20 minutes: the order passed two ages, and is asked about once.
    assert checked(20) == (1, 0, 0)
    # Nothing ran for a day: each age reads no more than the catch-up bound of placements, the order is past them all.
    read.clear()
    assert checked(24 * 60) == (0, 0, 0)
    assert len(read) == 4  # one band per age
    assert all(end - start <= CATCH_UP for start, end in read)
