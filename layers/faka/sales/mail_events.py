"""What happened to each email after SES took it: sent, delivered, bounced, complained about, opened, clicked.

SES publishes these through the mail configuration set (SNS → SQS → the mail_events function). Each event
is kept under the message id SES answered the send with, so the delivery email's id on an order leads to its
history: evidence against a chargeback, and the answer to "I never got the email". SNS delivers at least
once; a repeated event lands on its own item again and changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from pynamodb.exceptions import PutError

from faka.adapters.tables.outreach import MailEventItem
from faka.observability import logger

# Card networks accept chargebacks up to 120 days after the sale and a dispute then runs for months:
# the history must outlive both.
RETENTION = timedelta(days=400)


class MailEventType(StrEnum):
    SEND = "Send"
    DELIVERY = "Delivery"
    BOUNCE = "Bounce"
    COMPLAINT = "Complaint"
    OPEN = "Open"
    CLICK = "Click"
    REJECT = "Reject"


# Events published within the same millisecond are listed in the order a message lives through them.
_LIFECYCLE = {kind: rank for rank, kind in enumerate(MailEventType)}


@dataclass(frozen=True)
class MailEvent:
    type: MailEventType
    at: datetime
    # Per type: bounce_type, bounce_sub_type, diagnostic (Bounce); smtp_response, processing_ms (Delivery);
    # feedback_type (Complaint); ip, user_agent and for Click the link (Open, Click); reason (Reject).
    detail: dict[str, Any]

    def as_evidence(self) -> dict[str, Any]:
        return {"type": self.type.value, "at": self.at.isoformat(), "detail": self.detail}


class _Ses(BaseModel):
    """SES's event JSON: camelCase fields, many more than faka reads."""

    model_config = ConfigDict(alias_generator=to_camel, extra="ignore", frozen=True)


class _Mail(_Ses):
    message_id: str
    timestamp: datetime


class _Delivery(_Ses):
    timestamp: datetime
    smtp_response: str | None = None
    processing_time_millis: int | None = None


class _BouncedRecipient(_Ses):
    diagnostic_code: str | None = None


class _Bounce(_Ses):
    timestamp: datetime
    bounce_type: str
    bounce_sub_type: str | None = None
    bounced_recipients: list[_BouncedRecipient] = []


class _Complaint(_Ses):
    timestamp: datetime
    complaint_feedback_type: str | None = None


class _Engagement(_Ses):
    timestamp: datetime
    ip_address: str | None = None
    user_agent: str | None = None
    link: str | None = None


class _Reject(_Ses):
    reason: str | None = None


class SesEvent(_Ses):
    """One event as SES event publishing sends it to SNS (and SNS, with raw delivery, to SQS)."""

    event_type: str
    mail: _Mail
    delivery: _Delivery | None = None
    bounce: _Bounce | None = None
    complaint: _Complaint | None = None
    opened: _Engagement | None = Field(default=None, alias="open")
    click: _Engagement | None = None
    reject: _Reject | None = None

    def event(self) -> MailEvent | None:
        """The event as faka keeps it; None for a type faka does not record (the set publishes only these)."""
        try:
            kind = MailEventType(self.event_type)
        except ValueError:
            return None
        at, detail = self._facts(kind)
        return MailEvent(kind, at.astimezone(UTC), {k: v for k, v in detail.items() if v is not None})

    def _facts(self, kind: MailEventType) -> tuple[datetime, dict[str, Any]]:
        if kind is MailEventType.DELIVERY and self.delivery:
            return self.delivery.timestamp, {
                "smtp_response": self.delivery.smtp_response,
                "processing_ms": self.delivery.processing_time_millis,
            }
        if kind is MailEventType.BOUNCE and self.bounce:
            diagnostics = [r.diagnostic_code for r in self.bounce.bounced_recipients if r.diagnostic_code]
            return self.bounce.timestamp, {
                "bounce_type": self.bounce.bounce_type,
                "bounce_sub_type": self.bounce.bounce_sub_type,
                "diagnostic": diagnostics[0] if diagnostics else None,
            }
        if kind is MailEventType.COMPLAINT and self.complaint:
            return self.complaint.timestamp, {"feedback_type": self.complaint.complaint_feedback_type}
        engagement = self.opened if kind is MailEventType.OPEN else self.click if kind is MailEventType.CLICK else None
        if engagement:
            return engagement.timestamp, {
                "ip": engagement.ip_address,
                "user_agent": engagement.user_agent,
                "link": _without_query(engagement.link),
            }
        if kind is MailEventType.REJECT and self.reject:
            return self.mail.timestamp, {"reason": self.reject.reason}
        # Send carries no facts of its own: it happened when SES accepted the message.
        return self.mail.timestamp, {}


def _without_query(link: str | None) -> str | None:
    # Links in buyer emails carry signed tokens in their query; which page was opened is evidence, the token is not.
    if not link:
        return None
    parts = urlsplit(link)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def message_key(message_id: str) -> str:
    return f"MAIL#{message_id}"


class MailEvents:
    def __init__(self, retention: timedelta = RETENTION) -> None:
        self._retention = retention

    def record(self, published: Mapping[str, Any]) -> bool:
        """Keep one SES event; False when it was kept before or is of a type faka does not record."""
        ses_event = SesEvent.model_validate(published)
        event = ses_event.event()
        if event is None:
            logger.info("mail event type not recorded", extra={"event_type": ses_event.event_type})
            return False
        item = MailEventItem(
            message_key(ses_event.mail.message_id),
            f"EVENT#{event.at.strftime('%Y-%m-%dT%H:%M:%S.%f')}#{event.type.value}",
            event_type=event.type.value,
            at=event.at,
            detail=json.dumps(event.detail, sort_keys=True),
            expires_at=int((event.at + self._retention).timestamp()),
        )
        try:
            item.save(condition=MailEventItem.sk.does_not_exist())
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            return False
        logger.info("mail event recorded", extra={"message_id": ses_event.mail.message_id, "type": event.type.value})
        return True

    def for_message(self, message_id: str) -> list[MailEvent]:
        """Everything SES reported about one email, oldest first."""
        events = [
            MailEvent(MailEventType(item.event_type), item.at, json.loads(item.detail))
            for item in MailEventItem.query(message_key(message_id), consistent_read=True)
        ]
        return sorted(events, key=lambda event: (event.at, _LIFECYCLE[event.type]))

    def bounced(self, message_id: str) -> bool:
        """Whether the email never reached the mailbox: SES reports a soft bounce only once it stops retrying."""
        return any(event.type is MailEventType.BOUNCE for event in self.for_message(message_id))
