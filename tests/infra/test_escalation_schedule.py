"""The escalation's one-time schedules: their group, the least-privilege role they send with, their dead letters."""

from __future__ import annotations

from typing import Any

import pytest

from faka import resources
from faka.config import Env
from tests.infra.conftest import Synthesized
from tests.infra.test_escalation import _statements

pytestmark = pytest.mark.xdist_group(name="infra-synth")


def _queue_arn(synthesized: Synthesized, name: str) -> dict[str, Any]:
    logical_id, _ = synthesized.one("AWS::SQS::Queue", QueueName=name)
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def _schedule_role(synthesized: Synthesized) -> tuple[str, dict[str, Any]]:
    [(role_id, role)] = [
        (logical_id, role)
        for logical_id, role in synthesized.resources("AWS::IAM::Role").items()
        if "one-time schedules" in role["Properties"].get("Description", "")
    ]
    return role_id, role["Properties"]


def test_the_schedules_have_a_group_of_their_own(synthesized: Synthesized) -> None:
    synthesized.one("AWS::Scheduler::ScheduleGroup", Name=resources.ACTIVATION_DUE_SCHEDULE_GROUP)
    # Made at run time, one per delivered order: none is in the template.
    assert not [
        schedule
        for schedule in synthesized.resources("AWS::Scheduler::Schedule").values()
        if schedule["Properties"].get("GroupName") == resources.ACTIVATION_DUE_SCHEDULE_GROUP
    ]


def test_undeliverable_firings_are_kept_two_weeks_and_alarm(synthesized: Synthesized) -> None:
    dlq_id, dlq = synthesized.one("AWS::SQS::Queue", QueueName=resources.ACTIVATION_DUE_DLQ)
    assert dlq["Properties"]["MessageRetentionPeriod"] == 14 * 86400
    assert dlq["Properties"]["SqsManagedSseEnabled"] is True
    _, alarm = synthesized.one("AWS::CloudWatch::Alarm", AlarmName=f"{resources.ACTIVATION_DUE_DLQ}-not-empty")
    assert alarm["Properties"]["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq_id, "QueueName"]}}]
    assert alarm["Properties"]["Threshold"] == 0
    topic_id, _ = synthesized.one("AWS::SNS::Topic", TopicName=resources.OPERATOR_TOPIC)
    assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic_id}]


def test_the_schedule_role_may_only_send_to_the_escalation_and_notifier_queues_and_the_dead_letters(
    synthesized: Synthesized,
) -> None:
    role_id, role = _schedule_role(synthesized)
    [trust] = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    assert "ManagedPolicyArns" not in role

    [(actions, queues)] = _statements(synthesized, role_id)
    assert actions == {"sqs:SendMessage"}
    assert sorted(map(str, queues)) == sorted(
        str(_queue_arn(synthesized, name))
        for name in (
            resources.ESCALATION_QUEUE.physical_name,
            resources.NOTIFIER_QUEUE.physical_name,
            resources.ACTIVATION_DUE_DLQ,
        )
    )


# Each scheduling function, the variable naming its own schedules' queue and that queue, and the other's variable.
_DUE_QUEUES = [
    (
        resources.ESCALATION_FUNCTION,
        Env.ACTIVATION_DUE_QUEUE_ARN,
        resources.ESCALATION_QUEUE,
        Env.REMINDER_DUE_QUEUE_ARN,
    ),
    (resources.NOTIFIER_FUNCTION, Env.REMINDER_DUE_QUEUE_ARN, resources.NOTIFIER_QUEUE, Env.ACTIVATION_DUE_QUEUE_ARN),
]


@pytest.mark.parametrize(("spec", "variable", "queue", "not_given"), _DUE_QUEUES, ids=["escalation", "notifier"])
def test_the_scheduling_functions_name_the_targets_role_and_dead_letters_and_may_pass_only_that_role(
    synthesized: Synthesized, spec: resources.FunctionSpec, variable: str, queue: resources.QueueSpec, not_given: str
) -> None:
    """The escalation schedules orders' first levels, the notifier reminders held past quiet hours: each is told its
    own schedules' queue, not the other's."""
    role_id, _ = _schedule_role(synthesized)
    _, function = synthesized.one("AWS::Lambda::Function", FunctionName=spec.physical_name)
    variables = function["Properties"]["Environment"]["Variables"]
    assert variables[variable] == _queue_arn(synthesized, queue.physical_name)
    assert not_given not in variables
    assert variables[Env.ACTIVATION_DUE_ROLE_ARN] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert variables[Env.ACTIVATION_DUE_DLQ_ARN] == _queue_arn(synthesized, resources.ACTIVATION_DUE_DLQ)

    policies = [
        statement
        for policy in synthesized.resources("AWS::IAM::Policy").values()
        if {"Ref": function["Properties"]["Role"]["Fn::GetAtt"][0]} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    [pass_role] = [statement for statement in policies if statement["Action"] == "iam:PassRole"]
    assert pass_role["Resource"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert pass_role["Condition"] == {"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}}
