"""faka's benchmark: prints figures, asserts nothing about speed.

1. DynamoDB requests and consumed capacity per delivered order, with 100 and with 100,000 keys in
   stock: issuance must cost the same whatever the stock (no scan, no filter over stock).
   (Each function's cold start is ``benchmarks/cold_start.py``'s.)

Runs against moto in-process; nothing leaves the machine. ``python benchmarks/run.py --quick``
uses 10,000 keys instead of 100,000.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
os.environ.update(
    AWS_ACCESS_KEY_ID="bench",
    AWS_SECRET_ACCESS_KEY="bench",
    AWS_DEFAULT_REGION="us-east-1",
    AWS_REGION="us-east-1",
    POWERTOOLS_TRACE_DISABLED="true",
    POWERTOOLS_METRICS_DISABLED="true",
    POWERTOOLS_LOG_LEVEL="ERROR",
    FAKA_PAYMENT_PROVIDER="sandbox",
    FAKA_ADMIN_TOKEN="bench",
    FAKA_STRIPE_WEBHOOK_SECRET="whsec_bench",
)
os.environ.pop("AWS_ENDPOINT_URL", None)
sys.path.insert(0, str(ROOT / "functions"))
sys.path.insert(0, str(ROOT))

from botocore.client import BaseClient  # noqa: E402
from moto import mock_aws  # noqa: E402

from faka.adapters.tables.catalog import BatchItem, ProductItem  # noqa: E402
from faka.adapters.tables.keys import KeyItem  # noqa: E402
from faka.sales.orders import OrderRequest  # noqa: E402
from faka.shared.model import PaymentConfirmation, Product  # noqa: E402
from faka.wiring import services  # noqa: E402
from faka_local.provision import provision  # noqa: E402

ORDERS_MEASURED = 20


class DynamoDbMeter:
    """Counts every DynamoDB request any client makes, and the capacity DynamoDB reports for it.

    pynamodb keeps one client per connection, so the meter wraps botocore's single call path
    instead of hooking one client; it asks every request for ReturnConsumedCapacity=TOTAL.
    """

    _CAPACITY_OPERATIONS = frozenset(
        {
            "GetItem",
            "PutItem",
            "UpdateItem",
            "DeleteItem",
            "Query",
            "Scan",
            "BatchGetItem",
            "BatchWriteItem",
            "TransactWriteItems",
            "TransactGetItems",
        }
    )

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.capacity = 0.0
        self._original = BaseClient._make_api_call

    def __enter__(self) -> DynamoDbMeter:
        meter = self

        def metered_call(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
            if client.meta.service_model.service_name != "dynamodb":
                return meter._original(client, operation, params)
            if operation in meter._CAPACITY_OPERATIONS:
                params = {**params, "ReturnConsumedCapacity": "TOTAL"}
            response = meter._original(client, operation, params)
            meter.requests[operation] += 1
            consumed = response.get("ConsumedCapacity") or []
            for entry in consumed if isinstance(consumed, list) else [consumed]:
                meter.capacity += float(entry.get("CapacityUnits", 0))
            return response

        BaseClient._make_api_call = metered_call  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        BaseClient._make_api_call = self._original  # type: ignore[method-assign]

    def reset(self) -> None:
        self.requests.clear()
        self.capacity = 0.0


def _stock(product: Product, count: int) -> None:
    """Put ``count`` keys straight into the table (the import API's path is not what is measured)."""
    vault = services().vault
    now = datetime.now(UTC)
    BatchItem(
        *BatchItem.key(product.shop_id, product.sku, "BENCH"),
        shop_id=product.shop_id,
        sku=product.sku,
        batch_id="BENCH",
        imported=count,
        imported_at=now,
    ).save()
    sealed = vault.seal("BENCH-KEY", context=product.ref)
    with KeyItem.batch_write() as batch:
        for n in range(count):
            code = f"BENCH-{n:08d}"
            batch.save(
                KeyItem(
                    product.ref,
                    vault.fingerprint(code, context=product.ref),
                    available_pool=product.ref,
                    shop_id=product.shop_id,
                    batch_id="BENCH",
                    sealed_code=sealed,
                    imported_at=now,
                )
            )
    ProductItem(*ProductItem.key(product.shop_id, product.sku)).update(actions=[ProductItem.stock.set(count)])


def issuance_cost(stock: int) -> dict[str, Any]:
    with mock_aws():
        provision(sender_email="bench@example.com")
        services.cache_clear()
        app = services()
        app.shops.open("bench", "Bench", "bench@example.com")
        product, _ = app.catalog.save_product(Product("bench", "sku", "Bench", 100, "usd", "US", "steam"))
        started = time.perf_counter()
        _stock(product, stock)
        stocking_seconds = time.perf_counter() - started
        per_order: list[tuple[int, float]] = []
        with DynamoDbMeter() as meter:
            for n in range(ORDERS_MEASURED):
                order, _ = app.orders.place(OrderRequest("bench", "sku", 1, "b@example.com", "en"))
                meter.reset()
                payment = PaymentConfirmation(order.order_id, 100, "usd", "stripe", f"pi_{n}")
                outcome = app.fulfilment.record_payment(payment)
                assert outcome.result.value == "delivered", outcome
                per_order.append((sum(meter.requests.values()), meter.capacity))
                breakdown = dict(meter.requests)
        requests = [r for r, _ in per_order]
        capacity = [c for _, c in per_order]
        return {
            "keys_in_stock": stock,
            "stocking_seconds": round(stocking_seconds, 1),
            "dynamodb_requests_per_delivered_order": {"median": statistics.median(requests), "max": max(requests)},
            "consumed_capacity_units_per_delivered_order": {
                "median": statistics.median(capacity),
                "max": max(capacity),
            },
            "requests_of_last_order_by_operation": breakdown,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 keys instead of 100,000")
    args = parser.parse_args()
    large = 10_000 if args.quick else 100_000
    print(f"python {sys.version.split()[0]} on {os.cpu_count()} cores; moto in-process\n")
    print("== Issuance cost per delivered order (1 key each, median of", ORDERS_MEASURED, "orders) ==")
    for stock in (100, large):
        print(json.dumps(issuance_cost(stock)))


if __name__ == "__main__":
    main()
