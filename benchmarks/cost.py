"""Cost per 10,000 delivered single-key orders at list prices, from counted requests and measured durations.

    .venv/bin/python benchmarks/cost.py [--orders 20] [--activated 0.7] [--after-reminder 0.5]
                                        [--orders-per-day 10000] [--quiet-share 0.42]

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

Reminders due in the buyer's quiet hours (Settings' default window, 22-08) wait for their end. ``--quiet-share`` is
the share of orders delivered in those hours (default: their share of the day, orders spread evenly over the
buyer's day); their reminders, due whole days after delivery, fall in them too, each some time before they end
(evenly over the window). The notifier's hop that puts a held reminder back on its queue (delayed by SQS, 15 minutes
at most) is measured (one message per invocation, as hops spread over the night arrive), and the held reminders are
costed both ways: re-queued every 15 minutes until the end (before), or held in one one-time schedule that fires at
the end (faka.activation.reminders.HeldReminders: one firing and one hop, which Lambda samples for tracing as it
does the first levels' firings).

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
import json
import math
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, redirect_stdout
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "functions"), str(ROOT / "benchmarks")]
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")

import boto3  # noqa: E402
from botocore.client import BaseClient  # noqa: E402
from price_list import PriceListMeter  # noqa: E402
from write_cost import stock_directly  # noqa: E402

import tests.conftest  # noqa: E402, F401 - dummy credentials and the settings every suite runs with
from faka import resources  # noqa: E402
from faka.activation.activation import ActivationSignal, ActivationStatus, SignalSource  # noqa: E402
from faka.activation.escalation import TRANSITIONS_PER_PATH  # noqa: E402
from faka.activation.outreach import QuietHours  # noqa: E402
from faka.adapters.messaging import SqsNoticeQueue  # noqa: E402
from faka.config import Settings  # noqa: E402
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
QUIET_WINDOW: str = Settings().quiet_hours


def _hours(window: str) -> int:
    quiet = QuietHours.parse(window)
    assert quiet is not None, "quiet hours are on by default"
    return (quiet.end - quiet.start) % 24


QUIET_HOURS = _hours(QUIET_WINDOW)
# A held reminder waits for the end of the quiet hours, due evenly over them: put back every 15 minutes, it comes
# back ceil(wait / 15 min) times, on average (n + 1) / 2 for n whole 15-minute steps in the window.
_STEPS = math.ceil(QUIET_HOURS * 3600 / SqsNoticeQueue.MAX_DELAY_SECONDS)
REQUEUED_HOPS = (_STEPS + 1) / 2


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
    api._handlers = {
        function: tally.timed(function.physical_name, handler) for function, handler in api._handlers.items()
    }
    for consumer in stack.consumers.values():
        consumer._handler = tally.timed(consumer.spec.consumer.physical_name, consumer._handler)


def measure(orders: int, activated: float) -> tuple[Tally, PriceListMeter, Tally]:
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
        hops = measure_requeue_hops(stack, order_ids)
    assert tally.schedule_firings == orders
    return tally, meter, hops


def measure_requeue_hops(stack: Stack, order_ids: list[str]) -> Tally:
    """The notifier putting a held reminder back on its queue, one message per invocation; the first uncounted."""
    hops = Tally()
    notifier = stack.consumers[resources.NOTIFIER_QUEUE.name]
    notifier._handler = hops.timed(resources.NOTIFIER_FUNCTION.physical_name, notifier._handler)
    queue_url = stack.provisioned.queue_urls[resources.NOTIFIER_QUEUE.name]
    sqs = boto3.client("sqs")

    def hop(order_id: str, counted: bool) -> None:
        # Not yet due, within SQS's delay: the notifier puts it back on its queue, as every hop did before.
        not_before = (datetime.now(UTC) + timedelta(seconds=SqsNoticeQueue.MAX_DELAY_SECONDS - 60)).isoformat()
        detail = {"order_id": order_id, "shop_id": "main", "level": 1, "not_before": not_before}
        body = {"detail-type": "ActivationReminder", "source": "faka.escalation", "detail": detail}
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(body))  # the previous hop's send
        with hops.counting_requests() if counted else nullcontext():
            stack.deliver_events()

    hop(order_ids[0], counted=False)  # the process's first reminder builds its clients
    for order_id in order_ids:
        hop(order_id, counted=True)
    assert hops.invocations[resources.NOTIFIER_FUNCTION.physical_name] == len(order_ids)
    assert hops.aws_requests["sqs SendMessage"] == len(order_ids)
    return hops


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


@dataclass(frozen=True)
class QuietHoursMix:
    """The share of orders delivered in the buyer's quiet hours, and whether their held reminders wait in a schedule."""

    share: float
    scheduled: bool

    @property
    def returns(self) -> float:
        """How often a held reminder comes back to the notifier before it is sent."""
        return 1 if self.scheduled else REQUEUED_HOPS


def breakdown(
    tally: Tally,
    meter: PriceListMeter,
    hops: Tally,
    orders: int,
    after_reminder: float,
    orders_per_day: float,
    quiet: QuietHoursMix,
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
    # Those due in quiet hours come back to the notifier when they end: each return is a message sent (by the
    # notifier, or by the schedule's firing), received and deleted, and an invocation as long as a measured hop.
    held = reminders * quiet.share
    returns = held * quiet.returns
    hop_gb_seconds = hops.gb_seconds / sum(hops.invocations.values())
    held_firings = held if quiet.scheduled else 0.0
    # A reminder runs under its execution's trace (Step Functions passes the trace header on with the message), as
    # does a hop the notifier puts back on its queue; a firing reaches the queue from the scheduler with none, so
    # Lambda samples it by its own rule.
    under_faka_rules = api_requests + consumer_invocations + executions + reminders
    lambda_roots = firings + held_firings
    lambda_share = lambda_sampled_share(lambda_roots / PER * orders_per_day / 86400)
    traces = under_faka_rules * resources.TRAFFIC_TRACES.fixed_rate + lambda_roots * lambda_share
    return {
        "API Gateway (REST)": api_requests * PRICES["rest_api_request"],
        "Lambda requests": (invocations + reminders + returns) * PRICES["lambda_request"],
        "Lambda GB-s": (tally.gb_seconds * scale + returns * hop_gb_seconds) * PRICES["lambda_gb_second_arm64"],
        "DynamoDB writes": wru * scale * PRICES["dynamodb_wru"],
        "DynamoDB reads": rru * scale * PRICES["dynamodb_rru"],
        "Step Functions transitions": transitions * PRICES["sfn_standard_transition"],
        "EventBridge events": tally.aws_requests["eventbridge events"] * scale * PRICES["eventbridge_event"],
        "EventBridge Scheduler": (firings + held_firings) * PRICES["scheduler_invocation"],
        "SQS requests": (sqs_requests + reminders * 3 + returns * 3) * PRICES["sqs_request"],
        "SNS publishes": tally.aws_requests["sns Publish"] * scale * PRICES["sns_publish"],
        "X-Ray traces": traces * PRICES["xray_trace"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20)
    parser.add_argument("--activated", type=float, default=0.7, help="share activated before the first reminder")
    parser.add_argument("--after-reminder", type=float, default=0.5, help="of the rest, share activated after it")
    parser.add_argument("--orders-per-day", type=float, default=10_000, help="traffic, for Lambda's trace reservoir")
    parser.add_argument(
        "--quiet-share",
        type=float,
        default=QUIET_HOURS / 24,
        help="share of orders delivered in the buyer's quiet hours (default: their share of the day)",
    )
    arguments = parser.parse_args()
    tally, meter, hops = measure(arguments.orders, arguments.activated)
    mix = escalation_mix(arguments.activated, arguments.after_reminder)

    def cost(quiet: QuietHoursMix) -> dict[str, float]:
        return breakdown(
            tally, meter, hops, arguments.orders, arguments.after_reminder, arguments.orders_per_day, quiet
        )

    lines = cost(QuietHoursMix(arguments.quiet_share, scheduled=True))
    total = sum(lines.values())
    requeued = sum(cost(QuietHoursMix(arguments.quiet_share, scheduled=False)).values())
    no_quiet_hours = sum(cost(QuietHoursMix(0.0, scheduled=True)).values())
    print(f"== Cost per {PER:,} delivered single-key orders, list prices (email excluded, tracing included) ==")
    print("mix: " + ", ".join(f"{path} {share:.0%}" for path, share in mix.items()))
    print("invocations per order: " + ", ".join(f"{n} {c / arguments.orders:g}" for n, c in tally.invocations.items()))
    started = tally.aws_requests["stepfunctions StartExecution"]
    print(
        f"schedule firings per order {tally.schedule_firings / arguments.orders:g}, "
        f"workflows started per order {started / arguments.orders:g}"
    )
    notifier_gb = MEMORY_MB[resources.NOTIFIER_FUNCTION.physical_name] / 1024
    hop_ms = hops.gb_seconds / notifier_gb / sum(hops.invocations.values()) * 1000
    print(
        f"quiet hours {QUIET_WINDOW} ({QUIET_HOURS} h): {arguments.quiet_share:.0%} of orders delivered in them; a "
        f"held reminder comes back {REQUEUED_HOPS:g} times re-queued every 15 min, once scheduled "
        f"(a return: {hop_ms:.0f} ms)"
    )
    for name, dollars in sorted(lines.items(), key=lambda item: -item[1]):
        print(f"  {name:<28} ${dollars:7.3f}  {dollars / total:5.1%}")
    print(
        f"quiet hours: ${requeued:.2f} re-queued every 15 min (before), ${total:.2f} scheduled past them (after); "
        f"${no_quiet_hours:.2f} without quiet hours"
    )
    verdict = "met" if total <= TARGET_DOLLARS else "NOT met"
    print(f"cost: ${total:.2f} per {PER:,} orders (target ≤ ${TARGET_DOLLARS:.2f}: {verdict})")


if __name__ == "__main__":
    main()
