"""The event bus, its rules, the work queues behind them and the operator alert topic."""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from faka import resources
from faka.resources import QueueSpec, RuleSpec
from infra.constructs.naming import logical_id

# The EventBridge pattern fields RuleSpec may use; anything else fails the synth instead of being dropped.
_PATTERN_FIELDS = {"source", "detail-type"}


def event_pattern(spec: RuleSpec) -> events.EventPattern:
    pattern = spec.event_pattern
    unknown = set(pattern) - _PATTERN_FIELDS
    if unknown:
        raise ValueError(f"rule {spec.name}: unsupported event pattern fields {sorted(unknown)}")
    return events.EventPattern(source=pattern.get("source"), detail_type=pattern.get("detail-type"))


class WorkQueue(Construct):
    """One QueueSpec: the queue, its dead-letter queue and an alarm as soon as anything is dead-lettered."""

    def __init__(self, scope: Construct, construct_id: str, *, spec: QueueSpec, alarm_topic: sns.ITopic) -> None:
        super().__init__(scope, construct_id)
        self.spec = spec
        self.dead_letter_queue = sqs.Queue(
            self,
            "DeadLetterQueue",
            queue_name=spec.dlq_physical_name,
            # The longest SQS allows: an operator may only look after a weekend.
            retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.queue = sqs.Queue(
            self,
            "Queue",
            queue_name=spec.physical_name,
            visibility_timeout=Duration.seconds(spec.visibility_timeout_seconds),
            # SQS-managed keys rather than a KMS key: EventBridge can deliver to them without a key policy.
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.dead_letter_queue, max_receive_count=spec.max_receive_count
            ),
        )
        self.alarm = cloudwatch.Alarm(
            self,
            "DeadLetterAlarm",
            alarm_name=f"{spec.dlq_physical_name}-not-empty",
            alarm_description=(
                f"Messages in {spec.dlq_physical_name}: events {spec.consumer.physical_name} could not process. "
                "Inspect, fix, then redrive to the source queue."
            ),
            metric=self.dead_letter_queue.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(1), statistic=cloudwatch.Stats.MAXIMUM
            ),
            threshold=0,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            # No datapoints means SQS reported nothing, i.e. an empty, idle queue.
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.alarm.add_alarm_action(cloudwatch_actions.SnsAction(alarm_topic))
        # Tells the operator the redrive worked without them watching the console.
        self.alarm.add_ok_action(cloudwatch_actions.SnsAction(alarm_topic))


class Messaging(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)

        # A key of its own, not the card-key key: CloudWatch must be allowed to use it to publish alarms,
        # and that service principal has no business near sealed card codes.
        self.topic_key = kms.Key(
            self,
            "OperatorTopicKey",
            description="Encrypts the faka operator alert topic",
            enable_key_rotation=True,
        )
        self.topic_key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarmsToPublish",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
            )
        )
        self.operator_topic = sns.Topic(
            self,
            "OperatorTopic",
            topic_name=resources.OPERATOR_TOPIC,
            display_name="faka operators",
            master_key=self.topic_key,
            enforce_ssl=True,
        )
        # enforce_ssl gives the topic an explicit policy, which replaces SNS's default owner-account policy;
        # without this statement CloudWatch alarms are refused with "no resource-based policy allows".
        stack = Stack.of(self)
        self.operator_topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarmsToPublish",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[self.operator_topic.topic_arn],
                conditions={
                    "ArnLike": {
                        "aws:SourceArn": stack.format_arn(
                            service="cloudwatch",
                            resource="alarm",
                            resource_name="*",
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                    },
                    "StringEquals": {"aws:SourceAccount": stack.account},
                },
            )
        )

        self.bus = events.EventBus(self, "Bus", event_bus_name=resources.EVENT_BUS)

        self.queues: dict[str, WorkQueue] = {
            spec.name: WorkQueue(
                self, logical_id(spec.physical_name) + "Queue", spec=spec, alarm_topic=self.operator_topic
            )
            for spec in resources.QUEUES
        }

        self.rules: dict[str, events.Rule] = {}
        for rule_spec in resources.RULES:
            work_queue = self.queues[rule_spec.target.name]
            self.rules[rule_spec.name] = events.Rule(
                self,
                logical_id(rule_spec.physical_name) + "Rule",
                rule_name=rule_spec.physical_name,
                event_bus=self.bus,
                event_pattern=event_pattern(rule_spec),
                targets=[
                    targets.SqsQueue(
                        work_queue.queue,
                        # An event EventBridge cannot deliver lands beside the ones the consumer gave up on:
                        # both are the same event JSON, so one alarm and one redrive cover them.
                        dead_letter_queue=work_queue.dead_letter_queue,
                    )
                ],
            )
