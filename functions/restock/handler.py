"""Fulfils orders waiting for stock when keys arrive (StockReplenished → SQS → here)."""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from faka.consumers import sqs_consumer
from faka.observability import logger, metrics
from faka.shared.model import product_ref
from faka.wiring import services


def record_handler(record: SQSRecord) -> None:
    # Fulfilment is idempotent, so a redelivered event just finds nothing left to do.
    detail = record.json_body["detail"]
    served = services().fulfilment.fulfil_waiting(product_ref(detail["shop_id"], detail["sku"]))
    logger.info("waiting orders served", extra={"sku": detail["sku"], "served": served})
    metrics.add_metric(name="WaitingOrdersServed", unit="Count", value=served)


lambda_handler = sqs_consumer(record_handler)
