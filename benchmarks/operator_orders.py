"""An operator's order reads at 10,000 orders: search by the buyer's email and a month's export. Prints timings.

    .venv/bin/python benchmarks/operator_orders.py [--orders 10000] [--runs 5]

The orders of one shop, spread over November, are written straight to the orders table in moto (seeding is not
what is measured); a few belong to one buyer. Then, through the api function as API Gateway calls it: the search
by that buyer's email (one ``by_buyer`` index query), the first page of the month (``by_shop``), every page of the
month 100 at a time, and the month's export. In-process on moto: the figures compare code paths and sizes, not
DynamoDB's own latency.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "functions")]
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")

import tests.conftest  # noqa: E402, F401 - the dummy credentials and settings every suite runs with
from faka.adapters.tables.orders import OrderItem  # noqa: E402
from faka.trust.identity import buyer_ref  # noqa: E402
from tests.integration.conftest import ADMIN, provisioned_in_moto, stack_on  # noqa: E402

MONTH_START = datetime(2026, 11, 1, tzinfo=UTC)
BUYER = "regular@example.com"
BUYER_ORDERS = 12


def seed(count: int) -> None:
    spacing = timedelta(days=30) / count
    with OrderItem.batch_write() as batch:
        for n in range(count):
            created = MONTH_START + spacing * n
            email = BUYER if n % (count // BUYER_ORDERS) == 0 else f"buyer{n}@example.com"
            batch.save(
                OrderItem(
                    f"bench-{n:06d}",
                    OrderItem.SK,
                    shop_id="main",
                    sku=("steam-20-us", "psn-10-us", "xbox-25-us")[n % 3],
                    quantity=1,
                    amount=2000,
                    currency="usd",
                    email=email,
                    locale="en",
                    status="delivered",
                    access_token_sha256="x",
                    created_at=created,
                    expires_at=created + timedelta(minutes=30),
                    paid_at=created + timedelta(seconds=20),
                    delivered_at=created + timedelta(seconds=21),
                    buyer_ref=buyer_ref(email),
                )
            )


def timed(runs: int, call: Callable[[], Any]) -> tuple[float, Any]:
    """The median wall time of ``runs`` calls in milliseconds, and the last call's answer."""
    times, answer = [], None
    for _ in range(runs):
        started = time.perf_counter()
        answer = call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), answer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    with provisioned_in_moto() as provisioned:
        stack = stack_on(provisioned)
        shop = {"shop_id": "main", "name": "Bench", "support_email": "help@example.com"}
        assert stack.api("POST", "/v1/admin/shops", shop, ADMIN).status == 201
        started = time.perf_counter()
        seed(arguments.orders)
        seeded = time.perf_counter() - started
        month = "from=2026-11-01&to=2026-11-30"

        def search() -> Any:
            return stack.api("GET", "/v1/admin/orders", headers=ADMIN, query=f"email={BUYER}&limit=100")

        def first_page() -> Any:
            return stack.api("GET", "/v1/admin/orders", headers=ADMIN, query=f"{month}&limit=100")

        def every_page() -> int:
            seen, cursor = 0, ""
            while True:
                query = f"{month}&limit=100" + (f"&cursor={cursor}" if cursor else "")
                page = stack.api("GET", "/v1/admin/orders", headers=ADMIN, query=query).body
                seen += len(page["orders"])
                if not (cursor := page["next_cursor"]):
                    return seen

        def export() -> Any:
            return stack.api("GET", "/v1/admin/orders/export", headers=ADMIN, query=month)

        search_ms, found = timed(arguments.runs, search)
        page_ms, _ = timed(arguments.runs, first_page)
        pages_ms, seen = timed(1, every_page)
        export_ms, exported = timed(max(1, arguments.runs // 2), export)
    body = exported.body
    export_size = len(body) if isinstance(body, str) else len(json.dumps(body))
    exported_as = "the CSV inline" if isinstance(body, str) else f"a link to {body['size']:,} bytes of CSV in S3"
    print(f"operator orders at {arguments.orders:,} orders of one shop (moto, in-process; seeded in {seeded:.1f} s)")
    lines = [
        (f"search by email ({len(found.body['orders'])} orders found)", "median", search_ms, ""),
        ("first page of the month (100 orders)", "median", page_ms, ""),
        (f"every page of the month ({seen:,} orders, 100 a page)", "total", pages_ms, ""),
        ("export of the month", "median", export_ms, f"  (answer: {export_size:,} bytes, {exported_as})"),
    ]
    for label, kind, ms, note in lines:
        print(f"  {label:<52} {kind:<6} {ms:10.1f} ms{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
