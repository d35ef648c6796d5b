"""Service alarms (Lambda, API, Step Functions, DynamoDB) notify the operators and appear on the dashboard."""

from __future__ import annotations

import json
from typing import Any

import pytest

from faka import resources
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.xdist_group(name="infra-synth")

TABLES = (
    resources.CATALOG_TABLE,
    resources.KEYS_TABLE,
    resources.ORDERS_TABLE,
    resources.IDEMPOTENCY_TABLE,
    resources.OUTREACH_TABLE,
    resources.TICKETS_TABLE,
    resources.REFUNDS_TABLE,
    resources.WEBHOOKS_TABLE,
    resources.RATINGS_TABLE,
)


def alarm(synthesized: Synthesized, name: str) -> dict[str, Any]:
    _, resource = synthesized.one("AWS::CloudWatch::Alarm", AlarmName=f"{resources.PREFIX}-{name}")
    properties: dict[str, Any] = resource["Properties"]
    topic_id, _ = synthesized.one("AWS::SNS::Topic", TopicName=resources.OPERATOR_TOPIC)
    assert properties["AlarmActions"] == [{"Ref": topic_id}], name
    assert properties["OKActions"] == [{"Ref": topic_id}], name
    assert properties["TreatMissingData"] == "notBreaching", name
    return properties


@pytest.mark.parametrize("spec", resources.FUNCTIONS, ids=lambda spec: spec.name)
def test_each_function_alarms_on_errors_and_throttles(synthesized: Synthesized, spec: resources.FunctionSpec) -> None:
    function_id, _ = synthesized.one("AWS::Lambda::Function", FunctionName=spec.physical_name)
    for what, metric in (("errors", "Errors"), ("throttles", "Throttles")):
        properties = alarm(synthesized, f"{spec.name}-{what}")
        assert (properties["Namespace"], properties["MetricName"], properties["Statistic"]) == (
            "AWS/Lambda",
            metric,
            "Sum",
        )
        assert properties["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": function_id}}]
        assert (properties["Threshold"], properties["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")


def test_the_api_alarms_on_5xx_and_p99_latency(synthesized: Synthesized) -> None:
    server_errors = alarm(synthesized, "api-5xx")
    assert (server_errors["Namespace"], server_errors["MetricName"]) == ("AWS/ApiGateway", "5XXError")
    latency = alarm(synthesized, "api-p99-latency")
    assert (latency["MetricName"], latency["ExtendedStatistic"]) == ("Latency", "p99")
    assert latency["EvaluationPeriods"] == 3


@pytest.mark.parametrize("spec", resources.STATE_MACHINES, ids=lambda spec: spec.name)
def test_each_workflow_alarms_on_failed_executions(synthesized: Synthesized, spec: resources.StateMachineSpec) -> None:
    machine_id, _ = synthesized.one("AWS::StepFunctions::StateMachine", StateMachineName=spec.physical_name)
    properties = alarm(synthesized, f"{spec.name}-failed")
    assert (properties["Namespace"], properties["MetricName"]) == ("AWS/States", "ExecutionsFailed")
    assert properties["Dimensions"] == [{"Name": "StateMachineArn", "Value": {"Ref": machine_id}}]


@pytest.mark.parametrize("table", TABLES)
def test_each_table_alarms_on_read_and_write_throttling(synthesized: Synthesized, table: str) -> None:
    properties = alarm(synthesized, f"{table.removeprefix(resources.PREFIX + '-')}-table-throttles")
    metrics = {
        query["MetricStat"]["Metric"]["MetricName"]: query["MetricStat"]["Metric"]["Dimensions"]
        for query in properties["Metrics"]
        if "MetricStat" in query
    }
    assert set(metrics) == {"ReadThrottleEvents", "WriteThrottleEvents"}
    assert all(dimensions[0]["Name"] == "TableName" for dimensions in metrics.values())


def test_the_dashboard_shows_the_service_widgets_and_every_dead_letter_queue(synthesized: Synthesized) -> None:
    _, dashboard = synthesized.one("AWS::CloudWatch::Dashboard", DashboardName=f"{resources.PREFIX}-kpis")
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for title in (
        "Service alarms",
        "Lambda errors",
        "Lambda throttles",
        "API 5xx and p99 latency (ms)",
        "Failed workflow executions",
        "DynamoDB throttles",
        "Dead-letter queues: messages visible",
    ):
        assert f'\\"title\\":\\"{title}\\"' in body, title
    dead_letter_queues = [
        logical_id
        for logical_id, resource in synthesized.resources("AWS::SQS::Queue").items()
        if resource["Properties"].get("QueueName", "").endswith("-dlq") or "DeadLetter" in logical_id
    ]
    # One per queue and stream, and the one-time schedules' own (resources.ACTIVATION_DUE_DLQ).
    assert len(dead_letter_queues) == len(resources.QUEUES) + len(resources.STREAMS) + 1
    for queue_id in dead_letter_queues:
        assert queue_id in body, queue_id
