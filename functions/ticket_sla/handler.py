"""The help desk's SLA sweep, run by a schedule (EventBridge Scheduler on AWS, a timer in ``faka local``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from faka.observability import logger, metrics, tracer
from faka.wiring import services


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    report = services().help_desk.sweep()
    if report.due:
        logger.info("ticket SLA clocks swept", extra=asdict(report))
    return asdict(report)
