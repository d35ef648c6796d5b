"""The state machines of ``statemachines/`` executed for real by moto's Step Functions interpreter.

Every resource comes from faka_local.provision, so the ASL runs with the same substitutions CDK fills in.
moto really sleeps in Wait states and compares whole seconds, so schedules here are whole seconds apart.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from faka import resources
from faka.activation.escalation import activation_check
from faka.adapters.tables.orders import OrderItem
from faka.shared.model import OrderStatus
from faka_local.provision import Provisioned, provision

SHOP_ID = "main"
# Bounds every wait on an execution: the longest case (three levels) takes about 4 s.
EXECUTION_TIMEOUT_SECONDS = 20


@dataclass
class Escalation:
    """The provisioned ActivationEscalation state machine, its notifier queue and an inbox on the operator topic."""

    provisioned: Provisioned
    operator_inbox_url: str

    def __post_init__(self) -> None:
        self.stepfunctions = boto3.client("stepfunctions")
        self.sqs = boto3.client("sqs")
        self.state_machine_arn = self.provisioned.state_machine_arns[resources.ACTIVATION_ESCALATION.name]

    def put_order(self, order_id: str, *, status: OrderStatus, pending_activation: int | None) -> None:
        # Through the model the application writes with, so a renamed attribute breaks these tests too.
        now = datetime.now(UTC)
        OrderItem(
            order_id,
            OrderItem.SK,
            shop_id=SHOP_ID,
            sku="game-eu",
            quantity=pending_activation or 1,
            amount=1999,
            currency="EUR",
            email="buyer@example.com",
            locale="en",
            status=status.value,
            access_token_sha256="0" * 64,
            created_at=now,
            expires_at=now + timedelta(minutes=30),
            delivered_at=now,
            pending_activation=pending_activation,
        ).save()

    def activate_one_key(self, order_id: str) -> None:
        """What the activation domain does when a key of the order is activated."""
        OrderItem(order_id, OrderItem.SK).update(actions=[OrderItem.pending_activation.add(-1)])

    def execution_input(self, order_id: str, level_offsets: Sequence[int]) -> str:
        """The starter's input when level 1 is due: the levels at the given whole seconds from the current second,
        and the order's state as the starter reads it (faka.activation.escalation.activation_check)."""
        base = datetime.now(UTC).replace(microsecond=0)
        schedule = {
            f"level{level}": (base + timedelta(seconds=offset)).strftime("%Y-%m-%dT%H:%M:%SZ")
            for level, offset in enumerate(level_offsets, start=1)
        }
        check = activation_check(order_id)
        return json.dumps({"order_id": order_id, "shop_id": SHOP_ID, "schedule": schedule, "check": check})

    def start(
        self, order_id: str, level_offsets: Sequence[int] = (1, 2, 3), *, execution_input: str | None = None
    ) -> str:
        # Named after the order, as the escalation function names it.
        response = self.stepfunctions.start_execution(
            stateMachineArn=self.state_machine_arn,
            name=order_id,
            input=execution_input if execution_input is not None else self.execution_input(order_id, level_offsets),
        )
        return str(response["executionArn"])

    def wait(self, execution_arn: str) -> dict[str, Any]:
        """describe_execution once the execution has ended; the interpreter runs it in a background thread."""
        deadline = time.monotonic() + EXECUTION_TIMEOUT_SECONDS
        while (execution := self.stepfunctions.describe_execution(executionArn=execution_arn))["status"] == "RUNNING":
            assert time.monotonic() < deadline, f"{execution_arn} still running after {EXECUTION_TIMEOUT_SECONDS} s"
            time.sleep(0.1)
        return dict(execution)

    def states_entered(self, execution_arn: str) -> list[str]:
        """The states the execution entered, in order: each one is a billed state transition."""
        history = self.stepfunctions.get_execution_history(executionArn=execution_arn, maxResults=1000)
        return [
            event["stateEnteredEventDetails"]["name"]
            for event in history["events"]
            if event["type"].endswith("StateEntered")
        ]

    def reminders(self, *, wait_seconds: int = 0) -> list[dict[str, Any]]:
        """Reminder messages taken off the notifier queue, in the order they were sent."""
        return [json.loads(body) for body in self._drain(self.provisioned.queue_urls["notifier"], wait_seconds)]

    def operator_alerts(self) -> list[dict[str, Any]]:
        """SNS envelopes (Subject, Message, MessageAttributes) of what was published to the operator topic."""
        return [json.loads(body) for body in self._drain(self.operator_inbox_url, 0)]

    def _drain(self, queue_url: str, wait_seconds: int) -> list[str]:
        bodies: list[str] = []
        while messages := self.sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0 if bodies else wait_seconds
        ).get("Messages", []):
            for message in messages:
                bodies.append(message["Body"])
                self.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        return bodies


@pytest.fixture
def escalation() -> Iterator[Escalation]:
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        provisioned = provision(sender_email="shop@example.com")
        sqs = boto3.client("sqs")
        inbox_url = sqs.create_queue(QueueName="operator-inbox")["QueueUrl"]
        inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        boto3.client("sns").subscribe(TopicArn=provisioned.operator_topic_arn, Protocol="sqs", Endpoint=inbox_arn)
        yield Escalation(provisioned, inbox_url)
