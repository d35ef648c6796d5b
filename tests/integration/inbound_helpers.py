"""Mail to the support address, stored as SES receiving stores it and handed to the inbound-email function."""

from __future__ import annotations

import uuid

import boto3

from faka import resources
from faka.adapters.tables.tickets import TicketItem, TicketTableItem
from faka_local.event_sources import load_handler
from faka_local.lambda_context import LocalLambdaContext
from tests.samples import load_sample


def store(raw: bytes) -> str:
    """What SES receiving does: the raw message under inbound/, named by a message id of its own."""
    name = uuid.uuid4().hex
    boto3.client("s3").put_object(Bucket=resources.MAIL_BUCKET, Key=f"{resources.INBOUND_MAIL_PREFIX}{name}", Body=raw)
    return name


def deliver(name: str, message_id: str | None = None) -> dict:
    """The inbound-email function handed the bucket's notification of ``name``, as SQS delivers it."""
    event = load_sample("sqs_inbound_email", object_key=name, message_id=message_id or str(uuid.uuid4()))
    return dict(load_handler(resources.INBOUND_EMAIL_FUNCTION)(event, LocalLambdaContext("faka-inbound-email")))


def tickets() -> list[TicketItem]:
    return [item for item in TicketTableItem.scan() if isinstance(item, TicketItem)]
