"""Starts one activation-escalation workflow per delivered order.

The reminder times are absolute timestamps computed here from the delivery time, so the state
machine only waits for them (TimestampPath) and a redelivered event cannot shift them. The
execution is named after the order: a duplicate OrderDelivered starts nothing.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from faka.observability import logger

# States entered per execution on each path of statemachines/activation_escalation.asl.json: the billed
# unit of a Standard workflow. tests/statemachines measures them on the real ASL and compares with these.
TRANSITIONS_PER_PATH = {
    "activated_before_level_1": 4,
    "activated_after_level_1": 8,
    "never_activated": 13,
}
# The paths on which an execution starts at all (and is billed its start and traced).
ESCALATION_STARTS = frozenset(TRANSITIONS_PER_PATH)


def parse_offsets(setting: str) -> tuple[int, int, int]:
    first, second, third = (int(part) for part in setting.split(","))
    if not 0 < first < second < third:
        raise ValueError(f"escalation offsets must increase: {setting!r}")
    return first, second, third


class EscalationScheduler:
    def __init__(self, sfn_client: Any, state_machine_arn: str, offsets: tuple[int, int, int]) -> None:
        self._sfn = sfn_client
        self._arn = state_machine_arn
        self._offsets = offsets

    def schedule(self, delivered_at: datetime) -> dict[str, str]:
        return {
            f"level{n}": (delivered_at + timedelta(seconds=offset)).strftime("%Y-%m-%dT%H:%M:%SZ")
            for n, offset in enumerate(self._offsets, start=1)
        }

    def start(self, order_id: str, shop_id: str, delivered_at: datetime) -> bool:
        """Start the order's escalation; False when it was already started."""
        execution_input = {"order_id": order_id, "shop_id": shop_id, "schedule": self.schedule(delivered_at)}
        try:
            self._sfn.start_execution(stateMachineArn=self._arn, name=order_id, input=json.dumps(execution_input))
        except self._sfn.exceptions.ExecutionAlreadyExists:
            logger.info("escalation already started", extra={"order_id": order_id})
            return False
        logger.info("escalation started", extra={"order_id": order_id})
        return True
