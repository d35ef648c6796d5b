"""Write units per delivered single-key order, by price-list arithmetic (``make bench``; issue 16, scope 4).

    .venv/bin/python benchmarks/write_cost.py [--keys 100 100000] [--json]

A shop, a product and N keys in stock (put straight into the table: stocking is not what is measured) with
its sold-key shards (as a shop's first sales leave them: a shard's first write also puts it in the catalog's
``by_kind`` index, once); then orders of one key each go through the api function as a buyer and Stripe send
them: the order placed, its payment webhook (key claim, then payment and delivery in one write of the order), then
every queue consumer its events reach. Each DynamoDB request is priced from the sizes of the items it touches
(benchmarks/price_list.py), never from moto's ConsumedCapacity. The target (≤ 8 WRU) is the webhook's path,
the issue's "delivered order"; placing the order and the consumers are printed beside it so nothing is
hidden. In-process on moto.

Per operation, at 100 and 100,000 keys alike (before → now):
  payment webhook 14 → 8: idempotency record 2 → 0 (the order keeps the event that paid it), marking paid 1 + 2
  index and marking delivered 1 + 1 index → one write of the order, 1 and no index (reconciliation reads a placed
  index whose entry never changes, not a pending_payment entry the payment removed), the claim transaction
  6 + 1 index (the available entry leaves);
  placing the order 9 → 8 and the consumers 27 → 26: the checkout's and the delivery email's order updates no
  longer rewrite a by_shop entry (the index projects only what never changes); the order's placed entry is written
  where its pending_payment entry was.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from contextlib import redirect_stdout
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "functions"), str(ROOT / "benchmarks")]
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")

from price_list import Charge, PriceListMeter  # noqa: E402

import tests.conftest  # noqa: E402, F401 - dummy credentials and the settings every suite runs with
from faka.adapters.tables.catalog import BatchItem, ProductItem, SoldKeysItem  # noqa: E402
from faka.adapters.tables.keys import KeyItem  # noqa: E402
from faka.shared.model import product_ref  # noqa: E402
from faka.wiring import services  # noqa: E402
from tests.integration.conftest import Stack, provisioned_in_moto, stack_on  # noqa: E402
from tests.integration.helpers import add_product, open_shop, pay, place_order  # noqa: E402

TARGET_WRU = 8
# WRU per phase before the one-write delivery, the narrow by_shop index, no webhook idempotency record (4f8a95b) and
# the placed index in place of pending_payment.
BEFORE = {
    "place the order": 9,
    "payment webhook → delivered": 14,
    "consumers of the order's events": 27,
}
ORDERS = 5
SKU = "steam-20-us"
PHASES = ("place the order", "payment webhook → delivered", "consumers of the order's events")


def stock_directly(shop_id: str, count: int) -> None:
    """``count`` keys of one batch, written in batches of 25 with the counters the import would leave."""
    ref = product_ref(shop_id, SKU)
    vault = services().vault
    now = datetime.now(UTC)
    BatchItem(
        *BatchItem.key(shop_id, SKU, "BENCH"),
        shop_id=shop_id,
        sku=SKU,
        batch_id="BENCH",
        imported=count,
        imported_at=now,
    ).save()
    sealed = vault.seal("BENCH-KEY-0000", context=ref)
    with KeyItem.batch_write() as batch:
        for n in range(count):
            code = f"BENCH-{n:08d}"
            batch.save(
                KeyItem(
                    ref,
                    vault.fingerprint(code, context=ref),
                    available_pool=ref,
                    code_lookup=vault.fingerprint(code, context=""),
                    shop_id=shop_id,
                    batch_id="BENCH",
                    sealed_code=sealed,
                    imported_at=now,
                )
            )
    ProductItem(*ProductItem.key(shop_id, SKU)).update(actions=[ProductItem.stock.add(count)])
    with SoldKeysItem.batch_write() as shards:
        for shard in range(SoldKeysItem.SHARDS):
            shards.save(SoldKeysItem(*SoldKeysItem.key(shop_id, SKU, "BENCH", shard)))


def one_order(stack: Stack, meter: PriceListMeter) -> dict[str, list[Charge]]:
    phases: dict[str, list[Charge]] = {}
    meter.reset()
    order = place_order(stack)
    phases[PHASES[0]] = meter.reset()
    answer = pay(stack, order["order_id"], 2000)
    assert answer.status == 200, answer.body
    assert answer.body["result"] == "delivered", answer.body
    phases[PHASES[1]] = meter.reset()
    stack.deliver_events()
    phases[PHASES[2]] = meter.reset()
    return phases


def measure(keys: int) -> dict[str, Any]:
    with open(os.devnull, "w") as metrics_output, redirect_stdout(metrics_output), provisioned_in_moto() as aws:
        stack = stack_on(aws)
        open_shop(stack)
        add_product(stack)
        stock_directly("main", keys)
        meter = PriceListMeter()
        with meter.metering():
            orders = [one_order(stack, meter) for _ in range(ORDERS)]
    last = orders[-1]
    totals = [{phase: sum(c.total_write_units for c in charges) for phase, charges in o.items()} for o in orders]
    return {
        "keys_in_stock": keys,
        "wru_by_phase": totals[-1],
        "same_for_every_order": all(t == totals[-1] for t in totals),
        "operations": {
            phase: [
                {"write": c.label, "table_wru": c.write_units, "index_wru": c.index_write_units}
                for c in charges
                if c.total_write_units
            ]
            for phase, charges in last.items()
        },
        "requests": {phase: len(charges) for phase, charges in last.items()},
        "read_units": {phase: sum(c.read_units for c in charges) for phase, charges in last.items()},
    }


def report(figures: dict[str, Any]) -> None:
    print(
        f"\n-- {figures['keys_in_stock']:,} keys in stock (the last of {ORDERS} orders; "
        f"{'every order alike' if figures['same_for_every_order'] else 'orders differ!'}) --"
    )
    for phase, operations in figures["operations"].items():
        total = figures["wru_by_phase"][phase]
        mark = f"   target ≤ {TARGET_WRU}: {'met' if total <= TARGET_WRU else 'NOT met'}" if phase == PHASES[1] else ""
        print(
            f"{phase}: {total} WRU (before: {BEFORE[phase]}) in {figures['requests'][phase]} requests "
            f"({figures['read_units'][phase]:g} RRU){mark}"
        )
        for op in operations:
            index = f" + {op['index_wru']} index" if op["index_wru"] else ""
            print(f"    {op['table_wru']}{index:<10} {op['write']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, nargs="+", default=[100, 100_000])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    arguments = parser.parse_args()
    print("== Write units per delivered single-key order, by price-list arithmetic ==")
    results = [measure(keys) for keys in arguments.keys]
    for figures in results:
        print(json.dumps(figures)) if arguments.json else report(figures)
    per_phase = Counter({p: max(r["wru_by_phase"][p] for r in results) for p in PHASES})
    print(
        f"\nwrite_cost: {per_phase[PHASES[1]]} WRU per delivered order (payment webhook; before {BEFORE[PHASES[1]]}), "
        f"{sum(per_phase.values())} WRU with placing the order and the consumers (before {sum(BEFORE.values())})"
    )


if __name__ == "__main__":
    main()
