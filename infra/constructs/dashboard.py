"""KpiDashboard: the KPIs' Powertools metrics (EMF, namespace "faka") as a CloudWatch dashboard, with alarms."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_sns as sns
from constructs import Construct

from faka import resources

NAMESPACE = "faka"
# Powertools Metrics adds the service as the one dimension of every metric.
DIMENSIONS = {"service": "faka"}

SALES = ("OrdersCreated", "OrdersPaid", "OrdersDelivered", "RefundsCompleted")
AFTER_SALES = ("KeysActivated", "TicketsOpened", "TicketsAutoResolved", "TicketsHandedOff", "LowRatings")
BATCHES = ("BatchesQuarantined", "BatchQuarantineNotices", "KeysReissued")


@dataclass(frozen=True)
class AlarmSpec:
    metric: str
    statistic: str
    period_minutes: int
    threshold: float
    description: str


ALARMS = (
    AlarmSpec("BatchesQuarantined", "Sum", 5, 0, "A supplier batch was quarantined: see /v1/admin/reports/batches"),
    AlarmSpec("DeliveryLatencySeconds", "Average", 15, 60, "Paid orders take over a minute on average to be delivered"),
    AlarmSpec("TicketFirstResponseBreaches", "Sum", 60, 4, "Five or more tickets missed their first-response SLA"),
)


def metric(name: str, statistic: str = "Sum", period_minutes: int = 5) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=NAMESPACE,
        metric_name=name,
        dimensions_map=DIMENSIONS,
        statistic=statistic,
        period=Duration.minutes(period_minutes),
    )


class KpiDashboard(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, alarm_topic: sns.ITopic) -> None:
        super().__init__(scope, construct_id)
        self.dashboard = cloudwatch.Dashboard(
            self, "Dashboard", dashboard_name=f"{resources.PREFIX}-kpis", default_interval=Duration.days(7)
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(title="Sales", left=[metric(n, period_minutes=60) for n in SALES], width=12),
            cloudwatch.GraphWidget(
                title="Delivery latency (s)", left=[metric("DeliveryLatencySeconds", "Average")], width=12
            ),
            cloudwatch.GraphWidget(
                title="After sales", left=[metric(n, period_minutes=60) for n in AFTER_SALES], width=12
            ),
            cloudwatch.GraphWidget(
                title="Help desk",
                left=[metric("TicketFirstResponseSeconds", "Average", 60)],
                right=[metric("TicketCsatScore", "Average", 60)],
                width=12,
            ),
            cloudwatch.GraphWidget(title="Key batches", left=[metric(n, period_minutes=60) for n in BATCHES], width=12),
        )
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        for spec in ALARMS:
            alarm = cloudwatch.Alarm(
                self,
                f"{spec.metric}Alarm",
                alarm_name=f"{resources.PREFIX}-{spec.metric}",
                alarm_description=spec.description,
                metric=metric(spec.metric, spec.statistic, spec.period_minutes),
                threshold=spec.threshold,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=1,
                # No datapoint means nothing happened: no sale to be late, no batch quarantined.
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            alarm.add_alarm_action(cloudwatch_actions.SnsAction(alarm_topic))
            self.alarms[spec.metric] = alarm
