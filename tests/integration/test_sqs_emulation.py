"""The emulator's SQS (faka_local/emulator.py): moto's queue attributes, read without counting the queue on each send.

The attributes are compared with moto's own computation of them; the cost is checked by what is counted, never by time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.sqs.models import Message, Queue, sqs_backends

from faka_local import emulator

REGION = "us-east-1"


@pytest.fixture
def sqs() -> Iterator[Any]:
    emulator.prepare_emulator()
    with mock_aws():
        yield boto3.client("sqs", region_name=REGION)


def _queue(name: str) -> Queue:
    return sqs_backends["123456789012"][REGION].get_queue(name)


def _make_queues(sqs: Any) -> list[str]:
    dead_letters = sqs.create_queue(QueueName="dead-letters")["QueueUrl"]
    dead_letters_arn = sqs.get_queue_attributes(QueueUrl=dead_letters, AttributeNames=["QueueArn"])["Attributes"]
    redrive = {"deadLetterTargetArn": dead_letters_arn["QueueArn"], "maxReceiveCount": "3"}
    sqs.create_queue(
        QueueName="work",
        Attributes={"RedrivePolicy": json.dumps(redrive), "Policy": json.dumps({"Version": "2012-10-17"})},
    )
    sqs.create_queue(
        QueueName="ordered.fifo",
        Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true", "KmsMasterKeyId": "alias/aws/sqs"},
    )
    return ["dead-letters", "work", "ordered.fifo"]


def test_a_queues_attributes_read_as_moto_computes_them(sqs: Any) -> None:
    names = _make_queues(sqs)
    work_url = sqs.get_queue_url(QueueName="work")["QueueUrl"]
    sqs.send_message(QueueUrl=work_url, MessageBody="one", DelaySeconds=5)
    sqs.send_message(QueueUrl=work_url, MessageBody="two")

    for name in names:
        queue = _queue(name)
        computed = emulator._all_queue_attributes(queue)
        read = queue.attributes
        assert {key: read[key] for key in computed} == computed
        assert dict(read) == computed
        assert "ApproximateNumberOfMessages" in read
        assert "NoSuchAttribute" not in read
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        answered = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert answered == {key: str(value) for key, value in computed.items() if value is not None}
    assert _queue("work").attributes["ApproximateNumberOfMessagesDelayed"] == 1
    assert _queue("ordered.fifo").attributes["ContentBasedDeduplication"] == "true"


def test_sending_counts_no_messages_and_content_based_deduplication_still_holds(
    sqs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _make_queues(sqs)
    counted: list[str] = []

    def counting(name: str, count: property) -> property:
        def read(queue: Queue) -> int:
            counted.append(name)
            return int(count.fget(queue))  # type: ignore[misc]

        return property(read)

    for name in ("approximate_number_of_messages", "approximate_number_of_messages_not_visible"):
        monkeypatch.setattr(Queue, name, counting(name, getattr(Queue, name)))
    work_url = sqs.get_queue_url(QueueName="work")["QueueUrl"]
    fifo_url = sqs.get_queue_url(QueueName="ordered.fifo")["QueueUrl"]

    for number in range(20):
        sqs.send_message(QueueUrl=work_url, MessageBody=f"message {number}")
        sqs.send_message(QueueUrl=fifo_url, MessageBody="the same body", MessageGroupId="g")

    assert counted == []
    received = sqs.receive_message(QueueUrl=fifo_url, MaxNumberOfMessages=10)["Messages"]
    assert [message["Body"] for message in received] == ["the same body"]


def test_ready_messages_and_receipt_handles_as_moto_has_them(sqs: Any) -> None:
    _make_queues(sqs)
    url = sqs.get_queue_url(QueueName="work")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=60)
    for body in ("first", "second"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    [taken] = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=30)["Messages"]
    queue = _queue("work")

    ready = queue.messages

    assert list(ready) == [message for message in queue._messages if message.visible and not message.delayed]
    assert len(ready) == 1
    assert ready
    assert [message.body for message in ready] == ["second" if taken["Body"] == "first" else "first"]
    # A message received again keeps its earlier receipt handle: deleting by it still deletes the message.
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=taken["ReceiptHandle"], VisibilityTimeout=0)
    again = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]
    assert taken["Body"] in [message["Body"] for message in again]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=taken["ReceiptHandle"])
    assert taken["Body"] not in [message.body for message in queue._messages]
    with pytest.raises(ClientError, match="ReceiptHandleIsInvalid"):
        sqs.delete_message(QueueUrl=url, ReceiptHandle="no-such-handle")


class _CountingList(list[Message]):
    """A queue's message list that counts the messages read from it by iteration."""

    def __init__(self, messages: list[Message]) -> None:
        super().__init__(messages)
        self.read = 0

    def __iter__(self) -> Iterator[Message]:
        for message in super().__iter__():
            self.read += 1
            yield message


def test_a_consumer_reads_only_the_front_of_a_backlog_to_receive_and_delete(
    sqs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _make_queues(sqs)
    url = sqs.get_queue_url(QueueName="work")["QueueUrl"]
    for number in range(300):
        sqs.send_message(QueueUrl=url, MessageBody=f"message {number}")
    queue = _queue("work")
    backlog = queue._messages = _CountingList(queue._messages)
    compared: list[str] = []
    had_receipt_handle = Message.had_receipt_handle

    def counting(message: Message, receipt_handle: str) -> bool:
        compared.append(receipt_handle)
        return had_receipt_handle(message, receipt_handle)

    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    monkeypatch.setattr(Message, "had_receipt_handle", counting)
    for message in received:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    # moto read all 300 messages to receive ten, and compared all 300 twice for each delete.
    assert [message["Body"] for message in received] == [f"message {number}" for number in range(10)]
    assert backlog.read <= 20
    assert len(compared) <= 10 * 10
    assert [message.body for message in queue._messages][:2] == ["message 10", "message 11"]
    assert len(queue._messages) == 290
    sqs.delete_message(QueueUrl=url, ReceiptHandle=received[0]["ReceiptHandle"])  # deleting again succeeds
