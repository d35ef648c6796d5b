"""Storefront webhooks in the template: who may queue deliveries, the delivery function's egress, retention."""

from __future__ import annotations

from typing import Any

import pytest

from faka import resources
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.xdist_group(name="infra-synth")


def _sends(synthesized: Synthesized, function: resources.FunctionSpec) -> set[str]:
    """Logical ids of the queues the function's role may send to."""
    _, lambda_function = synthesized.one("AWS::Lambda::Function", FunctionName=function.physical_name)
    role_id = lambda_function["Properties"]["Role"]["Fn::GetAtt"][0]
    queues: set[str] = set()
    for policy in synthesized.resources("AWS::IAM::Policy").values():
        if {"Ref": role_id} not in policy["Properties"]["Roles"]:
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if "sqs:SendMessage" in actions:
                targets: list[Any] = (
                    statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
                )
                queues |= {target["Fn::GetAtt"][0] for target in targets}
    return queues


def test_only_the_delivery_function_may_dead_letter_and_only_senders_of_deliveries_may_queue_them(
    synthesized: Synthesized,
) -> None:
    queue_id, _ = synthesized.one("AWS::SQS::Queue", QueueName=resources.WEBHOOK_DELIVERIES_QUEUE.physical_name)
    dlq_id, _ = synthesized.one("AWS::SQS::Queue", QueueName=resources.WEBHOOK_DELIVERIES_QUEUE.dlq_physical_name)
    assert {queue_id, dlq_id} <= _sends(synthesized, resources.WEBHOOK_DELIVERY_FUNCTION)
    # Storefront webhooks are queued by the fan-out and the API (replays); operator alerts by whoever raises them.
    senders = {resources.WEBHOOK_FANOUT_FUNCTION.name, resources.API_FUNCTION.name}
    for function in resources.FUNCTIONS:
        if function is resources.WEBHOOK_DELIVERY_FUNCTION:
            continue
        sends = _sends(synthesized, function)
        assert (queue_id in sends) == (function.name in senders or function.access.alerts_operators), function.name
        assert dlq_id not in sends, function.name


def test_the_delivery_function_runs_outside_any_vpc_for_internet_egress(synthesized: Synthesized) -> None:
    _, function = synthesized.one(
        "AWS::Lambda::Function", FunctionName=resources.WEBHOOK_DELIVERY_FUNCTION.physical_name
    )
    assert "VpcConfig" not in function["Properties"]


def test_the_rule_sends_subscribable_events_to_the_fan_out_queue(synthesized: Synthesized) -> None:
    queue_id, _ = synthesized.one("AWS::SQS::Queue", QueueName=resources.WEBHOOK_EVENTS_QUEUE.physical_name)
    _, rule = synthesized.one("AWS::Events::Rule", Name=resources.STOREFRONT_WEBHOOKS_RULE.physical_name)
    assert rule["Properties"]["EventPattern"]["detail-type"] == list(resources.STOREFRONT_WEBHOOKS_RULE.detail_types)
    [target] = rule["Properties"]["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [queue_id, "Arn"]}


def test_deliveries_expire_from_the_webhooks_table(synthesized: Synthesized) -> None:
    _, table = synthesized.one("AWS::DynamoDB::GlobalTable", TableName=resources.WEBHOOKS_TABLE)
    assert table["Properties"]["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
