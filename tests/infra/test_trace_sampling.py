"""Tracing stays on everywhere; X-Ray's sampling rules for faka's entry points decide how much of it is recorded."""

from __future__ import annotations

import pytest

from faka import resources
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.xdist_group(name="infra-synth")


def test_each_sampling_rule_is_deployed_for_fakas_services(synthesized: Synthesized) -> None:
    for spec in resources.SAMPLING_RULES:
        [rule] = [
            r["Properties"]["SamplingRule"]
            for r in synthesized.resources("AWS::XRay::SamplingRule").values()
            if r["Properties"]["SamplingRule"]["RuleName"] == spec.physical_name
        ]
        assert len(spec.physical_name) <= 32  # X-Ray's limit on rule names
        assert (rule["ReservoirSize"], rule["FixedRate"], rule["Priority"]) == (
            spec.reservoir,
            spec.fixed_rate,
            spec.priority,
        )
        assert rule["ServiceName"] == f"{resources.PREFIX}-*"
        assert rule["URLPath"] == spec.url_path
    assert len(synthesized.resources("AWS::XRay::SamplingRule")) == len(resources.SAMPLING_RULES)


def test_operators_are_matched_before_the_rest_of_the_traffic() -> None:
    assert resources.OPERATOR_TRACES.priority < resources.TRAFFIC_TRACES.priority
    assert resources.TRAFFIC_TRACES.url_path == "*"
    # A reservoir on the catch-all would trace every request of a shop with less than one a second.
    assert resources.TRAFFIC_TRACES.reservoir == 0
    assert 0 < resources.TRAFFIC_TRACES.fixed_rate <= 0.05


def test_tracing_stays_on_for_the_api_the_workflows_and_every_function(synthesized: Synthesized) -> None:
    [stage] = synthesized.resources("AWS::ApiGateway::Stage").values()
    assert stage["Properties"]["TracingEnabled"] is True
    for state_machine in synthesized.resources("AWS::StepFunctions::StateMachine").values():
        assert state_machine["Properties"]["TracingConfiguration"] == {"Enabled": True}
    for spec in resources.FUNCTIONS:
        _, function = synthesized.one("AWS::Lambda::Function", FunctionName=spec.physical_name)
        assert function["Properties"]["TracingConfig"] == {"Mode": "Active"}
