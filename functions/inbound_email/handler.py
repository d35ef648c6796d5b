"""Emails to the support address (SES receiving → mail bucket → SQS → here) become ticket turns.

Each stored message is handled once: a redelivered notification is answered from the idempotency
record, so a buyer never gets the same answer twice.
"""

from __future__ import annotations

from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from faka import resources
from faka.entry import once_per, sqs_consumer
from faka.observability import metrics
from faka.wiring import services


@once_per("key", argument="stored", expires_after_seconds=7 * 86400)
def handle_stored_mail(stored: dict[str, str]) -> dict[str, str | None]:
    answer = services().inbound_mail.handle(stored["key"])
    metrics.add_metric(name="InboundEmails", unit="Count", value=1)
    return {"ticket_id": answer.ticket.ticket_id if answer else None}


def record_handler(record: SQSRecord) -> None:
    # S3 sends a test event with no records when the notification is configured; it asks nothing.
    for notification in record.json_body.get("Records", []):
        key = unquote_plus(notification["s3"]["object"]["key"])
        if key.startswith(resources.INBOUND_MAIL_PREFIX):
            handle_stored_mail(stored={"key": key})


lambda_handler = sqs_consumer(record_handler)
