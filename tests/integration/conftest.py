"""Integration fixtures: faka's resources provisioned in moto, handlers invoked in-process."""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

import boto3
import jsonschema
import pytest
from aws_lambda_powertools.utilities import parameters
from moto import mock_aws

from faka import resources
from faka.adapters.messaging import EventBridgePublisher
from faka.config import get_settings
from faka.wiring import services
from faka_local.apigateway import rest_event
from faka_local.emulator import prepare_emulator
from faka_local.event_sources import QueueConsumer, load_handler
from faka_local.lambda_context import LocalLambdaContext
from faka_local.provision import Provisioned, provision

ADMIN = {"Authorization": "Bearer test-admin-token"}


@dataclass
class Response:
    status: int
    body: Any
    headers: dict[str, str]


class Api:
    """Calls the function serving each path (resources.API_ROUTES) with API Gateway events, as API Gateway would."""

    def __init__(self) -> None:
        self._handlers = {function: load_handler(function) for function in resources.API_FUNCTIONS}

    def __call__(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        *,
        raw: str | None = None,
        query: str = "",
        source_ip: str = "203.0.113.7",
    ) -> Response:
        payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
        event = rest_event(method, path, body=payload, headers=headers, query=query, source_ip=source_ip)
        function = resources.function_serving(path)
        result = self._handlers[function](event, LocalLambdaContext(function.physical_name))
        text = result.get("body") or ""
        try:
            parsed = json.loads(text) if text else None
        except json.JSONDecodeError:
            parsed = text
        return Response(result["statusCode"], parsed, result.get("headers") or {})


@dataclass
class Stack:
    provisioned: Provisioned
    api: Api
    consumers: dict[str, QueueConsumer]

    def deliver_events(self) -> int:
        """Run every queue consumer until all queues are empty."""
        total = 0
        while True:
            delivered = sum(consumer.drain() for consumer in self.consumers.values())
            if not delivered:
                return total
            total += delivered


prepare_emulator()

EVENT_SCHEMAS = Path(__file__).resolve().parents[2] / "events" / "schemas"


@pytest.fixture(autouse=True)
def events_match_their_schemas(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every event any integration test makes the code emit is checked against ``events/schemas``."""
    published: list[str] = []
    publish = EventBridgePublisher.publish

    def validating_publish(self: EventBridgePublisher, detail_type: str, detail: Mapping[str, Any]) -> None:
        schema = json.loads((EVENT_SCHEMAS / f"{detail_type}.json").read_text())
        jsonschema.validate(
            json.loads(json.dumps(detail, default=str)), schema, format_checker=jsonschema.FormatChecker()
        )
        published.append(detail_type)
        publish(self, detail_type, detail)

    monkeypatch.setattr(EventBridgePublisher, "publish", validating_publish)
    return published


@contextmanager
def provisioned_in_moto() -> Iterator[Provisioned]:
    """faka's resources in moto, and the settings and caches that name them fresh (shared with benchmarks/chaos.py)."""
    with mock_aws():
        provisioned = provision(sender_email="shop@example.com")
        os.environ["FAKA_OPERATOR_TOPIC_ARN"] = provisioned.operator_topic_arn
        os.environ["FAKA_ESCALATION_STATE_MACHINE_ARN"] = provisioned.state_machine_arns[
            resources.ACTIVATION_ESCALATION.name
        ]
        os.environ.update(provisioned.activation_due_environment)
        get_settings.cache_clear()
        services.cache_clear()
        parameters.clear_caches()
        yield provisioned
        services.cache_clear()


def stack_on(provisioned: Provisioned) -> Stack:
    sqs = boto3.client("sqs")
    consumers = {
        spec.name: QueueConsumer(sqs, spec, provisioned.queue_urls[spec.name], retry_delay_seconds=0)
        for spec in resources.QUEUES
    }
    return Stack(provisioned, Api(), consumers)


@pytest.fixture
def aws() -> Iterator[Provisioned]:
    with provisioned_in_moto() as provisioned:
        yield provisioned


@pytest.fixture
def stack(aws: Provisioned) -> Stack:
    return stack_on(aws)


@pytest.fixture
def notifier_clock(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The notifier's ``datetime.now``, set by the test: the time a fired schedule's message arrives."""
    moments: list[datetime] = []

    class Clock(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> Clock:
            moment = moments[-1] if moments else datetime.now(UTC)
            return cls.fromtimestamp(moment.timestamp(), tz)

    monkeypatch.setattr(importlib.import_module("notifier.handler"), "datetime", Clock)
    return moments
