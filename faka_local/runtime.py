"""``faka local``: moto as AWS, the real handlers in-process, and a local stand-in for API Gateway.

One process holds everything: moto's server (so the AWS CLI and the Step Functions executor can reach
it over HTTP), a poller per SQS queue doing what Lambda's event-source mappings do, and an HTTP server
turning requests into API Gateway proxy events. Handlers call AWS through boto3 and pynamodb exactly as
on Lambda; only ``AWS_ENDPOINT_URL`` sends those calls to the emulator.
"""

from __future__ import annotations

import email
import email.policy
import functools
import gc
import json
import logging
import os
import secrets
import signal
import socket
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from moto.server import ThreadedMotoServer
from moto.ses.models import Message, RawMessage, SESBackend, ses_backends
from moto.ses.responses import EmailResponse
from moto.sns.models import SNSBackend, sns_backends

from faka import resources
from faka.config import Env
from faka_local import lambda_dispatch, mailbox_simulator
from faka_local.emulator import prepare_emulator
from faka_local.event_sources import QueueConsumer, StreamConsumer, load_handler
from faka_local.lambda_context import LocalLambdaContext
from faka_local.one_time_schedules import fire_due

if TYPE_CHECKING:
    from faka_local.http_server import LocalGateway
    from faka_local.seed import SeededShop

HOST = "127.0.0.1"
DEFAULT_API_PORT = 3000
DEFAULT_EMULATOR_PORT = 4566
# moto's fixed account: every resource the handlers create lives in it.
EMULATOR_ACCOUNT = "123456789012"

# Local-only knobs, read by nothing but this runtime.
LOCAL_PORT_VARIABLE = "FAKA_LOCAL_PORT"
EMULATOR_PORT_VARIABLE = "FAKA_EMULATOR_PORT"
# Minutes instead of days, so a demo sees every activation reminder before lunch.
LOCAL_ESCALATION_SECONDS = "60,120,180"
# Quiet hours would hold back reminders during an evening demo; set FAKA_QUIET_HOURS to try them.
LOCAL_QUIET_HOURS = "off"
# Operators waiting on a refund review are reminded every minute rather than every half hour.
LOCAL_REFUND_REMINDER_SECONDS = "60"
# A payment whose webhook was dropped is found within a minute: orders unpaid for 20 s are looked up
# every 20 s (on AWS: after three minutes, every minute).
LOCAL_RECONCILE_AFTER_SECONDS = "20"
RECONCILE_INTERVAL_VARIABLE = "FAKA_LOCAL_RECONCILE_INTERVAL"
DEFAULT_RECONCILE_INTERVAL_SECONDS = 20.0
# A queued ticket's first answer is due after 2 minutes and it escalates after 5 (on AWS: 5 and 30), and the SLA
# clocks are swept every 5 s, so a demo sees an escalation alert while it waits.
LOCAL_TICKET_SLA_SECONDS = "120,300"
TICKET_SLA_INTERVAL_VARIABLE = "FAKA_LOCAL_TICKET_SLA_INTERVAL"
DEFAULT_TICKET_SLA_INTERVAL_SECONDS = 5.0
# A failed storefront webhook is retried after 2, 8, 32 … s, not 30 s, 2 min, 8 min … (FAKA_WEBHOOK_RETRY_SECONDS).
LOCAL_WEBHOOK_RETRY_SECONDS = "2"
# How often the emulator's one-time schedules (the escalation's first level) are checked for being due.
ONE_TIME_SCHEDULE_CHECK_SECONDS = 1.0

EMPTY_QUEUE_PAUSE_SECONDS = 0.15
THREAD_STOP_SECONDS = 1.0
# How often the waiting main thread wakes to run a stop signal's handler (see run).
SIGNAL_CHECK_SECONDS = 0.2
MAX_EMPTY_QUEUE_PAUSE_SECONDS = 0.6
# A failed message comes back after a second instead of the queue's visibility timeout.
RETRY_DELAY_SECONDS = 1
POLLER_ERROR_PAUSE_SECONDS = 1.0

LOG_FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"
log = logging.getLogger("faka_local")


@dataclass(frozen=True)
class LocalConfig:
    api_port: int
    emulator_port: int
    region: str
    admin_token: str
    stripe_webhook_secret: str
    signing_secret: str
    escalation_seconds: str
    quiet_hours: str
    sender_email: str
    refund_reminder_seconds: str
    reconcile_after_seconds: str
    reconcile_interval_seconds: float
    ticket_sla_seconds: str
    ticket_sla_interval_seconds: float

    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.api_port}"

    @property
    def emulator_url(self) -> str:
        return f"http://{HOST}:{self.emulator_port}"

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> LocalConfig:
        """The contract's variables where set; otherwise local defaults and fresh secrets."""
        return cls(
            api_port=int(environ.get(LOCAL_PORT_VARIABLE) or DEFAULT_API_PORT),
            emulator_port=int(environ.get(EMULATOR_PORT_VARIABLE) or DEFAULT_EMULATOR_PORT),
            region=environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or "us-east-1",
            admin_token=environ.get(Env.ADMIN_TOKEN) or secrets.token_urlsafe(24),
            stripe_webhook_secret=environ.get(Env.STRIPE_WEBHOOK_SECRET) or f"whsec_{secrets.token_hex(24)}",
            signing_secret=environ.get(Env.SIGNING_SECRET) or secrets.token_urlsafe(32),
            escalation_seconds=environ.get(Env.ESCALATION_SECONDS) or LOCAL_ESCALATION_SECONDS,
            quiet_hours=environ.get(Env.QUIET_HOURS) or LOCAL_QUIET_HOURS,
            sender_email=environ.get(Env.SENDER_EMAIL) or "shop@faka.local",
            refund_reminder_seconds=environ.get(Env.REFUND_REMINDER_SECONDS) or LOCAL_REFUND_REMINDER_SECONDS,
            reconcile_after_seconds=environ.get(Env.RECONCILE_AFTER_SECONDS) or LOCAL_RECONCILE_AFTER_SECONDS,
            reconcile_interval_seconds=float(
                environ.get(RECONCILE_INTERVAL_VARIABLE) or DEFAULT_RECONCILE_INTERVAL_SECONDS
            ),
            ticket_sla_seconds=environ.get(Env.TICKET_SLA_SECONDS) or LOCAL_TICKET_SLA_SECONDS,
            ticket_sla_interval_seconds=float(
                environ.get(TICKET_SLA_INTERVAL_VARIABLE) or DEFAULT_TICKET_SLA_INTERVAL_SECONDS
            ),
        )


def prepare_environment(config: LocalConfig) -> None:
    """Set what CDK would set on every function, pointed at the emulator.

    Must run before any handler or domain module is imported: they read the environment when their
    Powertools objects and settings are built.
    """
    for variable in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        # A developer's real profile or session must never be mixed into calls to the emulator.
        os.environ.pop(variable, None)
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": config.emulator_url,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_REGION": config.region,
            "AWS_DEFAULT_REGION": config.region,
            # moto's Step Functions executor builds its own clients for localhost:$MOTO_PORT.
            "MOTO_PORT": str(config.emulator_port),
            "POWERTOOLS_SERVICE_NAME": "faka",
            "POWERTOOLS_METRICS_NAMESPACE": "faka",
            "POWERTOOLS_TRACE_DISABLED": "true",
            # The EMF lines would drown the log; CloudWatch is not there to read them anyway.
            "POWERTOOLS_METRICS_DISABLED": "true",
            Env.PAYMENT_PROVIDER: "sandbox",
            Env.PUBLIC_BASE_URL: config.api_url,
            Env.ADMIN_TOKEN: config.admin_token,
            Env.STRIPE_WEBHOOK_SECRET: config.stripe_webhook_secret,
            Env.SIGNING_SECRET: config.signing_secret,
            Env.SENDER_EMAIL: config.sender_email,
            Env.DEFAULT_SHOP: "main",
            Env.ESCALATION_SECONDS: config.escalation_seconds,
            Env.QUIET_HOURS: config.quiet_hours,
            Env.REFUND_REMINDER_SECONDS: config.refund_reminder_seconds,
            Env.RECONCILE_AFTER_SECONDS: config.reconcile_after_seconds,
            Env.TICKET_SLA_SECONDS: config.ticket_sla_seconds,
            # Webhooks may go to http://127.0.0.1 (the /_local/webhook-sink receiver, a storefront under development).
            Env.WEBHOOK_ALLOW_LOOPBACK: "true",
            # Telegram alert channels reach the stand-in at /_local/telegram, not the internet.
            Env.TELEGRAM_API_URL: os.environ.get(Env.TELEGRAM_API_URL) or f"{config.api_url}/_local/telegram",
            # Reply drafts, when FAKA_REPLY_DRAFTS=bedrock, ask the Converse stand-in at /_local/bedrock, not AWS.
            Env.BEDROCK_ENDPOINT_URL: os.environ.get(Env.BEDROCK_ENDPOINT_URL) or f"{config.api_url}/_local/bedrock",
            Env.WEBHOOK_RETRY_SECONDS: os.environ.get(Env.WEBHOOK_RETRY_SECONDS) or LOCAL_WEBHOOK_RETRY_SECONDS,
        }
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class _SendLog:
    """What moto does not keep: when each message was sent, and the text part of a two-part email.

    moto stores only the HTML body of an email sent with both parts, and no send time at all, so the
    few moto methods that send are wrapped to note both; the messages themselves are still read from
    moto's own stores.
    """

    def __init__(self) -> None:
        self.sent_at: dict[str, str] = {}
        self.text_parts: dict[str, str | None] = {}
        self._originals: list[tuple[type, str, Any]] = []

    def install(self) -> None:
        self._after(EmailResponse, "send_email", self._note_simple_email)
        self._after(SESBackend, "send_raw_email", lambda _, message: self._note(message.id))
        self._after(SNSBackend, "publish", lambda _, message_id: self._note(message_id))

    def uninstall(self) -> None:
        for owner, name, original in reversed(self._originals):
            setattr(owner, name, original)
        self._originals.clear()

    def _after(self, owner: type, name: str, note: Callable[[Any, Any], None]) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def noting(this: Any, *args: Any, **kwargs: Any) -> Any:
            result = original(this, *args, **kwargs)
            note(this, result)
            return result

        self._originals.append((owner, name, original))
        setattr(owner, name, noting)

    def _note(self, message_id: str) -> None:
        self.sent_at[message_id] = _now()

    def _note_simple_email(self, response: EmailResponse, result: Any) -> None:
        message_id = result.result["MessageId"]
        self._note(message_id)
        self.text_parts[message_id] = response._get_param("Message.Body.Text.Data")


class Emulator:
    """moto's server in this process, and what it saw sent: emails, text messages, operator alerts."""

    def __init__(self, config: LocalConfig) -> None:
        self._config = config
        self._server = ThreadedMotoServer(ip_address=HOST, port=config.emulator_port, verbose=False)
        self._sends = _SendLog()
        self._running = False
        self.operator_topic_arn = ""

    def start(self) -> None:
        # One line per emulator request would bury the handlers' own logs.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        prepare_emulator()
        self._sends.install()
        mailbox_simulator.install()
        self._server.start()
        self._running = True
        request = urllib.request.Request(  # noqa: S310 - a fixed http URL to the emulator just started
            f"{self._config.emulator_url}/moto-api/config",
            data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            response.read()

    def stop(self) -> None:
        if self._running:
            self._server.stop()
            self._running = False
        # Wrappers come off in the reverse order they went on: the simulator wraps the send log's wrapper.
        mailbox_simulator.uninstall()
        self._sends.uninstall()

    def outbox(self) -> list[dict[str, Any]]:
        """Every email SES and every text message SNS would have sent, oldest first."""
        ses = ses_backends[EMULATOR_ACCOUNT][self._config.region]
        sns = sns_backends[EMULATOR_ACCOUNT][self._config.region]
        messages = [self._email(m) for m in list(ses.sent_messages) if isinstance(m, Message | RawMessage)]
        messages += [
            {
                "channel": "sms",
                "to": phone,
                "subject": None,
                "text": text,
                "html": None,
                "sent_at": self._sends.sent_at.get(message_id),
            }
            for message_id, (phone, text) in list(sns.sms_messages.items())
        ]
        return sorted(messages, key=lambda m: m["sent_at"] or "")

    def operator_alerts(self) -> list[dict[str, Any]]:
        """What was published to the operators' topic, oldest first."""
        topic = sns_backends[EMULATOR_ACCOUNT][self._config.region].topics.get(self.operator_topic_arn)
        if topic is None:
            return []
        return [
            {
                "subject": subject,
                "message": message,
                "shop_id": _attribute(attributes, "shop_id"),
                "kind": _attribute(attributes, "kind"),
                "alert_id": _attribute(attributes, "alert_id"),
                "sent_at": self._sends.sent_at.get(message_id),
            }
            for message_id, message, subject, attributes, _ in list(topic.sent_notifications)
        ]

    def _email(self, message: Message | RawMessage) -> dict[str, Any]:
        sent_at = self._sends.sent_at.get(message.id)
        if isinstance(message, RawMessage):
            return {"channel": "email", "sent_at": sent_at, **_parse_raw(message.raw_data)}
        text = self._sends.text_parts.get(message.id)
        # With both parts moto keeps the HTML one as the body; with one part, that part.
        html = message.body if text is None or message.body != text else None
        recipients = [address for addresses in message.destinations.values() for address in addresses]
        return {
            "channel": "email",
            "to": ", ".join(recipients),
            "subject": message.subject,
            "text": text,
            "html": html,
            "sent_at": sent_at,
        }


def _attribute(attributes: dict[str, Any] | None, name: str) -> str | None:
    value = (attributes or {}).get(name) or {}
    return value.get("StringValue") or value.get("Value")


def _parse_raw(raw_data: str) -> dict[str, Any]:
    parsed = email.message_from_string(raw_data, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    text, html = parsed.get_body(("plain",)), parsed.get_body(("html",))
    return {
        "to": str(parsed.get("To", "")),
        "subject": str(parsed.get("Subject", "")),
        "text": text.get_content() if isinstance(text, EmailMessage) else None,
        "html": html.get_content() if isinstance(html, EmailMessage) else None,
    }


class Lambdas:
    """Invokes handlers in-process, one at a time.

    On Lambda every invocation has its interpreter to itself; here all functions share one, and with
    it module-level state (the Powertools logger, metrics and resolver's current event), so handlers
    take turns.
    """

    def __init__(self) -> None:
        self._turn = threading.Lock()

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self._turn:
            yield

    def invoker(self, function: resources.FunctionSpec) -> Callable[[dict[str, Any]], dict[str, Any]]:
        handler = load_handler(function)

        def invoke(event: dict[str, Any]) -> dict[str, Any]:
            context = LocalLambdaContext(
                function.physical_name, memory_limit_in_mb=function.memory_mb, timeout_seconds=function.timeout_seconds
            )
            with self.turn():
                result: dict[str, Any] = handler(event, context)
            return result

        return invoke

    def gateway(self) -> Callable[[dict[str, Any]], dict[str, Any]]:
        """API Gateway's dispatch: a REST proxy event to the function serving its path (resources.API_ROUTES)."""
        serving = {spec.name: self.invoker(spec) for spec in resources.API_FUNCTIONS}

        def invoke(event: dict[str, Any]) -> dict[str, Any]:
            return serving[resources.function_serving(event["path"]).name](event)

        return invoke


class QueuePoller:
    """A thread delivering one queue's messages to its function, like a Lambda event-source mapping."""

    def __init__(self, consumer: QueueConsumer | StreamConsumer, lambdas: Lambdas, stopping: threading.Event) -> None:
        self._consumer = consumer
        self._lambdas = lambdas
        self._stopping = stopping
        self._thread = threading.Thread(target=self._run, name=f"poller-{consumer.spec.name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        pause = EMPTY_QUEUE_PAUSE_SECONDS
        while not self._stopping.is_set():
            try:
                with self._lambdas.turn():
                    delivered = self._consumer.poll_once()
            except Exception:
                log.exception("polling %s failed", self._consumer.spec.physical_name)
                self._stopping.wait(POLLER_ERROR_PAUSE_SECONDS)
                continue
            if delivered:
                pause = EMPTY_QUEUE_PAUSE_SECONDS
            else:
                # A dozen idle queues polled every 0.15 s kept two cores busy: an idle queue is asked less often.
                self._stopping.wait(pause)
                pause = min(pause * 2, MAX_EMPTY_QUEUE_PAUSE_SECONDS)


# What EventBridge Scheduler hands a function on a rate schedule.
SCHEDULED_EVENT: dict[str, Any] = {"source": "aws.scheduler", "detail-type": "Scheduled Event", "detail": {}}


def _fire_due_now(group: str, session: Any) -> None:
    fire_due(group, datetime.now(UTC), session)


class ScheduledRun:
    """A thread doing ``run`` every ``interval_seconds``, as an EventBridge Scheduler schedule does on AWS."""

    def __init__(
        self, name: str, run: Callable[[], object], interval_seconds: float, stopping: threading.Event
    ) -> None:
        self._name = name
        self._run_once = run
        self._interval = interval_seconds
        self._stopping = stopping
        self._thread = threading.Thread(target=self._run, name=f"schedule-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stopping.wait(self._interval):
            try:
                self._run_once()
            except Exception:
                log.exception("scheduled %s failed", self._name)


class PortTaken(RuntimeError):
    pass


class StartInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM while ``faka local`` was still starting."""


def _ensure_free(port: int, variable: str) -> None:
    # moto's server thread would die on a taken port and leave its start() waiting forever.
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            raise PortTaken(f"port {port} is taken (another faka local?); set {variable} to use another one") from None


@dataclass(frozen=True)
class Started:
    config: LocalConfig
    shops: list[SeededShop]


class LocalRuntime:
    def __init__(self, config: LocalConfig) -> None:
        self.config = config
        self.emulator = Emulator(config)
        self._stopping = threading.Event()
        self._pollers: list[QueuePoller] = []
        self._schedules: list[ScheduledRun] = []
        self._gateway: LocalGateway | None = None
        self._gateway_thread: threading.Thread | None = None

    def start(self) -> Started:
        _ensure_free(self.config.api_port, LOCAL_PORT_VARIABLE)
        _ensure_free(self.config.emulator_port, EMULATOR_PORT_VARIABLE)
        prepare_environment(self.config)
        # Imported only now: these modules build settings, clients and Powertools objects from the
        # environment prepared above.
        import boto3

        from faka.wiring import services
        from faka_local.http_server import LocalGateway
        from faka_local.provision import provision
        from faka_local.sandbox_payments import SandboxPayments
        from faka_local.seed import seed

        sys.path.insert(0, str(_functions_root()))
        self.emulator.start()
        session = boto3.Session(region_name=self.config.region)
        provisioned = provision(sender_email=self.config.sender_email, session=session)
        os.environ[Env.OPERATOR_TOPIC_ARN] = provisioned.operator_topic_arn
        os.environ[Env.ESCALATION_STATE_MACHINE_ARN] = provisioned.state_machine_arns[
            resources.ACTIVATION_ESCALATION.name
        ]
        os.environ[Env.REFUND_STATE_MACHINE_ARN] = provisioned.state_machine_arns[resources.REFUND_REVIEW.name]
        os.environ.update(provisioned.activation_due_environment)
        self.emulator.operator_topic_arn = provisioned.operator_topic_arn
        # Before anything builds the payment methods: their providers talk to the stand-ins made here.
        payments = SandboxPayments(services(), self.config.api_url)
        shops = seed(services())
        for shop in shops:
            payments.enable_all_methods(services(), shop.shop_id)

        lambdas = Lambdas()
        # Step Functions tasks invoke the real handlers, taking their turn like every other invocation.
        lambda_dispatch.install(lambdas.turn)
        for schedule in resources.SCHEDULES:
            interval = {
                resources.RECONCILE_SCHEDULE: self.config.reconcile_interval_seconds,
                resources.TICKET_SLA_SCHEDULE: self.config.ticket_sla_interval_seconds,
            }.get(schedule, schedule.rate_minutes * 60.0)
            invoke = functools.partial(lambdas.invoker(schedule.function), SCHEDULED_EVENT)
            self._schedules.append(ScheduledRun(schedule.function.physical_name, invoke, interval, self._stopping))
        # moto keeps one-time schedules without firing them: checked every second, so an escalation level of a few
        # seconds (FAKA_ESCALATION_SECONDS) is due on time.
        group = resources.ACTIVATION_DUE_SCHEDULE_GROUP
        fire = functools.partial(_fire_due_now, group, session)
        self._schedules.append(ScheduledRun(group, fire, ONE_TIME_SCHEDULE_CHECK_SECONDS, self._stopping))
        for scheduled in self._schedules:
            scheduled.start()
        sqs = session.client("sqs")
        for spec in resources.QUEUES:
            url = provisioned.queue_urls[spec.name]
            consumer = QueueConsumer(sqs, spec, url, retry_delay_seconds=RETRY_DELAY_SECONDS)
            self._pollers.append(QueuePoller(consumer, lambdas, self._stopping))
        for stream in resources.STREAMS:
            reader = StreamConsumer(session, stream, provisioned.stream_dlq_urls[stream.name])
            self._pollers.append(QueuePoller(reader, lambdas, self._stopping))
        for poller in self._pollers:
            poller.start()

        self._gateway = LocalGateway(
            (HOST, self.config.api_port),
            invoke_api=lambdas.gateway(),
            emulator=self.emulator,
            webhook_secret=self.config.stripe_webhook_secret,
            payments=payments,
        )
        self._gateway_thread = threading.Thread(target=self._gateway.serve_forever, name="gateway", daemon=True)
        self._gateway_thread.start()
        return Started(self.config, shops)

    def stop(self) -> None:
        """No new work first (pollers and schedules told, the gateway closed), then the workers, then the emulator."""
        self._stopping.set()
        if self._gateway is not None and self._gateway_thread is not None:
            self._gateway.shutdown()
            self._gateway.server_close()
            self._gateway_thread.join()
        # A poller or schedule may be inside a slow invocation, or waiting for its turn behind one; its thread is a
        # daemon, so all of them share one short grace period and are otherwise left to end with the process.
        grace_ends = time.monotonic() + THREAD_STOP_SECONDS
        workers: list[QueuePoller | ScheduledRun] = [*self._pollers, *self._schedules]
        for worker in workers:
            worker.join(timeout=max(grace_ends - time.monotonic(), 0.0))
        self.emulator.stop()
        lambda_dispatch.uninstall()


def _functions_root() -> Path:
    # Lambda puts a function's code root on sys.path; locally every function shares functions/.
    return Path(__file__).resolve().parents[1] / "functions"


def banner(started: Started, seconds: float) -> str:
    config = started.config
    api, emulator = config.api_url, config.emulator_url
    tokens = "\n".join(
        f"  {shop.shop_id:<6} {shop.name}: {shop.operator_token or '(opened before; token shown then)'}"
        f"  [{shop.products} products, {shop.keys_in_stock} keys in stock]"
        for shop in started.shops
    )
    other = next((shop.shop_id for shop in started.shops if shop.shop_id != "main"), "moon")
    return f"""
faka local is running (ready in {seconds:.1f} s). Ctrl-C stops it.

  storefront       {api}/            (shop "{other}": {api}/s/{other}/, order lookup: {api}/lookup)
  console          {api}/console/
  API              {api}/v1/
  API docs         {api}/v1/docs
  health           {api}/v1/health
  OpenAPI          {api}/v1/openapi.json
  outbox           {api}/_local/outbox
  operator alerts  {api}/_local/operator-alerts
  provider refunds {api}/_local/refunds
  AWS emulator     {emulator}   e.g. aws --endpoint-url {emulator} dynamodb list-tables

  admin token            {config.admin_token}
  Stripe webhook secret  {config.stripe_webhook_secret}
  signing secret         {config.signing_secret}
  escalation schedule    {Env.ESCALATION_SECONDS}={config.escalation_seconds} (seconds after delivery)
  quiet hours            {Env.QUIET_HOURS}={config.quiet_hours}
  refund reminders       {Env.REFUND_REMINDER_SECONDS}={config.refund_reminder_seconds} (seconds between reminders)
  reconciliation         {Env.RECONCILE_AFTER_SECONDS}={config.reconcile_after_seconds} (seconds unpaid before asking \
the provider), every {config.reconcile_interval_seconds:g} s
  ticket SLA             {Env.TICKET_SLA_SECONDS}={config.ticket_sla_seconds} (first response, escalation), swept \
every {config.ticket_sla_interval_seconds:g} s

shop operator tokens:
{tokens}

walk-through (bash):
  curl -s {api}/v1/products
  curl -s -H 'X-Faka-Shop: {other}' {api}/v1/products
  read ORDER TOKEN < <(curl -s -X POST {api}/v1/orders -H 'Content-Type: application/json' \\
      -d '{{"sku": "steam-20-us", "quantity": 1, "email": "buyer@example.com", "locale": "en"}}' \\
      | python3 -c 'import json, sys; o = json.load(sys.stdin); print(o["order_id"], o["access_token"])')
  curl -s -X POST {api}/_local/pay/$ORDER        # or open it in a browser and press Pay
  curl -s -H "Authorization: Bearer $TOKEN" {api}/v1/orders/$ORDER
  curl -s {api}/_local/outbox
  curl -s -X POST {api}/v1/orders/$ORDER/refund -H "Authorization: Bearer $TOKEN" \\
      -H 'Content-Type: application/json' -d '{{"reason": "bought the wrong region"}}'
  curl -s -H "Authorization: Bearer $TOKEN" {api}/v1/orders/$ORDER/refunds   # refunded in seconds if unused
  curl -s {api}/_local/refunds                   # what the sandbox provider paid back

payment methods (both shops take stripe, alipay, wechat_pay and usdt_trc20 with sandbox accounts; moon's CNY
products Alipay and WeChat Pay, main's USD ones USDT):
  curl -s -X POST {api}/v1/orders -H 'X-Faka-Shop: {other}' -H 'Content-Type: application/json' \\
      -d '{{"sku": "apple-100-cn", "quantity": 1, "email": "buyer@example.com", "payment_method": "wechat_pay"}}'
  curl -s -X POST {api}/_local/pay/$ORDER        # posts WeChat Pay's own signed notification
"""


def run(began: float | None = None) -> int:
    """Start everything, print where it is, and stop cleanly on Ctrl-C or SIGTERM.

    ``began`` is the ``time.perf_counter()`` at which the command started, so the start-up time
    printed includes loading moto and the handlers.
    """
    began = time.perf_counter() if began is None else began
    # The handlers log through Powertools (JSON on stdout); the libraries' warnings and the runtime's
    # own lines go to stderr. The runtime's need a handler of their own: Powertools filters every
    # logger whose name starts with its service name, "faka", out of the root handlers.
    logging.basicConfig(level=logging.WARNING, format=LOG_FORMAT)
    own_lines = logging.StreamHandler()
    own_lines.setFormatter(logging.Formatter(LOG_FORMAT))
    log.addHandler(own_lines)
    log.setLevel(logging.INFO)
    log.propagate = False
    runtime = LocalRuntime(LocalConfig.from_environment(os.environ))
    # Plain values, not threading.Events: the handler runs on the main thread between any two bytecodes, possibly
    # while that thread holds an Event's lock, and taking the lock again there would never return.
    phase = {"starting": True, "stop_requested": False}

    def request_stop(signum: int, frame: FrameType | None) -> None:
        phase["stop_requested"] = True
        if phase["starting"]:
            # Start-up (20 s on a busy machine) is not waited out: it is interrupted where it is.
            phase["starting"] = False
            raise StartInterrupted

    try:
        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        started = runtime.start()
        phase["starting"] = False
        print(banner(started, time.perf_counter() - began), flush=True)
        # Python runs signal handlers on the main thread only, between bytecodes: when the kernel delivers the signal
        # to another of our threads (busy ones are likely picks), a main thread blocked in an untimed wait never runs
        # the handler. Waking regularly lets it.
        while not phase["stop_requested"]:
            time.sleep(SIGNAL_CHECK_SECONDS)
        print("stopping faka local ...", flush=True)
    except StartInterrupted:
        print("stopping faka local while it starts ...", flush=True)
    except PortTaken as error:
        print(f"faka local: {error}", file=sys.stderr)
        return 1
    finally:
        phase["starting"] = False
        runtime.stop()
        # Everything has stopped, but the emulator's state (over a million objects after an e2e session) is still
        # on the heap, and the interpreter's teardown collection walked all of it: 30 s on a busy machine between
        # "stopped" and the exit. Nothing in it needs the cycle collector on the way out.
        gc.freeze()
    print("faka local stopped", flush=True)
    return 0
