"""Exactly-once issuance under duplicate, concurrent webhooks and crashes between steps.

240 orders over two products, each payment webhook delivered three times at once from eight threads,
faults at every step boundary of issuance, redeliveries backing off as Stripe's do, one product short
of stock until a restock, its waiting orders served by the restock and the reconciliation schedule (the run
itself: tests/integration/concurrency_harness.py; `make chaos` runs it at 10,000 orders).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.integration.concurrency_harness import (
    ChaosPlan,
    Faults,
    invocations_apart_per_thread,
    run_chaos,
)
from tests.integration.conftest import Stack

# Short by 150 keys: some 75 orders wait, more than a restock gets through at this fault rate before its event's
# last delivery, so the reconciliation schedule has to serve the rest.
PLAN = ChaosPlan(orders=240, shortage=150)


@pytest.fixture
def faults() -> Iterator[Faults]:
    faults = Faults(PLAN.fault_rate, PLAN.seed)
    with invocations_apart_per_thread(), faults.injected_into_issuance():
        yield faults


def test_every_paid_line_gets_exactly_one_key(stack: Stack, faults: Faults) -> None:
    report = run_chaos(stack, PLAN, faults)

    print("\nconcurrency:", json.dumps(report.figures()))
    found = report.reconciliation
    assert report.orders_served_by_restock > 0, "the shortage should have left orders waiting"
    assert report.schedule_runs > 0, "every restock got through: the schedule's part was not exercised"
    assert found.lines == found.lines_ordered
    assert not found.paid_lines_without_key, f"paid lines without a key: {found.paid_lines_without_key[:5]}"
    assert found.keys_on_two_lines == 0, "a key sits on two lines"
    assert found.keys_issued_to_no_line == 0, "a key was issued that no line holds"
    assert found.keys_disagreeing_with_their_line == 0
    assert not found.orders_not_delivered, f"orders not delivered: {found.orders_not_delivered[:5]}"
    assert not found.products_out_of_balance, (
        f"stock, issued and batch counts disagree: {found.products_out_of_balance}"
    )
    assert sum(report.faults.values()) > 20, "the faults did not fire; the test would prove nothing"
