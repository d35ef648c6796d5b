"""SES event publishing and the SES mailbox simulator, which moto's SES does not do.

On AWS, an email sent through a configuration set makes SES publish its Send, Delivery, Bounce and
Complaint events to the set's SNS destination, and the mailbox simulator's addresses choose the outcome:
``bounce@simulator.amazonses.com`` bounces, ``complaint@simulator.amazonses.com`` is delivered and then
complained about, any other address is delivered. moto sends but publishes nothing, so this publishes the
same event JSON to the same topic, and the SNS → SQS → mail_events path runs exactly as deployed.
Open and Click need a person reading the email and are not emulated.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from moto.ses.responses import EmailResponse
from moto.sns.models import sns_backends

BOUNCE_ADDRESS = "bounce@simulator.amazonses.com"
COMPLAINT_ADDRESS = "complaint@simulator.amazonses.com"
REPORTING_MTA = "a8-70.smtp-out.amazonses.com"

_original_send_email: Callable[..., Any] | None = None


def install() -> None:
    """Publish events for every email sent from now on (SES v1 SendEmail, the call faka's mailer makes)."""
    global _original_send_email
    if _original_send_email is not None:
        return
    original = _original_send_email = EmailResponse.send_email

    @wraps(original)
    def send_email_publishing_events(response: EmailResponse) -> Any:
        result: Any = original(response)
        _publish(response, result.result["MessageId"])
        return result

    EmailResponse.send_email = send_email_publishing_events  # type: ignore[method-assign,assignment]


def uninstall() -> None:
    global _original_send_email
    if _original_send_email is not None:
        EmailResponse.send_email = _original_send_email  # type: ignore[method-assign]
        _original_send_email = None


@contextmanager
def installed() -> Iterator[None]:
    install()
    try:
        yield
    finally:
        uninstall()


def _publish(response: EmailResponse, message_id: str) -> None:
    configuration_set = response._get_param("ConfigurationSetName")
    backend = response.backend
    destination = backend.config_set_event_destination.get(configuration_set) if configuration_set else None
    if not destination or not destination.get("Enabled", True) or "SNSDestination" not in destination:
        return
    wanted = {kind.lower() for kind in destination.get("MatchingEventTypes", [])}
    addresses = response._get_param("Destination", {})
    recipients = [a for field in ("ToAddresses", "CcAddresses", "BccAddresses") for a in addresses.get(field, [])]
    source = response._get_param("Source")
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    mail = {
        "timestamp": now,
        "source": source,
        "sourceArn": f"arn:aws:ses:{backend.region_name}:{backend.account_id}:identity/{source}",
        "sendingAccountId": backend.account_id,
        "messageId": message_id,
        "destination": recipients,
        "headersTruncated": False,
        "commonHeaders": {
            "from": [source],
            "to": recipients,
            "messageId": message_id,
            "subject": response._get_param("Message.Subject.Data"),
        },
        "tags": {"ses:configuration-set": [configuration_set], "ses:from-domain": [source.rpartition("@")[2]]},
    }
    topic_arn = destination["SNSDestination"]["TopicARN"]
    sns = sns_backends[backend.account_id][backend.region_name]
    for event in _events(mail, recipients, now):
        if event["eventType"].lower() in wanted:
            sns.publish(json.dumps(event), arn=topic_arn)


def _events(mail: dict[str, Any], recipients: list[str], now: str) -> list[dict[str, Any]]:
    bounced = [a for a in recipients if a.lower() == BOUNCE_ADDRESS]
    delivered = [a for a in recipients if a.lower() != BOUNCE_ADDRESS]
    complained = [a for a in recipients if a.lower() == COMPLAINT_ADDRESS]
    events: list[dict[str, Any]] = [{"eventType": "Send", "mail": mail, "send": {}}]
    if delivered:
        delivery = {
            "timestamp": now,
            "processingTimeMillis": 0,
            "recipients": delivered,
            "smtpResponse": "250 2.6.0 Message received",
            "reportingMTA": REPORTING_MTA,
        }
        events.append({"eventType": "Delivery", "mail": mail, "delivery": delivery})
    if bounced:
        bounce = {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [
                {
                    "emailAddress": a,
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                }
                for a in bounced
            ],
            "timestamp": now,
            "feedbackId": uuid.uuid4().hex,
            "reportingMTA": f"dsn; {REPORTING_MTA}",
        }
        events.append({"eventType": "Bounce", "mail": mail, "bounce": bounce})
    if complained:
        complaint = {
            "complainedRecipients": [{"emailAddress": a} for a in complained],
            "timestamp": now,
            "feedbackId": uuid.uuid4().hex,
            "userAgent": "Amazon SES Mailbox Simulator",
            "complaintFeedbackType": "abuse",
            "arrivalDate": now,
        }
        events.append({"eventType": "Complaint", "mail": mail, "complaint": complaint})
    return events
