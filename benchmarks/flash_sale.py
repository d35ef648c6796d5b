"""A flash sale on one SKU: claims per second and transaction conflicts against concurrency (``make bench``).

    .venv/bin/python benchmarks/flash_sale.py [--concurrency 1 4 16 64] [--claims 200] [--window-ms 20]

Paid orders of one key each, all for one SKU, are claimed by many threads at once through the real
``KeyIssuer`` against moto. moto runs one request at a time and never refuses a transaction for a
conflict, so DynamoDB's optimistic concurrency is put back around it: a transaction holds the items it names
for ``--window-ms`` (DynamoDB's own transactions take ~10-25 ms between prepare and commit), and a
transaction naming an item another one holds is cancelled with ``TransactionConflict``, as DynamoDB cancels
it. What counts: claims per second, the share of claim transactions cancelled by a conflict (on which item),
the share that lost a key to another buyer (the candidate was taken), and claims that gave up after every
round (``ContendedStock``: the buyer's webhook answers 503 and is retried). In-process; nothing leaves the
machine.
"""

from __future__ import annotations

import argparse
import os
import queue
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "functions"), str(ROOT / "benchmarks")]
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")

from botocore.client import BaseClient  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from write_cost import SKU, stock_directly  # noqa: E402

import tests.conftest  # noqa: E402, F401 - dummy credentials and the settings every suite runs with
from faka.sales.issuance import ClaimOutcome, ContendedStock, KeyIssuer  # noqa: E402
from faka.sales.orders import OrderRequest  # noqa: E402
from faka.shared.model import Order  # noqa: E402
from faka.wiring import services  # noqa: E402
from tests.integration.conftest import provisioned_in_moto, stack_on  # noqa: E402
from tests.integration.helpers import add_product, open_shop  # noqa: E402


@dataclass
class Conflicts:
    """DynamoDB's transaction conflicts, put back around moto: items held by a transaction in flight."""

    window_seconds: float
    transactions: int = 0
    cancelled: int = 0
    by_item: Counter[str] = field(default_factory=Counter)
    _held: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def enforced(self) -> Iterator[Conflicts]:
        original = BaseClient._make_api_call
        conflicts = self

        def call(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
            if operation != "TransactWriteItems" or client.meta.service_model.service_name != "dynamodb":
                return original(client, operation, params)
            return conflicts._transact(lambda: original(client, operation, params), params)

        BaseClient._make_api_call = call
        try:
            yield self
        finally:
            BaseClient._make_api_call = original

    def _transact(self, commit: Any, params: dict[str, Any]) -> Any:
        names = [_item_name(entry) for entry in params["TransactItems"]]
        with self._lock:
            self.transactions += 1
            busy = [name for name in names if self._held[name]]
            if busy:
                self.cancelled += 1
                self.by_item.update(busy)
            else:
                self._held.update(names)
        if busy:
            reasons = [{"Code": "TransactionConflict" if n in busy else "None"} for n in names]
            raise ClientError(
                {
                    "Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"},
                    "CancellationReasons": reasons,
                },
                "TransactWriteItems",
            )
        try:
            answer = commit()
            time.sleep(self.window_seconds)
            return answer
        finally:
            with self._lock:
                self._held.subtract(names)


def _item_name(entry: dict[str, Any]) -> str:
    """``table:partition key/sort key`` of the item a transaction names."""
    [(_, body)] = entry.items()
    key = body.get("Key") or body["Item"]
    values = "/".join(str(next(iter(v.values()))) for v in key.values())
    return f"{body['TableName'].rsplit('-', 1)[-1]}:{values}"


def _paid_orders(count: int) -> list[Order]:
    orders = services().orders
    return [orders.place(OrderRequest("main", SKU, 1, f"buyer{n}@example.com", "en"))[0] for n in range(count)]


def run(concurrency: int, claims: int, window_seconds: float) -> dict[str, Any]:
    with open(os.devnull, "w") as metrics_output, redirect_stdout(metrics_output), provisioned_in_moto() as aws:
        stack = stack_on(aws)
        open_shop(stack)
        add_product(stack)
        stock_directly("main", claims * 2)
        pending: queue.SimpleQueue[Order] = queue.SimpleQueue()
        for order in _paid_orders(claims):
            pending.put(order)
        issuer = KeyIssuer()
        outcomes: Counter[str] = Counter()

        def claimer() -> None:
            while True:
                try:
                    order = pending.get_nowait()
                except queue.Empty:
                    return
                try:
                    outcome = issuer.claim(order, 1)
                except ContendedStock:
                    outcomes["gave_up"] += 1
                    continue
                outcomes[outcome.value] += 1

        conflicts = Conflicts(window_seconds)
        with conflicts.enforced():
            started = time.perf_counter()
            threads = [threading.Thread(target=claimer) for _ in range(concurrency)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            seconds = time.perf_counter() - started
    issued = outcomes[ClaimOutcome.ISSUED.value]
    return {
        "concurrency": concurrency,
        "claims_per_second": round(issued / seconds, 1),
        "transactions": conflicts.transactions,
        "conflict_rate": round(conflicts.cancelled / conflicts.transactions, 3) if conflicts.transactions else 0.0,
        "conflicts_on": dict(conflicts.by_item.most_common(3)),
        "issued": issued,
        "gave_up": outcomes["gave_up"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16, 64])
    parser.add_argument("--claims", type=int, default=200, help="orders claimed at each concurrency")
    parser.add_argument("--window-ms", type=float, default=20.0, help="how long a transaction holds its items")
    arguments = parser.parse_args()
    print(
        f"== Flash sale: one SKU, {arguments.claims} single-key claims per run, "
        f"transactions hold their items {arguments.window_ms:g} ms =="
    )
    print(f"{'claimers':>8} {'claims/s':>9} {'conflict rate':>14} {'gave up':>8}  most conflicted items")
    for concurrency in arguments.concurrency:
        r = run(concurrency, arguments.claims, arguments.window_ms / 1000)
        hot = ", ".join(f"{name} ×{n}" for name, n in r["conflicts_on"].items()) or "-"
        print(f"{r['concurrency']:>8} {r['claims_per_second']:>9} {r['conflict_rate']:>14.1%} {r['gave_up']:>8}  {hot}")


if __name__ == "__main__":
    main()
