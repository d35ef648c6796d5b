"""What SES reports about each email (configuration set → SNS → SQS → here), recorded once per event.

A body that is not an SES event fails its record, which after the queue's retries waits in the
dead-letter queue for an operator instead of being dropped.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from faka.consumers import sqs_consumer
from faka.observability import metrics
from faka.wiring import services


def record_handler(record: SQSRecord) -> None:
    if services().mail_events.record(record.json_body):
        metrics.add_metric(name="MailEventsRecorded", unit="Count", value=1)


lambda_handler = sqs_consumer(record_handler)
