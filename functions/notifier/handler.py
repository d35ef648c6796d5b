"""Buyer emails and operator alerts (EventBridge → SQS → here), and activation reminders (Step Functions → SQS).

Each notice is sent at most once per order and kind, however often its message arrives: the
idempotency record is taken before sending and released if sending fails, so SQS can retry it.
Reminders first pass the outreach policy; a deferred one is held until its time and comes back then
(faka.activation.reminders.HeldReminders: a delay on this queue, or one one-time schedule past 15 minutes).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from faka.activation.outreach import Verdict
from faka.consumers import sqs_consumer
from faka.entry import once_per
from faka.money.refund_notices import NOTICES as REFUND_NOTICES
from faka.observability import logger, metrics
from faka.wiring import services


@once_per("[detail_type, order_id, detail.reason]", argument="notice", expires_after_seconds=30 * 86400)
def send_notice(notice: dict[str, Any]) -> dict[str, Any]:
    message_id = services().notices.handle(notice["detail_type"], notice["detail"])
    return {"message_id": message_id}


@once_per("[order_id, level]", argument="reminder", expires_after_seconds=30 * 86400)
def send_reminder(reminder: dict[str, Any]) -> dict[str, Any]:
    reminders = services().reminders
    order, _ = reminders.decide(reminder["order_id"])
    outcome = reminders.send(order, int(reminder["level"]))
    return {"message_id": outcome.message_id, "template": outcome.template}


# Keyed by refund, not order: an order may have several partial refunds, each with its own email.
@once_per("[detail_type, refund_id]", argument="notice", expires_after_seconds=30 * 86400)
def send_refund_notice(notice: dict[str, Any]) -> dict[str, Any]:
    return {"message_id": services().refund_notices.send(notice["detail_type"], notice["refund_id"])}


def remind(event: dict[str, Any]) -> None:
    detail = event["detail"]
    now = datetime.now(UTC)
    waiting_until = detail.get("not_before")
    if waiting_until and datetime.fromisoformat(waiting_until) > now:
        services().held_reminders.hold(event, datetime.fromisoformat(waiting_until), now)
        return
    _, decision = services().reminders.decide(detail["order_id"], now)
    if decision.verdict is Verdict.DEFER and decision.not_before:
        logger.info("reminder deferred", extra={"order_id": detail["order_id"], "reason": decision.reason})
        services().held_reminders.hold(event, decision.not_before, now)
        metrics.add_metric(name="RemindersDeferred", unit="Count", value=1)
        return
    if decision.verdict is Verdict.SKIP:
        logger.info("reminder skipped", extra={"order_id": detail["order_id"], "reason": decision.reason})
        return
    send_reminder(reminder={"order_id": detail["order_id"], "level": int(detail["level"])})


def record_handler(record: SQSRecord) -> None:
    event = record.json_body
    if event["detail-type"] == "ActivationReminder":
        remind(event)
        return
    if event["detail-type"] in REFUND_NOTICES:
        send_refund_notice(notice={"detail_type": event["detail-type"], "refund_id": event["detail"]["refund_id"]})
        return
    send_notice(
        notice={"detail_type": event["detail-type"], "order_id": event["detail"]["order_id"], "detail": event["detail"]}
    )
    metrics.add_metric(name="NoticesSent", unit="Count", value=1)


lambda_handler = sqs_consumer(record_handler)
