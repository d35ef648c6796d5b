"""Whether a due first level starts the escalation: the workflow's first Choice (NeedsLevel1Reminder), in Python."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from faka import resources
from faka.activation.escalation import awaits_activation


def _waiting(status: str) -> dict[str, dict[str, str]]:
    return {"pending_activation": {"N": "1"}, "status": {"S": status}}


ASL = json.loads((Path(__file__).resolve().parents[2] / resources.ACTIVATION_ESCALATION.definition_file).read_text())


@pytest.mark.parametrize(
    ("pending_activation", "status", "starts"),
    [
        (1, "delivered", True),
        (2, "active", True),
        (0, "delivered", False),
        (1, "refunded", False),
        (1, "refund_pending", False),
        (None, "delivered", False),  # delivered before activation was tracked
        (None, None, False),  # the order is gone
    ],
)
def test_the_first_level_starts_the_workflow_only_for_keys_still_waiting(
    pending_activation: int | None, status: str | None, starts: bool
) -> None:
    item = {
        **({} if pending_activation is None else {"pending_activation": {"N": str(pending_activation)}}),
        **({} if status is None else {"status": {"S": status}}),
    }
    check = {"Item": item} if item else {}
    assert awaits_activation(check) is starts


def test_the_statuses_that_end_the_escalation_are_those_the_workflow_checks() -> None:
    choice = ASL["States"]["NeedsLevel1Reminder"]["Choices"][1]["Or"]
    ended = {rule["StringEquals"] for rule in choice if rule["Variable"] == "$.check.Item.status.S"}
    assert {status for status in ended if awaits_activation({"Item": _waiting(status)})} == set()
    assert ended == {"refunded", "refund_pending"}
