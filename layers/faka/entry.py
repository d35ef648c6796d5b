"""Idempotency for every function: what a handler does once per record or request.

The batch consumers' wrapping lives in :mod:`faka.consumers`, so a function that is not fed by a queue or a
stream (the API, the schedules' and the workflow's tasks) never imports Powertools' batch utilities.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, wraps
from typing import TYPE_CHECKING, Any

import boto3
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.client import BaseClient

from faka import resources

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
