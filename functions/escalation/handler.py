"""The activation escalation of each delivered order (OrderDelivered → SQS → here; its schedule → SQS → here).

OrderDelivered schedules the order's first escalation level and counts the delivered keys, once per order: a
redelivered OrderDelivered is answered from the idempotency record. The schedule's ActivationDue message, when
that level is due, starts the workflow only if the keys still wait for activation; the execution is named after
the order, so a duplicate firing starts nothing more.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

# Before anything that imports pydantic: Powertools' batch types build its pydantic parser models (~0.1x of import
# boto3) when pydantic is already loaded, and this function parses no record with them.
from faka.consumers import sqs_consumer

# isort: split
from faka.activation.escalation import ACTIVATION_DUE
from faka.activation.figures import stats_key
from faka.entry import once_per
from faka.observability import metrics
from faka.wiring import services


@once_per("order_id", argument="delivery", expires_after_seconds=30 * 86400)
def schedule_escalation(delivery: dict[str, Any]) -> dict[str, bool]:
    scheduled = services().escalation.schedule_first_level(
        delivery["order_id"], delivery["shop_id"], datetime.fromisoformat(delivery["delivered_at"])
    )
    if scheduled:
        services().counters.add(stats_key(delivery["shop_id"]), "activation", {"delivered": int(delivery["quantity"])})
        metrics.add_metric(name="EscalationsScheduled", unit="Count", value=1)
    return {"scheduled": scheduled}


def start_if_awaiting_activation(due: dict[str, Any]) -> None:
    if services().escalation.start_if_awaiting_activation(due["order_id"], due["shop_id"], due["schedule"]):
        metrics.add_metric(name="EscalationsStarted", unit="Count", value=1)


def record_handler(record: SQSRecord) -> None:
    message = record.json_body
    if message["detail-type"] == ACTIVATION_DUE:
        start_if_awaiting_activation(message["detail"])
    else:
        schedule_escalation(delivery=message["detail"])


lambda_handler = sqs_consumer(record_handler)
