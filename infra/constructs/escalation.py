"""ActivationEscalation: the Standard workflow that reminds buyers to activate delivered keys, its starter, and the
one-time schedules (one per delivered order, at its first level) whose firing starts it only for keys still waiting,
and those of reminders held past the buyer's quiet hours, whose firing sends them back to the notifier.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from faka import resources
from faka.config import Env
from infra.constructs.messaging import Messaging
from infra.constructs.storage import Storage
from infra.constructs.workflow import StandardWorkflow
from infra.nag import acknowledge


class Escalation(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        storage: Storage,
        messaging: Messaging,
        starter: lambda_.Function,
        schedulers: Sequence[lambda_.Function],
    ) -> None:
        super().__init__(scope, construct_id)
        spec = resources.ACTIVATION_ESCALATION
        orders_table = storage.tables[resources.ORDERS_TABLE]
        notifier_queue = messaging.queues[resources.NOTIFIER_QUEUE.name].queue
        operator_topic = messaging.operator_topic

        workflow = StandardWorkflow(
            self,
            "Workflow",
            spec=spec,
            substitutions=resources.activation_escalation_substitutions(
                notifier_queue_url=notifier_queue.queue_url, operator_topic_arn=operator_topic.topic_arn
            ),
        )
        # Exactly what the ASL's tasks call, written out: the grant_* helpers would add the orders table's
        # indexes and the queue's GetQueueAttributes/GetQueueUrl, which no task uses.
        workflow.allow(["dynamodb:GetItem"], [orders_table.table_arn])
        # The notifier queue uses SQS-managed encryption: sending needs no KMS permission.
        workflow.allow(["sqs:SendMessage"], [notifier_queue.queue_arn])
        workflow.allow(["sns:Publish"], [operator_topic.topic_arn])
        # The operator topic is encrypted with its own key; SNS uses it on the publisher's behalf.
        workflow.allow(["kms:GenerateDataKey", "kms:Decrypt"], [messaging.topic_key.key_arn])
        self.role = workflow.role
        self.state_machine = workflow.state_machine

        starter.add_environment(Env.ESCALATION_STATE_MACHINE_ARN, self.state_machine.state_machine_arn)
        self.state_machine.grant_start_execution(starter)

        self._schedule_first_levels(messaging, schedulers, starter)

    def _schedule_first_levels(
        self, messaging: Messaging, schedulers: Sequence[lambda_.Function], starter: lambda_.Function
    ) -> None:
        """The group the schedulers create one-time schedules in, the role those send with, and their dead letters."""
        stack = Stack.of(self)
        escalation_queue = messaging.queues[resources.ESCALATION_QUEUE.name].queue
        notifier_queue = messaging.queues[resources.NOTIFIER_QUEUE.name].queue
        self.schedule_group = scheduler.ScheduleGroup(
            self, "DueSchedules", schedule_group_name=resources.ACTIVATION_DUE_SCHEDULE_GROUP
        )
        self.due_dead_letters = sqs.Queue(
            self,
            "DueDeadLetters",
            queue_name=resources.ACTIVATION_DUE_DLQ,
            # The longest SQS allows: a first level the scheduler could not deliver still has days to be sent by hand.
            retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        acknowledge(
            self.due_dead_letters,
            "AwsSolutions-SQS3",
            "This queue is itself the dead-letter destination of the escalation's one-time schedules (their target's "
            "DeadLetterConfig), which CloudFormation cannot show cdk-nag: the schedules are made at run time.",
        )
        alarm = cloudwatch.Alarm(
            self,
            "DueDeadLetterAlarm",
            alarm_name=f"{resources.ACTIVATION_DUE_DLQ}-not-empty",
            alarm_description=(
                f"Messages in {resources.ACTIVATION_DUE_DLQ}: first escalation levels (or held reminders) the "
                f"scheduler could not send to {resources.ESCALATION_QUEUE.physical_name} (or "
                f"{resources.NOTIFIER_QUEUE.physical_name}). Fix the cause, then send each body to its queue."
            ),
            metric=self.due_dead_letters.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(1), statistic=cloudwatch.Stats.MAXIMUM
            ),
            threshold=0,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(cloudwatch_actions.SnsAction(messaging.operator_topic))
        self.schedule_role = iam.Role(
            self,
            "DueScheduleRole",
            # Only this account's schedules may assume it (the confused-deputy guard Scheduler's guide asks for).
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": stack.account}}
            ),
            description="Lets the escalation's one-time schedules send to the escalation and notifier queues and their "
            "dead letters",
        )
        # Both queues use SQS-managed encryption: sending needs no KMS permission.
        self.schedule_role.add_to_policy(
            iam.PolicyStatement(
                actions=["sqs:SendMessage"],
                resources=[escalation_queue.queue_arn, notifier_queue.queue_arn, self.due_dead_letters.queue_arn],
            )
        )
        schedules_in_group = stack.format_arn(
            service="scheduler", resource="schedule", resource_name=f"{resources.ACTIVATION_DUE_SCHEDULE_GROUP}/*"
        )
        for function in schedulers:
            # Creating only: a schedule deletes itself once fired (ActionAfterCompletion DELETE).
            function.add_to_role_policy(
                iam.PolicyStatement(actions=["scheduler:CreateSchedule"], resources=[schedules_in_group])
            )
            assert function.role is not None
            acknowledge(
                function.role,
                "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/"
                f"{resources.ACTIVATION_DUE_SCHEDULE_GROUP}/*]",
                "Each delivered order (and each held reminder) gets a schedule named after it, so the names are not "
                "known at deploy time; the wildcard stays inside the escalation's own schedule group.",
            )
            function.add_to_role_policy(
                iam.PolicyStatement(
                    actions=["iam:PassRole"],
                    resources=[self.schedule_role.role_arn],
                    conditions={"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}},
                )
            )
            function.add_environment(Env.ACTIVATION_DUE_ROLE_ARN, self.schedule_role.role_arn)
            function.add_environment(Env.ACTIVATION_DUE_DLQ_ARN, self.due_dead_letters.queue_arn)
            # Each is told only the queue its own schedules send to: the starter's are orders' first levels, the
            # others' (the notifier's) the reminders they hold past quiet hours.
            if function is starter:
                function.add_environment(Env.ACTIVATION_DUE_QUEUE_ARN, escalation_queue.queue_arn)
            else:
                function.add_environment(Env.REMINDER_DUE_QUEUE_ARN, notifier_queue.queue_arn)
