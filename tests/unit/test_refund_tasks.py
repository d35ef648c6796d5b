"""The refunds function's input, as its state machine's Payload writes it (statemachines/refund_review.asl.json)."""

from __future__ import annotations

from typing import Any

import pytest

from refunds.handler import RefundTask


def test_a_task_reads_the_fields_the_state_machine_writes() -> None:
    assert RefundTask.from_event({"task": "assess", "refund_id": "r1"}) == RefundTask("assess", "r1")
    assert RefundTask.from_event({"task": "request_review", "refund_id": "r1", "task_token": "t"}).task_token == "t"


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"task": "pay_twice", "refund_id": "r1"}, "unknown refund task 'pay_twice'"),
        ({"task": "assess"}, "needs the refund_id"),
        ({"task": "assess", "refund_id": ""}, "needs the refund_id"),
        ({"task": "assess", "refund_id": "r" * 65}, "needs the refund_id"),
        ({"task": "assess", "refund_id": 7}, "needs the refund_id"),
        ({"task": "request_review", "refund_id": "r1", "task_token": ""}, "non-empty"),
        ({"task": "assess", "refund_id": "r1", "order_id": "o1"}, r"has no \['order_id'\]"),
    ],
)
def test_a_malformed_task_fails_before_anything_runs(event: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RefundTask.from_event(event)
