"""Starts the activation escalation of each delivered order (OrderDelivered → SQS → here).

Once per order: a redelivered OrderDelivered is answered from the idempotency record, so neither
the workflow nor the shop's delivered-keys figure is started or counted twice.
"""

from __future__ import annotations

from datetime import datetime
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
from faka.domain.activation import stats_key
from faka.observability import logger, metrics, tracer
from faka.wiring import services

processor = BatchProcessor(event_type=EventType.SQS)
idempotency_config = IdempotencyConfig(event_key_jmespath="order_id", expires_after_seconds=30 * 86400)


@idempotent_function(
    data_keyword_argument="delivery",
    persistence_store=DynamoDBPersistenceLayer(table_name=resources.IDEMPOTENCY_TABLE),
    config=idempotency_config,
)
def start_escalation(delivery: dict[str, Any]) -> dict[str, bool]:
    started = services().escalation.start(
        delivery["order_id"], delivery["shop_id"], datetime.fromisoformat(delivery["delivered_at"])
    )
    if started:
        services().counters.add(stats_key(delivery["shop_id"]), "activation", {"delivered": int(delivery["quantity"])})
        metrics.add_metric(name="EscalationsStarted", unit="Count", value=1)
    return {"started": started}


def record_handler(record: SQSRecord) -> None:
    start_escalation(delivery=record.json_body["detail"])


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    idempotency_config.register_lambda_context(context)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
