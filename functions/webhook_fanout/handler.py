"""Storefront webhooks, first step (storefront-webhooks rule → SQS → here): one delivery per matching subscription.

Consuming an event twice queues nothing new: each delivery is keyed by its subscription and the event's public id,
which for an order's payment or delivery (and a refund's request or completion) is the same whatever EventBridge event
carried it, so an announcement made again after a crash is not a second delivery.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from faka.consumers import sqs_consumer
from faka.observability import metrics
from faka.wiring import services


def record_handler(record: SQSRecord) -> None:
    queued = services().webhook_deliveries.fan_out(record.json_body)
    metrics.add_metric(name="WebhookDeliveriesQueued", unit="Count", value=queued)


lambda_handler = sqs_consumer(record_handler)
