"""Emails to the support address (SES receiving → mail bucket → SQS → here) become ticket turns.

Each stored message is handled once: a redelivered notification is answered from the idempotency
record, so a buyer never gets the same answer twice. The ticket turn is recorded apart from the send,
once per message (its sender and Message-ID): a send that fails is retried without opening a second
ticket, and a second copy of the same message (SES stores one per recipient) is not answered again.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from faka import resources
from faka.consumers import sqs_consumer
from faka.entry import once_per
from faka.observability import metrics
from faka.support.inbound_mail import EmailedReply, ParsedMail
from faka.wiring import services

RECORD_DAYS = 7


@once_per("message", argument="turn", expires_after_seconds=RECORD_DAYS * 86400)
def take_turn(turn: dict[str, str], mail: ParsedMail) -> dict[str, Any]:
    """Open or continue the ticket for one message; what to answer is recorded with the stored copy that asked."""
    reply = services().inbound_mail.answer(turn["key"], mail)
    return {"key": turn["key"], "reply": asdict(reply)}


@once_per("key", argument="stored", expires_after_seconds=RECORD_DAYS * 86400)
def handle_stored_mail(stored: dict[str, str]) -> dict[str, str | None]:
    inbound = services().inbound_mail
    mail = inbound.read(stored["key"])
    if mail is None:
        return {"ticket_id": None}
    message = f"{mail.sender.lower()} {mail.message_id}"
    turn = take_turn(turn={"message": message, "key": stored["key"]}, mail=mail)
    reply = EmailedReply(**turn["reply"])
    if turn["key"] == stored["key"]:
        inbound.send(reply)
    metrics.add_metric(name="InboundEmails", unit="Count", value=1)
    return {"ticket_id": reply.ticket_id}


def record_handler(record: SQSRecord) -> None:
    # S3 sends a test event with no records when the notification is configured; it asks nothing.
    for notification in record.json_body.get("Records", []):
        key = unquote_plus(notification["s3"]["object"]["key"])
        if key.startswith(resources.INBOUND_MAIL_PREFIX):
            handle_stored_mail(stored={"key": key})


lambda_handler = sqs_consumer(record_handler)
