"""Fulfils orders waiting for stock when keys arrive (StockReplenished → SQS → here)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from faka.domain.model import product_ref
from faka.observability import logger, metrics, tracer
from faka.wiring import services

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    # Fulfilment is idempotent, so a redelivered event just finds nothing left to do.
    detail = record.json_body["detail"]
    served = services().fulfilment.fulfil_waiting(product_ref(detail["shop_id"], detail["sku"]))
    logger.info("waiting orders served", extra={"sku": detail["sku"], "served": served})
    metrics.add_metric(name="WaitingOrdersServed", unit="Count", value=served)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
