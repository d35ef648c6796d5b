"""TraceSampling: the X-Ray sampling rules of faka's API stage and workflows (resources.SAMPLING_RULES)."""

from __future__ import annotations

from aws_cdk import aws_xray as xray
from constructs import Construct

from faka import resources
from infra.constructs.naming import logical_id


class TraceSampling(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.rules = [
            xray.CfnSamplingRule(
                self,
                logical_id(spec.physical_name),
                sampling_rule=xray.CfnSamplingRule.SamplingRuleProperty(
                    rule_name=spec.physical_name,
                    priority=spec.priority,
                    reservoir_size=spec.reservoir,
                    fixed_rate=spec.fixed_rate,
                    # API Gateway names itself "<api>/<stage>", a state machine by its name: both start with PREFIX.
                    service_name=f"{resources.PREFIX}-*",
                    service_type="*",
                    host="*",
                    http_method="*",
                    url_path=spec.url_path,
                    resource_arn="*",
                    version=1,
                ),
            )
            for spec in resources.SAMPLING_RULES
        ]
