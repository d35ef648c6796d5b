"""EventBridge, SES and SNS adapters."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from faka import resources
from faka.observability import logger
from faka.ports import Email, EventPublisher, Mailer, OperatorAlerts


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


class SesMailer(Mailer):
    def __init__(self, ses_client: Any, sender: str) -> None:
        self._ses = ses_client
        self._sender = sender

    def send(self, email: Email) -> str:
        response = self._ses.send_email(
            Source=self._sender,
            Destination={"ToAddresses": [email.to]},
            Message={
                "Subject": {"Data": email.subject, "Charset": "UTF-8"},
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

    def alert(self, subject: str, message: str, *, shop_id: str) -> None:
        self._sns.publish(
            TopicArn=self._topic_arn,
            Subject=subject[:100],
            Message=message,
            MessageAttributes={"shop_id": {"DataType": "String", "StringValue": shop_id}},
        )
