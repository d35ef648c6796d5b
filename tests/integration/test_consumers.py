"""The SQS consumers (notifier, restock) and the api function, driven with the sample AWS events."""

from __future__ import annotations

import json

import boto3

from faka import resources
from faka.adapters.tables import OrderItem
from faka_local.event_sources import load_handler
from faka_local.lambda_context import LocalLambdaContext
from tests.integration.conftest import Stack
from tests.integration.helpers import add_product, open_shop, pay, place_order, sent_mail
from tests.samples import load_sample, sqs_batch_of


def notify(batch: dict) -> dict:
    return dict(load_handler(resources.NOTIFIER_FUNCTION)(batch, LocalLambdaContext("faka-notifier")))


def test_a_notice_that_fails_is_returned_alone_and_a_repeat_sends_nothing(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack, keys=["K-1"])
    order = place_order(stack)
    pay(stack, order["order_id"], order["amount"])
    delivered = load_sample("eventbridge_order_delivered", order_id=order["order_id"])
    unknown = load_sample("eventbridge_order_delivered", order_id="no-such-order")
    batch = sqs_batch_of(delivered, unknown)

    response = notify(batch)

    assert response == {"batchItemFailures": [{"itemIdentifier": batch["Records"][1]["messageId"]}]}
    assert len(sent_mail()) == 1
    assert notify(sqs_batch_of(delivered)) == {"batchItemFailures": []}
    assert len(sent_mail()) == 1
    assert OrderItem.get(order["order_id"], OrderItem.SK).delivery_message_id


def test_the_api_function_reads_api_gateways_event_shape(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack, keys=["K-1"])
    event = load_sample("apigateway_create_order")

    response = load_handler(resources.API_FUNCTION)(event, LocalLambdaContext("faka-api"))

    assert response["statusCode"] == 201, response["body"]
    order = OrderItem.get(json.loads(response["body"])["order_id"], OrderItem.SK)
    assert (order.buyer_ip, order.buyer_country, order.locale) == ("198.51.100.23", "HK", "zh-CN")


def test_a_poison_message_ends_in_the_dead_letter_queue(stack: Stack) -> None:
    sqs = boto3.client("sqs")
    poison = load_sample("eventbridge_order_delivered", order_id="no-such-order")
    sqs.send_message(QueueUrl=stack.provisioned.queue_urls["notifier"], MessageBody=json.dumps(poison))

    for _ in range(resources.NOTIFIER_QUEUE.max_receive_count + 1):
        stack.consumers["notifier"].poll_once()

    dead = sqs.receive_message(QueueUrl=stack.provisioned.dlq_urls["notifier"]).get("Messages", [])
    assert [json.loads(m["Body"])["detail"]["order_id"] for m in dead] == ["no-such-order"]
