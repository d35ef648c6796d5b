"""Storefront webhooks, second step: POST one delivery, signed; a failure is re-queued with backoff.

What the storefront answered is an outcome, not an error, so the record succeeds either way; only faka's
own failures (DynamoDB, SQS) fail the record and leave it to SQS's retries and dead-letter queue.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from faka.consumers import sqs_consumer
from faka.observability import metrics
from faka.platform.webhooks import DeliveryStatus
from faka.wiring import services


def record_handler(record: SQSRecord) -> None:
    message = record.json_body
    status = services().webhook_deliveries.attempt(message["delivery_id"], revive=bool(message.get("revive")))
    if status is DeliveryStatus.DELIVERED:
        metrics.add_metric(name="WebhooksDelivered", unit="Count", value=1)
    elif status is DeliveryStatus.FAILED:
        metrics.add_metric(name="WebhooksFailed", unit="Count", value=1)


lambda_handler = sqs_consumer(record_handler)
