"""EventBridge Scheduler one-time schedules: a message sent to a queue once, at a given second, then deleted.

The activation escalation uses them for an order's first level (faka.activation.escalation) and for a reminder
held past the buyer's quiet hours (faka.activation.reminders), where SQS can delay a message 15 minutes at most.
All live in one schedule group, sent with one role, their undeliverable firings kept in one dead-letter queue;
only the queue they send to differs. A schedule's name is its idempotency: a name already taken creates nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class DueTarget:
    """Where a one-time schedule sends its message, with what role, and where a message it cannot send goes."""

    group: str
    queue_arn: str
    role_arn: str
    dead_letter_queue_arn: str


def next_whole_second(moment: datetime) -> datetime:
    """``moment`` in UTC, rounded up to the second: a schedule's time has no fraction, and must not fire early."""
    whole = moment.astimezone(UTC).replace(microsecond=0)
    return whole if whole == moment else whole + timedelta(seconds=1)


class OneTimeSchedules:
    def __init__(self, scheduler_client: Any, target: DueTarget) -> None:
        self._scheduler = scheduler_client
        self._target = target

    def create(self, name: str, due: datetime, message: Mapping[str, Any]) -> bool:
        """Send ``message`` to the target's queue at ``due`` (a future whole second); False when ``name`` is taken."""
        try:
            self._scheduler.create_schedule(
                Name=name,
                GroupName=self._target.group,
                ScheduleExpression=f"at({due.astimezone(UTC):%Y-%m-%dT%H:%M:%S})",
                ScheduleExpressionTimezone="UTC",
                FlexibleTimeWindow={"Mode": "OFF"},
                # Fired once, then gone.
                ActionAfterCompletion="DELETE",
                Target={
                    "Arn": self._target.queue_arn,
                    "RoleArn": self._target.role_arn,
                    "Input": json.dumps(message, default=str),
                    "DeadLetterConfig": {"Arn": self._target.dead_letter_queue_arn},
                    "RetryPolicy": {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185},
                },
            )
        except self._scheduler.exceptions.ConflictException:
            return False
        return True
