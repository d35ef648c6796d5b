"""Bus, rules, work queues with their dead-letter queues and alarms, and the operator topic."""

from __future__ import annotations

from typing import Any

import pytest

from faka import resources
from faka.resources import QueueSpec, RuleSpec
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.xdist_group(name="infra-synth")


def _queue(synthesized: Synthesized, name: str) -> tuple[str, dict[str, Any]]:
    return synthesized.one("AWS::SQS::Queue", QueueName=name)


def _topic_id(synthesized: Synthesized) -> str:
    logical_id, _ = synthesized.one("AWS::SNS::Topic", TopicName=resources.OPERATOR_TOPIC)
    return logical_id


@pytest.mark.parametrize("spec", resources.QUEUES, ids=lambda spec: spec.name)
def test_queue_has_dead_letter_queue(synthesized: Synthesized, spec: QueueSpec) -> None:
    dlq_id, dlq = _queue(synthesized, spec.dlq_physical_name)
    _, queue = _queue(synthesized, spec.physical_name)
    props = queue["Properties"]
    assert props["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]},
        "maxReceiveCount": spec.max_receive_count,
    }
    assert props["VisibilityTimeout"] == spec.visibility_timeout_seconds
    assert props["SqsManagedSseEnabled"] is True
    assert dlq["Properties"]["SqsManagedSseEnabled"] is True
    assert dlq["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600


@pytest.mark.parametrize("spec", resources.QUEUES, ids=lambda spec: spec.name)
def test_queues_refuse_plain_http(synthesized: Synthesized, spec: QueueSpec) -> None:
    for name in (spec.physical_name, spec.dlq_physical_name):
        queue_id, _ = _queue(synthesized, name)
        policies = [
            p
            for p in synthesized.resources("AWS::SQS::QueuePolicy").values()
            if {"Ref": queue_id} in p["Properties"]["Queues"]
        ]
        statements = [s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]]
        assert any(
            s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements
        ), name


@pytest.mark.parametrize("spec", resources.QUEUES, ids=lambda spec: spec.name)
def test_dead_letter_queue_alarms_operators(synthesized: Synthesized, spec: QueueSpec) -> None:
    dlq_id, _ = _queue(synthesized, spec.dlq_physical_name)
    alarms = [
        alarm["Properties"]
        for alarm in synthesized.resources("AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("Dimensions")
        == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq_id, "QueueName"]}}]
    ]
    assert len(alarms) == 1, f"{spec.dlq_physical_name} needs exactly one alarm"
    (alarm,) = alarms
    assert alarm["Namespace"] == "AWS/SQS"
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["Threshold"] == 0
    assert alarm["AlarmActions"] == [{"Ref": _topic_id(synthesized)}]


@pytest.mark.parametrize("spec", resources.RULES, ids=lambda spec: spec.name)
def test_rule_routes_detail_types_to_its_queue(synthesized: Synthesized, spec: RuleSpec) -> None:
    bus_id, _ = synthesized.one("AWS::Events::EventBus", Name=resources.EVENT_BUS)
    queue_id, _ = _queue(synthesized, spec.target.physical_name)
    dlq_id, _ = _queue(synthesized, spec.target.dlq_physical_name)
    _, rule = synthesized.one("AWS::Events::Rule", Name=spec.physical_name)
    props = rule["Properties"]
    assert props["EventBusName"] == {"Ref": bus_id}
    assert props["EventPattern"] == {"source": [resources.EVENT_SOURCE], "detail-type": list(spec.detail_types)}
    (target,) = props["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [dlq_id, "Arn"]}}


def test_every_detail_type_reaches_each_of_its_queues_once(synthesized: Synthesized) -> None:
    routed = [
        (detail_type, rule["Properties"]["Name"])
        for rule in synthesized.resources("AWS::Events::Rule").values()
        for detail_type in rule["Properties"]["EventPattern"]["detail-type"]
    ]
    assert sorted(routed) == sorted((dt, spec.physical_name) for spec in resources.RULES for dt in spec.detail_types)
    assert len(routed) == len(set(routed))


def test_operator_topic_is_encrypted_and_cloudwatch_can_publish(synthesized: Synthesized) -> None:
    topic_id, topic = synthesized.one("AWS::SNS::Topic", TopicName=resources.OPERATOR_TOPIC)
    key_id = topic["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]
    key_statements = synthesized.template["Resources"][key_id]["Properties"]["KeyPolicy"]["Statement"]
    assert any(
        s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}
        and {"kms:Decrypt", "kms:GenerateDataKey*"} <= set(s["Action"])
        for s in key_statements
    )
    (policy,) = [
        p
        for p in synthesized.resources("AWS::SNS::TopicPolicy").values()
        if {"Ref": topic_id} in p["Properties"]["Topics"]
    ]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements
    )
    assert any(
        s["Effect"] == "Allow"
        and s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
        and s["Action"] == "sns:Publish"
        for s in statements
    )
