"""Outbound webhooks: storefronts subscribe to order, refund and ticket events and receive them signed.

A shop's operator subscribes an https URL to public event names and gets the subscription's signing
secret once; it is kept sealed by the key vault. Each matching domain event becomes one delivery record
per subscription, keyed by (subscription, the event's public id), so an event consumed twice is delivered
once. An event that happens once to its subject (an order's payment and delivery, a refund's request and completion)
has one public id whatever EventBridge id carried it, so its re-publication (a delivery announced again after a
crash) is that same delivery; any other event's public id is its EventBridge id. A delivery is POSTed as
``{"id", "type", "created", "data"}`` (``id`` the public id), signed exactly like the supplier callbacks
(``X-Faka-Signature: t=<unix>,v1=<HMAC-SHA256(secret, "<t>.<body>")>``), and retried with exponential backoff
until its attempts are spent; then it is marked failed and dead-lettered, where an operator's replay or an SQS
redrive picks it up again.

``data`` is built from a whitelist of fields per event, never from the event as a whole: no key code,
buyer address or internal risk rule can reach a storefront, whatever a domain event carries later.
"""

from __future__ import annotations

import ipaddress
import json
import math
import secrets
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from faka.adapters.tables.webhooks import WebhookDeliveryItem, WebhookSubscriptionItem
from faka.errors import Conflict, InvalidRequest, NotFound
from faka.observability import logger
from faka.payments.stripe_signing import stripe_signature
from faka.ports import KeyVault

SIGNATURE_HEADER = "X-Faka-Signature"
EVENT_ID_HEADER = "X-Faka-Event-Id"
# Tells a receiver with several subscriptions which secret verifies the request.
WEBHOOK_ID_HEADER = "X-Faka-Webhook-Id"
MAX_SUBSCRIPTIONS_PER_SHOP = 10
MAX_URL_LENGTH = 2048
DELIVERY_RETENTION = timedelta(days=30)
# An attempt not finished by then (the delivery function's timeout and more) is presumed lost and may be
# tried again; until then a second message for the same delivery waits instead of sending in parallel.
IN_FLIGHT_SECONDS = 120
_DELIVERY_IDS = uuid.UUID("0b6f7c1e-3f57-4d1a-9a51-6b1c0f6a8e21")
_EVENT_IDS = uuid.UUID("5d0c2a8e-7b4f-4c1e-9f3a-2e6b8d1c4a70")


@dataclass(frozen=True)
class PublicEvent:
    name: str
    fields: tuple[str, ...]
    # The detail fields naming the one subject this event can happen to once (an order is paid once): its public id
    # is then derived from them, the same for every publication. Empty: each publication is its own occurrence.
    once_per: tuple[str, ...] = ()

    def data(self, detail: Mapping[str, Any]) -> dict[str, Any]:
        return {name: detail.get(name) for name in ("shop_id", *self.fields)}

    def event_id(self, event: Mapping[str, Any]) -> str:
        """The id a storefront sees: stable per occurrence, shaped like an EventBridge id (a UUID)."""
        if not self.once_per:
            return str(event["id"])
        subject = "/".join(str(event["detail"][name]) for name in self.once_per)
        return str(uuid.uuid5(_EVENT_IDS, f"{self.name}/{subject}"))


# Domain detail-type → what storefronts see. Its keys are the storefront-webhooks rule's detail types.
PUBLIC_EVENTS: dict[str, PublicEvent] = {
    "OrderPaid": PublicEvent("order.paid", ("order_id", "amount", "currency", "paid_at"), once_per=("order_id",)),
    "OrderDelivered": PublicEvent(
        "order.delivered", ("order_id", "sku", "quantity", "locale", "delivered_at"), once_per=("order_id",)
    ),
    "OrderAwaitingStock": PublicEvent("order.awaiting_stock", ("order_id", "sku", "missing")),
    "OrderHeld": PublicEvent("order.held", ("order_id",)),
    "RefundRequested": PublicEvent(
        "refund.requested",
        ("refund_id", "order_id", "lines", "amount", "currency", "created_at"),
        once_per=("refund_id",),
    ),
    "RefundRejected": PublicEvent("refund.rejected", ("refund_id", "order_id", "reason")),
    "RefundCompleted": PublicEvent(
        "order.refunded",
        ("refund_id", "order_id", "lines", "amount", "currency", "completed_at"),
        once_per=("refund_id",),
    ),
    "TicketOpened": PublicEvent("ticket.opened", ("ticket_id", "order_id", "intent", "source")),
    "TicketResolved": PublicEvent("ticket.resolved", ("ticket_id", "order_id", "intent", "resolved_by", "resolved_at")),
    "KeyActivated": PublicEvent("key.activated", ("order_id", "line_no", "sku", "at")),
}
EVENT_NAMES: tuple[str, ...] = tuple(event.name for event in PUBLIC_EVENTS.values())


class WebhookUrlRejected(InvalidRequest):
    code = "invalid_webhook_url"


def check_webhook_url(url: str, *, allow_loopback: bool) -> None:
    """Refuse what must never be called: plain http, credentials in the URL, private and internal hosts.

    Names are resolved again at every delivery (DNS may change after the subscription), where
    :func:`check_address` refuses the same ranges.
    """
    if len(url) > MAX_URL_LENGTH:
        raise WebhookUrlRejected(f"the URL is longer than {MAX_URL_LENGTH} characters")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in ("https", "http") or not host:
        raise WebhookUrlRejected("expected an absolute https:// URL")
    if parts.username is not None or parts.password is not None:
        raise WebhookUrlRejected("the URL must not carry credentials; verify requests by their signature")
    try:
        parts.port  # noqa: B018 (urlsplit only parses the port when asked)
    except ValueError:
        raise WebhookUrlRejected("the URL's port is not a port number") from None
    loopback = _is_loopback_name(host)
    if scheme == "http" and not (allow_loopback and loopback):
        raise WebhookUrlRejected(
            "the URL must use https" + (" (http only for localhost)" if allow_loopback else ""),
        )
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None:
        check_address(address, allow_loopback=allow_loopback)
    elif loopback:
        if not allow_loopback:
            raise WebhookUrlRejected("the URL points at this machine")
    elif "." not in host or host.endswith((".internal", ".local", ".localdomain", ".intranet", ".lan")):
        raise WebhookUrlRejected(f"{host!r} is an internal host name")


def check_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address, *, allow_loopback: bool) -> None:
    """Only public unicast addresses: no private, loopback, link-local (instance metadata), shared or reserved."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback and allow_loopback:
        return
    if not address.is_global or address.is_multicast or address.is_reserved or address.is_unspecified:
        raise WebhookUrlRejected(f"the URL points at a private, loopback or link-local address ({address})")


def _is_loopback_name(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class RetrySchedule:
    """Exponential backoff: ``first_delay_seconds`` after the first failure, ``factor`` times longer after each
    next one, at most ``cap_seconds``; ``max_attempts`` attempts in all."""

    first_delay_seconds: int
    max_attempts: int
    factor: int = 4
    cap_seconds: int = 6 * 3600

    def delay_after(self, attempt: int) -> int | None:
        """Seconds to wait after failed attempt number ``attempt`` (from 1); None once the attempts are spent."""
        if attempt >= self.max_attempts:
            return None
        return int(min(self.first_delay_seconds * self.factor ** (attempt - 1), self.cap_seconds))


@dataclass(frozen=True)
class SendResult:
    status_code: int | None
    error: str | None = None
    # The start of the response body: some receivers (IM robots) answer a refusal with a 200 and say so in it.
    body: bytes = b""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300 and self.error is None


class WebhookSender(ABC):
    @abstractmethod
    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        """POST once with short timeouts and no redirects; never raises for what the receiver did."""


@dataclass(frozen=True)
class OutboundRequest:
    url: str
    body: bytes
    headers: Mapping[str, str]
    # Reads a 2xx answer's body: the receiver's reason when it refused the request all the same, else None.
    refusal: Callable[[bytes], str | None] | None = None


class DeliveryTarget(ABC):
    """Where the deliveries of one kind of owner go (besides storefront subscriptions), and how they are signed."""

    @abstractmethod
    def request(self, owner_id: str, payload: str, now: datetime) -> OutboundRequest | None:
        """The request one attempt sends, signed at ``now``; None once the owner is gone."""


class DeliveryQueue(ABC):
    @abstractmethod
    def enqueue(self, delivery_id: str, delay_seconds: int = 0) -> None: ...

    @abstractmethod
    def dead_letter(self, delivery_id: str) -> None:
        """Park a delivery whose attempts are spent; a redrive of it gives it a fresh schedule."""


@dataclass(frozen=True)
class Subscription:
    subscription_id: str
    shop_id: str
    url: str
    events: tuple[str, ...]
    created_at: datetime


class WebhookSubscriptions:
    def __init__(self, vault: KeyVault, *, allow_loopback: bool) -> None:
        self._vault = vault
        self._allow_loopback = allow_loopback

    def subscribe(self, shop_id: str, url: str, events: Sequence[str]) -> tuple[Subscription, str]:
        """A new subscription and its signing secret, which is shown this once."""
        check_webhook_url(url, allow_loopback=self._allow_loopback)
        if len(self.of_shop(shop_id)) >= MAX_SUBSCRIPTIONS_PER_SHOP:
            raise Conflict(
                f"a shop has at most {MAX_SUBSCRIPTIONS_PER_SHOP} webhook subscriptions", code="too_many_webhooks"
            )
        subscription_id = f"wh_{uuid.uuid4().hex}"
        secret = f"whsec_{secrets.token_urlsafe(32)}"
        item = WebhookSubscriptionItem(
            f"WEBHOOK#{subscription_id}",
            WebhookSubscriptionItem.SK,
            owner=f"SHOP#{shop_id}",
            created_at=datetime.now(UTC),
            shop_id=shop_id,
            url=url,
            events=sorted(set(events)),
            sealed_secret=self._vault.seal(secret, context=_secret_context(subscription_id)),
        )
        item.save(condition=WebhookSubscriptionItem.pk.does_not_exist())
        return _subscription(item), secret

    def of_shop(self, shop_id: str) -> list[Subscription]:
        items = WebhookSubscriptionItem.by_owner.query(f"SHOP#{shop_id}")
        return [_subscription(item) for item in items if isinstance(item, WebhookSubscriptionItem)]

    def get(self, shop_id: str, subscription_id: str) -> Subscription:
        """The subscription if it belongs to ``shop_id``; another shop's is as unknown as a missing one."""
        item = self._item(subscription_id)
        if item is None or item.shop_id != shop_id:
            raise NotFound(f"no webhook subscription {subscription_id!r} in this shop", code="unknown_webhook")
        return _subscription(item)

    def remove(self, shop_id: str, subscription_id: str) -> None:
        self.get(shop_id, subscription_id)
        WebhookSubscriptionItem(f"WEBHOOK#{subscription_id}", WebhookSubscriptionItem.SK).delete()

    def matching(self, shop_id: str, event_name: str) -> list[Subscription]:
        return [s for s in self.of_shop(shop_id) if event_name in s.events]

    def target(self, subscription_id: str) -> tuple[str, str] | None:
        """URL and signing secret, or None once the subscription was deleted."""
        item = self._item(subscription_id)
        if item is None:
            return None
        return item.url, self._vault.open(item.sealed_secret, context=_secret_context(subscription_id))

    def _item(self, subscription_id: str) -> WebhookSubscriptionItem | None:
        try:
            return WebhookSubscriptionItem.get(f"WEBHOOK#{subscription_id}", WebhookSubscriptionItem.SK)
        except DoesNotExist:
            return None


def _secret_context(subscription_id: str) -> str:
    return f"webhook-secret:{subscription_id}"


def _subscription(item: WebhookSubscriptionItem) -> Subscription:
    return Subscription(
        subscription_id=item.pk.removeprefix("WEBHOOK#"),
        shop_id=item.shop_id,
        url=item.url,
        events=tuple(item.events),
        created_at=item.created_at,
    )


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    # The subscription was deleted before the delivery got through.
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Delivery:
    delivery_id: str
    subscription_id: str
    shop_id: str
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str | None
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime


def delivery_id_for(subscription_id: str, event_id: str) -> str:
    """The same for every consumption of one event by one subscription: what makes fan-out idempotent."""
    return uuid.uuid5(_DELIVERY_IDS, f"{subscription_id}/{event_id}").hex


def webhook_body(event: Mapping[str, Any], public: PublicEvent) -> str:
    created = datetime.fromisoformat(str(event["time"]).replace("Z", "+00:00"))
    body = {
        "id": public.event_id(event),
        "type": public.name,
        "created": int(created.timestamp()),
        "data": public.data(event["detail"]),
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=str)


class WebhookDeliveries:
    def __init__(
        self,
        subscriptions: WebhookSubscriptions,
        queue: DeliveryQueue,
        sender: WebhookSender,
        schedule: RetrySchedule,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        targets: Mapping[str, DeliveryTarget] | None = None,
    ) -> None:
        """``targets``: by owner-id prefix, the other owners whose deliveries this machinery sends (alert channels)."""
        self._subscriptions = subscriptions
        self._targets = dict(targets or {})
        self._queue = queue
        self._sender = sender
        self._schedule = schedule
        self.clock = clock

    def fan_out(self, event: Mapping[str, Any]) -> int:
        """One delivery per subscription of the event's shop to its public name; returns how many were queued."""
        public = PUBLIC_EVENTS.get(str(event.get("detail-type")))
        if public is None:
            return 0
        shop_id = str(event["detail"]["shop_id"])
        body = webhook_body(event, public)
        subscriptions = self._subscriptions.matching(shop_id, public.name)
        return sum(
            self.deliver(subscription.subscription_id, shop_id, public.event_id(event), public.name, body)
            for subscription in subscriptions
        )

    def deliver(self, owner_id: str, shop_id: str, event_id: str, event_type: str, body: str) -> bool:
        """Record and queue one delivery of ``body`` to ``owner_id``; False when this event already went to it."""
        if not self._record(owner_id, shop_id, event_id, event_type, body):
            return False
        self._queue.enqueue(delivery_id_for(owner_id, event_id))
        return True

    def _record(self, owner_id: str, shop_id: str, event_id: str, event_type: str, body: str) -> bool:
        """Store the delivery; False when this event already reached this owner's queue."""
        delivery_id = delivery_id_for(owner_id, event_id)
        now = self.clock()
        item = WebhookDeliveryItem(
            f"DELIVERY#{delivery_id}",
            WebhookDeliveryItem.SK,
            owner=f"WEBHOOK#{owner_id}",
            created_at=now,
            shop_id=shop_id,
            expires_at=int((now + DELIVERY_RETENTION).timestamp()),
            subscription_id=owner_id,
            event_id=event_id,
            event_type=event_type,
            payload=body,
            status=DeliveryStatus.PENDING.value,
            attempts=0,
        )
        try:
            item.save(condition=WebhookDeliveryItem.pk.does_not_exist())
            return True
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
        # Queued again only while never tried: a crash between the write and the enqueue must not lose it,
        # and a second message for it is harmless (an attempt is claimed before it is sent).
        existing = self._item(delivery_id)
        return existing is not None and existing.status == DeliveryStatus.PENDING and existing.attempts == 0

    def attempt(self, delivery_id: str, *, revive: bool = False) -> DeliveryStatus | None:
        """Send one delivery once, if it is due; returns its status afterwards (None: unknown or taken)."""
        item = self._item(delivery_id)
        if item is None:
            logger.warning("webhook delivery expired or unknown", extra={"delivery_id": delivery_id})
            return None
        if revive and item.status == DeliveryStatus.FAILED:
            item = self._reopen(item, allowed=(DeliveryStatus.FAILED,))
        if item.status != DeliveryStatus.PENDING:
            return DeliveryStatus(item.status)
        now = self.clock()
        if item.next_attempt_at is not None and item.next_attempt_at > now:
            # Early (SQS delays 15 minutes at most) or another attempt is in flight: come back when due.
            self._queue.enqueue(delivery_id, math.ceil((item.next_attempt_at - now).total_seconds()))
            return DeliveryStatus.PENDING
        request = self._request(item, now)
        if request is None:
            item.update(actions=[WebhookDeliveryItem.status.set(DeliveryStatus.CANCELLED.value)])
            return DeliveryStatus.CANCELLED
        attempt = int(item.attempts) + 1
        if not self._claim(item, attempt, now):
            return None
        result = self._sender.post(request.url, request.body, request.headers)
        if result.ok and request.refusal is not None and (reason := request.refusal(result.body)):
            result = SendResult(result.status_code, reason)
        return self._settle(item, attempt, result, now)

    def _request(self, item: WebhookDeliveryItem, now: datetime) -> OutboundRequest | None:
        owner_id = item.subscription_id
        for prefix, target in self._targets.items():
            if owner_id.startswith(prefix):
                return target.request(owner_id, item.payload, now)
        subscription = self._subscriptions.target(owner_id)
        if subscription is None:
            return None
        url, secret = subscription
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "faka-webhooks/1",
            SIGNATURE_HEADER: stripe_signature(item.payload, secret, int(now.timestamp())),
            EVENT_ID_HEADER: item.event_id,
            WEBHOOK_ID_HEADER: owner_id,
        }
        return OutboundRequest(url, item.payload.encode(), headers)

    def _claim(self, item: WebhookDeliveryItem, attempt: int, now: datetime) -> bool:
        """Take attempt number ``attempt``; of two messages for one delivery only one gets it."""
        try:
            item.update(
                actions=[
                    WebhookDeliveryItem.attempts.set(attempt),
                    WebhookDeliveryItem.last_attempt_at.set(now),
                    WebhookDeliveryItem.next_attempt_at.set(now + timedelta(seconds=IN_FLIGHT_SECONDS)),
                ],
                condition=(WebhookDeliveryItem.attempts == attempt - 1)
                & (WebhookDeliveryItem.status == DeliveryStatus.PENDING.value),
            )
            return True
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            return False

    def _settle(self, item: WebhookDeliveryItem, attempt: int, result: SendResult, now: datetime) -> DeliveryStatus:
        code, error = WebhookDeliveryItem.last_status_code, WebhookDeliveryItem.last_error
        outcome = [
            code.set(result.status_code) if result.status_code is not None else code.remove(),
            error.set(result.error) if result.error else error.remove(),
        ]
        log = {"delivery_id": _delivery_id(item), "attempt": attempt, "status_code": result.status_code}
        if result.ok:
            status, delay = DeliveryStatus.DELIVERED, None
            outcome += [WebhookDeliveryItem.delivered_at.set(now), WebhookDeliveryItem.next_attempt_at.remove()]
        elif (delay := self._schedule.delay_after(attempt)) is not None:
            status = DeliveryStatus.PENDING
            outcome.append(WebhookDeliveryItem.next_attempt_at.set(now + timedelta(seconds=delay)))
        else:
            status = DeliveryStatus.FAILED
            outcome.append(WebhookDeliveryItem.next_attempt_at.remove())
        item.update(actions=[*outcome, WebhookDeliveryItem.status.set(status.value)])
        if status is DeliveryStatus.PENDING and delay is not None:
            self._queue.enqueue(_delivery_id(item), delay)
            logger.info("webhook attempt failed; retrying", extra={**log, "retry_in_seconds": delay})
        elif status is DeliveryStatus.FAILED:
            self._queue.dead_letter(_delivery_id(item))
            logger.warning("webhook delivery failed; dead-lettered", extra={**log, "error": result.error})
        return status

    def recent(self, shop_id: str, subscription_id: str, limit: int = 50) -> list[Delivery]:
        self._subscriptions.get(shop_id, subscription_id)
        items = WebhookDeliveryItem.by_owner.query(f"WEBHOOK#{subscription_id}", scan_index_forward=False, limit=limit)
        return [_delivery(item) for item in items if isinstance(item, WebhookDeliveryItem)]

    def replay(self, shop_id: str, delivery_id: str) -> Delivery:
        """Send a delivered or failed delivery again, with a fresh schedule (e.g. after the storefront's fix)."""
        item = self._item(delivery_id)
        if item is None or item.shop_id != shop_id:
            raise NotFound(f"no webhook delivery {delivery_id!r} in this shop", code="unknown_delivery")
        self._subscriptions.get(shop_id, item.subscription_id)
        item = self._reopen(item, allowed=(DeliveryStatus.DELIVERED, DeliveryStatus.FAILED))
        self._queue.enqueue(delivery_id)
        return _delivery(item)

    def replay_failed(self, shop_id: str, subscription_id: str) -> int:
        """Replay every failed delivery of a subscription still on record; returns how many."""
        self._subscriptions.get(shop_id, subscription_id)
        replayed = 0
        for item in WebhookDeliveryItem.by_owner.query(f"WEBHOOK#{subscription_id}"):
            if isinstance(item, WebhookDeliveryItem) and item.status == DeliveryStatus.FAILED:
                self.replay(shop_id, _delivery_id(item))
                replayed += 1
        return replayed

    def _reopen(self, item: WebhookDeliveryItem, *, allowed: tuple[DeliveryStatus, ...]) -> WebhookDeliveryItem:
        condition = WebhookDeliveryItem.status.is_in(*(status.value for status in allowed))
        try:
            item.update(
                actions=[
                    WebhookDeliveryItem.status.set(DeliveryStatus.PENDING.value),
                    WebhookDeliveryItem.attempts.set(0),
                    WebhookDeliveryItem.next_attempt_at.remove(),
                    WebhookDeliveryItem.expires_at.set(int((self.clock() + DELIVERY_RETENTION).timestamp())),
                ],
                condition=condition,
            )
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            raise Conflict(
                "the delivery is still being attempted; replay it once it is delivered or failed",
                code="delivery_in_progress",
            ) from None
        return item

    def _item(self, delivery_id: str) -> WebhookDeliveryItem | None:
        try:
            return WebhookDeliveryItem.get(f"DELIVERY#{delivery_id}", WebhookDeliveryItem.SK)
        except DoesNotExist:
            return None


def _delivery_id(item: WebhookDeliveryItem) -> str:
    return item.pk.removeprefix("DELIVERY#")


def _delivery(item: WebhookDeliveryItem) -> Delivery:
    return Delivery(
        delivery_id=_delivery_id(item),
        subscription_id=item.subscription_id,
        shop_id=item.shop_id,
        event_id=item.event_id,
        event_type=item.event_type,
        status=DeliveryStatus(item.status),
        attempts=int(item.attempts),
        last_status_code=None if item.last_status_code is None else int(item.last_status_code),
        last_error=item.last_error,
        last_attempt_at=item.last_attempt_at,
        next_attempt_at=item.next_attempt_at,
        delivered_at=item.delivered_at,
        created_at=item.created_at,
    )
