"""A reminder due in the buyer's quiet hours waits once, in a one-time schedule for their end, and is sent once then."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from faka import resources
from faka.activation.outreach import QuietHours
from faka.adapters.tables.orders import OrderItem
from faka.config import Env, get_settings
from faka.wiring import services
from faka_local.one_time_schedules import due_at, fire_due, send_to_target
from faka_local.provision import Provisioned
from tests.integration.conftest import Stack
from tests.integration.helpers import add_product, open_shop, pay, place_order, sent_mail
from tests.integration.test_activation import deferred_messages, remind

GROUP = resources.ACTIVATION_DUE_SCHEDULE_GROUP


@pytest.fixture
def delivered(stack: Stack) -> dict[str, Any]:
    open_shop(stack)
    add_product(stack, keys=["HELD-0001-AAAA"])
    order = place_order(stack)
    assert pay(stack, order["order_id"], order["amount"]).body["result"] == "delivered"
    stack.deliver_events()
    assert len(sent_mail()) == 1  # the delivery email
    return order


@pytest.fixture
def quiet_now(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Quiet hours from the current hour for two hours (the buyer's country is unknown: UTC); when they end."""
    now = datetime.now(UTC)
    setting = f"{now.hour}-{(now.hour + 2) % 24}"
    monkeypatch.setenv(Env.QUIET_HOURS, setting)
    get_settings.cache_clear()
    services.cache_clear()
    quiet = QuietHours.parse(setting)
    assert quiet is not None
    end = quiet.ends_after(now)
    assert end is not None
    return end


def held_schedules(order_id: str, level: int) -> list[dict[str, Any]]:
    scheduler = boto3.client("scheduler")
    return [
        scheduler.get_schedule(GroupName=GROUP, Name=summary["Name"])
        for summary in scheduler.list_schedules(GroupName=GROUP, NamePrefix=f"{order_id}-l{level}-")["Schedules"]
    ]


def test_a_reminder_due_in_quiet_hours_is_scheduled_once_for_their_end_and_sent_once_then(
    aws: Provisioned,
    stack: Stack,
    delivered: dict[str, Any],
    quiet_now: datetime,
    notifier_clock: list[datetime],
) -> None:
    order_id = delivered["order_id"]

    remind(stack, order_id, 1)
    remind(stack, order_id, 1)  # the workflow's message delivered twice: still one schedule

    [schedule] = held_schedules(order_id, 1)
    assert due_at(schedule) == quiet_now
    assert schedule["ActionAfterCompletion"] == "DELETE"
    target = schedule["Target"]
    assert target["Arn"] == aws.activation_due_environment[Env.REMINDER_DUE_QUEUE_ARN]
    assert target["RoleArn"] == aws.activation_due_environment[Env.ACTIVATION_DUE_ROLE_ARN]
    message = json.loads(target["Input"])
    assert message["detail-type"] == "ActivationReminder"
    assert (message["detail"]["level"], datetime.fromisoformat(message["detail"]["not_before"])) == (1, quiet_now)
    # Waiting in the schedule, not on the queue: nothing is put back every 15 minutes meanwhile.
    assert deferred_messages(stack)[0]["ApproximateNumberOfMessagesDelayed"] == "0"
    assert fire_due(GROUP, quiet_now - timedelta(seconds=1)) == 0
    assert len(sent_mail()) == 1

    notifier_clock.append(quiet_now)
    assert fire_due(GROUP, quiet_now) == 1
    stack.deliver_events()

    assert len(sent_mail()) == 2
    assert OrderItem.get(order_id, OrderItem.SK).reminder_level == 1
    assert held_schedules(order_id, 1) == []
    # The scheduler delivers at least once: the same message again sends nothing more.
    send_to_target(schedule)
    stack.deliver_events()
    assert len(sent_mail()) == 2
    assert deferred_messages(stack)[0]["ApproximateNumberOfMessagesDelayed"] == "0"


def test_a_reminder_arriving_before_its_time_waits_the_rest_on_the_queue_when_sqs_can_delay_it(
    stack: Stack, delivered: dict[str, Any]
) -> None:
    """Under 15 minutes to go, a delay on the notifier's own queue: no schedule."""
    order_id = delivered["order_id"]
    soon = datetime.now(UTC) + timedelta(minutes=10)
    early = {
        "detail-type": "ActivationReminder",
        "source": "faka.escalation",
        "detail": {"order_id": order_id, "shop_id": "main", "level": 2, "not_before": soon.isoformat()},
    }
    boto3.client("sqs").send_message(QueueUrl=stack.provisioned.queue_urls["notifier"], MessageBody=json.dumps(early))
    stack.deliver_events()

    assert deferred_messages(stack)[0]["ApproximateNumberOfMessagesDelayed"] == "1"
    assert held_schedules(order_id, 2) == []
    assert len(sent_mail()) == 1
