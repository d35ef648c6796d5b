"""Where a deferred reminder waits: on the notifier's queue up to SQS's 15 minutes, else in one one-time schedule."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from faka.activation.one_time import DueTarget, OneTimeSchedules
from faka.activation.reminders import HeldReminders
from faka.adapters.messaging import SqsNoticeQueue

NOW = datetime(2026, 12, 6, 14, 30, 12, 250_000, tzinfo=UTC)
ORDER = "0" * 32
DETAIL = {"order_id": ORDER, "shop_id": "main", "level": 2}
REMINDER = {"detail-type": "ActivationReminder", "source": "faka.escalation", "detail": DETAIL}


class ConflictError(Exception):
    pass


class FakeScheduler:
    """EventBridge Scheduler's create_schedule: a name already in the group is refused."""

    class exceptions:
        ConflictException = ConflictError

    def __init__(self) -> None:
        self.schedules: dict[str, dict[str, Any]] = {}

    def create_schedule(self, **schedule: Any) -> None:
        if schedule["Name"] in self.schedules:
            raise ConflictError(schedule["Name"])
        self.schedules[schedule["Name"]] = schedule


class FakeSqs:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def get_queue_url(self, QueueName: str) -> dict[str, str]:
        return {"QueueUrl": f"https://sqs.local/{QueueName}"}

    def send_message(self, **message: Any) -> None:
        self.sent.append(message)


@pytest.fixture
def scheduler() -> FakeScheduler:
    return FakeScheduler()


@pytest.fixture
def sqs() -> FakeSqs:
    return FakeSqs()


@pytest.fixture
def held(scheduler: FakeScheduler, sqs: FakeSqs) -> HeldReminders:
    target = DueTarget("faka-activation-due", "arn:aws:sqs:us-east-1:1:faka-notifier", "arn:role", "arn:dlq")
    return HeldReminders(SqsNoticeQueue(sqs, "faka-notifier"), OneTimeSchedules(scheduler, target))


def test_a_hold_longer_than_sqs_can_delay_is_one_schedule_for_its_time(
    held: HeldReminders, scheduler: FakeScheduler, sqs: FakeSqs
) -> None:
    until = NOW + timedelta(hours=9, minutes=29, seconds=47, microseconds=750_000)  # 00:00:00 the next day

    held.hold(REMINDER, until, NOW)

    assert sqs.sent == []
    [(name, schedule)] = scheduler.schedules.items()
    assert name == f"{ORDER}-l2-20261207T000000Z"
    assert schedule["ScheduleExpression"] == "at(2026-12-07T00:00:00)"
    assert schedule["ScheduleExpressionTimezone"] == "UTC"
    assert schedule["ActionAfterCompletion"] == "DELETE"
    assert schedule["Target"]["Arn"] == "arn:aws:sqs:us-east-1:1:faka-notifier"
    message = json.loads(schedule["Target"]["Input"])
    assert message == {**REMINDER, "detail": {**DETAIL, "not_before": until.isoformat()}}


def test_a_schedule_never_fires_before_the_time_it_waits_for(held: HeldReminders, scheduler: FakeScheduler) -> None:
    """A schedule's time has no fraction of a second: it is rounded up, not down."""
    until = NOW + timedelta(hours=1)  # the circuit breaker's retry: NOW's quarter second included

    held.hold(REMINDER, until, NOW)

    [schedule] = scheduler.schedules.values()
    assert schedule["ScheduleExpression"] == "at(2026-12-06T15:30:13)"


def test_a_hold_sqs_can_delay_stays_on_the_notifier_queue(
    held: HeldReminders, scheduler: FakeScheduler, sqs: FakeSqs
) -> None:
    held.hold(REMINDER, NOW + timedelta(seconds=SqsNoticeQueue.MAX_DELAY_SECONDS), NOW)

    assert scheduler.schedules == {}
    [message] = sqs.sent
    assert message["DelaySeconds"] == SqsNoticeQueue.MAX_DELAY_SECONDS
    assert json.loads(message["MessageBody"])["detail"]["not_before"] == "2026-12-06T14:45:12.250000+00:00"


def test_the_same_hold_twice_schedules_once_and_a_later_hold_of_the_same_reminder_again(
    held: HeldReminders, scheduler: FakeScheduler
) -> None:
    """A duplicate of the deferred message changes nothing; deferred again (the daily cap after the quiet hours), the
    reminder gets a schedule of its own while the fired one may not be deleted yet."""
    end_of_quiet_hours = datetime(2026, 12, 7, 0, tzinfo=UTC)

    held.hold(REMINDER, end_of_quiet_hours, NOW)
    held.hold(REMINDER, end_of_quiet_hours, NOW + timedelta(minutes=5))
    held.hold(REMINDER, end_of_quiet_hours + timedelta(days=1), end_of_quiet_hours)

    assert sorted(scheduler.schedules) == [f"{ORDER}-l2-20261207T000000Z", f"{ORDER}-l2-20261208T000000Z"]
