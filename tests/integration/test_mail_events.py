"""What SES reports about each email, from the send to the chargeback evidence pack.

The mailbox simulator stands in for SES's event publishing (moto publishes nothing): emails sent through
the configuration set yield their events on the mail-events topic, SNS delivers them to the queue and the
mail_events function records them; the same path as on AWS.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from faka import resources
from faka.adapters.tables.orders import OrderItem
from faka.ports import Email
from faka.sales.mail_events import MailEventType
from faka.wiring import services
from faka_local import mailbox_simulator
from faka_local.event_sources import load_handler
from faka_local.lambda_context import LocalLambdaContext
from faka_local.mailbox_simulator import BOUNCE_ADDRESS, COMPLAINT_ADDRESS
from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import add_product, open_shop, pay, sent_mail
from tests.samples import load_sample, sqs_batch_of


@pytest.fixture
def simulated(stack: Stack) -> Iterator[Stack]:
    with mailbox_simulator.installed():
        yield stack


def _buy(stack: Stack, email: str, device_id: str | None = None) -> dict[str, Any]:
    draft = {"sku": "steam-20-us", "quantity": 1, "email": email, "locale": "en"}
    if device_id:
        draft["device_id"] = device_id
    response = stack.api("POST", "/v1/orders", draft)
    assert response.status == 201, response.body
    order: dict[str, Any] = response.body
    assert pay(stack, order["order_id"], order["amount"]).status == 200
    stack.deliver_events()
    return order


def _types(message_id: str) -> list[str]:
    return [event.type.value for event in services().mail_events.for_message(message_id)]


def _mail_events_handler(batch: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = load_handler(resources.MAIL_EVENTS_FUNCTION)(batch, LocalLambdaContext("faka-mail_events"))
    return result


def test_the_delivery_emails_events_are_in_the_evidence_pack(simulated: Stack) -> None:
    open_shop(simulated)
    add_product(simulated, keys=["KEY-0001-ABCD"])
    order = _buy(simulated, "buyer@example.com", device_id="dev_7f3a9c2e")

    message_id = OrderItem.get(order["order_id"], OrderItem.SK).delivery_message_id
    assert message_id
    assert _types(message_id) == ["Send", "Delivery"]
    assert not services().mail_events.bounced(message_id)
    evidence = simulated.api("GET", f"/v1/admin/orders/{order['order_id']}/evidence", headers=ADMIN).body
    assert evidence["order"]["device_id"] == "dev_7f3a9c2e"
    assert evidence["delivery"]["delivery_email_message_id"] == message_id
    events = evidence["delivery"]["email_events"]
    assert [e["type"] for e in events] == ["Send", "Delivery"]
    assert events[1]["detail"]["smtp_response"].startswith("250 ")
    assert events[0]["at"] <= events[1]["at"]


def test_a_bounced_delivery_email_is_known_as_bounced(simulated: Stack) -> None:
    open_shop(simulated)
    add_product(simulated, keys=["KEY-0001-ABCD"])
    order = _buy(simulated, BOUNCE_ADDRESS)

    message_id = OrderItem.get(order["order_id"], OrderItem.SK).delivery_message_id
    assert message_id
    assert services().mail_events.bounced(message_id)
    send, bounce = services().mail_events.for_message(message_id)
    assert (send.type, bounce.type) == (MailEventType.SEND, MailEventType.BOUNCE)
    assert bounce.detail == {
        "bounce_type": "Permanent",
        "bounce_sub_type": "General",
        "diagnostic": "smtp; 550 5.1.1 user unknown",
    }
    evidence = simulated.api("GET", f"/v1/admin/orders/{order['order_id']}/evidence", headers=ADMIN).body
    assert [e["type"] for e in evidence["delivery"]["email_events"]] == ["Send", "Bounce"]


def test_a_complaint_follows_the_delivery(simulated: Stack) -> None:
    message_id = services().mailer.send(Email(COMPLAINT_ADDRESS, "Your key", "text", "<p>html</p>"))
    simulated.deliver_events()

    assert _types(message_id) == ["Send", "Delivery", "Complaint"]
    assert services().mail_events.for_message(message_id)[2].detail == {"feedback_type": "abuse"}
    assert not services().mail_events.bounced(message_id)


def test_every_email_is_sent_through_the_configuration_set(simulated: Stack) -> None:
    # Without the set nothing would be published: an unknown message has no history.
    assert services().mail_events.for_message("never-sent") == []
    message_id = services().mailer.send(Email("someone@example.net", "Hello", "text", "<p>html</p>"))
    simulated.deliver_events()

    assert _types(message_id) == ["Send", "Delivery"]
    assert [m.id for m in sent_mail()] == [message_id]


def test_a_redelivered_event_is_recorded_once(simulated: Stack) -> None:
    message_id = services().mailer.send(Email("someone@example.net", "Hello", "text", "<p>html</p>"))
    sqs = boto3.client("sqs")
    queue_url = simulated.provisioned.queue_urls[resources.MAIL_EVENTS_QUEUE.name]
    bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]]
    assert len(bodies) == 2

    for _ in range(2):
        result = _mail_events_handler(sqs_batch_of(*(json.loads(body) for body in bodies)))
        assert result["batchItemFailures"] == []

    assert _types(message_id) == ["Send", "Delivery"]


def test_opens_and_clicks_keep_who_and_where_but_not_the_links_token(stack: Stack) -> None:
    opened = load_sample("ses_event_open", message_id="0100018f-open-and-click")
    clicked = load_sample("ses_event_click", message_id="0100018f-open-and-click")
    clicked["click"]["link"] = "https://shop.example.com/v1/links/worked?order=o1&sig=SECRET"

    result = _mail_events_handler(sqs_batch_of(opened, clicked))

    assert result["batchItemFailures"] == []
    events = services().mail_events.for_message("0100018f-open-and-click")
    assert [(e.type, e.at.isoformat()) for e in events] == [
        (MailEventType.OPEN, "2017-08-09T22:00:19.652000+00:00"),
        (MailEventType.CLICK, "2017-08-09T23:51:25.570000+00:00"),
    ]
    assert events[0].detail == {"ip": "192.0.2.1", "user_agent": opened["open"]["userAgent"]}
    assert events[1].detail["link"] == "https://shop.example.com/v1/links/worked"
    assert "SECRET" not in json.dumps([e.as_evidence() for e in events])


def test_a_body_that_is_no_ses_event_fails_only_its_record(stack: Stack) -> None:
    opened = load_sample("ses_event_open", message_id="0100018f-good")
    batch = sqs_batch_of({"not": "an SES event"}, opened)

    result = _mail_events_handler(batch)

    assert result["batchItemFailures"] == [{"itemIdentifier": batch["Records"][0]["messageId"]}]
    assert _types("0100018f-good") == ["Open"]
