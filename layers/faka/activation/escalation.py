"""The activation escalation of a delivered order: a one-time schedule at delivery, the workflow only when needed.

At delivery (OrderDelivered) the order gets an EventBridge Scheduler one-time schedule for the time its first
reminder is due. Its message comes back through the escalation queue then, and the order's activation state is
read: still waiting for activation, the escalation workflow (statemachines/activation_escalation.asl.json) starts;
activated, refunded or gone, nothing starts. Most keys are activated within a day, and a Standard workflow is
billed per state entered while a schedule is billed once, so most orders never start a workflow.

The reminder times are absolute timestamps computed here from the delivery time and carried by the schedule's
message into the execution's input, so the state machine only waits for them (TimestampPath) and a redelivered
event cannot shift them. The execution starts when level 1 is due, with the order's state read here for it
(``check``, shaped as the workflow's own getItem answers): the workflow decides level 1 from that, without a Wait
or a second read, and reads the order itself before each later level. The schedule and the execution are both
named after the order: a duplicate OrderDelivered schedules nothing more, a duplicate firing starts nothing more.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from faka.activation.one_time import DueTarget, OneTimeSchedules
from faka.adapters.tables.orders import OrderItem
from faka.observability import logger
from faka.shared.model import OrderStatus

# The schedule's message, shaped like the EventBridge events the escalation queue already carries.
ACTIVATION_DUE = "ActivationDue"
DUE_SOURCE = "faka.escalation"
# States entered per execution on each path of statemachines/activation_escalation.asl.json: the billed
# unit of a Standard workflow. tests/statemachines measures them on the real ASL and compares with these.
TRANSITIONS_PER_PATH = {
    "activated_before_level_1": 2,
    "activated_after_level_1": 6,
    "never_activated": 11,
}
# Keys revoked by a refund are no longer waited for (the ASL's NeedsLevel1Reminder rules, in the same order).
_ENDS_ESCALATION = frozenset({OrderStatus.REFUNDED.value, OrderStatus.REFUND_PENDING.value})
# What the decision reads of the order, as the workflow's getItem states project it.
_CHECKED = ("pending_activation", "status")


def parse_offsets(setting: str) -> tuple[int, int, int]:
    first, second, third = (int(part) for part in setting.split(","))
    if not 0 < first < second < third:
        raise ValueError(f"escalation offsets must increase: {setting!r}")
    return first, second, third


def awaits_activation(check: dict[str, Any]) -> bool:
    """Whether the order still has keys waiting for activation: the workflow's NeedsLevel1Reminder, in Python."""
    item = check.get("Item", {})
    pending, status = item.get("pending_activation", {}).get("N"), item.get("status", {}).get("S")
    if pending is None or status is None:
        return False  # gone, or delivered before activation was tracked
    return pending != "0" and status not in _ENDS_ESCALATION


def activation_check(order_id: str) -> dict[str, Any]:
    """The order's activation state as a getItem of the two attributes answers it: ``{"Item": …}``, or ``{}``."""
    try:
        item = OrderItem.get(order_id, OrderItem.SK, attributes_to_get=["kind", *_CHECKED])
    except OrderItem.DoesNotExist:
        return {}
    stored = item.serialize(null_check=False)
    return {"Item": {name: stored[name] for name in _CHECKED if name in stored}}


class EscalationScheduler:
    def __init__(
        self,
        sfn_client: Any,
        scheduler_client: Any,
        state_machine_arn: str,
        target: DueTarget,
        offsets: tuple[int, int, int],
    ) -> None:
        self._sfn = sfn_client
        self._schedules = OneTimeSchedules(scheduler_client, target)
        self._arn = state_machine_arn
        self._offsets = offsets

    def schedule(self, delivered_at: datetime) -> dict[str, str]:
        return {
            f"level{n}": (delivered_at + timedelta(seconds=offset)).strftime("%Y-%m-%dT%H:%M:%SZ")
            for n, offset in enumerate(self._offsets, start=1)
        }

    def schedule_first_level(self, order_id: str, shop_id: str, delivered_at: datetime) -> bool:
        """Schedule the order's activation check for its first level; False when it was already scheduled."""
        levels = self.schedule(delivered_at)
        due = datetime.strptime(levels["level1"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        if due <= datetime.now(UTC):
            # Scheduler refuses a time in the past (an event delivered very late): the check is due now.
            self.start_if_awaiting_activation(order_id, shop_id, levels)
            return True
        message = {
            "detail-type": ACTIVATION_DUE,
            "source": DUE_SOURCE,
            "detail": _execution_input(order_id, shop_id, levels),
        }
        # Named after the order: a duplicate OrderDelivered schedules nothing more.
        if not self._schedules.create(order_id, due, message):
            logger.info("escalation already scheduled", extra={"order_id": order_id})
            return False
        logger.info("escalation scheduled", extra={"order_id": order_id, "due": levels["level1"]})
        return True

    def start_if_awaiting_activation(self, order_id: str, shop_id: str, levels: dict[str, str]) -> bool:
        """Start the order's escalation if its keys still wait for activation; False when nothing started."""
        check = activation_check(order_id)
        if not awaits_activation(check):
            logger.info("no escalation: keys activated, refunded or order gone", extra={"order_id": order_id})
            return False
        execution_input = {**_execution_input(order_id, shop_id, levels), "check": check}
        try:
            self._sfn.start_execution(stateMachineArn=self._arn, name=order_id, input=json.dumps(execution_input))
        except self._sfn.exceptions.ExecutionAlreadyExists:
            logger.info("escalation already started", extra={"order_id": order_id})
            return False
        logger.info("escalation started", extra={"order_id": order_id})
        return True


def _execution_input(order_id: str, shop_id: str, levels: dict[str, str]) -> dict[str, Any]:
    return {"order_id": order_id, "shop_id": shop_id, "schedule": levels}
