"""A stack whose Step Functions executions really run: the refund review ASL on moto, its Lambda tasks in-process.

Shared by tests/statemachines/test_refund_review.py and tests/integration/test_refunds.py. moto's interpreter
runs each execution in a thread of its own and really waits, so reminders and SLAs here are whole seconds.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from moto import mock_aws

from faka import resources
from faka.config import Env, get_settings
from faka.wiring import services
from faka_local import lambda_dispatch
from faka_local.event_sources import QueueConsumer
from faka_local.provision import provision
from tests.integration.conftest import ADMIN, Api, Response, Stack
from tests.integration.helpers import add_product, pay

# Long enough that no reminder interrupts a test deciding at once; the SLA tests shorten it.
REMINDER_SECONDS = 30
# Bounds every wait on an execution; the slowest path (an escalated SLA) takes about 6 s.
EXECUTION_TIMEOUT_SECONDS = 30
SKU = "steam-20-us"
PRICE = 2000


@dataclass
class RefundStack(Stack):
    operator_inbox_url: str = ""
    shop_token: str = ""

    def __post_init__(self) -> None:
        self.stepfunctions = boto3.client("stepfunctions")
        self.sqs = boto3.client("sqs")
        self.state_machine_arn = self.provisioned.state_machine_arns[resources.REFUND_REVIEW.name]

    def open(self, keys: int = 10) -> None:
        """The main shop (its operator token kept) selling SKU, with ``keys`` keys in stock."""
        shop = {"shop_id": "main", "name": "Demo", "support_email": "help@example.com"}
        response = self.api("POST", "/v1/admin/shops", shop, ADMIN)
        assert response.status == 201, response.body
        self.shop_token = response.body["operator_token"]
        add_product(self, SKU, [f"KEY-{n:04d}-ABCD" for n in range(keys)], price=PRICE)

    def remind_every(self, seconds: int, monkeypatch: pytest.MonkeyPatch) -> None:
        """Reviews started from now on remind the operators every ``seconds``."""
        monkeypatch.setenv(Env.REFUND_REMINDER_SECONDS, str(seconds))
        get_settings.cache_clear()
        services.cache_clear()

    def deliver_notices(self) -> int:
        return self.consumers[resources.NOTIFIER_QUEUE.name].drain()

    @staticmethod
    def wait_until(probe: Callable[[], Any], what: str, timeout: float = EXECUTION_TIMEOUT_SECONDS) -> Any:
        deadline = time.monotonic() + timeout
        while not (result := probe()):
            assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s"
            time.sleep(0.05)
        return result

    def buy(
        self,
        quantity: int = 1,
        *,
        email: str = "buyer@example.com",
        headers: dict[str, str] | None = None,
        source_ip: str = "203.0.113.7",
    ) -> dict[str, Any]:
        """A paid (and, with stock, delivered) order, with its access token."""
        draft = {"sku": SKU, "quantity": quantity, "email": email, "locale": "en"}
        response = self.api("POST", "/v1/orders", draft, headers, source_ip=source_ip)
        assert response.status == 201, response.body
        order: dict[str, Any] = response.body
        assert pay(self, order["order_id"], order["amount"]).status == 200
        return order

    def ask(
        self,
        order: dict[str, Any],
        reason: str = "I bought the wrong card",
        lines: list[int] | None = None,
        token: str | None = None,
    ) -> Response:
        body: dict[str, Any] = {"reason": reason}
        if lines is not None:
            body["lines"] = lines
        bearer = {"Authorization": f"Bearer {token or order['access_token']}"}
        return self.api("POST", f"/v1/orders/{order['order_id']}/refund", body, bearer)

    def refund(self, refund_id: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
        response = self.api("GET", f"/v1/admin/refunds/{refund_id}", headers=headers or ADMIN)
        assert response.status == 200, response.body
        return dict(response.body)

    def order(self, order: dict[str, Any]) -> dict[str, Any]:
        response = self.api("GET", f"/v1/admin/orders/{order['order_id']}", headers=ADMIN)
        assert response.status == 200, response.body
        return dict(response.body)

    def decide(
        self, refund_id: str, decision: str, reason: str | None = None, headers: dict[str, str] | None = None
    ) -> Response:
        body = {"decision": decision, **({"reason": reason} if reason else {})}
        return self.api("POST", f"/v1/admin/refunds/{refund_id}/decision", body, ADMIN if headers is None else headers)

    def set_policy(self, *, limit: int = 5000, sla_seconds: int = 86400, sla_policy: str = "auto_approve") -> None:
        policy = {"auto_approve_limits": {"usd": limit}, "review_sla_seconds": sla_seconds, "sla_policy": sla_policy}
        response = self.api("PUT", "/v1/admin/refund-policy", policy, ADMIN)
        assert response.status == 200, response.body

    def activate(self, order: dict[str, Any], line_no: int = 1) -> Response:
        return self.api(
            "POST",
            f"/v1/admin/orders/{order['order_id']}/activation",
            {"status": "activated", "line_no": line_no},
            ADMIN,
        )

    def execution_arn(self, refund_id: str) -> str:
        return f"{self.state_machine_arn.replace(':stateMachine:', ':execution:')}:{refund_id}"

    def wait(self, refund_id: str) -> dict[str, Any]:
        """describe_execution once the refund's review has ended."""
        deadline = time.monotonic() + EXECUTION_TIMEOUT_SECONDS
        arn = self.execution_arn(refund_id)
        while (execution := self.stepfunctions.describe_execution(executionArn=arn))["status"] == "RUNNING":
            assert time.monotonic() < deadline, f"{arn} still running after {EXECUTION_TIMEOUT_SECONDS} s"
            time.sleep(0.05)
        return dict(execution)

    def wait_for(self, refund_id: str, status: str, timeout: float = EXECUTION_TIMEOUT_SECONDS) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while (refund := self.refund(refund_id))["status"] != status:
            assert time.monotonic() < deadline, f"refund {refund_id} is {refund['status']}, not {status}"
            time.sleep(0.05)
        return refund

    def states_entered(self, refund_id: str) -> list[str]:
        """The states the review entered, in order: each one is a billed state transition."""
        history = self.stepfunctions.get_execution_history(executionArn=self.execution_arn(refund_id), maxResults=1000)
        return [e["stateEnteredEventDetails"]["name"] for e in history["events"] if e["type"].endswith("StateEntered")]

    def operator_alerts(self) -> list[dict[str, Any]]:
        """SNS envelopes published to the operator topic since the last call."""
        alerts = []
        while messages := self.sqs.receive_message(QueueUrl=self.operator_inbox_url, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            for message in messages:
                alerts.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.operator_inbox_url, ReceiptHandle=message["ReceiptHandle"])
        return alerts

    @staticmethod
    def provider_refunds() -> list[dict[str, Any]]:
        """What the sandbox payment provider paid back."""
        return services().payment_provider.refunds()  # type: ignore[attr-defined, no-any-return]


@pytest.fixture(name="refund_stack")
def refund_stack_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[RefundStack]:
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}), lambda_dispatch.installed():
        provisioned = provision(sender_email="shop@example.com")
        monkeypatch.setenv(Env.OPERATOR_TOPIC_ARN, provisioned.operator_topic_arn)
        monkeypatch.setenv(Env.REFUND_STATE_MACHINE_ARN, provisioned.state_machine_arns[resources.REFUND_REVIEW.name])
        monkeypatch.setenv(
            Env.ESCALATION_STATE_MACHINE_ARN, provisioned.state_machine_arns[resources.ACTIVATION_ESCALATION.name]
        )
        monkeypatch.setenv(Env.REFUND_REMINDER_SECONDS, str(REMINDER_SECONDS))
        get_settings.cache_clear()
        services.cache_clear()
        parameters.clear_caches()
        sqs = boto3.client("sqs")
        # The notifier only: the escalation consumer would start activation reminders that wait for days.
        notifier = resources.NOTIFIER_QUEUE
        consumers = {
            notifier.name: QueueConsumer(sqs, notifier, provisioned.queue_urls[notifier.name], retry_delay_seconds=0)
        }
        inbox_url = sqs.create_queue(QueueName="operator-inbox")["QueueUrl"]
        inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        boto3.client("sns").subscribe(TopicArn=provisioned.operator_topic_arn, Protocol="sqs", Endpoint=inbox_arn)
        stack = RefundStack(provisioned, Api(), consumers, inbox_url)
        yield stack
        # An execution left waiting would keep its thread sleeping past the test.
        for execution in stack.stepfunctions.list_executions(
            stateMachineArn=stack.state_machine_arn, statusFilter="RUNNING"
        )["executions"]:
            stack.stepfunctions.stop_execution(executionArn=execution["executionArn"])
        services.cache_clear()
        get_settings.cache_clear()
