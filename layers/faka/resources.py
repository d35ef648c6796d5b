"""Every AWS resource faka uses, named once.

CDK (``infra/``) creates exactly these resources and the local runtime (``local/``) emulates them,
so a rename here is the only edit a rename needs. Handlers never see these constants: they get the
names through the environment variables listed in :mod:`faka.config`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

# The deployment stage (``cdk deploy -c stage=NAME``): CDK sets it on every function, so each finds its own stage's
# resources. Every physical name below derives from it, so two stages share one account and region; the default
# stage ("") keeps the bare ``faka-`` names of the first deployments.
STAGE_VARIABLE = "FAKA_STAGE"
STAGE = os.environ.get(STAGE_VARIABLE, "")
# Short enough that the longest derived name (the mail bucket, with account and region appended) stays within S3's 63.
_STAGE_PATTERN = re.compile(r"[a-z][a-z0-9]{0,15}")
if STAGE and not _STAGE_PATTERN.fullmatch(STAGE):
    raise ValueError(f"stage {STAGE!r}: expected 1 to 16 lower-case letters or digits, starting with a letter")
PREFIX = f"faka-{STAGE}" if STAGE else "faka"

CATALOG_TABLE = f"{PREFIX}-catalog"
KEYS_TABLE = f"{PREFIX}-keys"
ORDERS_TABLE = f"{PREFIX}-orders"
IDEMPOTENCY_TABLE = f"{PREFIX}-idempotency"

OUTREACH_TABLE = f"{PREFIX}-outreach"
TICKETS_TABLE = f"{PREFIX}-tickets"
# Refunds, chargebacks, and the sandbox payment provider's own ledger.
REFUNDS_TABLE = f"{PREFIX}-refunds"
# Storefronts' webhook subscriptions and each delivery of an event to one of them.
WEBHOOKS_TABLE = f"{PREFIX}-webhooks"
# Buyers' ratings, one item per order; its stream feeds the rating aggregates.
RATINGS_TABLE = f"{PREFIX}-ratings"
# The platform's double-entry ledger: what each shop is owed, the platform's commission, who bore each refund.
LEDGER_TABLE = f"{PREFIX}-ledger"

EVENT_BUS = f"{PREFIX}-bus"
EVENT_SOURCE = "faka"
OPERATOR_TOPIC = f"{PREFIX}-operators"
# Every email goes through this SES configuration set, which publishes what happened to it to the topic.
MAIL_CONFIGURATION_SET = f"{PREFIX}-mail"
MAIL_EVENTS_TOPIC = f"{PREFIX}-mail-events"
# SES event types (as they appear in an event's ``eventType``) the configuration set publishes.
MAIL_EVENT_TYPES = ("Send", "Delivery", "Bounce", "Complaint", "Open", "Click", "Reject")
# Bucket names are global: on AWS the account and region are appended (see infra), locally this name is used.
MAIL_BUCKET = f"{PREFIX}-mail"
INBOUND_MAIL_PREFIX = "inbound/"
ATTACHMENTS_PREFIX = "attachments/"


@dataclass(frozen=True)
class BucketSpec:
    """An S3 bucket faka writes to: on AWS ``<physical_name>-<account>-<region>``, locally ``physical_name``."""

    name: str
    # Its lifecycle rule: each object is deleted this many days after it was written.
    expiration_days: int

    @property
    def physical_name(self) -> str:
        return f"{PREFIX}-{self.name}"


# Order exports too large to answer inline (faka.sales.order_search), each fetched through a presigned URL; only the
# api function writes and reads them.
EXPORTS_BUCKET = BucketSpec("exports", expiration_days=1)

KMS_KEY_ALIAS = f"alias/{PREFIX}-keys"
# Storefronts' webhook signing secrets are sealed under a key of their own: the function that calls
# operator-chosen URLs opens those, and can never open a card key.
WEBHOOK_SECRETS_KEY_ALIAS = f"alias/{PREFIX}-webhook-secrets"
HASH_PEPPER_SECRET = f"{PREFIX}/key-hash-pepper"
ADMIN_TOKEN_SECRET = f"{PREFIX}/admin-token"
STRIPE_WEBHOOK_SECRET = f"{PREFIX}/stripe-webhook-secret"
STRIPE_API_KEY_SECRET = f"{PREFIX}/stripe-api-key"
SIGNING_SECRET = f"{PREFIX}/signing-secret"
# CloudFront sends this secret to the API in ORIGIN_VERIFY_HEADER: proof that a request came through the distribution.
ORIGIN_VERIFY_SECRET = f"{PREFIX}/origin-verify"
ORIGIN_VERIFY_HEADER = "X-Faka-Origin-Verify"
# Signs the links in buyer emails; never handed to a supplier or shop, unlike the callback secrets.
LINK_SIGNING_SECRET = f"{PREFIX}/link-signing-secret"


@dataclass(frozen=True)
class Access:
    """What a function's code touches, which is all its role may touch: CDK grants exactly this.

    Read off the function's code paths (handler → wiring services → domain → table models);
    tests/infra/test_function_access.py checks it against what the code can reach.
    """

    # Tables read and written, and tables only read: every table its code can reach is one or the other.
    writes: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    # Every secret resolved while building the services it uses, even one its paths never use: building a service
    # (the tickets' playbooks hold the payment provider, say) fails without it.
    secrets: tuple[str, ...] = ()
    # KMS keys (aliases) it opens sealed values with (kms:Decrypt), and seals new ones with (kms:GenerateDataKey).
    opens: tuple[str, ...] = ()
    seals: tuple[str, ...] = ()
    # Queues (QueueSpec.name) it sends messages to.
    sends_to: tuple[str, ...] = ()
    publishes_events: bool = False
    alerts_operators: bool = False
    sends_email: bool = False
    # Starts the refund review workflow (a refund asked for through the API or a ticket's playbook).
    starts_refund_reviews: bool = False
    # Creates the activation escalation's one-time schedules (ACTIVATION_DUE_SCHEDULE_GROUP: orders' first levels,
    # reminders held past quiet hours), passing them the role that lets them send to the escalation and notifier queues.
    schedules_escalations: bool = False
    # Asks the deployment's reply-draft model on Amazon Bedrock (Converse) for operators' reply drafts: granted
    # bedrock:InvokeModel on that one model, and only where the deployment turns drafts on (context replyDrafts).
    drafts_replies: bool = False

    @property
    def tables(self) -> tuple[str, ...]:
        return (*self.writes, *self.reads)


# Third-party libraries (by requirement name) only some functions call, each shipped in a layer of its own to
# those functions; every other runtime dependency is in the base layer all functions have (infra/layer_build.py).
STRIPE_LIBRARY = "stripe"
CRYPTOGRAPHY_LIBRARY = "cryptography"
SEPARATE_LIBRARIES = (STRIPE_LIBRARY, CRYPTOGRAPHY_LIBRARY)


@dataclass(frozen=True)
class FunctionSpec:
    """A Lambda function: its code lives in ``functions/<name>/handler.py``."""

    name: str
    memory_mb: int = 512
    timeout_seconds: int = 30
    access: Access = Access()

    @property
    def physical_name(self) -> str:
        return f"{PREFIX}-{self.name}"

    @property
    def handler(self) -> str:
        return f"{self.name}.handler.lambda_handler"

    @property
    def module(self) -> str:
        return f"{self.name}.handler"

    @property
    def libraries(self) -> tuple[str, ...]:
        """The separate libraries its code calls, read off its access: the Stripe SDK where a Stripe secret is
        resolved (its API client, its webhook signature check), cryptography where envelope encryption opens or
        seals (AES-GCM under a KMS data key), which also covers the Alipay and WeChat Pay signatures: they are made
        with a shop's sealed credentials, so only a function that opens can make them."""
        libraries: list[str] = []
        if {STRIPE_API_KEY_SECRET, STRIPE_WEBHOOK_SECRET} & set(self.access.secrets):
            libraries.append(STRIPE_LIBRARY)
        if self.access.opens or self.access.seals:
            libraries.append(CRYPTOGRAPHY_LIBRARY)
        return tuple(libraries)


class _WithDeadLetters:
    """A source of work with a dead-letter queue for what keeps failing; both named after it."""

    name: str

    @property
    def physical_name(self) -> str:
        return f"{PREFIX}-{self.name}"

    @property
    def dlq_physical_name(self) -> str:
        return f"{PREFIX}-{self.name}-dlq"


@dataclass(frozen=True)
class QueueSpec(_WithDeadLetters):
    """An SQS queue drained by one function, with a dead-letter queue behind it."""

    name: str
    consumer: FunctionSpec
    batch_size: int = 10
    max_receive_count: int = 5
    visibility_timeout_seconds: int = 180


@dataclass(frozen=True)
class RuleSpec:
    """An EventBridge rule on the faka bus sending the listed detail-types to a queue."""

    name: str
    detail_types: tuple[str, ...]
    target: QueueSpec

    @property
    def physical_name(self) -> str:
        return f"{PREFIX}-{self.name}"

    @property
    def event_pattern(self) -> dict[str, list[str]]:
        return {"source": [EVENT_SOURCE], "detail-type": list(self.detail_types)}


_DOMAIN_TABLES = (
    CATALOG_TABLE,
    KEYS_TABLE,
    ORDERS_TABLE,
    OUTREACH_TABLE,
    TICKETS_TABLE,
    REFUNDS_TABLE,
    WEBHOOKS_TABLE,
    RATINGS_TABLE,
    LEDGER_TABLE,
)
# Opens ticket cases (Tickets.open_once) and nothing more of the help desk: tickets, and its counters.
_OPENS_TICKETS = (TICKETS_TABLE, OUTREACH_TABLE)
# An operator alert reads the shop's alert channels and queues one webhook delivery per channel
# (faka.platform.alert_channels): every function alerting the operators writes these and sends to this queue.
_ALERT_CHANNELS = (WEBHOOKS_TABLE,)
_ALERT_DELIVERIES = "webhook-deliveries"
# A payment found, fulfilled or paid back outside the api (a provider's notification, a buyer's email): issuance's
# tables, the case a double charge or a dispute opens, the refund, the idempotency record and the alert channels.
_SETTLES_PAYMENTS = (
    CATALOG_TABLE,
    KEYS_TABLE,
    ORDERS_TABLE,
    *_OPENS_TICKETS,
    REFUNDS_TABLE,
    IDEMPOTENCY_TABLE,
    *_ALERT_CHANNELS,
)

# Storefront, operators, checkout, tickets, supplier callbacks (every path but the payment notifications'): every
# table, and the only function importing keys and creating webhook subscriptions (sealing both), and opening delivered
# keys for the buyer's order page.
API_FUNCTION = FunctionSpec(
    "api",
    memory_mb=1024,
    timeout_seconds=29,
    access=Access(
        writes=(*_DOMAIN_TABLES, IDEMPOTENCY_TABLE),
        secrets=(
            HASH_PEPPER_SECRET,
            ADMIN_TOKEN_SECRET,
            STRIPE_API_KEY_SECRET,
            SIGNING_SECRET,
            LINK_SIGNING_SECRET,
            ORIGIN_VERIFY_SECRET,
        ),
        opens=(KMS_KEY_ALIAS,),
        seals=(KMS_KEY_ALIAS, WEBHOOK_SECRETS_KEY_ALIAS),
        sends_to=("webhook-deliveries",),
        publishes_events=True,
        alerts_operators=True,
        sends_email=True,
        starts_refund_reviews=True,
        drafts_replies=True,
    ),
)
# The payment providers' notifications (Stripe, Alipay, WeChat Pay), API Gateway's /v1/webhooks/ (API_ROUTES): fulfils
# the paid order, records disputes, refunds and failed payments Stripe reports and refunds a double charge; verifies
# Alipay and WeChat Pay notifications with the shop's sealed credentials (opened), and records WeChat Pay's refund
# outcomes. As fast as the api to start after idle (CPU grows with memory), and bound by API Gateway's 29 s too.
PAYMENT_NOTIFICATIONS_FUNCTION = FunctionSpec(
    "payment_notifications",
    memory_mb=1024,
    timeout_seconds=29,
    access=Access(
        writes=_SETTLES_PAYMENTS,
        secrets=(HASH_PEPPER_SECRET, STRIPE_WEBHOOK_SECRET, STRIPE_API_KEY_SECRET),
        opens=(KMS_KEY_ALIAS,),
        sends_to=(_ALERT_DELIVERIES,),
        publishes_events=True,
        alerts_operators=True,
    ),
)
# Delivery emails (keys opened for the buyer), awaiting-stock and flagged notices, activation reminders (which may
# open a ticket, and wait out quiet hours on their own queue or in a one-time schedule), refund emails (reads the
# refund).
NOTIFIER_FUNCTION = FunctionSpec(
    "notifier",
    timeout_seconds=60,
    access=Access(
        writes=(ORDERS_TABLE, *_OPENS_TICKETS, IDEMPOTENCY_TABLE, *_ALERT_CHANNELS),
        reads=(CATALOG_TABLE, KEYS_TABLE, REFUNDS_TABLE),
        secrets=(HASH_PEPPER_SECRET, STRIPE_API_KEY_SECRET, LINK_SIGNING_SECRET),
        opens=(KMS_KEY_ALIAS,),
        sends_to=("notifier", _ALERT_DELIVERIES),
        publishes_events=True,
        alerts_operators=True,
        sends_email=True,
        schedules_escalations=True,
    ),
)
# Fulfils the orders waiting for a restocked product: claims keys (still sealed) onto their lines.
RESTOCK_FUNCTION = FunctionSpec(
    "restock",
    timeout_seconds=120,
    access=Access(
        writes=(CATALOG_TABLE, KEYS_TABLE, ORDERS_TABLE), secrets=(HASH_PEPPER_SECRET,), publishes_events=True
    ),
)
# Schedules an order's first escalation level and counts the delivery; when that schedule fires, reads the order
# and starts its activation escalation workflow (granted by its construct) only if keys still wait for activation.
ESCALATION_FUNCTION = FunctionSpec(
    "escalation",
    memory_mb=256,
    timeout_seconds=30,
    access=Access(writes=(OUTREACH_TABLE, IDEMPOTENCY_TABLE), reads=(ORDERS_TABLE,), schedules_escalations=True),
)
# Buyers' emails to support: tickets whose playbooks may resend a delivery (opening its keys), find a payment at
# Stripe and fulfil it, refund a double charge, or ask for a refund (starting its review).
INBOUND_EMAIL_FUNCTION = FunctionSpec(
    "inbound_email",
    timeout_seconds=60,
    access=Access(
        writes=_SETTLES_PAYMENTS,
        secrets=(HASH_PEPPER_SECRET, STRIPE_API_KEY_SECRET, LINK_SIGNING_SECRET),
        opens=(KMS_KEY_ALIAS,),
        sends_to=(_ALERT_DELIVERIES,),
        publishes_events=True,
        alerts_operators=True,
        sends_email=True,
        starts_refund_reviews=True,
    ),
)
# The refund review's Lambda tasks, one function dispatching on the task name: decides, pays back through the
# order's provider (Stripe, or Alipay / WeChat Pay with the shop's sealed credentials, opened), revokes the
# refunded keys (without opening them), opens a case for the operators.
REFUNDS_FUNCTION = FunctionSpec(
    "refunds",
    memory_mb=512,
    timeout_seconds=30,
    access=Access(
        writes=(KEYS_TABLE, ORDERS_TABLE, REFUNDS_TABLE, *_OPENS_TICKETS, *_ALERT_CHANNELS),
        reads=(CATALOG_TABLE,),
        secrets=(HASH_PEPPER_SECRET, STRIPE_API_KEY_SECRET),
        opens=(KMS_KEY_ALIAS,),
        sends_to=(_ALERT_DELIVERIES,),
        publishes_events=True,
        alerts_operators=True,
    ),
)
# Asks each order's payment provider about unpaid orders and fulfils the paid ones (the sandbox provider's ledger is
# read), closes expired Alipay and WeChat Pay trades with the shop's sealed credentials (opened), and watches shops'
# TRON wallets, recording each transfer once (idempotency) and where it got to (catalog). Refunds the orders waiting
# for stock too long (faka.money.backorders): opens their refunds and starts their reviews.
RECONCILE_FUNCTION = FunctionSpec(
    "reconcile",
    timeout_seconds=60,
    access=Access(
        writes=(
            CATALOG_TABLE,
            KEYS_TABLE,
            ORDERS_TABLE,
            IDEMPOTENCY_TABLE,
            REFUNDS_TABLE,
            *_OPENS_TICKETS,
            *_ALERT_CHANNELS,
        ),
        secrets=(HASH_PEPPER_SECRET, STRIPE_API_KEY_SECRET),
        opens=(KMS_KEY_ALIAS,),
        sends_to=(_ALERT_DELIVERIES,),
        publishes_events=True,
        alerts_operators=True,
        starts_refund_reviews=True,
    ),
)
# Records what SES says happened to each email (SNS → SQS → here): chargeback evidence, ticket playbooks.
MAIL_EVENTS_FUNCTION = FunctionSpec(
    "mail_events", memory_mb=256, timeout_seconds=30, access=Access(writes=(OUTREACH_TABLE,))
)
# Sweeps the help desk's SLA clocks: first-response breaches, escalation alerts and priority bumps. Its help desk
# masks buyer text, recognising quoted codes by their keyed fingerprint (the pepper) among the order's keys.
TICKET_SLA_FUNCTION = FunctionSpec(
    "ticket_sla",
    memory_mb=256,
    timeout_seconds=60,
    access=Access(
        writes=(*_OPENS_TICKETS, *_ALERT_CHANNELS),
        reads=(CATALOG_TABLE, KEYS_TABLE, ORDERS_TABLE),
        secrets=(HASH_PEPPER_SECRET,),
        sends_to=(_ALERT_DELIVERIES,),
        publishes_events=True,
        alerts_operators=True,
    ),
)
# Projects domain events into daily KPI counters and watches key batches' health (faka.insight.kpis, batch_health):
# quarantines a batch, tells its supplier and the buyers holding its keys by email; enters money events in the ledger.
KPIS_FUNCTION = FunctionSpec(
    "kpis",
    memory_mb=256,
    timeout_seconds=60,
    access=Access(
        writes=(CATALOG_TABLE, OUTREACH_TABLE, IDEMPOTENCY_TABLE, *_ALERT_CHANNELS, LEDGER_TABLE),
        reads=(KEYS_TABLE, ORDERS_TABLE, TICKETS_TABLE),
        # The link secret signs the order-page link in the emails to the buyers holding a quarantined batch's keys.
        secrets=(HASH_PEPPER_SECRET, LINK_SIGNING_SECRET),
        sends_to=(_ALERT_DELIVERIES,),
        publishes_events=True,
        alerts_operators=True,
        sends_email=True,
    ),
)
# Outbound webhooks: a delivery record per subscription an event matches, then each delivery POSTed (internet
# egress). Neither sees a card key: the sender opens only webhook signing secrets, under their own KMS key.
WEBHOOK_FANOUT_FUNCTION = FunctionSpec(
    "webhook_fanout",
    memory_mb=256,
    timeout_seconds=30,
    access=Access(writes=(WEBHOOKS_TABLE,), sends_to=("webhook-deliveries",)),
)
WEBHOOK_DELIVERY_FUNCTION = FunctionSpec(
    "webhook_delivery",
    memory_mb=256,
    timeout_seconds=60,
    # Emails too: an alert channel of kind email is delivered through SES.
    access=Access(
        writes=(WEBHOOKS_TABLE,),
        opens=(WEBHOOK_SECRETS_KEY_ALIAS,),
        sends_to=("webhook-deliveries",),
        sends_email=True,
    ),
)
# Reads the ratings table's stream: aggregates, recommendations, low-score follow-ups (a ticket case), OrderRated.
RATING_AGGREGATES_FUNCTION = FunctionSpec(
    "rating_aggregates",
    memory_mb=256,
    timeout_seconds=60,
    access=Access(
        writes=(*_OPENS_TICKETS, *_ALERT_CHANNELS),
        reads=(CATALOG_TABLE, KEYS_TABLE, ORDERS_TABLE, REFUNDS_TABLE, RATINGS_TABLE),
        secrets=(HASH_PEPPER_SECRET, STRIPE_API_KEY_SECRET),
        sends_to=(_ALERT_DELIVERIES,),
        publishes_events=True,
        alerts_operators=True,
    ),
)
FUNCTIONS: tuple[FunctionSpec, ...] = (
    API_FUNCTION,
    PAYMENT_NOTIFICATIONS_FUNCTION,
    NOTIFIER_FUNCTION,
    RESTOCK_FUNCTION,
    ESCALATION_FUNCTION,
    INBOUND_EMAIL_FUNCTION,
    REFUNDS_FUNCTION,
    RECONCILE_FUNCTION,
    MAIL_EVENTS_FUNCTION,
    TICKET_SLA_FUNCTION,
    KPIS_FUNCTION,
    WEBHOOK_FANOUT_FUNCTION,
    WEBHOOK_DELIVERY_FUNCTION,
    RATING_AGGREGATES_FUNCTION,
)


@dataclass(frozen=True)
class ApiRoute:
    """A path prefix of the REST API whose every path API Gateway sends to ``function`` (a ``{proxy+}`` resource),
    whose routes are those of ``routes``, a module of the api package (``functions/api/<routes>.py``)."""

    prefix: str
    function: FunctionSpec
    routes: str

    @property
    def resource_path(self) -> str:
        return f"{self.prefix}{{proxy+}}"


# Which function serves which paths: API Gateway (infra/constructs/api.py), faka local and the tests' gateway all
# dispatch by this table; every path under no prefix here goes to the api function.
API_ROUTES: tuple[ApiRoute, ...] = (ApiRoute("/v1/webhooks/", PAYMENT_NOTIFICATIONS_FUNCTION, routes="payments"),)
# The functions behind API Gateway, the api function first.
API_FUNCTIONS: tuple[FunctionSpec, ...] = (API_FUNCTION, *(route.function for route in API_ROUTES))


def function_serving(path: str) -> FunctionSpec:
    """The function API Gateway sends a request for ``path`` to."""
    return next((route.function for route in API_ROUTES if path.startswith(route.prefix)), API_FUNCTION)


# SQS visibility must exceed six times the consumer timeout, or a slow batch is delivered twice.
NOTIFIER_QUEUE = QueueSpec("notifier", NOTIFIER_FUNCTION, batch_size=10, visibility_timeout_seconds=360)
RESTOCK_QUEUE = QueueSpec("restock", RESTOCK_FUNCTION, batch_size=5, visibility_timeout_seconds=720)
ESCALATION_QUEUE = QueueSpec("escalation", ESCALATION_FUNCTION, batch_size=10)
# SES receiving stores each raw message in the mail bucket, whose notifications feed this queue.
INBOUND_EMAIL_QUEUE = QueueSpec("inbound-email", INBOUND_EMAIL_FUNCTION, batch_size=5, visibility_timeout_seconds=360)
# SES event publishing → the mail-events topic → this queue (raw delivery: each body is one SES event).
MAIL_EVENTS_QUEUE = QueueSpec("mail-events", MAIL_EVENTS_FUNCTION, batch_size=10)
KPIS_QUEUE = QueueSpec("kpis", KPIS_FUNCTION, batch_size=10, visibility_timeout_seconds=360)
WEBHOOK_EVENTS_QUEUE = QueueSpec("webhook-events", WEBHOOK_FANOUT_FUNCTION, batch_size=10)
# Each message names one delivery; a failed attempt is put back with a growing DelaySeconds (faka.platform.webhooks).
WEBHOOK_DELIVERIES_QUEUE = QueueSpec(
    "webhook-deliveries", WEBHOOK_DELIVERY_FUNCTION, batch_size=5, visibility_timeout_seconds=360
)
QUEUES: tuple[QueueSpec, ...] = (
    NOTIFIER_QUEUE,
    RESTOCK_QUEUE,
    ESCALATION_QUEUE,
    INBOUND_EMAIL_QUEUE,
    MAIL_EVENTS_QUEUE,
    KPIS_QUEUE,
    WEBHOOK_EVENTS_QUEUE,
    WEBHOOK_DELIVERIES_QUEUE,
)

BUYER_AND_OPERATOR_NOTICES_RULE = RuleSpec(
    "notify",
    ("OrderDelivered", "OrderAwaitingStock", "OrderFlagged"),
    NOTIFIER_QUEUE,
)
RESTOCK_RULE = RuleSpec("restock", ("StockReplenished",), RESTOCK_QUEUE)
# The escalation function schedules the order's first level (a one-time schedule named after the order, so a
# duplicate OrderDelivered schedules nothing more); the schedule's message comes back on the same queue.
ESCALATION_RULE = RuleSpec("escalation", ("OrderDelivered",), ESCALATION_QUEUE)
# The buyer's refund emails, and the operators' alerts of orders held by the risk rules and of chargebacks.
AFTER_SALES_NOTICES_RULE = RuleSpec(
    "after-sales-notices", ("RefundCompleted", "RefundRejected", "OrderHeld", "DisputeOpened"), NOTIFIER_QUEUE
)
# Everything the KPI report counts, and the batch quarantine's own notices.
KPIS_RULE = RuleSpec(
    "kpis",
    (
        "OrderPaid",
        "OrderDelivered",
        "KeyActivated",
        "KeyActivationFailed",
        "TicketOpened",
        "TicketHandedOff",
        "TicketResolved",
        "TicketRated",
        "KeyReplaced",
        "RefundCompleted",
        "OrderRated",
        "BatchQuarantined",
        # Money moved: entered in the platform's ledger (faka.ledger) as well.
        "DisputeOpened",
        "ChargeRefunded",
    ),
    KPIS_QUEUE,
)
# The domain events storefronts may subscribe to (faka.platform.webhooks.PUBLIC_EVENTS names them publicly).
STOREFRONT_WEBHOOKS_RULE = RuleSpec(
    "storefront-webhooks",
    (
        "OrderPaid",
        "OrderDelivered",
        "OrderAwaitingStock",
        "OrderHeld",
        "RefundRequested",
        "RefundRejected",
        "RefundCompleted",
        "TicketOpened",
        "TicketResolved",
        "KeyActivated",
    ),
    WEBHOOK_EVENTS_QUEUE,
)
RULES: tuple[RuleSpec, ...] = (
    BUYER_AND_OPERATOR_NOTICES_RULE,
    RESTOCK_RULE,
    ESCALATION_RULE,
    AFTER_SALES_NOTICES_RULE,
    KPIS_RULE,
    STOREFRONT_WEBHOOKS_RULE,
)


@dataclass(frozen=True)
class StreamSpec(_WithDeadLetters):
    """A table's DynamoDB stream (new images) read by one function; records that keep failing go to a queue."""

    name: str
    table: str
    consumer: FunctionSpec
    batch_size: int = 25
    max_retries: int = 3


RATINGS_STREAM = StreamSpec("ratings-stream", RATINGS_TABLE, RATING_AGGREGATES_FUNCTION)
STREAMS = (RATINGS_STREAM,)


@dataclass(frozen=True)
class ScheduleSpec:
    """A function run on a fixed rate: an EventBridge Scheduler schedule on AWS, a timer thread locally."""

    name: str
    function: FunctionSpec
    rate_minutes: int

    @property
    def physical_name(self) -> str:
        return f"{PREFIX}-{self.name}"

    @property
    def expression(self) -> str:
        return f"rate({self.rate_minutes} minute{'s' if self.rate_minutes > 1 else ''})"


# Asks the payment provider about orders still waiting for their payment after a few minutes.
RECONCILE_SCHEDULE = ScheduleSpec("reconcile-payments", RECONCILE_FUNCTION, rate_minutes=1)
# Finds help desk tickets whose SLA clock ran out.
TICKET_SLA_SCHEDULE = ScheduleSpec("ticket-sla", TICKET_SLA_FUNCTION, rate_minutes=1)
SCHEDULES = (RECONCILE_SCHEDULE, TICKET_SLA_SCHEDULE)


@dataclass(frozen=True)
class StateMachineSpec:
    """A Standard workflow whose ASL lives in ``statemachines/<name>.asl.json``."""

    name: str

    @property
    def physical_name(self) -> str:
        return f"{PREFIX}-{self.name.replace('_', '-')}"

    @property
    def definition_file(self) -> str:
        return f"statemachines/{self.name}.asl.json"


ACTIVATION_ESCALATION = StateMachineSpec("activation_escalation")
# One-time schedules (one per delivered order, deleted once fired) live in their own group, so the function creating
# them may create them there only; what the scheduler cannot send to the escalation queue goes to this queue.
ACTIVATION_DUE_SCHEDULE_GROUP = f"{PREFIX}-activation-due"
ACTIVATION_DUE_DLQ = f"{PREFIX}-activation-due-dlq"
REFUND_REVIEW = StateMachineSpec("refund_review")
STATE_MACHINES = (ACTIVATION_ESCALATION, REFUND_REVIEW)


@dataclass(frozen=True)
class SamplingRuleSpec:
    """An X-Ray sampling rule for faka's traced entry points: the API stage and the workflows (their services are
    named ``<PREFIX>-…``); ``reservoir`` requests a second are traced, then ``fixed_rate`` of the rest. A function
    invoked under a traced request follows its decision; Lambda keeps its own 1/s + 5 % for the invocations it roots.
    """

    name: str
    url_path: str
    reservoir: int
    fixed_rate: float
    priority: int

    @property
    def physical_name(self) -> str:
        return f"{PREFIX}-{self.name}"


# Operators' requests are few and each worth a trace: the reservoir keeps nearly all of them.
OPERATOR_TRACES = SamplingRuleSpec("operators", "/v1/admin/*", reservoir=1, fixed_rate=0.05, priority=100)
# Buyers, webhooks and workflows: 5 % of them, with no reservoir, so a trace costs a fixed share of the traffic
# (a reservoir of 1/s alone would trace every order of a shop selling fewer than one a second).
TRAFFIC_TRACES = SamplingRuleSpec("traffic", "*", reservoir=0, fixed_rate=0.05, priority=200)
SAMPLING_RULES = (OPERATOR_TRACES, TRAFFIC_TRACES)


def activation_escalation_substitutions(*, notifier_queue_url: str, operator_topic_arn: str) -> dict[str, str]:
    """The ``${...}`` placeholders of activation_escalation.asl.json; CDK and the local runtime fill the same."""
    return {
        "OrdersTable": ORDERS_TABLE,
        "NotifierQueueUrl": notifier_queue_url,
        "OperatorTopicArn": operator_topic_arn,
    }


def refund_review_substitutions(*, refunds_function_arn: str) -> dict[str, str]:
    """The ``${...}`` placeholders of refund_review.asl.json; CDK and the local runtime fill the same."""
    return {"RefundsFunctionArn": refunds_function_arn}
