"""StandardWorkflow: a Standard state machine from its ASL file, with its own role, logs and tracing.

Each workflow construct (escalation, refund review) adds exactly the permissions its tasks call to
``role``; everything else about running a state machine is the same and lives here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from aws_cdk import RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from faka.resources import StateMachineSpec
from infra.constructs.functions import LOG_RETENTION
from infra.nag import acknowledge

REPO_ROOT = Path(__file__).resolve().parents[2]


class StandardWorkflow(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, spec: StateMachineSpec, substitutions: Mapping[str, str]
    ) -> None:
        super().__init__(scope, construct_id)
        log_group = logs.LogGroup(
            self,
            "Logs",
            # Step Functions delivers logs through CloudWatch vended logs; this prefix keeps the account's log
            # resource policy from growing by one statement per state machine.
            log_group_name=f"/aws/vendedlogs/states/{spec.physical_name}",
            retention=LOG_RETENTION,
            # Step Functions keeps each execution's history itself; these logs are for debugging.
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("states.amazonaws.com"),
            description=f"Execution role of the {spec.physical_name} state machine",
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_name=spec.physical_name,
            state_machine_type=sfn.StateMachineType.STANDARD,
            # Inline rather than an S3 asset: the template then holds the definition that cfn-lint and the
            # infra tests read.
            definition_body=sfn.DefinitionBody.from_string(
                (REPO_ROOT / spec.definition_file).read_text(encoding="utf-8")
            ),
            definition_substitutions=dict(substitutions),
            role=self.role,
            tracing_enabled=True,
            # ALL is what cdk-nag asks for; without execution data the log holds state names and errors, never
            # an execution's input (order ids, refund amounts, task tokens).
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
        )
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::*]",
            "Added by tracing and logging: X-Ray's PutTraceSegments/PutTelemetryRecords/GetSampling* and CloudWatch "
            "Logs' log-delivery actions (CreateLogDelivery, PutResourcePolicy, DescribeLogGroups, ...) have no "
            "resource-level permissions, so '*' is the only possible resource.",
        )

    def allow(self, actions: list[str], resources: list[str]) -> None:
        self.role.add_to_policy(iam.PolicyStatement(actions=actions, resources=resources))
