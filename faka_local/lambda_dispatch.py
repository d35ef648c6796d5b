"""Runs faka's real handlers when the emulator invokes a Lambda function (Step Functions tasks above all).

moto has no Docker here, and every invoke path (the Invoke API, Step Functions tasks, event-source
mappings) ends in ``LambdaFunction._invoke_lambda``; replacing it with a lookup of the in-process
handler by function name runs the same code Lambda would. A handler's exception is answered the way
the Lambda Python runtime answers it, so Step Functions sees its class name as the error to Retry or Catch.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from moto.awslambda.models import LambdaFunction

from faka import resources
from faka_local.event_sources import load_handler
from faka_local.lambda_context import LocalLambdaContext

log = logging.getLogger("faka_local.lambda")

_original_invoke = LambdaFunction._invoke_lambda


def install(turn: Callable[[], AbstractContextManager[Any]] = nullcontext) -> None:
    """Dispatch every invocation of a faka function to its handler; ``turn`` serializes them if needed."""
    specs = {spec.physical_name: spec for spec in resources.FUNCTIONS}

    def invoke_in_process(function: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
        spec = specs.get(function.function_name)
        if spec is None:
            raise LookupError(f"{function.function_name} is not a faka function")
        payload = json.loads(event) if isinstance(event, str) else (event or {})
        context = LocalLambdaContext(
            spec.physical_name, memory_limit_in_mb=spec.memory_mb, timeout_seconds=spec.timeout_seconds
        )
        try:
            with turn():
                result = load_handler(spec)(payload, context)
        except Exception as error:
            log.info("%s raised %s: %s", spec.physical_name, type(error).__name__, error)
            failure = {
                "errorType": type(error).__name__,
                "errorMessage": str(error),
                "stackTrace": traceback.format_tb(error.__traceback__),
            }
            return json.dumps(failure), True, ""
        return json.dumps(result, default=str), False, ""

    LambdaFunction._invoke_lambda = invoke_in_process  # type: ignore[method-assign,assignment]


def uninstall() -> None:
    LambdaFunction._invoke_lambda = _original_invoke  # type: ignore[method-assign]


@contextmanager
def installed(turn: Callable[[], AbstractContextManager[Any]] = nullcontext) -> Iterator[None]:
    install(turn)
    try:
        yield
    finally:
        uninstall()
