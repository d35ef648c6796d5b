"""Buyer emails and operator alerts for order events (EventBridge → SQS → here).

Each notice is sent at most once per order and kind, however often its event arrives: the
idempotency record is taken before sending and released if sending fails, so SQS can retry it.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from faka import resources
from faka.observability import logger, metrics, tracer
from faka.wiring import services

processor = BatchProcessor(event_type=EventType.SQS)
idempotency_config = IdempotencyConfig(event_key_jmespath="[detail_type, order_id]", expires_after_seconds=30 * 86400)


@idempotent_function(
    data_keyword_argument="notice",
    persistence_store=DynamoDBPersistenceLayer(table_name=resources.IDEMPOTENCY_TABLE),
    config=idempotency_config,
)
def send_notice(notice: dict[str, Any]) -> dict[str, Any]:
    message_id = services().notices.handle(notice["detail_type"], notice["detail"])
    return {"message_id": message_id}


def record_handler(record: SQSRecord) -> None:
    event = record.json_body
    send_notice(
        notice={"detail_type": event["detail-type"], "order_id": event["detail"]["order_id"], "detail": event["detail"]}
    )
    metrics.add_metric(name="NoticesSent", unit="Count", value=1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    idempotency_config.register_lambda_context(context)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
