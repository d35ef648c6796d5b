"""Emails to the support address (SES receiving → mail bucket → SQS → here) become ticket turns.

Each stored message is handled once: a redelivered notification is answered from the idempotency
record, so a buyer never gets the same answer twice.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

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
idempotency_config = IdempotencyConfig(event_key_jmespath="key", expires_after_seconds=7 * 86400)


@idempotent_function(
    data_keyword_argument="stored",
    persistence_store=DynamoDBPersistenceLayer(table_name=resources.IDEMPOTENCY_TABLE),
    config=idempotency_config,
)
def handle_stored_mail(stored: dict[str, str]) -> dict[str, str | None]:
    answer = services().inbound_mail.handle(stored["key"])
    metrics.add_metric(name="InboundEmails", unit="Count", value=1)
    return {"ticket_id": answer.ticket.ticket_id if answer else None}


def record_handler(record: SQSRecord) -> None:
    # S3 sends a test event with no records when the notification is configured; it asks nothing.
    for notification in record.json_body.get("Records", []):
        key = unquote_plus(notification["s3"]["object"]["key"])
        if key.startswith(resources.INBOUND_MAIL_PREFIX):
            handle_stored_mail(stored={"key": key})


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    idempotency_config.register_lambda_context(context)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
