"""Starts the activation escalation of each delivered order (OrderDelivered → SQS → here)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from faka.domain.activation import stats_key
from faka.observability import logger, metrics, tracer
from faka.wiring import services

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    detail = record.json_body["detail"]
    if services().escalation.start(
        detail["order_id"], detail["shop_id"], datetime.fromisoformat(detail["delivered_at"])
    ):
        # Counted once per order: only the first start of its escalation gets here.
        services().counters.add(stats_key(detail["shop_id"]), "activation", {"delivered": int(detail["quantity"])})
        metrics.add_metric(name="EscalationsStarted", unit="Count", value=1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
