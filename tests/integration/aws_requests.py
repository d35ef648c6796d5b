"""Counting the AWS requests a piece of code makes (moto answers them): repeated I/O is found by counting, never
by timing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from botocore.client import BaseClient


@dataclass(frozen=True)
class Request:
    service: str
    operation: str
    params: dict[str, Any]

    def reads(self, table: str) -> bool:
        """A read of ``table``: a GetItem or Query of it, or a BatchGetItem asking it for keys."""
        if self.operation in ("GetItem", "Query"):
            return bool(self.params.get("TableName") == table)
        return self.operation == "BatchGetItem" and table in self.params.get("RequestItems", {})


@contextmanager
def aws_requests() -> Iterator[list[Request]]:
    """Every request any boto3/botocore client (pynamodb's included) makes inside the block, in order."""
    made: list[Request] = []
    original = BaseClient._make_api_call

    def counted(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        made.append(Request(client.meta.service_model.service_name, operation, dict(params)))
        return original(client, operation, params)

    BaseClient._make_api_call = counted
    try:
        yield made
    finally:
        BaseClient._make_api_call = original
