"""The Powertools objects every handler and domain module shares.

Service name, namespace and log level come from POWERTOOLS_* variables set by CDK (and by the local
runtime), so nothing here is configured twice.

Tracing: every function runs with Lambda's active tracing, whose own segments (initialization, invocation,
overhead, errors) need no code, and botocore passes the trace id on to the services a function calls, so
a trace still follows an order from the API through queues and workflows. The X-Ray SDK adds in-process
subsegments (one per AWS call, one for the handler) at a price paid by every cold start: importing it
costs ~0.3 s and ~22 MB, most of it two X-Ray clients built for a sampler Lambda never uses
(aws/aws-xray-sdk-python#311). So the SDK is loaded only where Powertools would record with it: inside
Lambda with ``POWERTOOLS_TRACE_DISABLED`` unset or false. CDK sets it to true on every function; set it to
false on one to get its per-call subsegments.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.tracing.base import BaseProvider, BaseSegment

# Powertools' own switches: POWERTOOLS_TRACE_DISABLED, and LAMBDA_TASK_ROOT (set only inside Lambda).
TRACE_DISABLED_VARIABLE = "POWERTOOLS_TRACE_DISABLED"
_TRUTHY = {"1", "true", "yes", "on"}


class _NoSegment(BaseSegment):
    """What the handler's subsegment is when nothing is recorded in-process."""

    def close(self, end_time: int | None = None) -> None: ...

    def add_subsegment(self, subsegment: Any) -> None: ...

    def remove_subsegment(self, subsegment: Any) -> None: ...

    def put_annotation(self, key: str, value: Any) -> None: ...

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None: ...

    def add_exception(self, exception: BaseException, stack: Any, remote: bool = False) -> None: ...


class LambdaSegmentsOnly(BaseProvider):
    """A tracing provider that records nothing itself and never imports the X-Ray SDK."""

    @contextmanager
    def in_subsegment(self, name: str | None = None, **kwargs: Any) -> Iterator[BaseSegment]:
        yield _NoSegment()

    @asynccontextmanager
    async def in_subsegment_async(self, name: str | None = None, **kwargs: Any) -> AsyncIterator[BaseSegment]:
        yield _NoSegment()

    def put_annotation(self, key: str, value: Any) -> None: ...

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None: ...

    def patch(self, modules: Sequence[str]) -> None: ...

    def patch_all(self) -> None: ...


def records_with_xray_sdk() -> bool:
    """Whether Powertools' Tracer would record here: inside Lambda, and not switched off."""
    disabled = os.environ.get(TRACE_DISABLED_VARIABLE, "false").strip().lower() in _TRUTHY
    return "LAMBDA_TASK_ROOT" in os.environ and not disabled


logger = Logger(service="faka")
tracer = (
    Tracer(service="faka")
    if records_with_xray_sdk()
    else Tracer(service="faka", disabled=False, auto_patch=False, provider=LambdaSegmentsOnly())
)
metrics = Metrics(namespace="faka", service="faka")
