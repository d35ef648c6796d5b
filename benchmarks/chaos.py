"""The chaos run at scale: ``make chaos``. Prints figures; fails only if a key is lost or given twice.

    .venv/bin/python benchmarks/chaos.py [--orders 10000]

The concurrency test's run (tests/integration/concurrency_harness.py) at 10,000 orders over four products:
every payment webhook delivered three times at once from eight threads, a fault injected at 8 % of the step
boundaries of issuance, failed deliveries redelivered with Stripe-like back-off, the last product short of
stock until a restock, and reconciliation of every line, key, product and batch at the end. In-process on
moto; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "functions")]
# Thousands of invocations: their INFO lines would be the whole output.
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")

import tests.conftest  # noqa: E402, F401 - the dummy credentials and settings every suite runs with
from tests.integration.concurrency_harness import (  # noqa: E402
    ChaosPlan,
    Faults,
    invocations_apart_per_thread,
    run_chaos,
)
from tests.integration.conftest import provisioned_in_moto, stack_on  # noqa: E402

PRODUCTS = ("steam-20-us", "psn-10-us", "xbox-25-us", "nintendo-35-jp")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    arguments = parser.parse_args()
    plan = ChaosPlan(orders=arguments.orders, products=PRODUCTS, shortage=max(15, arguments.orders // 200))
    faults = Faults(plan.fault_rate, plan.seed)
    # The functions' metrics go to stdout as on Lambda (CloudWatch would read them there); here nobody does.
    with (
        open(os.devnull, "w") as metrics_output,
        redirect_stdout(metrics_output),
        provisioned_in_moto() as provisioned,
        invocations_apart_per_thread(),
        faults.injected_into_issuance(),
    ):
        report = run_chaos(stack_on(provisioned), plan, faults)
    figures = report.figures()
    figures["peak_memory_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps(figures, indent=2))
    print(
        f"\nchaos: {figures['orders']} orders, {figures['faults_injected']} faults "
        f"({figures['faults_share_of_steps']:.1%} of {figures['step_boundaries_passed']} step boundaries), "
        f"{figures['redeliveries']} redeliveries, {figures['orders_served_by_restock']} orders served by the restock"
    )
    print(
        f"chaos: keys on two lines {figures['keys_on_two_lines']} (must be 0), paid lines without a key "
        f"{figures['paid_lines_without_key']} (must be 0), wall time {figures['wall_seconds']} s, "
        f"peak memory {figures['peak_memory_mb']} MB"
    )
    lost_or_doubled = figures["keys_on_two_lines"] or figures["paid_lines_without_key"]
    out_of_balance = figures["keys_issued_to_no_line"] or figures["products_out_of_balance"]
    return 1 if lost_or_doubled or out_of_balance else 0


if __name__ == "__main__":
    raise SystemExit(main())
