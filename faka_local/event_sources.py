"""Delivers SQS messages to handlers the way a Lambda event-source mapping does.

Batches of up to the queue's batch size, the function's ``batchItemFailures`` left on the queue for
a retry, everything else deleted; the queue's redrive policy moves a message that keeps failing to
its dead-letter queue, exactly as on AWS.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

from faka import resources
from faka_local.lambda_context import LocalLambdaContext

Handler = Callable[[dict[str, Any], Any], Any]
log = logging.getLogger("faka.local")


def load_handler(function: resources.FunctionSpec) -> Handler:
    module_name, _, attribute = function.handler.rpartition(".")
    handler: Handler = getattr(importlib.import_module(module_name), attribute)
    return handler


class QueueConsumer:
    def __init__(self, sqs: Any, spec: resources.QueueSpec, queue_url: str, *, retry_delay_seconds: int = 1) -> None:
        self._sqs = sqs
        self.spec = spec
        self._url = queue_url
        self._arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self._handler = load_handler(spec.consumer)
        self._retry_delay = retry_delay_seconds

    def poll_once(self) -> int:
        """Deliver one batch, if any; returns how many messages it held."""
        messages = self._sqs.receive_message(
            QueueUrl=self._url,
            MaxNumberOfMessages=min(self.spec.batch_size, 10),
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return 0
        event = {"Records": [self._record(m) for m in messages]}
        context = LocalLambdaContext(
            self.spec.consumer.physical_name, timeout_seconds=self.spec.consumer.timeout_seconds
        )
        try:
            response = self._handler(event, context) or {}
            failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
        except Exception:
            log.exception("%s failed on a whole batch", self.spec.consumer.name)
            failed = {m["MessageId"] for m in messages}
        for message in messages:
            if message["MessageId"] in failed:
                self._sqs.change_message_visibility(
                    QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=self._retry_delay
                )
            else:
                self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"])
        return len(messages)

    def drain(self, max_batches: int = 100) -> int:
        delivered = 0
        for _ in range(max_batches):
            count = self.poll_once()
            if not count:
                break
            delivered += count
        return delivered

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": message.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": self._arn,
            "awsRegion": self._arn.split(":")[3],
        }
