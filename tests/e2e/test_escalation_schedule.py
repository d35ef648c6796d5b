"""On `faka local` the runtime fires the one-time schedules (moto only keeps them), so the escalation starts once."""

from __future__ import annotations

import pytest

from faka import resources
from tests.e2e.conftest import LocalFaka
from tests.e2e.test_escalation import buy
from tests.e2e.test_local_runtime import eventually

pytestmark = pytest.mark.e2e


def test_an_unactivated_purchase_is_escalated_once_and_leaves_no_schedule_behind(local_faka: LocalFaka) -> None:
    order_id, _ = buy(local_faka)
    scheduler, stepfunctions = local_faka.aws("scheduler"), local_faka.aws("stepfunctions")
    [state_machine] = [
        m["stateMachineArn"]
        for m in stepfunctions.list_state_machines()["stateMachines"]
        if m["name"] == resources.ACTIVATION_ESCALATION.physical_name
    ]

    def started() -> list[dict[str, str]]:
        executions = stepfunctions.list_executions(stateMachineArn=state_machine)["executions"]
        return [e for e in executions if e["name"] == order_id]

    [execution] = eventually(started, "the escalation started by the order's schedule", timeout=30)

    assert execution["name"] == order_id
    # Fired and deleted (ActionAfterCompletion DELETE): the order's schedule is gone.
    names = {
        s["Name"] for s in scheduler.list_schedules(GroupName=resources.ACTIVATION_DUE_SCHEDULE_GROUP)["Schedules"]
    }
    assert order_id not in names
