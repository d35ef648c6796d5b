"""Starts the activation escalation of each delivered order (OrderDelivered → SQS → here).

Once per order: a redelivered OrderDelivered is answered from the idempotency record, so neither
the workflow nor the shop's delivered-keys figure is started or counted twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from faka.activation.activation import stats_key
from faka.entry import once_per, sqs_consumer
from faka.observability import metrics
from faka.wiring import services


@once_per("order_id", argument="delivery", expires_after_seconds=30 * 86400)
def start_escalation(delivery: dict[str, Any]) -> dict[str, bool]:
    started = services().escalation.start(
        delivery["order_id"], delivery["shop_id"], datetime.fromisoformat(delivery["delivered_at"])
    )
    if started:
        services().counters.add(stats_key(delivery["shop_id"]), "activation", {"delivered": int(delivery["quantity"])})
        metrics.add_metric(name="EscalationsStarted", unit="Count", value=1)
    return {"started": started}


def record_handler(record: SQSRecord) -> None:
    start_escalation(delivery=record.json_body["detail"])


lambda_handler = sqs_consumer(record_handler)
