"""How queue- and stream-fed functions are entered: Powertools logging, tracing and metrics around a batch.

Handlers declare what they do with one record; this module supplies the same wrapping for all of them, so a
consumer is a record handler and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.base import ExceptionInfo, FailureResponse
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from faka.entry import register_context
from faka.observability import logger, metrics, tracer


class LoggedBatchProcessor(BatchProcessor):
    """Logs why each failed record failed, so what reaches the dead-letter queue has a recorded cause.

    The record is named by its id, never shown: bodies carry buyers' addresses and sometimes keys.
    """

    def failure_handler(self, record: Any, exception: ExceptionInfo) -> FailureResponse:
        record_id = getattr(record, "message_id", None) or getattr(record, "event_id", None) or "unreadable record"
        logger.warning(
            "record failed",
            extra={"record_id": record_id, "event_source": self.event_type.value},
            exc_info=exception[1],
        )
        return super().failure_handler(record, exception)


def sqs_consumer(record_handler: Callable[[SQSRecord], None]) -> Callable[[dict[str, Any], LambdaContext], Any]:
    """A Lambda handler for an SQS event source: each record apart, failures reported per record."""
    processor = LoggedBatchProcessor(event_type=EventType.SQS)

    @logger.inject_lambda_context
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        register_context(context)
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    return lambda_handler


def stream_consumer(
    record_handler: Callable[[DynamoDBRecord], None],
) -> Callable[[dict[str, Any], LambdaContext], Any]:
    """A Lambda handler for a DynamoDB stream: a failed record is reported, so only it and those after it retry."""
    processor = LoggedBatchProcessor(event_type=EventType.DynamoDBStreams)

    @logger.inject_lambda_context
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    return lambda_handler
