"""Delivers SQS messages to handlers the way a Lambda event-source mapping does.

Batches of up to the queue's batch size, the function's ``batchItemFailures`` left on the queue for
a retry, everything else deleted; the queue's redrive policy moves a message that keeps failing to
its dead-letter queue, exactly as on AWS.
"""

from __future__ import annotations

import importlib
import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config

from faka import resources
from faka_local.lambda_context import LocalLambdaContext

Handler = Callable[[dict[str, Any], Any], Any]
log = logging.getLogger("faka.local")


def load_handler(function: resources.FunctionSpec) -> Handler:
    module_name, _, attribute = function.handler.rpartition(".")
    handler: Handler = getattr(importlib.import_module(module_name), attribute)
    return handler


class _Polled(ABC):
    @abstractmethod
    def poll_once(self) -> int:
        """Deliver one batch; returns how many records it held."""

    def drain(self, max_batches: int = 100) -> int:
        """Poll until nothing is left (or ``max_batches`` were delivered); returns how many records were."""
        delivered = 0
        for _ in range(max_batches):
            count = self.poll_once()
            if not count:
                break
            delivered += count
        return delivered


class QueueConsumer(_Polled):
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


class StreamConsumer(_Polled):
    """Delivers a table's stream records to its function the way a Lambda DynamoDB event-source mapping does.

    In order per shard, in batches of the spec's size; a reported failure is retried from that record (those
    before it are done), and once it has failed ``max_retries`` more times its batch info goes to the
    dead-letter queue and the shard moves past it, as Lambda's on-failure destination does.
    """

    def __init__(self, session: boto3.Session, spec: resources.StreamSpec, dlq_url: str) -> None:
        self.spec = spec
        # botocore names the account in DynamoDB Streams' host, which moto's in-process mock does not route.
        self._streams = session.client("dynamodbstreams", config=Config(account_id_endpoint_mode="disabled"))
        self._sqs = session.client("sqs")
        self._dlq_url = dlq_url
        self._arn = session.client("dynamodb").describe_table(TableName=spec.table)["Table"]["LatestStreamArn"]
        self._handler = load_handler(spec.consumer)
        self._delivered_up_to: dict[str, str] = {}
        self._failures: dict[str, int] = {}

    def poll_once(self) -> int:
        """Deliver one batch per shard, if any; returns how many records they held."""
        shards = self._streams.describe_stream(StreamArn=self._arn)["StreamDescription"]["Shards"]
        return sum(self._poll_shard(shard["ShardId"]) for shard in shards)

    def _poll_shard(self, shard_id: str) -> int:
        position: dict[str, Any] = {"ShardIteratorType": "TRIM_HORIZON"}
        if shard_id in self._delivered_up_to:
            position = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": self._delivered_up_to[shard_id]}
        iterator = self._streams.get_shard_iterator(StreamArn=self._arn, ShardId=shard_id, **position)["ShardIterator"]
        records = self._streams.get_records(ShardIterator=iterator, Limit=self.spec.batch_size)["Records"]
        if not records:
            return 0
        context = LocalLambdaContext(
            self.spec.consumer.physical_name, timeout_seconds=self.spec.consumer.timeout_seconds
        )
        try:
            response = self._handler({"Records": [self._record(r) for r in records]}, context) or {}
            failed = [int(f["itemIdentifier"]) for f in response.get("batchItemFailures", [])]
        except Exception:
            log.exception("%s failed on a whole batch", self.spec.consumer.name)
            failed = [int(records[0]["dynamodb"]["SequenceNumber"])]
        first_failed = min(failed, default=None)
        done = [r for r in records if first_failed is None or int(r["dynamodb"]["SequenceNumber"]) < first_failed]
        if done:
            self._delivered_up_to[shard_id] = done[-1]["dynamodb"]["SequenceNumber"]
        if first_failed is not None:
            self._retry_or_give_up(shard_id, str(first_failed))
        return len(records)

    def _retry_or_give_up(self, shard_id: str, sequence_number: str) -> None:
        attempts = self._failures[sequence_number] = self._failures.get(sequence_number, 0) + 1
        if attempts <= self.spec.max_retries:
            return
        failure = {
            "requestContext": {"condition": "RetryAttemptsExhausted", "approximateInvokeCount": attempts},
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": sequence_number,
                "endSequenceNumber": sequence_number,
                "batchSize": 1,
                "streamArn": self._arn,
            },
        }
        self._sqs.send_message(QueueUrl=self._dlq_url, MessageBody=json.dumps(failure))
        self._delivered_up_to[shard_id] = sequence_number
        del self._failures[sequence_number]

    def _record(self, record: dict[str, Any]) -> dict[str, Any]:
        change = dict(record["dynamodb"])
        # The Lambda event carries epoch seconds where the Streams API answers with a timestamp.
        change["ApproximateCreationDateTime"] = change["ApproximateCreationDateTime"].timestamp()
        return {
            **{k: v for k, v in record.items() if k != "dynamodb"},
            "dynamodb": change,
            "eventSourceARN": self._arn,
        }
