"""The activation escalation starts from a one-time schedule, and only for keys still unactivated when it fires."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from faka import resources
from faka.activation.escalation import ACTIVATION_DUE
from faka.config import Env, get_settings
from faka.wiring import services
from faka_local.one_time_schedules import due_at, fire_due, send_to_target
from faka_local.provision import Provisioned
from tests.integration.conftest import Stack
from tests.integration.helpers import add_product, open_shop, pay, place_order
from tests.integration.test_activation import callback

GROUP = resources.ACTIVATION_DUE_SCHEDULE_GROUP
LONG_AFTER = datetime.now(UTC) + timedelta(days=30)


@pytest.fixture
def delivered(stack: Stack) -> dict[str, Any]:
    open_shop(stack)
    add_product(stack, keys=["DUE-0001-AAAA", "DUE-0002-BBBB"])
    order = place_order(stack)
    assert pay(stack, order["order_id"], order["amount"]).body["result"] == "delivered"
    stack.deliver_events()
    view = stack.api(
        "GET", f"/v1/orders/{order['order_id']}", headers={"Authorization": f"Bearer {order['access_token']}"}
    )
    return {**order, "keys": [k["code"] for k in view.body["keys"]]}


def schedule_of(order_id: str) -> dict[str, Any]:
    return boto3.client("scheduler").get_schedule(GroupName=GROUP, Name=order_id)


def executions(aws: Provisioned) -> list[dict[str, Any]]:
    arn = aws.state_machine_arns[resources.ACTIVATION_ESCALATION.name]
    return boto3.client("stepfunctions").list_executions(stateMachineArn=arn)["executions"]


def test_a_delivered_order_gets_a_one_time_schedule_for_its_first_level_and_no_execution(
    aws: Provisioned, stack: Stack, delivered: dict[str, Any]
) -> None:
    schedule = schedule_of(delivered["order_id"])

    first_level = int(get_settings().escalation_seconds.split(",")[0])
    due = due_at(schedule)
    assert due is not None
    assert timedelta(seconds=first_level - 60) < due - datetime.now(UTC) <= timedelta(seconds=first_level)
    assert schedule["ActionAfterCompletion"] == "DELETE"
    assert schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
    target = schedule["Target"]
    assert target["Arn"] == aws.activation_due_environment[Env.ACTIVATION_DUE_QUEUE_ARN]
    assert target["RoleArn"] == aws.activation_due_environment[Env.ACTIVATION_DUE_ROLE_ARN]
    assert target["DeadLetterConfig"] == {"Arn": aws.activation_due_environment[Env.ACTIVATION_DUE_DLQ_ARN]}
    message = json.loads(target["Input"])
    assert message["detail-type"] == ACTIVATION_DUE
    assert message["detail"]["order_id"] == delivered["order_id"]
    assert set(message["detail"]["schedule"]) == {"level1", "level2", "level3"}
    assert executions(aws) == []
    # Not yet due: nothing fires.
    assert fire_due(GROUP, datetime.now(UTC)) == 0


def test_a_second_schedule_for_the_same_order_is_refused(stack: Stack, delivered: dict[str, Any]) -> None:
    """The idempotency record answers a redelivered OrderDelivered; past its expiry the schedule's name still does."""
    scheduled = schedule_of(delivered["order_id"])

    again = services().escalation.schedule_first_level(delivered["order_id"], "main", datetime.now(UTC))

    assert again is False
    assert schedule_of(delivered["order_id"])["ScheduleExpression"] == scheduled["ScheduleExpression"]


def test_keys_activated_before_the_first_level_start_no_execution(
    aws: Provisioned, stack: Stack, delivered: dict[str, Any]
) -> None:
    activated = callback(
        stack, {"key": delivered["keys"][0], "status": "activated", "at": datetime.now(UTC).isoformat()}
    )
    assert activated.status == 200, activated.body

    assert fire_due(GROUP, LONG_AFTER) == 1
    stack.deliver_events()

    assert executions(aws) == []
    # Fired once and deleted (ActionAfterCompletion DELETE).
    assert boto3.client("scheduler").list_schedules(GroupName=GROUP)["Schedules"] == []


def test_keys_unactivated_at_the_first_level_start_exactly_one_execution_even_if_fired_twice(
    aws: Provisioned, stack: Stack, delivered: dict[str, Any]
) -> None:
    schedule = schedule_of(delivered["order_id"])

    assert fire_due(GROUP, LONG_AFTER) == 1
    stack.deliver_events()
    # The scheduler delivers at least once: the same message again.
    send_to_target(schedule)
    stack.deliver_events()

    [execution] = executions(aws)
    assert execution["name"] == delivered["order_id"]
    described = boto3.client("stepfunctions").describe_execution(executionArn=execution["executionArn"])
    execution_input = json.loads(described["input"])
    # The schedule's message, and the order's state as the workflow's first Choice reads it.
    assert execution_input == {
        **json.loads(schedule["Target"]["Input"])["detail"],
        "check": {"Item": {"pending_activation": {"N": "1"}, "status": {"S": "delivered"}}},
    }
