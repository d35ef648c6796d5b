"""Exactly-once issuance under duplicate, concurrent webhooks and crashes between steps.

240 orders (1–3 keys each) over two products; every payment webhook is delivered three times at
once from eight threads, and faults are injected between the steps of issuance: after a key claim
committed, after the order was marked paid, before it is marked delivered, and when events are
published. Failed deliveries are redelivered, as Stripe does, until they succeed. One product is
short of stock on purpose, so the restock path runs under the same conditions once keys arrive.
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest

from faka.adapters.messaging import EventBridgePublisher
from faka.adapters.tables import BatchItem, KeyItem, OrderItem, OrderLineItem, OrderTableItem, ProductItem
from faka.domain.issuance import ClaimOutcome, KeyIssuer
from faka.domain.orders import Orders
from faka.observability import metrics
from tests.integration.conftest import Stack
from tests.integration.helpers import add_product, open_shop, place_order, signed_payment

ORDERS = 240
DELIVERIES_PER_WEBHOOK = 3
THREADS = 8
FAULT_RATE = 0.08


class InjectedFault(RuntimeError):
    pass


class Faults:
    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self.injected: Counter[str] = Counter()
        self._paused = False

    @contextmanager
    def paused(self) -> Iterator[None]:
        """For the operator's own set-up calls, which are not under test here."""
        self._paused = True
        try:
            yield
        finally:
            self._paused = False

    def maybe(self, where: str) -> None:
        with self._lock:
            hit = not self._paused and self._random.random() < FAULT_RATE
            if hit:
                self.injected[where] += 1
        if hit:
            raise InjectedFault(where)


@pytest.fixture(autouse=True)
def one_metrics_flush_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lambda runs one invocation per process; here eight share Powertools' metrics object, whose flush
    (check the set is not empty, serialize it, clear it) must not interleave with another thread's."""
    flush = metrics.flush_metrics
    lock = threading.Lock()

    def flush_alone(*args: Any, **kwargs: Any) -> None:
        with lock:
            flush(*args, **kwargs)

    monkeypatch.setattr(metrics, "flush_metrics", flush_alone)


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> Faults:
    faults = Faults(seed=20261130)
    claim, mark_paid, mark_delivered, publish = (
        KeyIssuer._try_claim,
        Orders.mark_paid,
        Orders.mark_delivered,
        EventBridgePublisher.publish,
    )

    def claim_then_crash(self: KeyIssuer, *args: Any) -> ClaimOutcome | None:
        outcome = claim(self, *args)
        if outcome is ClaimOutcome.ISSUED:
            faults.maybe("after key claim committed")
        return outcome

    def paid_then_crash(self: Orders, *args: Any, **kwargs: Any) -> bool:
        changed = mark_paid(self, *args, **kwargs)
        faults.maybe("after order marked paid")
        return changed

    def crash_then_deliver(self: Orders, *args: Any) -> bool:
        faults.maybe("before order marked delivered")
        return mark_delivered(self, *args)

    def crash_then_publish(self: EventBridgePublisher, *args: Any) -> None:
        faults.maybe("before event published")
        publish(self, *args)

    monkeypatch.setattr(KeyIssuer, "_try_claim", claim_then_crash)
    monkeypatch.setattr(Orders, "mark_paid", paid_then_crash)
    monkeypatch.setattr(Orders, "mark_delivered", crash_then_deliver)
    monkeypatch.setattr(EventBridgePublisher, "publish", crash_then_publish)
    return faults


def _keys(prefix: str, count: int) -> list[str]:
    return [f"{prefix}-{n:05d}-{random.Random(n).randrange(16**8):08X}" for n in range(count)]


def test_every_paid_line_gets_exactly_one_key(stack: Stack, faults: Faults) -> None:
    open_shop(stack)
    plan = random.Random(7)
    orders = []
    for n in range(ORDERS):
        sku = "steam-20-us" if n % 2 else "psn-10-us"
        orders.append((sku, plan.randint(1, 3)))
    wanted: Counter[str] = Counter()
    for sku, quantity in orders:
        wanted[sku] += quantity
    # psn is 15 keys short: those orders must wait, then be served by the restock path.
    add_product(stack, "steam-20-us", _keys("STEAM", wanted["steam-20-us"] + 25), price=2000)
    add_product(stack, "psn-10-us", _keys("PSN", wanted["psn-10-us"] - 15), price=2000)

    with faults.paused():
        placed = [place_order(stack, sku, quantity) for sku, quantity in orders]
    webhooks = [signed_payment(o["order_id"], o["amount"], event_id=f"evt_{o['order_id']}") for o in placed]
    deliveries = [w for w in webhooks for _ in range(DELIVERIES_PER_WEBHOOK)]
    random.Random(11).shuffle(deliveries)

    attempts: Counter[str] = Counter()

    def deliver_until_accepted(webhook: tuple[str, str]) -> None:
        body, signature = webhook
        for _ in range(50):
            attempts["total"] += 1
            try:
                response = stack.api("POST", "/v1/webhooks/stripe", raw=body, headers={"Stripe-Signature": signature})
            except InjectedFault:
                attempts["crashed"] += 1
                continue
            if response.status == 200:
                return
            attempts[f"status {response.status}"] += 1
        raise AssertionError("a webhook was never accepted")

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(deliver_until_accepted, deliveries))

    short = sum(1 for o in placed if _status(o["order_id"]) == "awaiting_stock")
    assert short > 0, "the shortage should have left orders waiting"
    with faults.paused():
        add_product(stack, "psn-10-us", _keys("PSN-RESTOCK", 30), batch="B2")
    _deliver_events_until_quiet(stack)

    lines = [item for item in OrderTableItem.scan() if isinstance(item, OrderLineItem)]
    issued_keys = [k for k in KeyItem.scan() if k.status == "issued"]
    assert len(lines) == sum(q for _, q in orders)
    missing = [(line.order_id, _status(line.order_id)) for line in lines if not line.code_hash]
    assert not missing, f"paid lines without a key: {missing[:5]} of {len(missing)}"
    assert len({line.code_hash for line in lines}) == len(lines), "a key sits on two lines"
    assert len(issued_keys) == len(lines), "a key was issued that no line holds"
    by_line = {(line.order_id, int(line.line_no)): line.code_hash for line in lines}
    assert all(by_line[(k.order_id, int(k.line_no))] == k.code_hash for k in issued_keys)
    assert {_status(o["order_id"]) for o in placed} == {"delivered"}

    for sku in ("steam-20-us", "psn-10-us"):
        product = ProductItem.get(*ProductItem.key("main", sku))
        available = sum(1 for k in KeyItem.query(f"main#{sku}") if k.status == "available")
        batches = list(BatchItem.query("SHOP#main", BatchItem.sk.startswith(f"BATCH#{sku}#")))
        assert product.stock == available
        assert product.issued == wanted[sku] == sum(b.issued for b in batches)
        assert sum(b.imported for b in batches) == available + wanted[sku]

    print(
        "\nconcurrency:",
        json.dumps(
            {
                "orders": ORDERS,
                "lines": len(lines),
                "webhook_deliveries": len(deliveries),
                "threads": THREADS,
                "delivery_attempts": attempts["total"],
                "crashed_attempts": attempts["crashed"],
                "retry_later_answers": attempts["status 409"],
                "faults_injected": dict(faults.injected),
                "orders_served_by_restock": short,
            }
        ),
    )
    assert sum(faults.injected.values()) > 20, "the faults did not fire; the test would prove nothing"


def _status(order_id: str) -> str:
    return str(OrderItem.get(order_id, OrderItem.SK).status)


def _deliver_events_until_quiet(stack: Stack) -> None:
    # Consumers may hit injected faults too; their messages come back until the queue is empty.
    for _ in range(200):
        if not stack.deliver_events():
            return
