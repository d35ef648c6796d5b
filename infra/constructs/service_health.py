"""ServiceHealth: alarms on what the AWS services report about faka, and their widgets on the KPI dashboard.

Every alarm notifies the operator topic, and tells it again when the alarm clears: Lambda errors and throttles per
function, the API's 5xx answers and p99 latency, failed workflow executions, DynamoDB throttling per table. The
dead-letter queues have their own alarms (messaging.WorkQueue, ratings.Ratings), charted here too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from faka import resources
from infra.constructs.naming import logical_id

PERIOD = Duration.minutes(5)
# An unhandled exception is a bug (bad input is a 4xx, not a Lambda error), a throttle is lost work: one is enough.
FUNCTION_ERRORS_THRESHOLD = 1
FUNCTION_THROTTLES_THRESHOLD = 1
# A few 5xx in five minutes (API Gateway's own timeouts included), not one slow cold start.
API_5XX_THRESHOLD = 5
# Well under the 29 s integration timeout, over three periods in a row: sustained slowness, not one slow import.
API_P99_LATENCY_MS = 5000
API_LATENCY_PERIODS = 3


@dataclass(frozen=True)
class ServiceAlarm:
    """One alarm's name (``<prefix>-<subject>-<what>``) and its metric, threshold and periods."""

    subject: str
    what: str
    description: str
    metric: cloudwatch.IMetric
    threshold: float
    evaluation_periods: int = 1

    @property
    def name(self) -> str:
        return f"{resources.PREFIX}-{self.subject}-{self.what}"


def table_subject(physical_name: str) -> str:
    """``faka-qa-orders`` -> ``orders``: the alarm name adds the prefix back."""
    return physical_name.removeprefix(f"{resources.PREFIX}-")


def table_throttles(table: dynamodb.ITable, subject: str) -> cloudwatch.MathExpression:
    """Read and write throttle events together; an idle table reports neither, hence FILL.

    Metric ids must be unique on a graph that charts every table, so they carry the table's subject.
    """
    reads, writes = (f"{kind}_{subject.replace('-', '_')}" for kind in ("reads", "writes"))
    return cloudwatch.MathExpression(
        expression=f"FILL({reads}, 0) + FILL({writes}, 0)",
        using_metrics={
            reads: table.metric("ReadThrottleEvents", statistic=cloudwatch.Stats.SUM, period=PERIOD),
            writes: table.metric("WriteThrottleEvents", statistic=cloudwatch.Stats.SUM, period=PERIOD),
        },
        label=f"{subject} throttles",
        period=PERIOD,
    )


class ServiceHealth(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        alarm_topic: sns.ITopic,
        dashboard: cloudwatch.Dashboard,
        functions: Mapping[str, lambda_.IFunction],
        api: apigateway.RestApi,
        state_machines: Mapping[str, sfn.IStateMachine],
        tables: Mapping[str, dynamodb.ITable],
        dead_letter_queues: Sequence[sqs.IQueue],
    ) -> None:
        super().__init__(scope, construct_id)
        errors = {name: f.metric_errors(period=PERIOD, statistic=cloudwatch.Stats.SUM) for name, f in functions.items()}
        throttles = {
            name: f.metric_throttles(period=PERIOD, statistic=cloudwatch.Stats.SUM) for name, f in functions.items()
        }
        server_errors = api.metric_server_error(period=PERIOD, statistic=cloudwatch.Stats.SUM)
        latency = api.metric_latency(period=PERIOD, statistic=cloudwatch.Stats.percentile(99))
        failed = {
            name: machine.metric_failed(period=PERIOD, statistic=cloudwatch.Stats.SUM)
            for name, machine in state_machines.items()
        }
        table_metrics = {
            table_subject(name): table_throttles(table, table_subject(name)) for name, table in tables.items()
        }

        specs = [
            *(
                ServiceAlarm(
                    name,
                    "errors",
                    f"Function {name} raised unhandled errors: see its logs",
                    m,
                    FUNCTION_ERRORS_THRESHOLD,
                )
                for name, m in errors.items()
            ),
            *(
                ServiceAlarm(
                    name,
                    "throttles",
                    f"Function {name} was throttled: see the account's concurrency",
                    m,
                    FUNCTION_THROTTLES_THRESHOLD,
                )
                for name, m in throttles.items()
            ),
            ServiceAlarm(
                "api", "5xx", "The API answered 5xx (server errors or timeouts)", server_errors, API_5XX_THRESHOLD
            ),
            ServiceAlarm(
                "api",
                "p99-latency",
                f"The API's p99 latency stayed over {API_P99_LATENCY_MS} ms for {API_LATENCY_PERIODS * 5} minutes",
                latency,
                API_P99_LATENCY_MS,
                API_LATENCY_PERIODS,
            ),
            *(
                ServiceAlarm(name, "failed", f"Executions of workflow {name} failed: see its execution history", m, 1)
                for name, m in failed.items()
            ),
            *(
                ServiceAlarm(f"{subject}-table", "throttles", f"DynamoDB throttled requests to table {subject}", m, 1)
                for subject, m in table_metrics.items()
            ),
        ]
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        for spec in specs:
            alarm = cloudwatch.Alarm(
                self,
                logical_id(spec.name),
                alarm_name=spec.name,
                alarm_description=spec.description,
                metric=spec.metric,
                threshold=spec.threshold,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                evaluation_periods=spec.evaluation_periods,
                # No datapoint means no invocation, request or execution: nothing went wrong.
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            alarm.add_alarm_action(cloudwatch_actions.SnsAction(alarm_topic))
            alarm.add_ok_action(cloudwatch_actions.SnsAction(alarm_topic))
            self.alarms[spec.name] = alarm

        dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(title="Service alarms", alarms=list(self.alarms.values()), width=24),
            cloudwatch.GraphWidget(title="Lambda errors", left=list(errors.values()), width=12),
            cloudwatch.GraphWidget(title="Lambda throttles", left=list(throttles.values()), width=12),
            cloudwatch.GraphWidget(
                title="API 5xx and p99 latency (ms)", left=[server_errors], right=[latency], width=12
            ),
            cloudwatch.GraphWidget(title="Failed workflow executions", left=list(failed.values()), width=12),
            cloudwatch.GraphWidget(title="DynamoDB throttles", left=list(table_metrics.values()), width=12),
            cloudwatch.GraphWidget(
                title="Dead-letter queues: messages visible",
                left=[
                    queue.metric_approximate_number_of_messages_visible(
                        period=PERIOD, statistic=cloudwatch.Stats.MAXIMUM
                    )
                    for queue in dead_letter_queues
                ],
                width=12,
            ),
        )
