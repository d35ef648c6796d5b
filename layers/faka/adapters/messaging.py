"""EventBridge, SES and SNS adapters."""

from __future__ import annotations

import json
import time
import unicodedata
from collections.abc import Mapping
from typing import Any

from faka import resources
from faka.observability import logger
from faka.ports import Email, EventPublisher, Mailer, OperatorAlerts, SendingHealth


class EventBridgePublisher(EventPublisher):
    def __init__(self, events_client: Any, bus_name: str = resources.EVENT_BUS) -> None:
        self._events = events_client
        self._bus = bus_name

    def publish(self, detail_type: str, detail: Mapping[str, Any]) -> None:
        response = self._events.put_events(
            Entries=[
                {
                    "Source": resources.EVENT_SOURCE,
                    "DetailType": detail_type,
                    "Detail": json.dumps(detail, default=str),
                    "EventBusName": self._bus,
                }
            ]
        )
        if response.get("FailedEntryCount"):
            # Raising lets the caller's retry (webhook redelivery, SQS redrive) publish it again.
            raise RuntimeError(f"EventBridge rejected {detail_type}: {response['Entries']}")
        logger.info("event published", extra={"detail_type": detail_type})


def header_safe(value: str) -> str:
    """``value`` on one line: a CR or LF (or any control or line separator) in a header would start a new header."""
    spaced = "".join(" " if unicodedata.category(character)[0] in "CZ" else character for character in value)
    return " ".join(spaced.split())


class SesMailer(Mailer):
    # Named on every send rather than left to the sender identity's default: a domain identity set up
    # outside the stack has no default set, and without the set nothing records what became of the email.
    def __init__(self, ses_client: Any, sender: str, configuration_set: str = resources.MAIL_CONFIGURATION_SET) -> None:
        self._ses = ses_client
        self._sender = sender
        self._configuration_set = configuration_set

    def send(self, email: Email) -> str:
        response = self._ses.send_email(
            Source=self._sender,
            ConfigurationSetName=self._configuration_set,
            Destination={"ToAddresses": [header_safe(email.to)]},
            Message={
                "Subject": {"Data": header_safe(email.subject), "Charset": "UTF-8"},
                "Body": {
                    "Text": {"Data": email.text, "Charset": "UTF-8"},
                    "Html": {"Data": email.html, "Charset": "UTF-8"},
                },
            },
        )
        return str(response["MessageId"])


class SnsOperatorAlerts(OperatorAlerts):
    def __init__(self, sns_client: Any, topic_arn: str) -> None:
        self._sns = sns_client
        self._topic_arn = topic_arn

    def alert(
        self, subject: str, message: str, *, shop_id: str, kind: str | None = None, alert_id: str | None = None
    ) -> None:
        """``alert_id`` names the alert's deliveries to the shop's alert channels (faka.platform.alert_channels)."""
        attributes = {"shop_id": shop_id, "kind": kind, "alert_id": alert_id}
        self._sns.publish(
            TopicArn=self._topic_arn,
            Subject=header_safe(subject)[:100],
            Message=message,
            MessageAttributes={
                name: {"DataType": "String", "StringValue": value} for name, value in attributes.items() if value
            },
        )


class SesSendingHealth(SendingHealth):
    """Bounce and complaint rates from SES's sending statistics, re-read at most every five minutes."""

    def __init__(self, ses_client: Any, max_age_seconds: float = 300) -> None:
        self._ses = ses_client
        self._max_age = max_age_seconds
        self._cached: tuple[float, tuple[float, float]] | None = None

    def rates(self) -> tuple[float, float]:
        now = time.monotonic()
        if self._cached and now - self._cached[0] < self._max_age:
            return self._cached[1]
        points = self._ses.get_send_statistics().get("SendDataPoints", [])
        attempts = sum(int(p.get("DeliveryAttempts", 0)) for p in points)
        bounces = sum(int(p.get("Bounces", 0)) for p in points)
        complaints = sum(int(p.get("Complaints", 0)) for p in points)
        rates = (bounces / attempts, complaints / attempts) if attempts else (0.0, 0.0)
        self._cached = (now, rates)
        return rates


class SqsNoticeQueue:
    """The notifier's own queue, where a deferred notice waits (SQS delays a message 15 minutes at most)."""

    MAX_DELAY_SECONDS = 900

    def __init__(self, sqs_client: Any, queue_name: str = resources.NOTIFIER_QUEUE.physical_name) -> None:
        self._sqs = sqs_client
        self._url = sqs_client.get_queue_url(QueueName=queue_name)["QueueUrl"]

    def defer(self, event: Mapping[str, Any], seconds: float) -> None:
        delay = max(0, min(self.MAX_DELAY_SECONDS, int(seconds)))
        self._sqs.send_message(QueueUrl=self._url, MessageBody=json.dumps(event, default=str), DelaySeconds=delay)
