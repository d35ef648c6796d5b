"""RefundReview: the Standard workflow that decides and pays refunds, and the payment reconciliation schedule."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import ArnFormat, CfnElement, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from faka import resources
from faka.config import Env
from infra.constructs.functions import LOG_RETENTION
from infra.nag import acknowledge

REPO_ROOT = Path(__file__).resolve().parents[2]


class Refunds(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        tasks: lambda_.Function,
        starters: list[lambda_.Function],
        reconcile: lambda_.Function,
    ) -> None:
        """``tasks`` runs the workflow's steps; ``starters`` start it and resume its reviews (the API)."""
        super().__init__(scope, construct_id)
        spec = resources.REFUND_REVIEW

        log_group = logs.LogGroup(
            self,
            "Logs",
            # The vended-logs prefix keeps the account's log resource policy from growing per state machine.
            log_group_name=f"/aws/vendedlogs/states/{spec.physical_name}",
            retention=LOG_RETENTION,
            # Refunds are recorded in DynamoDB and Step Functions keeps each execution's history; these logs debug.
            removal_policy=RemovalPolicy.DESTROY,
        )
        role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("states.amazonaws.com"),
            description=f"Execution role of the {spec.physical_name} state machine",
        )
        # Every task is the refunds function; the ASL invokes it by its unqualified ARN only.
        role.add_to_policy(iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[tasks.function_arn]))

        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_name=spec.physical_name,
            state_machine_type=sfn.StateMachineType.STANDARD,
            # Inline, like the escalation: the template holds the definition cfn-lint and the infra tests read.
            definition_body=sfn.DefinitionBody.from_string(
                (REPO_ROOT / spec.definition_file).read_text(encoding="utf-8")
            ),
            definition_substitutions=resources.refund_review_substitutions(refunds_function_arn=tasks.function_arn),
            role=role,
            tracing_enabled=True,
            # Without execution data the log holds state names and errors, never a refund's input or task token.
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
        )
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "Added by tracing and logging: X-Ray's PutTraceSegments/PutTelemetryRecords/GetSampling* and CloudWatch "
            "Logs' log-delivery actions (CreateLogDelivery, PutResourcePolicy, DescribeLogGroups, ...) have no "
            "resource-level permissions, so '*' is the only possible resource.",
        )

        # Built from the name rather than the state machine's Ref: the tasks function's own policy needs it, and
        # the state machine already depends on that function, so a Ref would make a dependency cycle.
        arn = Stack.of(self).format_arn(
            service="states",
            resource="stateMachine",
            resource_name=spec.physical_name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        for function in [*starters, tasks]:
            function.add_environment(Env.REFUND_STATE_MACHINE_ARN, arn)
            # Resuming a review: the API with an operator's decision, the tasks when a decision came between waits.
            function.add_to_role_policy(iam.PolicyStatement(actions=["states:SendTaskSuccess"], resources=[arn]))
        for starter in starters:
            starter.add_to_role_policy(iam.PolicyStatement(actions=["states:StartExecution"], resources=[arn]))

        schedule_spec = resources.RECONCILE_SCHEDULE
        schedule_role = iam.Role(
            self,
            "ReconcileScheduleRole",
            assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"),
            description=f"Lets the {schedule_spec.physical_name} schedule invoke {reconcile.function_name}",
        )
        self.reconcile_schedule = scheduler.Schedule(
            self,
            "ReconcileSchedule",
            schedule_name=schedule_spec.physical_name,
            description="Finds paid orders whose payment webhook never arrived and fulfils them",
            schedule=scheduler.ScheduleExpression.rate(Duration.minutes(schedule_spec.rate_minutes)),
            # A missed run is covered by the next one a minute later: no retries to pile up behind it.
            target=scheduler_targets.LambdaInvoke(reconcile, role=schedule_role, retry_attempts=0),
        )
        reconcile_function = reconcile.node.default_child
        assert isinstance(reconcile_function, CfnElement)
        acknowledge(
            schedule_role,
            f"AwsSolutions-IAM5[Resource::<{Stack.of(self).resolve(reconcile_function.logical_id)}.Arn>:*]",
            "From the target's grant_invoke: '<function arn>:*' names the reconcile function's own versions and "
            "aliases, so the wildcard cannot reach any other function.",
        )
