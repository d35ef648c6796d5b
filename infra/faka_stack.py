"""FakaStack: composes one construct per capability."""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct, Node

from faka import resources
from faka.activation.escalation import parse_offsets
from faka.config import PaymentProvider, Settings
from infra.constructs.api import Api
from infra.constructs.console import Console
from infra.constructs.dashboard import KpiDashboard
from infra.constructs.domain import CustomDomain
from infra.constructs.email import Email
from infra.constructs.escalation import Escalation
from infra.constructs.functions import Functions, FunctionSettings
from infra.constructs.help_desk import HelpDesk
from infra.constructs.mail import SupportMail
from infra.constructs.messaging import Messaging
from infra.constructs.ratings import Ratings
from infra.constructs.refunds import Refunds
from infra.constructs.service_health import ServiceHealth
from infra.constructs.storage import Storage
from infra.constructs.tracing import TraceSampling
from infra.constructs.webhooks import StorefrontWebhooks

# The same choices the application validates at cold start; checked here so a typo fails the synth, not
# the first request after a deploy.
PAYMENT_PROVIDERS: tuple[str, ...] = typing.get_args(PaymentProvider)
# The functions' own defaults, which the context values of the same settings start from.
APP_DEFAULTS = Settings()
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
SES_IDENTITY_MODES = ("email", "none")


# Context values given with -c arrive as strings; cdk.json's keep their JSON types.
_CONVERSIONS: dict[str, Callable[[Any], Any]] = {
    "str": str,
    "int": int,
    "float": float,
    "bool": lambda value: str(value).lower() == "true",
}


@dataclass(frozen=True)
class DeploymentContext:
    """CDK context values (cdk.json, or ``-c key=value``), one field per key: ``context_key`` names it."""

    payment_provider: str = "stripe"
    sender_email: str = "shop@example.com"
    default_shop: str = "main"
    ses_identity: str = "email"
    api_rate_limit: float = 50
    api_burst_limit: int = 100
    # Lambda SnapStart for the functions behind API Gateway: a cold start resumes from a snapshot taken after their
    # imports instead of running them. Off by default: Lambda charges for keeping the snapshot (by memory, while the
    # version is in use) and for each resume, where a cold start is otherwise free.
    snap_start: bool = False
    log_level: str = "INFO"
    escalation_seconds: str = APP_DEFAULTS.escalation_seconds
    quiet_hours: str = APP_DEFAULTS.quiet_hours
    support_email: str = APP_DEFAULTS.support_email
    # Subscribed to the operator topic (alarms, held orders, SLA breaches); confirm the email SNS sends.
    alert_email: str = ""
    # SES has one active receipt rule set per account and region: a second stage there leaves the first one's.
    activate_inbound_mail: bool = True
    # A Route 53 public hosted zone of the deployer's (both or neither) and the name under it for the console;
    # the API gets api.<domainName>, SES the zone as a domain identity.
    hosted_zone_name: str = ""
    hosted_zone_id: str = ""
    domain_name: str = ""
    # Origins (comma-separated, or *) of storefronts hosted elsewhere that browsers may call the API from; the
    # console and order pages come from the stack's own distribution and need none.
    cors_origins: str = ""
    # Operators' reply drafts by a model on Amazon Bedrock (faka.support.drafts): "bedrock" turns them on and grants
    # the drafting function bedrock:InvokeModel on replyDraftModel alone; "off" (the default) grants nothing.
    reply_drafts: str = APP_DEFAULTS.reply_drafts
    reply_draft_model: str = APP_DEFAULTS.reply_draft_model
    reply_draft_send_at: str = APP_DEFAULTS.reply_draft_send_at

    @staticmethod
    def context_key(field_name: str) -> str:
        """``payment_provider`` -> ``paymentProvider``: the key in cdk.json or ``-c``."""
        first, *rest = field_name.split("_")
        return first + "".join(part.capitalize() for part in rest)

    @classmethod
    def context_keys(cls) -> tuple[str, ...]:
        """Every context key the app reads (the stage is read before the stack, by infra/app.py)."""
        from infra.app import STAGE_CONTEXT

        return (STAGE_CONTEXT, *(cls.context_key(field.name) for field in dataclasses.fields(cls)))

    @classmethod
    def from_node(cls, node: Node) -> DeploymentContext:
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            value = node.try_get_context(cls.context_key(field.name))
            if value is not None:
                values[field.name] = _CONVERSIONS[str(field.type)](value)
        context = cls(**values)
        context = dataclasses.replace(context, log_level=context.log_level.upper())
        context.validate()
        return context

    def validate(self) -> None:
        if self.payment_provider not in PAYMENT_PROVIDERS:
            raise ValueError(f"context paymentProvider={self.payment_provider!r}: expected one of {PAYMENT_PROVIDERS}")
        if self.ses_identity not in SES_IDENTITY_MODES:
            raise ValueError(f"context sesIdentity={self.ses_identity!r}: expected one of {SES_IDENTITY_MODES}")
        if self.log_level not in LOG_LEVELS:
            raise ValueError(f"context logLevel={self.log_level!r}: expected one of {LOG_LEVELS}")
        local, _, domain = self.sender_email.partition("@")
        if not local or "." not in domain:
            raise ValueError(f"context senderEmail={self.sender_email!r} is not an email address")
        if self.alert_email and "@" not in self.alert_email:
            raise ValueError(f"context alertEmail={self.alert_email!r} is not an email address")
        if bool(self.hosted_zone_name) != bool(self.hosted_zone_id):
            raise ValueError("context hostedZoneName and hostedZoneId go together: the zone's name and its id")
        if self.domain_name and not (
            self.hosted_zone_name
            and (self.domain_name == self.hosted_zone_name or self.domain_name.endswith(f".{self.hosted_zone_name}"))
        ):
            raise ValueError(f"context domainName={self.domain_name!r} must be in hostedZoneName's zone")
        origins = [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]
        if not all(re.fullmatch(r"\*|https?://[^/\s]+", origin) for origin in origins):
            raise ValueError(
                f"context corsOrigins={self.cors_origins!r}: expected * or origins like https://shop.example, "
                "comma-separated, without paths"
            )
        if self.api_rate_limit <= 0 or self.api_burst_limit <= 0:
            raise ValueError("context apiRateLimit and apiBurstLimit must be positive")
        # The functions' own settings validation, so a value they would refuse at cold start fails here.
        try:
            parse_offsets(Settings(escalation_seconds=self.escalation_seconds).escalation_seconds)
        except ValueError as error:
            raise ValueError(
                f"context escalationSeconds={self.escalation_seconds!r}: expected three increasing delays in seconds"
            ) from error
        try:
            Settings(quiet_hours=self.quiet_hours)
        except ValueError as error:
            raise ValueError(f"context quietHours={self.quiet_hours!r}: expected 'HH-HH' or 'off'") from error
        try:
            drafts = {"reply_drafts": self.reply_drafts, "reply_draft_send_at": self.reply_draft_send_at}
            Settings.from_strings(drafts)
        except ValueError as error:
            raise ValueError(
                f"context replyDrafts={self.reply_drafts!r}, replyDraftSendAt={self.reply_draft_send_at!r}: expected "
                "'bedrock' or 'off', and a confidence from 0 to 1 or 'off'"
            ) from error
        if not re.fullmatch(r"[a-z0-9-]+\.[A-Za-z0-9._:-]+", self.reply_draft_model):
            raise ValueError(f"context replyDraftModel={self.reply_draft_model!r}: expected a Bedrock model id")


class FakaStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, layer_dir: Path, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        context = DeploymentContext.from_node(self.node)

        self.storage = Storage(self, "Storage")
        self.messaging = Messaging(self, "Messaging")
        if context.alert_email:
            self.messaging.operator_topic.add_subscription(subscriptions.EmailSubscription(context.alert_email))
        self.email = Email(
            self,
            "Email",
            sender_email=context.sender_email,
            create_identity=context.ses_identity != "none",
            events_queue=self.messaging.queues[resources.MAIL_EVENTS_QUEUE.name],
        )
        self.functions = Functions(
            self,
            "Functions",
            layer_dir=layer_dir,
            settings=FunctionSettings(
                payment_provider=context.payment_provider,
                sender_email=context.sender_email,
                default_shop=context.default_shop,
                log_level=context.log_level,
                escalation_seconds=context.escalation_seconds,
                quiet_hours=context.quiet_hours,
                reply_drafts=context.reply_drafts,
                reply_draft_model=context.reply_draft_model,
                reply_draft_send_at=context.reply_draft_send_at,
                snap_start=context.snap_start,
            ),
            storage=self.storage,
            messaging=self.messaging,
            email=self.email,
        )
        self.api = Api(
            self,
            "Api",
            functions=self.functions.functions,
            invoked=self.functions.invoked_by_api,
            rate_limit=context.api_rate_limit,
            burst_limit=context.api_burst_limit,
            cors_origins=context.cors_origins,
        )
        self.functions.set_public_base_url(self.api.base_url)
        self.storage.grant_exports(self.functions.functions[resources.API_FUNCTION.name])
        self.support_mail = SupportMail(
            self,
            "SupportMail",
            support_email=context.support_email,
            messaging=self.messaging,
            activate_rule_set=context.activate_inbound_mail,
            consumer=self.functions.functions[resources.INBOUND_EMAIL_FUNCTION.name],
            readers=[self.functions.functions[resources.API_FUNCTION.name]],
        )
        self.escalation = Escalation(
            self,
            "Escalation",
            storage=self.storage,
            messaging=self.messaging,
            starter=self.functions.functions[resources.ESCALATION_FUNCTION.name],
            schedulers=[
                self.functions.functions[spec.name] for spec in resources.FUNCTIONS if spec.access.schedules_escalations
            ],
        )
        functions = self.functions.functions
        self.refunds = Refunds(
            self,
            "Refunds",
            tasks=functions[resources.REFUNDS_FUNCTION.name],
            starters=[functions[spec.name] for spec in resources.FUNCTIONS if spec.access.starts_refund_reviews],
            deciders=[functions[resources.API_FUNCTION.name]],
            reconcile=functions[resources.RECONCILE_FUNCTION.name],
        )
        self.help_desk = HelpDesk(self, "HelpDesk", sweeper=functions[resources.TICKET_SLA_FUNCTION.name])
        self.trace_sampling = TraceSampling(self, "TraceSampling")
        self.console = Console(
            self, "Console", api=self.api.rest_api, origin_verify=self.storage.secrets[resources.ORIGIN_VERIFY_SECRET]
        )
        # Operators signed in to the console act through the API with their Cognito access token.
        self.console.admit_operators_to(functions[resources.API_FUNCTION.name])
        self.kpi_dashboard = KpiDashboard(self, "KpiDashboard", alarm_topic=self.messaging.operator_topic)
        self.ratings = Ratings(
            self,
            "Ratings",
            spec=resources.RATINGS_STREAM,
            table=self.storage.tables[resources.RATINGS_TABLE],
            consumer=functions[resources.RATING_AGGREGATES_FUNCTION.name],
            alarm_topic=self.messaging.operator_topic,
        )
        self.webhooks = StorefrontWebhooks(self, "Webhooks", messaging=self.messaging, functions=functions)
        self.service_health = ServiceHealth(
            self,
            "ServiceHealth",
            alarm_topic=self.messaging.operator_topic,
            dashboard=self.kpi_dashboard.dashboard,
            functions=functions,
            api=self.api.rest_api,
            state_machines={
                resources.ACTIVATION_ESCALATION.name: self.escalation.state_machine,
                resources.REFUND_REVIEW.name: self.refunds.state_machine,
            },
            tables={**self.storage.tables, resources.IDEMPOTENCY_TABLE: self.storage.idempotency_table},
            dead_letter_queues=[
                *(work_queue.dead_letter_queue for work_queue in self.messaging.queues.values()),
                self.ratings.dead_letters,
                self.escalation.due_dead_letters,
            ],
        )
        if context.hosted_zone_name:
            self.custom_domain = CustomDomain(
                self,
                "CustomDomain",
                zone_name=context.hosted_zone_name,
                zone_id=context.hosted_zone_id,
                domain_name=context.domain_name or context.hosted_zone_name,
                rest_api=self.api.rest_api,
                distribution=self.console.distribution,
                configuration_set=self.email.configuration_set,
                support_email=context.support_email,
            )
