"""The layers and one Lambda function per FunctionSpec, with exactly the access its spec declares and the layers
of exactly the libraries it calls (FunctionSpec.libraries)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aws_cdk import CfnElement, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from constructs import Construct

from faka import resources
from faka.config import SECRET_ID_SETTINGS, Env, env_name
from faka.observability import TRACE_DISABLED_VARIABLE
from faka.resources import FunctionSpec
from infra.constructs.email import Email
from infra.constructs.messaging import Messaging
from infra.constructs.naming import logical_id
from infra.constructs.storage import Storage
from infra.layer_build import BASE_LAYER
from infra.nag import acknowledge

FUNCTIONS_DIR = Path(__file__).resolve().parents[2] / "functions"

LAYER_DESCRIPTION = "faka domain package, the third-party dependencies every function uses and the email templates"
RUNTIME = lambda_.Runtime.PYTHON_3_13
ARCHITECTURE = lambda_.Architecture.ARM_64
LOG_RETENTION = logs.RetentionDays.ONE_MONTH
# The one statement on '*' every function has.
_TRACING_ACTIONS = "xray:PutTraceSegments and xray:PutTelemetryRecords (added by active tracing)"


@dataclass(frozen=True)
class FunctionSettings:
    """Deployment choices read from CDK context; they become the functions' FAKA_* environment."""

    payment_provider: str
    sender_email: str
    default_shop: str
    log_level: str
    escalation_seconds: str
    quiet_hours: str
    # Reply drafts (faka.support.drafts): set only on the functions that draft (Access.drafts_replies).
    reply_drafts: str = "off"
    reply_draft_model: str = ""
    reply_draft_send_at: str = ""
    # SnapStart on the functions of resources.API_FUNCTIONS, which API Gateway then invokes through a "live" alias.
    snap_start: bool = False


class Functions(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        layer_dir: Path,
        settings: FunctionSettings,
        storage: Storage,
        messaging: Messaging,
        email: Email,
    ) -> None:
        """``layer_dir`` holds a directory per layer (infra/layer_build.py): the base one, one per separate library."""
        super().__init__(scope, construct_id)

        self.layers = {
            BASE_LAYER: self._layer("FakaLayer", layer_dir / BASE_LAYER, LAYER_DESCRIPTION),
            **{
                library: self._layer(
                    f"{logical_id(library)}Layer", layer_dir / library, library_layer_description(library)
                )
                for library in resources.SEPARATE_LIBRARIES
            },
        }

        environment = {
            "POWERTOOLS_SERVICE_NAME": "faka",
            "POWERTOOLS_METRICS_NAMESPACE": "faka",
            "LOG_LEVEL": settings.log_level,
            # Traced by Lambda's own segments (active tracing) without the X-Ray SDK's cold-start cost
            # (faka.observability); false on a function gives it the SDK's per-call subsegments.
            TRACE_DISABLED_VARIABLE: "true",
            # Every physical name the code uses derives from the stage (faka.resources).
            resources.STAGE_VARIABLE: resources.STAGE,
            Env.OPERATOR_TOPIC_ARN: messaging.operator_topic.topic_arn,
            Env.PAYMENT_PROVIDER: settings.payment_provider,
            Env.SENDER_EMAIL: settings.sender_email,
            Env.DEFAULT_SHOP: settings.default_shop,
            Env.ESCALATION_SECONDS: settings.escalation_seconds,
            Env.QUIET_HOURS: settings.quiet_hours,
        }

        self.functions: dict[str, lambda_.Function] = {}
        for spec in resources.FUNCTIONS:
            function = self._function(
                spec,
                {**environment, **_secret_ids(spec, storage), **_drafts(spec, settings)},
                snap_start=settings.snap_start and spec in resources.API_FUNCTIONS,
            )
            self._grant(function, spec, storage, messaging, email)
            if _drafts(spec, settings):
                # Converse is authorised as InvokeModel, on the one model the deployment drafts with.
                model = Stack.of(self).format_arn(
                    service="bedrock", account="", resource="foundation-model", resource_name=settings.reply_draft_model
                )
                function.add_to_role_policy(iam.PolicyStatement(actions=["bedrock:InvokeModel"], resources=[model]))
            self.functions[spec.name] = function
        self.invoked_by_api: dict[str, lambda_.IFunction] = {
            spec.name: self._live_alias(self.functions[spec.name]) if settings.snap_start else self.functions[spec.name]
            for spec in resources.API_FUNCTIONS
        }

        acknowledge(
            self,
            "AwsSolutions-L1",
            "Python 3.13 is pinned on purpose: the layer's compiled wheels (pydantic-core, cryptography) are "
            "fetched for cp313 and the test suites run on 3.13; a newer runtime is a deliberate upgrade of both.",
        )

        for work_queue in messaging.queues.values():
            self.functions[work_queue.spec.consumer.name].add_event_source(
                event_sources.SqsEventSource(
                    work_queue.queue,
                    batch_size=work_queue.spec.batch_size,
                    # The handlers use Powertools' BatchProcessor: only the failed records are retried.
                    report_batch_item_failures=True,
                )
            )

        # Activation reminders: the outreach policy reads the account's sending statistics.
        self.functions[resources.NOTIFIER_FUNCTION.name].add_to_role_policy(
            iam.PolicyStatement(actions=["ses:GetSendStatistics"], resources=["*"])
        )

    def _grant(
        self, function: lambda_.Function, spec: FunctionSpec, storage: Storage, messaging: Messaging, email: Email
    ) -> None:
        """Exactly what the spec declares (FunctionSpec.access), and nothing every function gets by default."""
        access = spec.access
        for name in access.writes:
            storage.table(name).grant_read_write_data(function)
        for name in access.reads:
            storage.table(name).grant_read_data(function)
        for name in access.secrets:
            storage.secrets[name].grant_read(function)
        # Exactly the calls envelope encryption makes: GenerateDataKey to seal, Decrypt to open.
        for alias in access.seals:
            storage.kms_keys[alias].grant(function, "kms:GenerateDataKey")
        for alias in access.opens:
            storage.kms_keys[alias].grant(function, "kms:Decrypt")
        for queue in access.sends_to:
            messaging.queues[queue].queue.grant_send_messages(function)
        if access.publishes_events:
            messaging.bus.grant_put_events_to(function)
        if access.alerts_operators:
            messaging.operator_topic.grant_publish(function)
        if access.sends_email:
            function.add_to_role_policy(
                iam.PolicyStatement(actions=["ses:SendEmail"], resources=email.send_resource_arns())
            )
        account_wide = _TRACING_ACTIONS
        if spec is resources.NOTIFIER_FUNCTION:
            account_wide += (
                ", and ses:GetSendStatistics (the reminders' circuit breaker reads bounce and complaint rates)"
            )
        self._acknowledge_grant_wildcards(function, spec, storage, account_wide)

    def set_public_base_url(self, url: str) -> None:
        """Set after the API exists: the API is built from the api function, so the URL cannot be known first."""
        for function in self.functions.values():
            function.add_environment(Env.PUBLIC_BASE_URL, url)

    def _acknowledge_grant_wildcards(
        self, function: lambda_.Function, spec: FunctionSpec, storage: Storage, account_wide: str
    ) -> None:
        role = function.role
        assert role is not None
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            f"Only {account_wide}: these actions have no resource-level permissions, so '*' is the only possible "
            "resource.",
        )
        if spec.access.alerts_operators:
            acknowledge(
                role,
                "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
                "From topic.grant_publish: publishing to the KMS-encrypted operator topic needs kms:GenerateDataKey*, "
                "and the statement is limited to that topic's own key.",
            )
        stack = Stack.of(self)
        for table_name, table in storage.indexed_tables.items():
            if table_name not in spec.access.tables:
                continue
            cfn_table = table.node.default_child
            assert isinstance(cfn_table, CfnElement)
            acknowledge(
                role,
                f"AwsSolutions-IAM5[Resource::<{stack.resolve(cfn_table.logical_id)}.Arn>/index/*]",
                f"From the grant on {table_name}: Query on the table's own global secondary indexes "
                "(index ARNs are <table arn>/index/<name>); the wildcard cannot reach another table.",
            )

    def _layer(self, construct_id: str, directory: Path, description: str) -> lambda_.LayerVersion:
        return lambda_.LayerVersion(
            self,
            construct_id,
            code=lambda_.Code.from_asset(str(directory)),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description=description,
        )

    @staticmethod
    def _live_alias(function: lambda_.Function) -> lambda_.Alias:
        """A published version of the function (SnapStart snapshots only those) and the alias that points at it.

        The code is resilient to a snapshot resumed many times over: no connection is opened and no secret fetched
        at import, and what must be unique (keys' shards, nonces, ids) is drawn from the system's randomness when
        used, never from a generator seeded at import.
        """
        # A deploy publishes a new version; the one before it goes, so its snapshot is not kept (and charged).
        version = function.current_version
        version.apply_removal_policy(RemovalPolicy.DESTROY)
        return lambda_.Alias(function, "Live", alias_name="live", version=version)

    def _function(self, spec: FunctionSpec, environment: dict[str, str], *, snap_start: bool) -> lambda_.Function:
        construct_id = logical_id(spec.physical_name)
        log_group = logs.LogGroup(
            self,
            f"{construct_id}Logs",
            log_group_name=f"/aws/lambda/{spec.physical_name}",
            retention=LOG_RETENTION,
            # Orders and deliveries are recorded in DynamoDB; logs are for debugging and may go with the stack.
            removal_policy=RemovalPolicy.DESTROY,
        )
        # An explicit role instead of the AWSLambdaBasicExecutionRole managed policy: that one may write to
        # any log group in the account, this one only to the function's own.
        role = iam.Role(
            self,
            f"{construct_id}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Execution role of {spec.physical_name}",
        )
        log_group.grant_write(role)
        return lambda_.Function(
            self,
            construct_id,
            function_name=spec.physical_name,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            # Its own handler package (functions/<name>/) and the api package if it serves routes of it, rooted where
            # the handler path expects them.
            code=lambda_.Code.from_asset(str(FUNCTIONS_DIR), exclude=_other_functions(spec)),
            handler=spec.handler,
            memory_size=spec.memory_mb,
            timeout=Duration.seconds(spec.timeout_seconds),
            tracing=lambda_.Tracing.ACTIVE,
            layers=[self.layers[name] for name in (BASE_LAYER, *spec.libraries)],
            environment=environment,
            log_group=log_group,
            role=role,
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if snap_start else None,
        )


def _drafts(spec: FunctionSpec, settings: FunctionSettings) -> dict[str, str]:
    """The reply-draft environment of a function that drafts, where the deployment turns drafts on; else none."""
    if not spec.access.drafts_replies or settings.reply_drafts == "off":
        return {}
    return {
        Env.REPLY_DRAFTS: settings.reply_drafts,
        Env.REPLY_DRAFT_MODEL: settings.reply_draft_model,
        Env.REPLY_DRAFT_SEND_AT: settings.reply_draft_send_at,
    }


def _secret_ids(spec: FunctionSpec, storage: Storage) -> dict[str, str]:
    """The Secrets Manager ids a function resolves its secrets by: only those of the secrets it may read."""
    return {
        env_name(setting): storage.secrets[secret].secret_arn
        for setting, secret in SECRET_ID_SETTINGS.items()
        if secret in spec.access.secrets
    }


def library_layer_description(library: str) -> str:
    return f"{library} and what it needs beyond the faka layer, for the functions that call it"


def handler_packages(spec: FunctionSpec) -> tuple[str, ...]:
    """The packages of functions/ a function ships: its own, and for a function API Gateway sends some paths to
    (resources.API_ROUTES) the api package too, whose route modules and shared answers (api.gateway) it serves."""
    if spec in resources.API_FUNCTIONS and spec is not resources.API_FUNCTION:
        return (resources.API_FUNCTION.name, spec.name)
    return (spec.name,)


def _other_functions(spec: FunctionSpec) -> list[str]:
    shipped = handler_packages(spec)
    return [other.name for other in resources.FUNCTIONS if other.name not in shipped] + ["**/__pycache__", "**/*.pyc"]
