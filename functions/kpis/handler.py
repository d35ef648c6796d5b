"""KPI projection, the platform's ledger and batch quarantine notices (EventBridge → SQS → here).

Every event is projected once per EventBridge event id, and an order's payment and delivery once per the recorded
moment they happened (the fulfilment announces them again when it cannot tell whether a crash came before the first
announcement): a redelivered or re-published event finds its idempotency record and adds nothing. A
``BatchQuarantined`` event is told to the operators and supplier once, and to each buyer holding an unredeemed key of
the batch once, each with its own record, so a failed email retries alone.
An event that moves money is also entered in the ledger, which writes each entry once by the event that caused it.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from faka.consumers import sqs_consumer
from faka.entry import once_per
from faka.ledger.entries import LEDGER_EVENTS
from faka.observability import logger
from faka.wiring import services

_DAYS = 86400
# An order's facts, each named by the time stored with it: what an announcement published again carries alike.
_FACT_TIMES = {"OrderPaid": "paid_at", "OrderDelivered": "delivered_at"}


def occurrence(event: dict[str, Any]) -> str:
    """What makes an event count once: for an order's payment or delivery, the order and when it happened;
    else the event itself."""
    detail_type, detail = event["detail-type"], event["detail"]
    if detail_type in _FACT_TIMES:
        return f"{detail_type}:{detail['order_id']}:{detail.get(_FACT_TIMES[detail_type])}"
    return str(event["id"])


@once_per("occurrence", argument="event", expires_after_seconds=14 * _DAYS)
def project(event: dict[str, Any]) -> dict[str, Any]:
    services().kpis.project(event["detail-type"], event["detail"], event["time"])
    return {"projected": event["detail-type"]}


@once_per("[detail.shop_id, detail.sku, detail.batch_id]", argument="event", expires_after_seconds=30 * _DAYS)
def tell_operators_and_supplier(event: dict[str, Any]) -> dict[str, Any]:
    services().batch_health.tell_operators_and_supplier(event["detail"])
    return {"told": event["detail"]["batch_id"]}


@once_per("[shop_id, sku, batch_id, order_id]", argument="notice", expires_after_seconds=30 * _DAYS)
def notify_holder(notice: dict[str, Any]) -> dict[str, Any]:
    order = services().orders.get(notice["order_id"])
    return {"message_id": services().batch_health.notify_buyer(order, notice["sku"], notice["batch_id"])}


def announce(event: dict[str, Any]) -> None:
    detail = event["detail"]
    tell_operators_and_supplier(event=event)
    batch = {"shop_id": detail["shop_id"], "sku": detail["sku"], "batch_id": detail["batch_id"]}
    notified = 0
    for order_id in services().batch_health.holders(**batch):
        notified += notify_holder(notice={**batch, "order_id": order_id})["message_id"] is not None
    logger.info("batch quarantine announced", extra={**batch, "buyers_notified": notified})


def record_handler(record: SQSRecord) -> None:
    event = record.json_body
    if event["detail-type"] == "BatchQuarantined":
        announce(event)
        return
    project(event={**event, "occurrence": occurrence(event)})
    if event["detail-type"] in LEDGER_EVENTS:
        services().ledger.record(event["detail-type"], event["detail"], event["time"])


lambda_handler = sqs_consumer(record_handler)
