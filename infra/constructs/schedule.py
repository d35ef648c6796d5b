"""RateSchedule: an EventBridge Scheduler schedule invoking one function at the fixed rate its spec names."""

from __future__ import annotations

from aws_cdk import CfnElement, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from constructs import Construct

from faka.resources import ScheduleSpec
from infra.nag import acknowledge


class RateSchedule(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, spec: ScheduleSpec, function: lambda_.Function, description: str
    ) -> None:
        super().__init__(scope, construct_id)
        role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"),
            description=f"Lets the {spec.physical_name} schedule invoke {function.function_name}",
        )
        self.schedule = scheduler.Schedule(
            self,
            "Schedule",
            schedule_name=spec.physical_name,
            description=description,
            schedule=scheduler.ScheduleExpression.rate(Duration.minutes(spec.rate_minutes)),
            # Each run acts on everything due by then, so a missed run is made up by the next: no retries pile up.
            target=scheduler_targets.LambdaInvoke(function, role=role, retry_attempts=0),
        )
        cfn_function = function.node.default_child
        assert isinstance(cfn_function, CfnElement)
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::<{Stack.of(self).resolve(cfn_function.logical_id)}.Arn>:*]",
            "From the target's grant_invoke: '<function arn>:*' names the scheduled function's own versions and "
            "aliases, so the wildcard cannot reach any other function.",
        )
