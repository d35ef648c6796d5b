"""What EventBridge Scheduler does with a one-time schedule when its time comes, for the emulator.

moto keeps schedules (create, get, list, delete) but never fires them. ``fire_due`` sends each due ``at(...)``
schedule's input to its SQS target and deletes it when it was created with ActionAfterCompletion DELETE, as the
scheduler does. The local runtime runs it every second (``runtime.ScheduledRun``); the integration tests and the
cost benchmark call it with the time they pretend it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3

_AT = re.compile(r"at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)")


def due_at(schedule: dict[str, Any]) -> datetime | None:
    """When a one-time schedule fires; None for a rate or cron schedule. faka writes its times in UTC."""
    if not (at := _AT.fullmatch(schedule["ScheduleExpression"])):
        return None
    if schedule.get("ScheduleExpressionTimezone", "UTC") != "UTC":
        raise ValueError(f"schedule {schedule['Name']}: only UTC times are fired locally")
    return datetime.fromisoformat(at.group(1)).replace(tzinfo=UTC)


def send_to_target(schedule: dict[str, Any], session: boto3.Session | None = None) -> None:
    """Deliver the schedule's input to its queue, as one firing of the scheduler does."""
    sqs = (session or boto3.Session()).client("sqs")
    target = schedule["Target"]
    *_, account, queue_name = target["Arn"].split(":")
    queue_url = sqs.get_queue_url(QueueName=queue_name, QueueOwnerAWSAccountId=account)["QueueUrl"]
    sqs.send_message(QueueUrl=queue_url, MessageBody=target["Input"])


def fire_due(
    group: str, now: datetime, session: boto3.Session | None = None, *, after_each: Callable[[], object] | None = None
) -> int:
    """Fire every one-time schedule of ``group`` due by ``now``, calling ``after_each`` after each; how many fired."""
    aws = session or boto3.Session()
    scheduler = aws.client("scheduler")
    fired = 0
    for page in scheduler.get_paginator("list_schedules").paginate(GroupName=group):
        for summary in page["Schedules"]:
            schedule = scheduler.get_schedule(GroupName=group, Name=summary["Name"])
            due = due_at(schedule)
            if due is None or due > now:
                continue
            send_to_target(schedule, aws)
            if schedule.get("ActionAfterCompletion") == "DELETE":
                scheduler.delete_schedule(GroupName=group, Name=summary["Name"])
            fired += 1
            if after_each is not None:
                after_each()
    return fired
