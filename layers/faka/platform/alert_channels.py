"""Operator alerts where the operators are: Telegram, WeCom, DingTalk and Feishu/Lark group bots, and email.

A shop's operator lists its channels (``GET/PUT /v1/admin/alert-channels``), each with the alert kinds it wants
(none named: every kind). A bot token or signing secret is sealed under the webhook secrets' own KMS key, as a
storefront webhook's secret is, and never shown again. Each alert still goes to the operators' SNS topic; for each
channel of its shop that wants its kind it becomes one delivery of the outbound webhook machinery
(:class:`faka.platform.webhooks.WebhookDeliveries`): queued, POSTed by the delivery function behind the SSRF guard,
retried with backoff and dead-lettered, so a slow IM endpoint never holds up the function that raised the alert.

What each provider receives is data (:data:`PROVIDERS`): its message body, the most text it takes, where the
request goes and how it is signed. A signature is made at each attempt, since DingTalk and Feishu refuse a
timestamp more than an hour old and a retry may come later than that. The providers answer a refusal (a wrong
token or signature, a robot removed from its group, a rate limit) with HTTP 200 and say so in the body:
Telegram ``{"ok": false}``, WeCom and DingTalk ``{"errcode": non-zero}``, Feishu/Lark ``{"code": non-zero}``.
Such an answer is a failed attempt, retried and dead-lettered as a 5xx is, with the provider's reason kept.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import quote

from pynamodb.exceptions import DoesNotExist

from faka.adapters.tables.webhooks import AlertChannelItem, WebhookDeliveryItem
from faka.errors import InvalidRequest
from faka.observability import logger
from faka.platform.webhooks import (
    DeliveryTarget,
    OutboundRequest,
    SendResult,
    WebhookDeliveries,
    WebhookSender,
    check_webhook_url,
    delivery_id_for,
)
from faka.ports import Email, KeyVault, Mailer, OperatorAlerts

CHANNEL_ID_PREFIX = "ac_"
MAX_CHANNELS_PER_SHOP = 10
MAX_SECRET_LENGTH = 512
# The provider's reason for a refusal is kept on the delivery and logged: a line, not the provider's whole answer.
MAX_REFUSAL_BYTES = 300
_MAIL_SCHEME = "mailto:"
_INVALID = "invalid_alert_channel"


class AlertKind(StrEnum):
    LOW_RATING = "low_rating"
    SLA_BREACH = "sla_breach"
    REFUND_REVIEW = "refund_review"
    BATCH_QUARANTINE = "batch_quarantine"
    HELD_ORDER = "held_order"
    CHARGEBACK = "chargeback"
    OUT_OF_STOCK = "out_of_stock"


class ChannelKind(StrEnum):
    TELEGRAM = "telegram"
    WECOM = "wecom"
    DINGTALK = "dingtalk"
    FEISHU = "feishu"
    EMAIL = "email"


class Target(StrEnum):
    """What a channel's ``target`` is."""

    URL = "url"  # the group robot's webhook address
    CHAT_ID = "chat_id"  # a Telegram chat (the bot token is the secret)
    EMAIL = "email"


def _text(body: Mapping[str, Any]) -> str:
    return f"{body['subject']}\n\n{body['message']}"


def _dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's robot signature: base64(HMAC-SHA256(key=secret, "<timestamp ms>\\n<secret>")); sent URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _answer(body: bytes) -> dict[str, Any]:
    """A provider's JSON answer; {} for anything else (an empty body, or one cut short by the sender)."""
    try:
        answer = json.loads(body)
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _telegram_refusal(answer: Mapping[str, Any]) -> str | None:
    if answer.get("ok") is False:
        return f"Telegram refused it: {answer.get('error_code')} {answer.get('description', '')}"
    return None


def _errcode_refusal(provider: str) -> Callable[[Mapping[str, Any]], str | None]:
    """WeCom's and DingTalk's robots: ``errcode`` 0 is sent, any other number a refusal (``errmsg`` says why)."""

    def refusal(answer: Mapping[str, Any]) -> str | None:
        code = answer.get("errcode")
        return f"{provider} refused it: errcode {code} {answer.get('errmsg', '')}" if code not in (None, 0) else None

    return refusal


def _feishu_refusal(answer: Mapping[str, Any]) -> str | None:
    code = answer.get("code")
    return f"Feishu/Lark refused it: code {code} {answer.get('msg', '')}" if code not in (None, 0) else None


def _feishu_sign(secret: str, timestamp: int) -> str:
    """Feishu/Lark's bot signature: base64(HMAC-SHA256(key="<timestamp s>\\n<secret>", empty message))."""
    return base64.b64encode(hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()).decode()


@dataclass(frozen=True)
class Provider:
    target: Target
    # The JSON body for an alert's text (the text already cut to max_text_bytes).
    body: Callable[[str, str], dict[str, Any]]
    # The most UTF-8 bytes of text the provider accepts in one message.
    max_text_bytes: int
    secret_required: bool = False
    secret_accepted: bool = True
    # Signs one attempt: the URL and body to send, from the target URL, the body, the secret and the time.
    sign: Callable[[str, dict[str, Any], str, datetime], tuple[str, dict[str, Any]]] | None = None
    # Reads the provider's JSON answer to a 200: why it refused the message, or None when it took it.
    refusal: Callable[[Mapping[str, Any]], str | None] | None = None


def _sign_dingtalk(url: str, body: dict[str, Any], secret: str, now: datetime) -> tuple[str, dict[str, Any]]:
    timestamp = int(now.timestamp() * 1000)
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timestamp={timestamp}&sign={quote(_dingtalk_sign(secret, timestamp), safe='')}", body


def _sign_feishu(url: str, body: dict[str, Any], secret: str, now: datetime) -> tuple[str, dict[str, Any]]:
    timestamp = int(now.timestamp())
    return url, {"timestamp": str(timestamp), "sign": _feishu_sign(secret, timestamp), **body}


PROVIDERS: dict[ChannelKind, Provider] = {
    # https://core.telegram.org/bots/api#sendmessage: POST <api>/bot<token>/sendMessage
    ChannelKind.TELEGRAM: Provider(
        Target.CHAT_ID,
        lambda chat_id, text: {"chat_id": chat_id, "text": text, "disable_web_page_preview": True},
        max_text_bytes=4096,
        secret_required=True,
        refusal=_telegram_refusal,
    ),
    # WeCom (企业微信) group robot: the target is its webhook URL with the robot's key; no signature.
    ChannelKind.WECOM: Provider(
        Target.URL,
        lambda _, text: {"msgtype": "text", "text": {"content": text}},
        max_text_bytes=2048,
        secret_accepted=False,
        refusal=_errcode_refusal("WeCom"),
    ),
    # DingTalk (钉钉) custom robot, 加签: timestamp and sign in the query.
    ChannelKind.DINGTALK: Provider(
        Target.URL,
        lambda _, text: {"msgtype": "text", "text": {"content": text}},
        max_text_bytes=20000,
        sign=_sign_dingtalk,
        refusal=_errcode_refusal("DingTalk"),
    ),
    # Feishu (飞书) / Lark custom bot, 签名校验: timestamp and sign in the body.
    ChannelKind.FEISHU: Provider(
        Target.URL,
        lambda _, text: {"msg_type": "text", "content": {"text": text}},
        max_text_bytes=30000,
        sign=_sign_feishu,
        refusal=_feishu_refusal,
    ),
    ChannelKind.EMAIL: Provider(
        Target.EMAIL, lambda _, text: {"text": text}, max_text_bytes=100_000, secret_accepted=False
    ),
}


def cut(text: str, max_bytes: int) -> str:
    """``text`` within ``max_bytes`` of UTF-8, never splitting a character, marked when cut."""
    encoded = text.encode()
    if len(encoded) <= max_bytes:
        return text
    return encoded[: max_bytes - len("…".encode())].decode(errors="ignore") + "…"


@dataclass(frozen=True)
class ChannelDraft:
    kind: ChannelKind
    target: str
    secret: str | None = None
    alerts: tuple[AlertKind, ...] = ()


@dataclass(frozen=True)
class AlertChannel:
    channel_id: str
    shop_id: str
    kind: ChannelKind
    target: str
    alerts: tuple[AlertKind, ...]
    has_secret: bool

    def wants(self, kind: AlertKind | None) -> bool:
        return not self.alerts or kind in self.alerts


class AlertChannels(DeliveryTarget):
    """A shop's channels, and the request each delivery to one of them sends."""

    def __init__(self, vault: KeyVault, *, allow_loopback: bool, telegram_api_url: str) -> None:
        self._vault = vault
        self._allow_loopback = allow_loopback
        self._telegram_api_url = telegram_api_url.rstrip("/")

    def of_shop(self, shop_id: str) -> list[AlertChannel]:
        return [_channel(item) for item in self._items(shop_id)]

    def receiving(self, shop_id: str, kind: AlertKind | None) -> list[AlertChannel]:
        return [channel for channel in self.of_shop(shop_id) if channel.wants(kind)]

    def replace(self, shop_id: str, drafts: Sequence[ChannelDraft]) -> list[AlertChannel]:
        """The shop's channels become ``drafts``. A channel given again without its secret keeps the one it has."""
        if len(drafts) > MAX_CHANNELS_PER_SHOP:
            raise InvalidRequest(f"a shop has at most {MAX_CHANNELS_PER_SHOP} alert channels", code="too_many_channels")
        for index, draft in enumerate(drafts):
            self._check(index, draft)
        if len({(draft.kind, draft.target) for draft in drafts}) < len(drafts):
            raise InvalidRequest("a channel is listed twice (the same kind and target)", code=_INVALID)
        current = {(item.channel, item.target): item for item in self._items(shop_id)}
        unchanged = {index: current.get((d.kind.value, d.target)) for index, d in enumerate(drafts) if d.secret is None}
        for index, draft in enumerate(drafts):
            previous = unchanged.get(index)
            if PROVIDERS[draft.kind].secret_required and not (draft.secret or (previous and previous.sealed_secret)):
                raise InvalidRequest(f"channel {index} ({draft.kind.value}) needs its secret", code=_INVALID)
        now = datetime.now(UTC)
        kept: set[str] = set()
        for index, draft in enumerate(drafts):
            previous = unchanged.get(index)
            sealed: str | None
            if previous is not None:
                channel_id, sealed, created_at = _channel_id(previous), previous.sealed_secret, previous.created_at
            else:
                # A microsecond apart: listed (by created_at) in the order given.
                channel_id, created_at = f"{CHANNEL_ID_PREFIX}{uuid.uuid4().hex}", now + timedelta(microseconds=index)
                sealed = self._vault.seal(draft.secret, context=_secret_context(channel_id)) if draft.secret else None
            kept.add(channel_id)
            AlertChannelItem(
                f"ALERTCHANNEL#{channel_id}",
                AlertChannelItem.SK,
                owner=_owner(shop_id),
                created_at=created_at,
                shop_id=shop_id,
                channel=draft.kind.value,
                target=draft.target,
                alerts=[kind.value for kind in draft.alerts],
                sealed_secret=sealed,
            ).save()
        for item in current.values():
            if _channel_id(item) not in kept:
                item.delete()
        return self.of_shop(shop_id)

    def _check(self, index: int, draft: ChannelDraft) -> None:
        provider = PROVIDERS[draft.kind]
        where = f"channel {index} ({draft.kind.value})"
        if draft.secret is not None and not provider.secret_accepted:
            raise InvalidRequest(f"{where} takes no secret", code=_INVALID)
        if draft.secret is not None and not 0 < len(draft.secret) <= MAX_SECRET_LENGTH:
            raise InvalidRequest(f"{where}: the secret is empty or too long", code=_INVALID)
        if provider.target is Target.URL:
            check_webhook_url(draft.target, allow_loopback=self._allow_loopback)
        elif provider.target is Target.EMAIL:
            # Imported here: only an operator saving channels checks an address, and every function sending alerts or
            # webhook deliveries would otherwise load pydantic and email_validator for it at cold start.
            from pydantic import EmailStr, TypeAdapter, ValidationError

            try:
                TypeAdapter(EmailStr).validate_python(draft.target)
            except ValidationError:
                raise InvalidRequest(f"{where}: the target is not an email address", code=_INVALID) from None
        elif not draft.target.lstrip("-").isdecimal() and not draft.target.startswith("@"):
            raise InvalidRequest(f"{where}: a Telegram chat id is a number or an @channel", code=_INVALID)

    def request(self, owner_id: str, payload: str, now: datetime) -> OutboundRequest | None:
        item = self._item(owner_id)
        if item is None:
            return None
        kind = ChannelKind(item.channel)
        provider = PROVIDERS[kind]
        alert = json.loads(payload)
        secret = self._vault.open(item.sealed_secret, context=_secret_context(owner_id)) if item.sealed_secret else None
        body = provider.body(item.target, cut(_text(alert), provider.max_text_bytes))
        if kind is ChannelKind.EMAIL:
            return OutboundRequest(f"{_MAIL_SCHEME}{item.target}", json.dumps({**alert, **body}).encode(), {})
        url = f"{self._telegram_api_url}/bot{secret}/sendMessage" if kind is ChannelKind.TELEGRAM else item.target
        if provider.sign is not None and secret:
            url, body = provider.sign(url, body, secret, now)
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "faka-alerts/1"}
        return OutboundRequest(
            url, json.dumps(body, ensure_ascii=False).encode(), headers, refusal=_refusal_reader(provider)
        )

    def deliveries_of(self, shop_id: str, alert_id: str) -> list[dict[str, Any]]:
        """Where one alert went: each of the shop's channels it was queued for, and how that delivery stands."""
        found = []
        for channel in self.of_shop(shop_id):
            delivery_id = delivery_id_for(channel.channel_id, alert_id)
            try:
                item = WebhookDeliveryItem.get(f"DELIVERY#{delivery_id}", WebhookDeliveryItem.SK)
            except DoesNotExist:
                continue
            found.append(
                {
                    "channel": channel.kind.value,
                    "target": channel.target,
                    "status": item.status,
                    "attempts": int(item.attempts),
                    "last_status_code": None if item.last_status_code is None else int(item.last_status_code),
                    "last_error": item.last_error,
                }
            )
        return found

    def _item(self, channel_id: str) -> AlertChannelItem | None:
        try:
            return AlertChannelItem.get(f"ALERTCHANNEL#{channel_id}", AlertChannelItem.SK)
        except DoesNotExist:
            return None

    @staticmethod
    def _items(shop_id: str) -> Iterable[AlertChannelItem]:
        return [i for i in AlertChannelItem.by_owner.query(_owner(shop_id)) if isinstance(i, AlertChannelItem)]


def _refusal_reader(provider: Provider) -> Callable[[bytes], str | None] | None:
    """How the webhook machinery reads a 200 from ``provider``: its refusal, cut to a loggable length."""
    refusal = provider.refusal
    if refusal is None:
        return None

    def read(body: bytes) -> str | None:
        reason = refusal(_answer(body))
        return cut(reason, MAX_REFUSAL_BYTES) if reason else None

    return read


def _owner(shop_id: str) -> str:
    return f"ALERTS#{shop_id}"


def _secret_context(channel_id: str) -> str:
    return f"alert-channel-secret:{channel_id}"


def _channel_id(item: AlertChannelItem) -> str:
    return item.pk.removeprefix("ALERTCHANNEL#")


def _channel(item: AlertChannelItem) -> AlertChannel:
    return AlertChannel(
        channel_id=_channel_id(item),
        shop_id=item.shop_id,
        kind=ChannelKind(item.channel),
        target=item.target,
        alerts=tuple(AlertKind(kind) for kind in item.alerts),
        has_secret=item.sealed_secret is not None,
    )


class ChannelSender(WebhookSender):
    """Posts over HTTP, and sends the email channels' ``mailto:`` deliveries through the mailer."""

    def __init__(self, http: WebhookSender, mailer: Callable[[], Mailer]) -> None:
        self._http = http
        self._mailer = mailer

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        if not url.startswith(_MAIL_SCHEME):
            return self._http.post(url, body, headers)
        alert = json.loads(body)
        try:
            self._mailer().send(
                Email(to=url.removeprefix(_MAIL_SCHEME), subject=alert["subject"], text=alert["text"], html="")
            )
        except Exception as error:  # SES refusing is an outcome to retry, like an HTTP 5xx
            return SendResult(None, f"{type(error).__name__}: the email was not sent")
        return SendResult(202)


class AlertTopic(Protocol):
    def alert(
        self, subject: str, message: str, *, shop_id: str, kind: str | None = None, alert_id: str | None = None
    ) -> None: ...


class ChannelAlerts(OperatorAlerts):
    """The operators' alerts: to the SNS topic as before, and to each of the shop's channels that wants the kind."""

    def __init__(
        self,
        topic: AlertTopic,
        channels: AlertChannels,
        deliveries: Callable[[], WebhookDeliveries],
        kind: AlertKind | None = None,
    ) -> None:
        self._topic = topic
        self._channels = channels
        self._deliveries = deliveries
        self._kind = kind

    def of_kind(self, kind: AlertKind) -> ChannelAlerts:
        """The same alerts, of ``kind`` when the caller names none: for services that raise one kind only."""
        return ChannelAlerts(self._topic, self._channels, self._deliveries, kind)

    def alert(self, subject: str, message: str, *, shop_id: str, kind: str | None = None) -> None:
        alert_kind = AlertKind(kind) if kind else self._kind
        alert_id = uuid.uuid4().hex
        self._topic.alert(subject, message, shop_id=shop_id, kind=alert_kind, alert_id=alert_id)
        body = json.dumps(
            {"alert_id": alert_id, "kind": alert_kind, "shop_id": shop_id, "subject": subject, "message": message},
            ensure_ascii=False,
        )
        try:
            channels = self._channels.receiving(shop_id, alert_kind)
            event_type = f"alert.{alert_kind or 'other'}"
            for channel in channels:
                self._deliveries().deliver(channel.channel_id, shop_id, alert_id, event_type, body)
        except Exception:
            # The topic has it; a channel's failure to queue must not fail what raised the alert.
            logger.exception("alert not queued for the shop's channels", extra={"shop_id": shop_id})
