"""ActivationEscalation: the state machine, its least-privilege role, its starter function and the outreach table."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from faka import resources
from faka.adapters.tables.outreach import OutreachItem
from faka.config import Env
from infra.faka_stack import DeploymentContext
from tests.infra.conftest import REPO_ROOT, Synthesized

pytestmark = pytest.mark.xdist_group(name="infra-synth")

ASL_FILE = REPO_ROOT / resources.ACTIVATION_ESCALATION.definition_file


def _state_machine(synthesized: Synthesized) -> tuple[str, dict[str, Any]]:
    logical_id, state_machine = synthesized.one(
        "AWS::StepFunctions::StateMachine", StateMachineName=resources.ACTIVATION_ESCALATION.physical_name
    )
    return logical_id, state_machine["Properties"]


def _id(synthesized: Synthesized, resource_type: str, **properties: Any) -> str:
    logical_id, _ = synthesized.one(resource_type, **properties)
    return logical_id


def _statements(synthesized: Synthesized, role_id: str) -> list[tuple[frozenset[str], Any]]:
    """(actions, resource) of every Allow statement of the role's inline policies."""
    assert "ManagedPolicyArns" not in synthesized.template["Resources"][role_id]["Properties"]
    statements = []
    for policy in synthesized.resources("AWS::IAM::Policy").values():
        if {"Ref": role_id} not in policy["Properties"]["Roles"]:
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow"
            actions = statement["Action"]
            statements.append((frozenset([actions] if isinstance(actions, str) else actions), statement["Resource"]))
    return statements


def _substituted(definition: Any, substitutions: dict[str, Any]) -> Any:
    """The definition as Step Functions receives it: each "${Name}" value replaced by its CloudFormation value."""
    if isinstance(definition, dict):
        return {key: _substituted(value, substitutions) for key, value in definition.items()}
    if isinstance(definition, list):
        return [_substituted(value, substitutions) for value in definition]
    if isinstance(definition, str) and (placeholder := re.fullmatch(r"\$\{(\w+)\}", definition)):
        return substitutions[placeholder.group(1)]
    return definition


def _tasks(definition: dict[str, Any], resource: str) -> list[dict[str, Any]]:
    return [state for state in definition["States"].values() if state.get("Resource") == resource]


def test_state_machine_is_standard_traced_and_logs_without_execution_data(synthesized: Synthesized) -> None:
    _, props = _state_machine(synthesized)
    assert props["StateMachineType"] == "STANDARD"
    assert props["TracingConfiguration"] == {"Enabled": True}
    logging = props["LoggingConfiguration"]
    assert logging["Level"] == "ALL"
    assert logging["IncludeExecutionData"] is False
    (destination,) = logging["Destinations"]
    log_group_id = destination["CloudWatchLogsLogGroup"]["LogGroupArn"]["Fn::GetAtt"][0]
    log_group = synthesized.template["Resources"][log_group_id]["Properties"]
    assert log_group["LogGroupName"].startswith("/aws/vendedlogs/states/")


def test_definition_is_the_asl_file_with_every_placeholder_filled(synthesized: Synthesized) -> None:
    _, props = _state_machine(synthesized)
    asl = ASL_FILE.read_text(encoding="utf-8")
    assert props["DefinitionString"] == asl
    placeholders = set(re.findall(r"\$\{(\w+)\}", asl))
    assert placeholders == set(props["DefinitionSubstitutions"])
    assert placeholders == set(
        resources.activation_escalation_substitutions(notifier_queue_url="", operator_topic_arn="")
    )

    definition = _substituted(json.loads(asl), props["DefinitionSubstitutions"])
    notifier_queue_id = _id(synthesized, "AWS::SQS::Queue", QueueName=resources.NOTIFIER_QUEUE.physical_name)
    topic_id = _id(synthesized, "AWS::SNS::Topic", TopicName=resources.OPERATOR_TOPIC)
    reads = _tasks(definition, "arn:aws:states:::dynamodb:getItem")
    sends = _tasks(definition, "arn:aws:states:::sqs:sendMessage")
    alerts = _tasks(definition, "arn:aws:states:::sns:publish")
    # Level 1 is decided on the order's state its starter read; levels 2 and 3 read it again.
    assert (len(reads), len(sends)) == (2, 3)
    assert {task["Parameters"]["TableName"] for task in reads} == {resources.ORDERS_TABLE}
    assert all(task["Parameters"]["QueueUrl"] == {"Ref": notifier_queue_id} for task in sends)
    assert [task["Parameters"]["TopicArn"] for task in alerts] == [{"Ref": topic_id}]


def test_state_machine_role_allows_exactly_what_its_tasks_call(synthesized: Synthesized) -> None:
    _, props = _state_machine(synthesized)
    role_id = props["RoleArn"]["Fn::GetAtt"][0]
    orders_table_id = _id(synthesized, "AWS::DynamoDB::GlobalTable", TableName=resources.ORDERS_TABLE)
    notifier_queue_id = _id(synthesized, "AWS::SQS::Queue", QueueName=resources.NOTIFIER_QUEUE.physical_name)
    topic_id, topic = synthesized.one("AWS::SNS::Topic", TopicName=resources.OPERATOR_TOPIC)

    statements = _statements(synthesized, role_id)
    scoped = {(actions, json.dumps(resource)) for actions, resource in statements if resource != "*"}
    assert scoped == {
        (frozenset({"dynamodb:GetItem"}), json.dumps({"Fn::GetAtt": [orders_table_id, "Arn"]})),
        (frozenset({"sqs:SendMessage"}), json.dumps({"Fn::GetAtt": [notifier_queue_id, "Arn"]})),
        (frozenset({"sns:Publish"}), json.dumps({"Ref": topic_id})),
        (frozenset({"kms:Decrypt", "kms:GenerateDataKey"}), json.dumps(topic["Properties"]["KmsMasterKeyId"])),
    }
    # Only tracing and log delivery, whose actions have no resource-level permissions, may name '*'.
    unscoped = {action for actions, resource in statements if resource == "*" for action in actions}
    assert unscoped
    assert all(action.startswith(("xray:", "logs:")) for action in unscoped), unscoped


def test_escalation_rule_sends_order_delivered_to_the_escalation_queue(synthesized: Synthesized) -> None:
    queue_id = _id(synthesized, "AWS::SQS::Queue", QueueName=resources.ESCALATION_QUEUE.physical_name)
    _, rule = synthesized.one("AWS::Events::Rule", Name=resources.ESCALATION_RULE.physical_name)
    assert rule["Properties"]["EventPattern"]["detail-type"] == ["OrderDelivered"]
    assert [target["Arn"] for target in rule["Properties"]["Targets"]] == [{"Fn::GetAtt": [queue_id, "Arn"]}]


def test_only_the_escalation_function_starts_executions(synthesized: Synthesized) -> None:
    state_machine_id, _ = _state_machine(synthesized)
    for spec in resources.FUNCTIONS:
        _, function = synthesized.one("AWS::Lambda::Function", FunctionName=spec.physical_name)
        props = function["Properties"]
        role_id = props["Role"]["Fn::GetAtt"][0]
        states_statements = [
            (actions, resource)
            for actions, resource in _statements(synthesized, role_id)
            # Statements on the escalation only: the refund review has its own starters (tests/infra/test_refunds.py).
            if any(action.startswith("states:") for action in actions) and resource == {"Ref": state_machine_id}
        ]
        if props["FunctionName"] == resources.ESCALATION_FUNCTION.physical_name:
            assert props["Environment"]["Variables"][Env.ESCALATION_STATE_MACHINE_ARN] == {"Ref": state_machine_id}
            assert states_statements == [(frozenset({"states:StartExecution"}), {"Ref": state_machine_id})]
        else:
            assert Env.ESCALATION_STATE_MACHINE_ARN not in props["Environment"]["Variables"]
            assert states_statements == []


def test_every_function_gets_the_escalation_settings(synthesized: Synthesized) -> None:
    defaults = DeploymentContext()
    for spec in resources.FUNCTIONS:
        _, function = synthesized.one("AWS::Lambda::Function", FunctionName=spec.physical_name)
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables[Env.ESCALATION_SECONDS] == defaults.escalation_seconds
        assert variables[Env.QUIET_HOURS] == defaults.quiet_hours


def test_notifier_may_defer_reminders_on_its_own_queue(synthesized: Synthesized) -> None:
    _, notifier = synthesized.one("AWS::Lambda::Function", FunctionName=resources.NOTIFIER_FUNCTION.physical_name)
    queue_id = _id(synthesized, "AWS::SQS::Queue", QueueName=resources.NOTIFIER_QUEUE.physical_name)
    statements = _statements(synthesized, notifier["Properties"]["Role"]["Fn::GetAtt"][0])
    queue_arn = {"Fn::GetAtt": [queue_id, "Arn"]}
    # One statement may name several queues (operator alerts also queue their channels' deliveries).
    assert any(
        "sqs:SendMessage" in actions and queue_arn in (resource if isinstance(resource, list) else [resource])
        for actions, resource in statements
    )
    # Merged with the X-Ray actions on '*' (minimizePolicies): SES sending statistics are account-wide.
    assert any("ses:GetSendStatistics" in actions and resource == "*" for actions, resource in statements)


def test_outreach_table_expires_its_counters(synthesized: Synthesized) -> None:
    _, table = synthesized.one("AWS::DynamoDB::GlobalTable", TableName=resources.OUTREACH_TABLE)
    assert table["Properties"]["TimeToLiveSpecification"] == {
        "AttributeName": OutreachItem.expires_at.attr_name,
        "Enabled": True,
    }
    assert table["Properties"]["BillingMode"] == "PAY_PER_REQUEST"


@pytest.mark.parametrize(
    "overrides",
    [
        {"escalation_seconds": "86400,172800"},
        {"escalation_seconds": "259200,172800,86400"},
        {"escalation_seconds": "1 day,2 days,3 days"},
        {"quiet_hours": "22:00-08:00"},
        {"quiet_hours": "25-08"},
    ],
)
def test_bad_escalation_context_fails_the_synth(overrides: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="context"):
        DeploymentContext(**overrides).validate()  # type: ignore[arg-type]
