"""RefundReview: the Standard workflow that decides and pays refunds, and the payment reconciliation schedule."""

from __future__ import annotations

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from faka import resources
from faka.config import Env
from infra.constructs.schedule import RateSchedule
from infra.constructs.workflow import StandardWorkflow


class Refunds(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        tasks: lambda_.Function,
        starters: list[lambda_.Function],
        deciders: list[lambda_.Function],
        reconcile: lambda_.Function,
    ) -> None:
        """``tasks`` runs the workflow's steps; ``starters`` start it (a refund asked for); ``deciders`` resume its
        reviews with an operator's decision (the API)."""
        super().__init__(scope, construct_id)
        spec = resources.REFUND_REVIEW

        workflow = StandardWorkflow(
            self,
            "Workflow",
            spec=spec,
            substitutions=resources.refund_review_substitutions(refunds_function_arn=tasks.function_arn),
        )
        # Every task is the refunds function; the ASL invokes it by its unqualified ARN only.
        workflow.allow(["lambda:InvokeFunction"], [tasks.function_arn])
        self.role = workflow.role
        self.state_machine = workflow.state_machine

        # Built from the name rather than the state machine's Ref: the tasks function's own policy needs it, and
        # the state machine already depends on that function, so a Ref would make a dependency cycle.
        arn = Stack.of(self).format_arn(
            service="states",
            resource="stateMachine",
            resource_name=spec.physical_name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        for function in dict.fromkeys([*starters, *deciders, tasks]):
            function.add_environment(Env.REFUND_STATE_MACHINE_ARN, arn)
        # Resuming a review: the API with an operator's decision, the tasks when a decision came between waits.
        for function in [*deciders, tasks]:
            function.add_to_role_policy(iam.PolicyStatement(actions=["states:SendTaskSuccess"], resources=[arn]))
        for starter in starters:
            starter.add_to_role_policy(iam.PolicyStatement(actions=["states:StartExecution"], resources=[arn]))

        self.reconcile_schedule = RateSchedule(
            self,
            "Reconcile",
            spec=resources.RECONCILE_SCHEDULE,
            function=reconcile,
            description="Finds paid orders whose payment webhook never arrived and fulfils them",
        ).schedule
