"""Exactly-once issuance under duplicate, concurrent webhooks and crashes between steps: the run and its figures.

Orders (1–3 keys each) over several products; every payment webhook is delivered several times at once
from a pool of threads, and faults are injected at the step boundaries of issuance: after a key claim
committed, after the order was marked paid, before it is marked delivered, and when events are published.
A failed delivery is redelivered as Stripe redelivers: after an exponentially growing, jittered pause,
until it is accepted or the redelivery window closes. The last product is short of stock on purpose, so
orders wait and are served by the restock path under the same faults, and by the reconciliation schedule where a
restock crashed on each delivery of its event. Reconciliation then reads every line, key, product and batch back.

Used by the concurrency test (tests/integration/test_concurrency.py) and by ``make chaos`` (benchmarks/chaos.py).
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver

from faka import resources
from faka.adapters.messaging import EventBridgePublisher
from faka.adapters.tables.catalog import BatchItem, ProductItem
from faka.adapters.tables.keys import KeyItem
from faka.adapters.tables.orders import OrderItem, OrderLineItem, OrderTableItem
from faka.observability import metrics
from faka.payments.stripe_signing import stripe_signature
from faka.sales.issuance import ClaimOutcome, KeyIssuer
from faka.sales.orders import Orders
from faka.wiring import services
from faka_local.event_sources import QueueConsumer
from tests.integration.conftest import Stack
from tests.integration.helpers import (
    WEBHOOK_SECRET,
    add_product,
    open_shop,
    payment_event,
    place_order,
    run_reconcile_schedule,
)

# Stripe retries a failed webhook with exponential back-off for days; here from 50 ms, doubling, capped at 2 s.
FIRST_REDELIVERY_SECONDS = 0.05
LONGEST_REDELIVERY_PAUSE_SECONDS = 2.0
# A crash can leave the payment's idempotency record in progress until the invocation's timeout has passed;
# the window gives each webhook several of those, so only a webhook that is never accepted fails the run.
REDELIVERY_WINDOW_SECONDS = 4 * resources.API_FUNCTION.timeout_seconds
# A key import request holds at most this many keys (the API's limit).
KEYS_PER_IMPORT = 10_000
# The schedule runs every minute for ever; a run crashes at the plan's fault rate per step, so a bounded number of
# runs shows the waiting orders served, or a fault that keeps them waiting.
SCHEDULE_RUNS_AT_MOST = 100


@dataclass(frozen=True)
class ChaosPlan:
    orders: int
    products: tuple[str, ...] = ("steam-20-us", "psn-10-us")
    deliveries_per_webhook: int = 3
    threads: int = 8
    fault_rate: float = 0.08
    # The last product is this many keys short of what its orders want, until the restock.
    shortage: int = 15
    seed: int = 20261130


class InjectedFault(RuntimeError):
    pass


class Faults:
    """Crashes at issuance's step boundaries, each boundary reached failing with the plan's probability."""

    def __init__(self, rate: float, seed: int) -> None:
        self._rate = rate
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self.steps = 0
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
            if self._paused:
                return
            self.steps += 1
            hit = self._random.random() < self._rate
            if hit:
                self.injected[where] += 1
        if hit:
            raise InjectedFault(where)

    @contextmanager
    def injected_into_issuance(self) -> Iterator[None]:
        claim, mark_paid, mark_delivered, publish = (
            KeyIssuer._try_claim,
            Orders.mark_paid,
            Orders.mark_delivered,
            EventBridgePublisher.publish,
        )
        faults = self

        def claim_then_crash(self: KeyIssuer, *args: Any) -> Any:
            outcome = claim(self, *args)
            if outcome is ClaimOutcome.ISSUED:
                faults.maybe("after key claim committed")
            return outcome

        def paid_then_crash(self: Orders, *args: Any, **kwargs: Any) -> Any:
            changed = mark_paid(self, *args, **kwargs)
            faults.maybe("after order marked paid")
            return changed

        def crash_then_deliver(self: Orders, *args: Any) -> Any:
            faults.maybe("before order marked delivered")
            return mark_delivered(self, *args)

        def crash_then_publish(self: EventBridgePublisher, *args: Any) -> None:
            faults.maybe("before event published")
            publish(self, *args)

        with ExitStack() as patches:
            patches.enter_context(mock.patch.object(KeyIssuer, "_try_claim", claim_then_crash))
            patches.enter_context(mock.patch.object(Orders, "mark_paid", paid_then_crash))
            patches.enter_context(mock.patch.object(Orders, "mark_delivered", crash_then_deliver))
            patches.enter_context(mock.patch.object(EventBridgePublisher, "publish", crash_then_publish))
            yield


@contextmanager
def invocations_apart_per_thread() -> Iterator[None]:
    """Lambda runs one invocation per process; here threads share one process, so what Powertools keeps per
    invocation is kept per thread: the metrics' flush (check the set is not empty, serialize it, clear it) runs
    alone, with no metric added meanwhile (Powertools' decorator flushes through the provider, so the provider's
    methods are the ones held), and the API resolvers' request state (the event and Lambda context, which
    Powertools puts on the router class, and the context dict, on the resolver) belongs to the thread that is
    resolving."""
    provider = metrics.provider
    lock = threading.Lock()
    state = threading.local()

    def alone(method: Callable[..., None]) -> Callable[..., None]:
        def run_alone(*args: Any, **kwargs: Any) -> None:
            with lock:
                method(*args, **kwargs)

        return run_alone

    def per_thread(name: str, default: Callable[[], Any], *, per_resolver: bool) -> property:
        """Powertools shares the event and Lambda context among all resolvers (class attributes) but gives each
        resolver its own context dict; each thread gets the same, of its own."""

        def key(resolver: ApiGatewayResolver) -> tuple[int, str]:
            return (id(resolver) if per_resolver else 0, name)

        def read(resolver: ApiGatewayResolver) -> Any:
            return state.__dict__.setdefault(key(resolver), default())

        def write(resolver: ApiGatewayResolver, value: Any) -> None:
            state.__dict__[key(resolver)] = value

        return property(read, write)

    resolve = ApiGatewayResolver.resolve

    def resolve_in_this_thread(resolver: ApiGatewayResolver, event: dict[str, Any], context: Any) -> Any:
        resolver.current_event = resolver._to_proxy_event(event)
        resolver.lambda_context = context
        return resolve(resolver, event, context)

    with (
        mock.patch.object(provider, "flush_metrics", alone(provider.flush_metrics)),
        mock.patch.object(provider, "add_metric", alone(provider.add_metric)),
        mock.patch.multiple(
            ApiGatewayResolver,
            create=True,
            current_event=per_thread("current_event", lambda: None, per_resolver=False),
            lambda_context=per_thread("lambda_context", lambda: None, per_resolver=False),
            context=per_thread("context", dict, per_resolver=True),
            resolve=resolve_in_this_thread,
        ),
    ):
        yield


@dataclass
class Reconciliation:
    """What reading every line, key, product and batch back found; every list must be empty."""

    lines_ordered: int = 0
    lines: int = 0
    keys_on_two_lines: int = 0
    paid_lines_without_key: list[tuple[str, str]] = field(default_factory=list)
    keys_issued_to_no_line: int = 0
    keys_disagreeing_with_their_line: int = 0
    orders_not_delivered: list[tuple[str, str]] = field(default_factory=list)
    products_out_of_balance: list[str] = field(default_factory=list)


@dataclass
class ChaosReport:
    plan: ChaosPlan
    deliveries: int = 0
    attempts: Counter[str] = field(default_factory=Counter)
    steps: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    orders_served_by_restock: int = 0
    schedule_runs: int = 0
    reconciliation: Reconciliation = field(default_factory=Reconciliation)
    seconds: float = 0.0

    def figures(self) -> dict[str, Any]:
        found = self.reconciliation
        injected = sum(self.faults.values())
        return {
            "orders": self.plan.orders,
            "products": len(self.plan.products),
            "lines_ordered": found.lines_ordered,
            "lines": found.lines,
            "webhook_deliveries": self.deliveries,
            "redeliveries": self.attempts["total"] - self.deliveries,
            "threads": self.plan.threads,
            "step_boundaries_passed": self.steps,
            "faults_injected": injected,
            "faults_share_of_steps": round(injected / self.steps, 3) if self.steps else 0.0,
            "faults_by_step": dict(self.faults),
            "crashed_attempts": self.attempts["crashed"],
            "retry_later_answers": self.attempts["status 409"],
            "orders_served_by_restock": self.orders_served_by_restock,
            "schedule_runs_until_none_waited": self.schedule_runs,
            "keys_on_two_lines": found.keys_on_two_lines,
            "paid_lines_without_key": len(found.paid_lines_without_key),
            "keys_issued_to_no_line": found.keys_issued_to_no_line,
            "orders_not_delivered": len(found.orders_not_delivered),
            "products_out_of_balance": len(found.products_out_of_balance),
            "wall_seconds": round(self.seconds, 1),
        }


def run_chaos(stack: Stack, plan: ChaosPlan, faults: Faults) -> ChaosReport:
    """Places, pays (with duplicates and crashes), restocks and reconciles; returns what was seen."""
    started = time.monotonic()
    report = ChaosReport(plan)
    chooser = random.Random(plan.seed)
    orders = [(plan.products[n % len(plan.products)], chooser.randint(1, 3)) for n in range(plan.orders)]
    wanted: Counter[str] = Counter()
    for sku, quantity in orders:
        wanted[sku] += quantity
    short_sku = plan.products[-1]
    with faults.paused():
        open_shop(stack)
        for sku in plan.products:
            spare = -plan.shortage if sku == short_sku else 25
            _stock(stack, sku, _keys(sku, "A", wanted[sku] + spare), batch="B1")
        placed = [place_order(stack, sku, quantity) for sku, quantity in orders]

    # Stripe signs each delivery attempt anew: a signature made when the run began would be stale long before a
    # large run's last redelivery (the API refuses signatures over 300 s old).
    webhooks = [payment_event(o["order_id"], o["amount"], event_id=f"evt_{o['order_id']}") for o in placed]
    deliveries = [w for w in webhooks for _ in range(plan.deliveries_per_webhook)]
    random.Random(plan.seed + 1).shuffle(deliveries)
    report.deliveries = len(deliveries)
    counting = threading.Lock()

    def count(what: str) -> None:
        with counting:
            report.attempts[what] += 1

    def deliver_until_accepted(body: str) -> None:
        window_closes = time.monotonic() + REDELIVERY_WINDOW_SECONDS
        pause = FIRST_REDELIVERY_SECONDS
        jitter = random.Random()
        while True:
            count("total")
            try:
                signature = {"Stripe-Signature": stripe_signature(body, WEBHOOK_SECRET)}
                response = stack.api("POST", "/v1/webhooks/stripe", raw=body, headers=signature)
            except InjectedFault as fault:
                count("crashed")
                last_answer: Any = fault
            else:
                if response.status == 200:
                    return
                count(f"status {response.status}")
                last_answer = (response.status, response.body)
            if time.monotonic() > window_closes:
                raise AssertionError(
                    f"a webhook was not accepted within {REDELIVERY_WINDOW_SECONDS} s of redelivery, last {last_answer}"
                )
            time.sleep(pause * jitter.uniform(0.5, 1.5))
            pause = min(pause * 2, LONGEST_REDELIVERY_PAUSE_SECONDS)

    with consuming_meanwhile(stack), ThreadPoolExecutor(plan.threads) as pool:
        list(pool.map(deliver_until_accepted, deliveries))

    waiting = [o["order_id"] for o in placed if _status(o["order_id"]) == "awaiting_stock"]
    report.orders_served_by_restock = len(waiting)
    if waiting:
        with faults.paused():
            _stock(stack, short_sku, _keys(short_sku, "R", plan.shortage + 15), batch="B2")
    # Consumers may hit injected faults too; their messages come back until every queue is empty, or until a
    # message that failed on every delivery goes to its dead-letter queue.
    stack.deliver_events()
    report.schedule_runs = run_schedule_while_orders_wait(stack)
    report.steps, report.faults = faults.steps, Counter(faults.injected)
    report.reconciliation = reconcile(plan, wanted, [o["order_id"] for o in placed])
    report.seconds = time.monotonic() - started
    return report


def run_schedule_while_orders_wait(stack: Stack) -> int:
    """The reconciliation schedule's runs, under the same faults, until no order waits for a product with stock;
    returns how many ran. A restock that crashed part-way on each of its event's deliveries leaves that to them."""
    for run in range(SCHEDULE_RUNS_AT_MOST):
        if not any(KeyIssuer.has_stock(product) for product in services().orders.products_awaited()):
            return run
        with suppress(InjectedFault):  # a crashed run: the next one, a minute later, reads afresh
            run_reconcile_schedule()
        stack.deliver_events()
    raise AssertionError(f"orders still wait for stock on hand after {SCHEDULE_RUNS_AT_MOST} runs of the schedule")


@contextmanager
def consuming_meanwhile(stack: Stack) -> Iterator[None]:
    """The queue consumers run while webhooks are delivered, one poller per queue, as Lambda's pollers do.

    Left to the end, or to one thread against the delivering threads, the queues would grow with the run, and the
    emulator's SQS passes over every message of a queue on each receive and delete: a 10,000-order run would
    spend hours there instead of in faka's code.
    """
    delivered = threading.Event()

    def poll(consumer: QueueConsumer) -> None:
        while not delivered.is_set():
            if not consumer.drain():
                delivered.wait(0.05)  # the pollers' idle interval

    pollers = [
        threading.Thread(target=poll, args=(consumer,), name=f"poller-{name}", daemon=True)
        for name, consumer in stack.consumers.items()
    ]
    for poller in pollers:
        poller.start()
    try:
        yield
    finally:
        delivered.set()
        for poller in pollers:
            poller.join()


def reconcile(plan: ChaosPlan, wanted: Counter[str], order_ids: list[str]) -> Reconciliation:
    """Every line holds one key of its own, every issued key is on its line, every product and batch adds up."""
    found = Reconciliation(lines_ordered=sum(wanted.values()))
    lines = [item for item in OrderTableItem.scan() if isinstance(item, OrderLineItem)]
    issued = [key for key in KeyItem.scan() if key.status == "issued"]
    statuses = {order.order_id: str(order.status) for order in OrderTableItem.scan() if isinstance(order, OrderItem)}
    found.lines = len(lines)
    holders = Counter(line.code_hash for line in lines if line.code_hash)
    found.keys_on_two_lines = sum(1 for count in holders.values() if count > 1)
    found.paid_lines_without_key = [(line.order_id, statuses[line.order_id]) for line in lines if not line.code_hash]
    by_line = {(line.order_id, int(line.line_no)): line.code_hash for line in lines}
    found.keys_issued_to_no_line = len(issued) - len(holders)
    found.keys_disagreeing_with_their_line = sum(
        1 for key in issued if by_line.get((key.order_id, int(key.line_no))) != key.code_hash
    )
    found.orders_not_delivered = [(o, statuses[o]) for o in order_ids if statuses[o] != "delivered"]
    for sku in plan.products:
        product = ProductItem.get(*ProductItem.key("main", sku))
        # Claims count on the sold-key shards (faka.sales.issuance); a product's and a batch's figures add them.
        sold = services().catalog.sold_keys("main", sku)
        available = sum(1 for key in KeyItem.query(f"main#{sku}") if key.status == "available")
        batches = list(BatchItem.query("SHOP#main", BatchItem.sk.startswith(f"BATCH#{sku}#")))
        balanced = (
            services().catalog.product("main", sku).stock == available
            and product.issued + sum(sold.values())
            == wanted[sku]
            == sum(b.issued + sold[(sku, b.batch_id)] for b in batches)
            and sum(b.imported for b in batches) == available + wanted[sku]
        )
        if not balanced:
            found.products_out_of_balance.append(sku)
    return found


def _keys(sku: str, batch: str, count: int) -> list[str]:
    prefix = "".join(part[:3] for part in sku.split("-")).upper()
    return [f"{prefix}{batch}-{n:06d}-{random.Random(f'{sku}{batch}{n}').randrange(16**8):08X}" for n in range(count)]


def _stock(stack: Stack, sku: str, keys: list[str], batch: str) -> None:
    for start in range(0, len(keys), KEYS_PER_IMPORT):
        add_product(stack, sku, keys[start : start + KEYS_PER_IMPORT], price=2000, batch=batch)


def _status(order_id: str) -> str:
    return str(OrderItem.get(order_id, OrderItem.SK).status)
