"""Cost per 10,000 delivered single-key orders at list prices, from counted requests and measured durations.

    .venv/bin/python benchmarks/cost.py [--orders 20] [--activated 0.7] [--after-reminder 0.5]
                                        [--orders-per-day 10000]

Orders go through the api function and every queue consumer their events reach, in-process on moto, as
``write_cost.py`` runs them, while this counts: API requests (the buyer's journey: the product list, the order,
the payment webhook, the order page), every Lambda invocation and its measured duration (billed at the
function's memory), DynamoDB units by price-list arithmetic (benchmarks/price_list.py), EventBridge events,
SQS requests (EventBridge's and the scheduler's sends, the poller's receive and delete, one message per batch:
the worst case), SNS publishes, schedule firings and workflow executions started.

Then ``--activated`` of the orders get their keys activated (uncounted: the same signal in every design), each
order's one-time schedule fires (faka_local.one_time_schedules, as EventBridge Scheduler would when the first
reminder is due), and what that costs is counted the same way: the firing, the escalation function reading the
order, and the executions it starts, only for keys still waiting. Their state transitions come from the paths
the real ASL takes (faka.activation.escalation.TRANSITIONS_PER_PATH, checked by tests/statemachines): of the
started ones, ``--after-reminder`` activate after the first reminder, the others never.

X-Ray bills per trace recorded. Counted here, as before, one trace per API request, consumer invocation and
workflow execution, then sampled: those under faka's own rules (resources.SAMPLING_RULES: the API stage and the
workflows decide, and the functions their requests and reminders reach follow that decision) at the traffic rule's
fixed rate; the invocations Lambda itself roots (the schedule's firings: the scheduler sends no trace header) at
Lambda's 1/s + 5 %, whose reservoir share depends on the traffic, taken as ``--orders-per-day`` spread evenly
(Poisson).
Email (SES) is excluded. Prices: us-east-1 list prices, no free tier; the durations are moto's, in-process, so
the Lambda line is an estimate of the right order, not a measurement of AWS.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "functions"), str(ROOT / "benchmarks")]
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")

from botocore.client import BaseClient  # noqa: E402
from price_list import PriceListMeter  # noqa: E402
from write_cost import stock_directly  # noqa: E402

import tests.conftest  # noqa: E402, F401 - dummy credentials and the settings every suite runs with
from faka import resources  # noqa: E402
from faka.activation.activation import ActivationSignal, ActivationStatus, SignalSource  # noqa: E402
from faka.activation.escalation import TRANSITIONS_PER_PATH  # noqa: E402
from faka.wiring import services  # noqa: E402
from faka_local.one_time_schedules import fire_due  # noqa: E402
from tests.integration.conftest import Stack, provisioned_in_moto, stack_on  # noqa: E402
from tests.integration.helpers import add_product, open_shop, pay, place_order  # noqa: E402

TARGET_DOLLARS = 1.50
PER = 10_000
# US East list prices in dollars per unit.
PRICES = {
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_second_arm64": 0.0000133334,
    "rest_api_request": 3.50 / 1e6,
    "http_api_request": 1.00 / 1e6,
    "dynamodb_wru": 0.625 / 1e6,
    "dynamodb_rru": 0.125 / 1e6,
    "sfn_standard_transition": 0.025 / 1e3,
    "eventbridge_event": 1.00 / 1e6,
    "scheduler_invocation": 1.00 / 1e6,
    "sqs_request": 0.40 / 1e6,
    "sns_publish": 0.50 / 1e6,
    "xray_trace": 5.00 / 1e6,
}
# Lambda's own sampling of the invocations it roots (not configurable): 1 a second, then 5 % of the rest.
LAMBDA_RESERVOIR_PER_SECOND = 1
LAMBDA_FIXED_RATE = 0.05
MEMORY_MB = {spec.physical_name: spec.memory_mb for spec in resources.FUNCTIONS}


@dataclass
class Tally:
    """What the orders used, summed over all of them."""

    invocations: Counter[str] = field(default_factory=Counter)
    gb_seconds: float = 0.0
    api_requests: int = 0
    aws_requests: Counter[str] = field(default_factory=Counter)
    sqs_messages: int = 0
    schedule_firings: int = 0
    # Only what runs inside counting_requests is counted (not the uncounted activations between the two runs).
    counting: bool = False

    def timed(self, name: str, handler: Callable[..., Any]) -> Callable[..., Any]:
        def invoke(event: dict[str, Any], context: Any) -> Any:
            started = time.perf_counter()
            try:
                return handler(event, context)
            finally:
                if self.counting:
                    billed_ms = max(1, round((time.perf_counter() - started) * 1000))
                    self.invocations[name] += 1
                    self.gb_seconds += MEMORY_MB[name] / 1024 * billed_ms / 1000
                    self.sqs_messages += len(event.get("Records", []))

        return invoke

    @contextmanager
    def counting_requests(self) -> Iterator[Tally]:
        original = BaseClient._make_api_call
        tally = self

        def counted(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
            service = client.meta.service_model.service_name
            if service == "events" and operation == "PutEvents":
                tally.aws_requests["eventbridge events"] += len(params["Entries"])
            elif service in ("sns", "stepfunctions", "scheduler", "sqs"):
                tally.aws_requests[f"{service} {operation}"] += 1
            return original(client, operation, params)

        BaseClient._make_api_call = counted
        self.counting = True
        try:
            yield self
        finally:
            self.counting = False
            BaseClient._make_api_call = original


def _instrument(stack: Stack, tally: Tally) -> None:
    api = stack.api
    api._handler = tally.timed(resources.API_FUNCTION.physical_name, api._handler)
    for consumer in stack.consumers.values():
        consumer._handler = tally.timed(consumer.spec.consumer.physical_name, consumer._handler)


def measure(orders: int, activated: float) -> tuple[Tally, PriceListMeter]:
    tally, meter = Tally(), PriceListMeter()
    with open(os.devnull, "w") as metrics_output, redirect_stdout(metrics_output), provisioned_in_moto() as aws:
        stack = stack_on(aws)
        open_shop(stack)
        add_product(stack)
        stock_directly("main", orders * 2)
        _instrument(stack, tally)
        order_ids = []
        with meter.metering(), tally.counting_requests():
            for _ in range(orders):
                stack.api("GET", "/v1/products")
                order = place_order(stack)
                assert pay(stack, order["order_id"], 2000).body["result"] == "delivered"
                stack.api(
                    "GET",
                    f"/v1/orders/{order['order_id']}",
                    headers={"Authorization": f"Bearer {order['access_token']}"},
                )
                tally.api_requests += 4
                stack.deliver_events()
                order_ids.append(order["order_id"])
        signal = ActivationSignal(ActivationStatus.ACTIVATED, SignalSource.SUPPLIER, datetime.now(UTC))
        for order_id in order_ids[: round(orders * activated)]:
            services().activations.record(order_id, signal)
        stack.deliver_events()
        with meter.metering(), tally.counting_requests():
            when_every_first_level_is_due = datetime.now(UTC) + timedelta(days=30)
            # Each firing delivered alone, as firings spread over a day are: one invocation each.
            tally.schedule_firings = fire_due(
                resources.ACTIVATION_DUE_SCHEDULE_GROUP, when_every_first_level_is_due, after_each=stack.deliver_events
            )
    assert tally.schedule_firings == orders
    return tally, meter


def escalation_mix(activated: float, after_reminder: float) -> dict[str, float]:
    rest = 1 - activated
    return {
        "activated_before_level_1": activated,
        "activated_after_level_1": rest * after_reminder,
        "never_activated": rest * (1 - after_reminder),
    }


def lambda_sampled_share(roots_per_second: float) -> float:
    """The share of the invocations Lambda roots that it traces, for Poisson arrivals at that rate."""
    if roots_per_second <= 0:
        return 0.0
    # E[min(N, 1)] for N ~ Poisson(rate): the reservoir's traces a second; the fixed rate takes a share of the rest.
    reservoir = 1 - math.exp(-roots_per_second)
    assert LAMBDA_RESERVOIR_PER_SECOND == 1, "the closed form above is for a reservoir of one"
    return (reservoir + LAMBDA_FIXED_RATE * (roots_per_second - reservoir)) / roots_per_second


def breakdown(
    tally: Tally, meter: PriceListMeter, orders: int, after_reminder: float, orders_per_day: float
) -> dict[str, float]:
    scale = PER / orders
    wru = sum(c.total_write_units for c in meter.charges)
    rru = sum(c.read_units for c in meter.charges)
    # Executions counted; each takes the path of a later activation or none, for the mix.
    executions = tally.aws_requests["stepfunctions StartExecution"] * scale
    transitions = executions * (
        after_reminder * TRANSITIONS_PER_PATH["activated_after_level_1"]
        + (1 - after_reminder) * TRANSITIONS_PER_PATH["never_activated"]
    )
    sqs_requests = tally.sqs_messages * 3 * scale + tally.aws_requests["sqs SendMessage"] * scale
    invocations = sum(tally.invocations.values()) * scale
    api_requests = tally.api_requests * scale
    firings = tally.schedule_firings * scale
    # The firings' invocations are rooted by Lambda; every other consumer runs under an API request's trace.
    consumer_invocations = invocations - api_requests - firings
    # The reminders the workflow sends go through the notifier: its invocations are not in the run above.
    reminders = executions * (after_reminder + (1 - after_reminder) * 3)
    # A reminder runs under its execution's trace (Step Functions passes the trace header on with the message);
    # a firing reaches the queue from the scheduler with none, so Lambda samples it by its own rule.
    under_faka_rules = api_requests + consumer_invocations + executions + reminders
    lambda_share = lambda_sampled_share(firings / PER * orders_per_day / 86400)
    traces = under_faka_rules * resources.TRAFFIC_TRACES.fixed_rate + firings * lambda_share
    return {
        "API Gateway (REST)": api_requests * PRICES["rest_api_request"],
        "Lambda requests": (invocations + reminders) * PRICES["lambda_request"],
        "Lambda GB-s": tally.gb_seconds * scale * PRICES["lambda_gb_second_arm64"],
        "DynamoDB writes": wru * scale * PRICES["dynamodb_wru"],
        "DynamoDB reads": rru * scale * PRICES["dynamodb_rru"],
        "Step Functions transitions": transitions * PRICES["sfn_standard_transition"],
        "EventBridge events": tally.aws_requests["eventbridge events"] * scale * PRICES["eventbridge_event"],
        "EventBridge Scheduler": firings * PRICES["scheduler_invocation"],
        "SQS requests": (sqs_requests + reminders * 3) * PRICES["sqs_request"],
        "SNS publishes": tally.aws_requests["sns Publish"] * scale * PRICES["sns_publish"],
        "X-Ray traces": traces * PRICES["xray_trace"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20)
    parser.add_argument("--activated", type=float, default=0.7, help="share activated before the first reminder")
    parser.add_argument("--after-reminder", type=float, default=0.5, help="of the rest, share activated after it")
    parser.add_argument("--orders-per-day", type=float, default=10_000, help="traffic, for Lambda's trace reservoir")
    arguments = parser.parse_args()
    tally, meter = measure(arguments.orders, arguments.activated)
    mix = escalation_mix(arguments.activated, arguments.after_reminder)
    lines = breakdown(tally, meter, arguments.orders, arguments.after_reminder, arguments.orders_per_day)
    total = sum(lines.values())
    print(f"== Cost per {PER:,} delivered single-key orders, list prices (email excluded, tracing included) ==")
    print("mix: " + ", ".join(f"{path} {share:.0%}" for path, share in mix.items()))
    print("invocations per order: " + ", ".join(f"{n} {c / arguments.orders:g}" for n, c in tally.invocations.items()))
    started = tally.aws_requests["stepfunctions StartExecution"]
    print(
        f"schedule firings per order {tally.schedule_firings / arguments.orders:g}, "
        f"workflows started per order {started / arguments.orders:g}"
    )
    for name, dollars in sorted(lines.items(), key=lambda item: -item[1]):
        print(f"  {name:<28} ${dollars:7.3f}  {dollars / total:5.1%}")
    verdict = "met" if total <= TARGET_DOLLARS else "NOT met"
    print(f"cost: ${total:.2f} per {PER:,} orders (target ≤ ${TARGET_DOLLARS:.2f}: {verdict})")


if __name__ == "__main__":
    main()
