"""RefundReview: the state machine, its least-privilege role, who may start and resume it, the refunds table and
the reconciliation schedule."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from faka import resources
from faka.adapters.tables.orders import OrderItem
from faka.adapters.tables.refunds import RefundTableItem
from faka.config import Env
from tests.infra.conftest import REPO_ROOT, Synthesized
from tests.infra.test_escalation import _statements, _substituted

pytestmark = pytest.mark.xdist_group(name="infra-synth")

ASL_FILE = REPO_ROOT / resources.REFUND_REVIEW.definition_file
SFN_ACTIONS = ("states:",)


def _state_machine(synthesized: Synthesized) -> tuple[str, dict[str, Any]]:
    logical_id, state_machine = synthesized.one(
        "AWS::StepFunctions::StateMachine", StateMachineName=resources.REFUND_REVIEW.physical_name
    )
    return logical_id, state_machine["Properties"]


def _function(synthesized: Synthesized, spec: resources.FunctionSpec) -> tuple[str, dict[str, Any]]:
    logical_id, function = synthesized.one("AWS::Lambda::Function", FunctionName=spec.physical_name)
    return logical_id, function["Properties"]


def _state_machine_arn(resource: Any) -> bool:
    """The ARN CDK formats from the physical name (a Ref would be a dependency cycle with the tasks function)."""
    text = json.dumps(resource)
    return f"stateMachine:{resources.REFUND_REVIEW.physical_name}" in text


def test_state_machine_is_standard_traced_and_logs_without_execution_data(synthesized: Synthesized) -> None:
    _, props = _state_machine(synthesized)
    assert props["StateMachineType"] == "STANDARD"
    assert props["TracingConfiguration"] == {"Enabled": True}
    assert props["LoggingConfiguration"]["IncludeExecutionData"] is False


def test_definition_is_the_asl_file_with_the_refunds_function_in_every_task(synthesized: Synthesized) -> None:
    _, props = _state_machine(synthesized)
    asl = ASL_FILE.read_text(encoding="utf-8")
    assert props["DefinitionString"] == asl
    placeholders = set(re.findall(r"\$\{(\w+)\}", asl))
    assert placeholders == set(props["DefinitionSubstitutions"])
    assert placeholders == set(resources.refund_review_substitutions(refunds_function_arn=""))

    definition = _substituted(json.loads(asl), props["DefinitionSubstitutions"])
    function_id, _ = _function(synthesized, resources.REFUNDS_FUNCTION)
    tasks = [state for state in definition["States"].values() if state["Type"] == "Task"]
    assert all(task["Parameters"]["FunctionName"] == {"Fn::GetAtt": [function_id, "Arn"]} for task in tasks)
    assert {task["Parameters"]["Payload"]["task"] for task in tasks} == {
        "assess",
        "request_review",
        "review_timed_out",
        "revoke_keys",
        "refund_payment",
        "reject",
    }


def test_state_machine_role_may_only_invoke_the_refunds_function(synthesized: Synthesized) -> None:
    _, props = _state_machine(synthesized)
    function_id, _ = _function(synthesized, resources.REFUNDS_FUNCTION)
    statements = _statements(synthesized, props["RoleArn"]["Fn::GetAtt"][0])
    scoped = [(actions, resource) for actions, resource in statements if resource != "*"]
    assert scoped == [(frozenset({"lambda:InvokeFunction"}), {"Fn::GetAtt": [function_id, "Arn"]})]
    unscoped = {action for actions, resource in statements if resource == "*" for action in actions}
    assert all(action.startswith(("xray:", "logs:")) for action in unscoped), unscoped


def test_reviews_are_started_where_refunds_are_asked_and_resumed_by_the_api_and_tasks(
    synthesized: Synthesized,
) -> None:
    for spec in resources.FUNCTIONS:
        _, props = _function(synthesized, spec)
        name = spec.physical_name
        granted = {
            action
            for actions, resource in _statements(synthesized, props["Role"]["Fn::GetAtt"][0])
            for action in actions
            if action.startswith(SFN_ACTIONS) and _state_machine_arn(resource)
        }
        variables = props["Environment"]["Variables"]
        if name == resources.API_FUNCTION.physical_name:
            assert granted == {"states:StartExecution", "states:SendTaskSuccess"}
            assert _state_machine_arn(variables[Env.REFUND_STATE_MACHINE_ARN])
        elif name in (resources.INBOUND_EMAIL_FUNCTION.physical_name, resources.RECONCILE_FUNCTION.physical_name):
            # A refund asked for by email is requested by the ticket's playbook; a backorder's by the schedule.
            assert granted == {"states:StartExecution"}
            assert _state_machine_arn(variables[Env.REFUND_STATE_MACHINE_ARN])
        elif name == resources.REFUNDS_FUNCTION.physical_name:
            assert granted == {"states:SendTaskSuccess"}
            assert _state_machine_arn(variables[Env.REFUND_STATE_MACHINE_ARN])
        else:
            assert granted == set(), name
            assert Env.REFUND_STATE_MACHINE_ARN not in variables, name


def test_the_refunds_table_and_the_pending_payments_index_exist(synthesized: Synthesized) -> None:
    _, refunds = synthesized.one("AWS::DynamoDB::GlobalTable", TableName=resources.REFUNDS_TABLE)
    assert {index["IndexName"] for index in refunds["Properties"]["GlobalSecondaryIndexes"]} == {
        RefundTableItem.by_buyer.Meta.index_name,
        RefundTableItem.by_order.Meta.index_name,
        RefundTableItem.awaiting_review.Meta.index_name,
    }
    _, orders = synthesized.one("AWS::DynamoDB::GlobalTable", TableName=resources.ORDERS_TABLE)
    (pending,) = [
        index
        for index in orders["Properties"]["GlobalSecondaryIndexes"]
        if index["IndexName"] == OrderItem.pending_payments.Meta.index_name
    ]
    assert [key["AttributeName"] for key in pending["KeySchema"]] == ["payment_pending", "created_at"]


def test_reconciliation_runs_every_minute(synthesized: Synthesized) -> None:
    _, schedule = synthesized.one("AWS::Scheduler::Schedule", Name=resources.RECONCILE_SCHEDULE.physical_name)
    function_id, _ = _function(synthesized, resources.RECONCILE_FUNCTION)
    props = schedule["Properties"]
    assert props["ScheduleExpression"] == "rate(1 minute)"
    assert props["Target"]["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]}
    assert props["Target"]["RetryPolicy"]["MaximumRetryAttempts"] == 0
