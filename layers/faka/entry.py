"""How every function is entered: Powertools logging, tracing and metrics, batches and idempotency.

Handlers declare what they do once per record (or per request); this module supplies the same
wrapping for all of them, so a consumer is a record handler and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, wraps
from typing import TYPE_CHECKING, Any

import boto3
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.base import ExceptionInfo, FailureResponse
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.client import BaseClient

from faka import resources
from faka.observability import logger, metrics, tracer

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, IdempotentHookFunction

_idempotency_configs: list[IdempotencyConfig] = []


def once_per(
    key: str,
    *,
    argument: str,
    expires_after_seconds: int,
    same_payload: str = "",
    on_replay: IdempotentHookFunction | None = None,
) -> Callable[[Any], Any]:
    """Run the decorated function once per value of ``key`` (a JMESPath into ``argument``).

    A concurrent duplicate waits its turn (IdempotencyAlreadyInProgressError, retried by the caller);
    a failure releases the key so a retry runs again; a success answers later duplicates from the record,
    passed through ``on_replay``. With ``same_payload`` (a JMESPath), a duplicate whose payload there differs
    from the first one's is refused (IdempotencyValidationError).
    Each function gets its own persistence layer (a layer keeps the key expression it was first given), built on
    its first call around the process's one idempotency client, so importing a handler builds no AWS client.
    """
    # Imported here: a consumer that never declares an idempotent function skips its ~20 ms of imports.
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    config = IdempotencyConfig(
        event_key_jmespath=key,
        payload_validation_jmespath=same_payload,
        expires_after_seconds=expires_after_seconds,
        response_hook=on_replay,
    )
    _idempotency_configs.append(config)

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        @cache
        def idempotent() -> Callable[..., Any]:
            store = DynamoDBPersistenceLayer(table_name=resources.IDEMPOTENCY_TABLE, boto3_client=_idempotency_client())
            decorated: Callable[..., Any] = idempotent_function(
                function, data_keyword_argument=argument, persistence_store=store, config=config
            )
            return decorated

        @wraps(function)
        def run_once(*args: Any, **kwargs: Any) -> Any:
            return idempotent()(*args, **kwargs)

        return run_once

    return decorate


@cache
def _idempotency_client() -> BaseClient:
    """The DynamoDB client every idempotency record goes through: one per process, made when first needed
    (a session and client cost ~0.1 s to build; a path that never runs an idempotent function never pays it).
    A session of its own: boto3's default session is not safe to create from two threads at once."""
    return boto3.session.Session().client("dynamodb")


def register_context(context: LambdaContext) -> None:
    """Lets idempotency records expire with the invocation if the function is cut off mid-way."""
    for config in _idempotency_configs:
        config.register_lambda_context(context)


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
