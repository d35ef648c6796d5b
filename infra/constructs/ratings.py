"""Ratings: the ratings table's stream feeding the rating_aggregates function, failures kept in a dead-letter queue."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from faka import resources
from infra.constructs.naming import logical_id
from infra.nag import acknowledge


class Ratings(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: resources.StreamSpec,
        table: dynamodb.TableV2,
        consumer: lambda_.Function,
        alarm_topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, construct_id)
        self.dead_letters = sqs.Queue(
            self,
            logical_id(spec.dlq_physical_name),
            queue_name=spec.dlq_physical_name,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            # Stream records expire after 24 h: what lands here is the only trace of a rating left uncounted.
            retention_period=Duration.days(14),
        )
        acknowledge(
            self.dead_letters,
            "AwsSolutions-SQS3",
            "This queue is itself the dead-letter destination of the ratings stream's event-source mapping.",
        )
        self.alarm = cloudwatch.Alarm(
            self,
            "DeadLetterAlarm",
            alarm_name=f"{spec.dlq_physical_name}-not-empty",
            alarm_description=(
                f"Ratings {spec.consumer.physical_name} could not count: each message names the stream records. "
                "Fix the cause, then re-run them by re-saving the ratings or tallying them by hand."
            ),
            metric=self.dead_letters.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(1), statistic="Maximum"
            ),
            threshold=0,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.alarm.add_alarm_action(cloudwatch_actions.SnsAction(alarm_topic))
        consumer.add_event_source(
            event_sources.DynamoEventSource(
                table,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=spec.batch_size,
                # The handler reports failed records (Powertools batch): only those and the ones after them retry.
                report_batch_item_failures=True,
                bisect_batch_on_error=True,
                retry_attempts=spec.max_retries,
                on_failure=event_sources.SqsDlq(self.dead_letters),
                # Ratings are never changed or deleted; an insert is the only change worth an invocation.
                filters=[lambda_.FilterCriteria.filter({"eventName": lambda_.FilterRule.is_equal("INSERT")})],
            )
        )
