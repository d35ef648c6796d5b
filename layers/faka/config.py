"""Runtime settings, read from the environment once per container.

The environment variable names are defined here and nowhere else: CDK sets them on every function and
the local runtime sets the same ones for its in-process handlers. Resource names that never vary
between deployments are not settings: they come from :mod:`faka.resources`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import Field, dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args, get_type_hints

from faka import resources


class Env:
    """Environment variable names: ``FAKA_`` and the upper-cased :class:`Settings` field."""

    OPERATOR_TOPIC_ARN = "FAKA_OPERATOR_TOPIC_ARN"
    ADMIN_TOKEN = "FAKA_ADMIN_TOKEN"
    OPERATOR_USER_POOL_ID = "FAKA_OPERATOR_USER_POOL_ID"
    ADMIN_TOKEN_SECRET_ID = "FAKA_ADMIN_TOKEN_SECRET_ID"
    STRIPE_WEBHOOK_SECRET = "FAKA_STRIPE_WEBHOOK_SECRET"
    STRIPE_WEBHOOK_SECRET_ID = "FAKA_STRIPE_WEBHOOK_SECRET_ID"
    STRIPE_API_KEY_SECRET_ID = "FAKA_STRIPE_API_KEY_SECRET_ID"
    SIGNING_SECRET = "FAKA_SIGNING_SECRET"
    SIGNING_SECRET_ID = "FAKA_SIGNING_SECRET_ID"
    LINK_SECRET = "FAKA_LINK_SECRET"
    ORIGIN_VERIFY_SECRET = "FAKA_ORIGIN_VERIFY_SECRET"
    ORIGIN_VERIFY_SECRET_ID = "FAKA_ORIGIN_VERIFY_SECRET_ID"
    PAYMENT_PROVIDER = "FAKA_PAYMENT_PROVIDER"
    SENDER_EMAIL = "FAKA_SENDER_EMAIL"
    DEFAULT_SHOP = "FAKA_DEFAULT_SHOP"
    PUBLIC_BASE_URL = "FAKA_PUBLIC_BASE_URL"
    TEMPLATES_DIR = "FAKA_TEMPLATES_DIR"
    ORDER_TTL_MINUTES = "FAKA_ORDER_TTL_MINUTES"
    ORDER_LINK_DAYS = "FAKA_ORDER_LINK_DAYS"
    MAX_QUANTITY = "FAKA_MAX_QUANTITY"
    ESCALATION_SECONDS = "FAKA_ESCALATION_SECONDS"
    QUIET_HOURS = "FAKA_QUIET_HOURS"
    ESCALATION_STATE_MACHINE_ARN = "FAKA_ESCALATION_STATE_MACHINE_ARN"
    ACTIVATION_DUE_QUEUE_ARN = "FAKA_ACTIVATION_DUE_QUEUE_ARN"
    ACTIVATION_DUE_ROLE_ARN = "FAKA_ACTIVATION_DUE_ROLE_ARN"
    ACTIVATION_DUE_DLQ_ARN = "FAKA_ACTIVATION_DUE_DLQ_ARN"
    REMINDER_DUE_QUEUE_ARN = "FAKA_REMINDER_DUE_QUEUE_ARN"
    DAILY_REMINDER_CAP = "FAKA_DAILY_REMINDER_CAP"
    REFUND_STATE_MACHINE_ARN = "FAKA_REFUND_STATE_MACHINE_ARN"
    REFUND_REMINDER_SECONDS = "FAKA_REFUND_REMINDER_SECONDS"
    RECONCILE_AFTER_SECONDS = "FAKA_RECONCILE_AFTER_SECONDS"
    BACKORDER_REFUND_HOURS = "FAKA_BACKORDER_REFUND_HOURS"
    COMMISSION_BPS = "FAKA_COMMISSION_BPS"
    MAIL_BUCKET = "FAKA_MAIL_BUCKET"
    EXPORT_BUCKET = "FAKA_EXPORT_BUCKET"
    EXPORT_INLINE_BYTES = "FAKA_EXPORT_INLINE_BYTES"
    TELEGRAM_API_URL = "FAKA_TELEGRAM_API_URL"
    SUPPORT_EMAIL = "FAKA_SUPPORT_EMAIL"
    TICKET_SLA_SECONDS = "FAKA_TICKET_SLA_SECONDS"
    WEBHOOK_RETRY_SECONDS = "FAKA_WEBHOOK_RETRY_SECONDS"
    WEBHOOK_MAX_ATTEMPTS = "FAKA_WEBHOOK_MAX_ATTEMPTS"
    WEBHOOK_ALLOW_LOOPBACK = "FAKA_WEBHOOK_ALLOW_LOOPBACK"
    CORS_ORIGINS = "FAKA_CORS_ORIGINS"
    TRON_API_URL = "FAKA_TRON_API_URL"
    TRON_TEST_API_URL = "FAKA_TRON_TEST_API_URL"
    USDT_TEST_CONTRACT = "FAKA_USDT_TEST_CONTRACT"
    WECHAT_PAY_TEST_URL = "FAKA_WECHAT_PAY_TEST_URL"
    USDT_CONFIRMATIONS = "FAKA_USDT_CONFIRMATIONS"
    REPLY_DRAFTS = "FAKA_REPLY_DRAFTS"
    REPLY_DRAFT_MODEL = "FAKA_REPLY_DRAFT_MODEL"
    REPLY_DRAFT_SEND_AT = "FAKA_REPLY_DRAFT_SEND_AT"
    BEDROCK_ENDPOINT_URL = "FAKA_BEDROCK_ENDPOINT_URL"


_REPO_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# In Lambda the layer unpacks under /opt; the layer build puts the templates there.
_LAYER_TEMPLATES = Path("/opt/templates")


PaymentProvider = Literal["stripe", "sandbox"]
ReplyDrafts = Literal["off", "bedrock"]
# How an environment variable spells a boolean (any case), as most tools read them.
_TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "off"})


def _at_least(default: int, minimum: int, maximum: int | None = None) -> Any:
    return field(default=default, metadata={"minimum": minimum, "maximum": maximum})


def _matching(default: str, pattern: str) -> Any:
    return field(default=default, metadata={"pattern": pattern})


@dataclass(frozen=True)
class Settings:
    """Every setting, its default and what it accepts: a value out of range fails when the settings are built.

    A stdlib dataclass rather than a pydantic model: every function reads its settings at cold start, and pydantic
    alone costs about a third of ``import boto3`` there.
    """

    operator_topic_arn: str = ""
    admin_token: str = ""
    # The operator console's Cognito user pool (on AWS): its members' access tokens are operator identities.
    operator_user_pool_id: str = ""
    admin_token_secret_id: str = ""
    stripe_webhook_secret: str = ""
    stripe_webhook_secret_id: str = ""
    stripe_api_key_secret_id: str = ""
    signing_secret: str = ""
    signing_secret_id: str = ""
    # Overrides the generated link-signing secret (resources.LINK_SIGNING_SECRET), e.g. to keep links valid across
    # restarts of a local runtime.
    link_secret: str = ""
    # What CloudFront puts in the origin-verify header (resources.ORIGIN_VERIFY_HEADER): only a request carrying it
    # came through the distribution, whose CloudFront-Viewer-Country header is then the buyer's. Unset: no country.
    origin_verify_secret: str = ""
    origin_verify_secret_id: str = ""
    payment_provider: PaymentProvider = "stripe"
    sender_email: str = "shop@example.com"
    default_shop: str = "main"
    public_base_url: str = "http://127.0.0.1:3000"
    templates_dir: Path = _LAYER_TEMPLATES if _LAYER_TEMPLATES.is_dir() else _REPO_TEMPLATES
    order_ttl_minutes: int = _at_least(30, 1)
    # The order-page link in buyer emails opens the order this long; after that the buyer finds it by email.
    order_link_days: int = _at_least(30, 1)
    max_quantity: int = _at_least(10, 1, maximum=50)
    escalation_seconds: str = _matching("86400,172800,259200", r"\d+,\d+,\d+")
    quiet_hours: str = _matching("22-08", r"off|([01]?\d|2[0-3])-([01]?\d|2[0-3])")
    escalation_state_machine_arn: str = ""
    # The one-time schedule of an order's first escalation level: the queue it sends to, the role it sends with,
    # and the queue for what it cannot send (faka.activation.escalation).
    activation_due_queue_arn: str = ""
    activation_due_role_arn: str = ""
    activation_due_dlq_arn: str = ""
    # A reminder held past the buyer's quiet hours comes back to the notifier's queue in a schedule of that group
    # (faka.activation.reminders.HeldReminders).
    reminder_due_queue_arn: str = ""
    # Reminders per buyer per day, across all their orders; one order's three levels fit in a day locally.
    daily_reminder_cap: int = _at_least(3, 1)
    refund_state_machine_arn: str = ""
    # Operators are reminded of a refund waiting for their review this often, until the shop's review SLA.
    refund_reminder_seconds: int = _at_least(1800, 1)
    # Webhooks normally arrive within seconds; reconciliation asks the provider about orders unpaid this long.
    reconcile_after_seconds: int = _at_least(180, 0)
    # A paid order still waiting for stock this long after its payment is refunded through its provider.
    backorder_refund_hours: int = _at_least(48, 1)
    # The platform's commission on a shop's sales (basis points) until the platform operator sets the shop's own.
    commission_bps: int = _at_least(500, 0, maximum=10_000)
    mail_bucket: str = resources.MAIL_BUCKET
    # Where order exports larger than export_inline_bytes are written, to be fetched by a presigned URL.
    export_bucket: str = resources.EXPORTS_BUCKET.physical_name
    export_inline_bytes: int = _at_least(1_000_000, 0)
    # The address buyers write to; SES receiving delivers it to the mail bucket.
    support_email: str = "support@example.com"
    # Help desk SLA: a person's first answer is due this long after a ticket is queued, and the operators are
    # alerted (and the ticket moved up) if nobody has claimed or answered it by the second.
    ticket_sla_seconds: str = _matching("300,1800", r"\d+,\d+")
    # Outbound webhooks: the first retry of a failed delivery waits this long, each later one four times longer
    # (at most 6 h), until the attempts are spent; the defaults span about 15 hours.
    webhook_retry_seconds: int = _at_least(30, 1)
    webhook_max_attempts: int = _at_least(8, 1, maximum=20)
    # Accepts http://localhost and 127.0.0.1 webhook URLs: the local runtime and tests only, never on AWS.
    webhook_allow_loopback: bool = False
    # Where Telegram alert channels send (the Bot API); a local stand-in in tests.
    telegram_api_url: str = "https://api.telegram.org"
    # Browser origins (comma-separated, * for any) allowed to call the API cross-origin; empty: none. Locally any;
    # on AWS the corsOrigins context sets it (the console and order pages are same-origin and need none).
    cors_origins: str = "*"
    # The TronGrid-compatible node the USDT watcher reads shops' wallets from, and the blocks a transfer needs on top.
    tron_api_url: str = "https://api.trongrid.io"
    usdt_confirmations: int = _at_least(19, 1)
    # Test-mode shops' endpoints: a TRON testnet's TronGrid-compatible node and its USDT token (Nile by default), and
    # a stand-in of WeChat Pay's API v3, which has no sandbox of its own (unset: test-mode shops take no WeChat Pay).
    tron_test_api_url: str = "https://nile.trongrid.io"
    usdt_test_contract: str = "TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf"
    wechat_pay_test_url: str = ""
    # Operators' reply drafts written by a model on Amazon Bedrock (faka.support.drafts): off unless a deployment turns
    # them on; only then does the api function hold bedrock:InvokeModel, on reply_draft_model alone.
    reply_drafts: ReplyDrafts = "off"
    reply_draft_model: str = "amazon.nova-lite-v1:0"
    # A draft the model is at least this sure of, grounded in an article and within the shop's tone, is sent at once;
    # "off": every draft waits for an operator.
    reply_draft_send_at: str = _matching("0.85", r"off|0?\.\d+|1(\.0+)?")
    # The Bedrock runtime's endpoint: empty on AWS (the region's own), a local stand-in in tests and `make local`.
    bedrock_endpoint_url: str = ""

    def __post_init__(self) -> None:
        problems = [problem for setting in fields(self) if (problem := _refusal(setting, getattr(self, setting.name)))]
        if problems:
            raise ValueError("invalid settings: " + "; ".join(problems))

    @classmethod
    def from_strings(cls, values: Mapping[str, str]) -> Settings:
        """Settings from text as the environment gives it (``{"max_quantity": "5"}``); the rest keep their defaults."""
        problems: list[str] = []
        parsed: dict[str, Any] = {}
        for name, text in values.items():
            try:
                parsed[name] = _parse(_types()[name], text)
            except ValueError as error:
                problems.append(f"{env_name(name)}={text!r}: {error}")
        if problems:
            raise ValueError("invalid settings: " + "; ".join(problems))
        return cls(**parsed)


# The settings naming a secret by its Secrets Manager id, and the secret each names: CDK sets each on exactly the
# functions declared to read that secret (FunctionSpec.access), since reading it needs the grant as well.
SECRET_ID_SETTINGS: dict[str, str] = {
    "admin_token_secret_id": resources.ADMIN_TOKEN_SECRET,
    "stripe_webhook_secret_id": resources.STRIPE_WEBHOOK_SECRET,
    "stripe_api_key_secret_id": resources.STRIPE_API_KEY_SECRET,
    "signing_secret_id": resources.SIGNING_SECRET,
    "origin_verify_secret_id": resources.ORIGIN_VERIFY_SECRET,
}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_strings(
        {
            setting.name: os.environ[variable]
            for setting in fields(Settings)
            if (variable := env_name(setting.name)) in os.environ
        }
    )


@lru_cache(maxsize=1)
def _types() -> dict[str, Any]:
    return get_type_hints(Settings)


def _parse(kind: Any, text: str) -> Any:
    if kind is bool:
        if text.strip().lower() not in _TRUE | _FALSE:
            raise ValueError("expected a boolean (true or false)")
        return text.strip().lower() in _TRUE
    if kind is int:
        try:
            return int(text)
        except ValueError:
            raise ValueError("expected an integer") from None
    if kind is Path:
        return Path(text)
    return text


def _refusal(setting: Field[Any], value: Any) -> str | None:
    """Why a setting's value is refused, naming its environment variable; None when it is accepted."""
    name, metadata = setting.name, setting.metadata
    choices = get_args(_types()[name])
    if choices and value not in choices:
        return f"{env_name(name)}={value!r}: expected one of {', '.join(choices)}"
    if "pattern" in metadata and not re.fullmatch(metadata["pattern"], value):
        return f"{env_name(name)}={value!r}: expected the form {metadata['pattern']}"
    if "minimum" in metadata and value < metadata["minimum"]:
        return f"{env_name(name)}={value!r}: expected at least {metadata['minimum']}"
    if metadata.get("maximum") is not None and value > metadata["maximum"]:
        return f"{env_name(name)}={value!r}: expected at most {metadata['maximum']}"
    return None


def env_name(field: str) -> str:
    return f"FAKA_{field.upper()}"
