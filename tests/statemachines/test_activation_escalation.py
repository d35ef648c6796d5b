"""ActivationEscalation (statemachines/activation_escalation.asl.json) run for real on moto.

Standard workflows are billed per state transition (every state entered, and every retry), so each path
asserts its exact count; a change that adds one shows up here:

=========================================================  ==============================================
path (the execution starts when level 1 is due, with the   states entered
order's state its starter read)
=========================================================  ==============================================
activated before level 1 (also: refunded, order gone)      2: Choice, Succeed
activated after the level-1 reminder                       6: Choice, sendMessage, then Wait, getItem and
                                                           the above at level 2
never activated                                            11: Choice, sendMessage, 2 x (Wait, getItem,
                                                           Choice, sendMessage) + the operator alert,
                                                           which ends the execution
=========================================================  ==============================================

Most orders never start one: keys activated before level 1 end with their one-time schedule's firing
(tests/integration/test_escalation_schedule.py); the first path here is the workflow's own guard.

A failing task adds its retries and one Fail state.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from faka.activation.escalation import TRANSITIONS_PER_PATH
from faka.shared.model import OrderStatus
from tests.statemachines.conftest import SHOP_ID, Escalation

LEVEL_1_WITHOUT_REMINDER = ["NeedsLevel1Reminder", "NothingToEscalate"]
LEVEL_2_WITHOUT_REMINDER = ["WaitForLevel2", "CheckOrderLevel2", "NeedsLevel2Reminder", "NothingToEscalate"]


def _levels(reminders: list[dict[str, Any]]) -> list[int]:
    return [reminder["detail"]["level"] for reminder in reminders]


def _report(path: str, states: list[str]) -> None:
    print(f"{path}: {len(states)} state transitions")  # the figures the module docstring quotes, shown with -s


def test_keys_activated_before_level_1_send_nothing(escalation: Escalation) -> None:
    escalation.put_order("activated", status=OrderStatus.DELIVERED, pending_activation=0)
    execution_arn = escalation.start("activated")

    assert escalation.wait(execution_arn)["status"] == "SUCCEEDED"
    assert escalation.reminders() == []
    assert escalation.operator_alerts() == []
    states = escalation.states_entered(execution_arn)
    _report("activated before level 1", states)
    assert len(states) == TRANSITIONS_PER_PATH["activated_before_level_1"]
    assert states == LEVEL_1_WITHOUT_REMINDER


def test_never_activated_sends_three_reminders_then_alerts_operators(escalation: Escalation) -> None:
    escalation.put_order("ignored", status=OrderStatus.DELIVERED, pending_activation=2)
    execution_arn = escalation.start("ignored", (1, 2, 3))

    assert escalation.wait(execution_arn)["status"] == "SUCCEEDED"
    reminders = escalation.reminders()
    assert _levels(reminders) == [1, 2, 3]
    assert reminders[0] == {
        "detail-type": "ActivationReminder",
        "source": "faka.escalation",
        "detail": {"order_id": "ignored", "shop_id": SHOP_ID, "level": 1},
    }
    (alert,) = escalation.operator_alerts()
    assert alert["Subject"] == "Key not activated after the final reminder"
    assert "ignored" in alert["Message"]
    assert alert["MessageAttributes"] == {"shop_id": {"Type": "String", "Value": SHOP_ID}}
    states = escalation.states_entered(execution_arn)
    _report("never activated", states)
    assert len(states) == TRANSITIONS_PER_PATH["never_activated"]
    assert states[-5:] == [
        "WaitForLevel3",
        "CheckOrderLevel3",
        "NeedsLevel3Reminder",
        "SendLevel3Reminder",
        "AlertOperators",
    ]


def test_activation_after_the_first_reminder_stops_the_escalation(escalation: Escalation) -> None:
    escalation.put_order("late", status=OrderStatus.DELIVERED, pending_activation=1)
    # Two seconds between the levels leave time to activate between the level-1 reminder and the level-2 check.
    execution_arn = escalation.start("late", (1, 3, 4))

    first = escalation.reminders(wait_seconds=5)
    assert _levels(first) == [1]
    escalation.activate_one_key("late")

    assert escalation.wait(execution_arn)["status"] == "SUCCEEDED"
    assert escalation.reminders() == []
    assert escalation.operator_alerts() == []
    states = escalation.states_entered(execution_arn)
    _report("activated after the level-1 reminder", states)
    assert len(states) == TRANSITIONS_PER_PATH["activated_after_level_1"]
    assert states[2:] == LEVEL_2_WITHOUT_REMINDER


@pytest.mark.parametrize("status", [OrderStatus.REFUNDED, OrderStatus.REFUND_PENDING])
def test_refunded_order_is_not_chased(escalation: Escalation, status: OrderStatus) -> None:
    escalation.put_order("refunded", status=status, pending_activation=1)
    execution_arn = escalation.start("refunded")

    assert escalation.wait(execution_arn)["status"] == "SUCCEEDED"
    assert escalation.reminders() == []
    assert escalation.states_entered(execution_arn) == LEVEL_1_WITHOUT_REMINDER


def test_missing_order_ends_quietly(escalation: Escalation) -> None:
    execution_arn = escalation.start("never-written")

    assert escalation.wait(execution_arn)["status"] == "SUCCEEDED"
    assert escalation.reminders() == []
    assert escalation.states_entered(execution_arn) == LEVEL_1_WITHOUT_REMINDER


def test_order_without_activation_tracking_ends_quietly(escalation: Escalation) -> None:
    """Orders delivered before pending_activation existed have no count to chase."""
    escalation.put_order("legacy", status=OrderStatus.DELIVERED, pending_activation=None)
    execution_arn = escalation.start("legacy")

    assert escalation.wait(execution_arn)["status"] == "SUCCEEDED"
    assert escalation.reminders() == []


def test_the_order_id_names_one_execution(escalation: Escalation) -> None:
    """moto follows StartExecution's documented idempotency for Standard workflows, which the starter relies on."""
    escalation.put_order("twice", status=OrderStatus.DELIVERED, pending_activation=0)
    execution_input = escalation.execution_input("twice", (1, 2, 3))
    execution_arn = escalation.start("twice", execution_input=execution_input)

    # A redelivered OrderDelivered while the first execution runs: same name and input, same execution.
    assert escalation.start("twice", execution_input=execution_input) == execution_arn
    # Same name, other input: refused.
    with pytest.raises(ClientError, match="ExecutionAlreadyExists"):
        escalation.start("twice", (5, 6, 7))
    assert escalation.wait(execution_arn)["status"] == "SUCCEEDED"
    # Once it has ended, even the same input is refused: the starter must treat this error as "already done".
    with pytest.raises(ClientError, match="ExecutionAlreadyExists"):
        escalation.start("twice", execution_input=execution_input)
    executions = escalation.stepfunctions.list_executions(stateMachineArn=escalation.state_machine_arn)["executions"]
    assert [execution["executionArn"] for execution in executions] == [execution_arn]
