"""The KPI dashboard and its alarms, which notify the operator topic."""

from __future__ import annotations

import json

import pytest

from faka import resources
from infra.constructs.dashboard import AFTER_SALES, ALARMS, BATCHES, SALES
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.xdist_group(name="infra-synth")


@pytest.mark.parametrize("spec", ALARMS, ids=lambda spec: spec.metric)
def test_each_kpi_alarm_notifies_the_operators(synthesized: Synthesized, spec) -> None:  # type: ignore[no-untyped-def]
    topic_id, _ = synthesized.one("AWS::SNS::Topic", TopicName=resources.OPERATOR_TOPIC)
    _, alarm = synthesized.one("AWS::CloudWatch::Alarm", AlarmName=f"{resources.PREFIX}-{spec.metric}")
    props = alarm["Properties"]
    assert (props["Namespace"], props["MetricName"], props["Statistic"]) == ("faka", spec.metric, spec.statistic)
    assert props["Dimensions"] == [{"Name": "service", "Value": "faka"}]
    assert props["Threshold"] == spec.threshold
    assert props["TreatMissingData"] == "notBreaching"
    assert props["AlarmActions"] == [{"Ref": topic_id}]


def test_the_dashboard_charts_every_kpi_metric(synthesized: Synthesized) -> None:
    _, dashboard = synthesized.one("AWS::CloudWatch::Dashboard", DashboardName=f"{resources.PREFIX}-kpis")
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for name in (*SALES, *AFTER_SALES, *BATCHES, "DeliveryLatencySeconds", "TicketFirstResponseSeconds"):
        assert f'\\"{name}\\"' in body, name
