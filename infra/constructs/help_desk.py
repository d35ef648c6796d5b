"""HelpDesk: the schedule that sweeps the ticket SLA clocks (breaches, escalation alerts, priority bumps)."""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from faka import resources
from infra.constructs.schedule import RateSchedule


class HelpDesk(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, sweeper: lambda_.Function) -> None:
        super().__init__(scope, construct_id)
        self.sla_schedule = RateSchedule(
            self,
            "SlaSweep",
            spec=resources.TICKET_SLA_SCHEDULE,
            function=sweeper,
            description="Alerts operators about tickets nobody has answered within the help desk's SLA",
        ).schedule
