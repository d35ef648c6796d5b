"""A ticket as stored and as shown: its statuses and channels, the buyer's request and the answer they get, and
reading and writing a ticket's row, its messages and its events.

What a ticket *does* lives elsewhere: :mod:`faka.support.tickets` opens and reads tickets,
:mod:`faka.support.assistant` takes the assistant's turn, :mod:`faka.support.help_desk` the operators'.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from faka.adapters.tables.tickets import TicketItem, TicketMessageItem, TicketTableItem
from faka.errors import NotFound
from faka.observability import logger
from faka.ports import EventPublisher
from faka.security import token_matches
from faka.triage import Triage

# The author of the evidence a playbook records on a ticket: for the people handling it, never shown to the buyer.
EVIDENCE_AUTHOR = "system"


@dataclass(frozen=True)
class QueuePlace:
    """Where a ticket stands: ``position`` 1 is served next; 0 means a person has the ticket now."""

    position: int
    eta_minutes: int


class HumanDesk(Protocol):
    """The help desk a ticket is handed to (:class:`faka.support.help_desk.HelpDesk`, which reads tickets)."""

    def note_opened(self, shop_id: str, intent: str) -> None: ...

    def note_auto_resolved(self, shop_id: str, intent: str, seconds: float) -> None: ...

    def enqueue(self, ticket_id: str, *, reason: str) -> QueuePlace: ...

    def buyer_replied(self, ticket_id: str) -> QueuePlace | None: ...


class TicketStatus(StrEnum):
    ANSWERED = "answered"
    OPEN = "open"
    AWAITING_BUYER = "awaiting_buyer"
    WAITING_FOR_AGENT = "waiting_for_agent"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"


class Channel(StrEnum):
    API = "api"
    CHAT = "chat"
    EMAIL = "email"


@dataclass(frozen=True)
class Ticket:
    ticket_id: str
    shop_id: str
    order_id: str | None
    status: str
    intent: str
    severity: int
    source: str
    summary: str
    created_at: datetime
    language: str = "en"
    sentiment: str = "neutral"
    confidence: float = 1.0
    severity_reasons: tuple[str, ...] = ()
    entities: dict[str, object] = field(default_factory=dict)
    email: str | None = None
    outcome: str | None = None
    # The language the assistant answers in (the buyer's, else the order's).
    locale: str | None = None
    # The knowledge-base article the assistant answered with: {"id", "title"}.
    article: dict[str, str] | None = None


@dataclass(frozen=True)
class TicketMessage:
    author: str
    channel: str
    body: str
    created_at: datetime
    attachments: tuple[str, ...] = ()


@dataclass(frozen=True)
class TicketRequest:
    shop_id: str
    message: str
    channel: Channel
    order_id: str | None = None
    access_token: str | None = None
    email: str | None = None
    locale: str | None = None
    attachments: tuple[str, ...] = ()
    ip: str | None = None
    device: str | None = None


@dataclass(frozen=True)
class TicketReply:
    ticket: Ticket
    reply: str
    ticket_token: str | None = None


def as_ticket(item: TicketItem) -> Ticket:
    return Ticket(
        item.ticket_id,
        item.shop_id,
        item.order_id,
        item.status,
        item.intent,
        int(item.severity),
        item.source,
        item.summary,
        item.created_at,
        item.language,
        item.sentiment,
        float(item.confidence),
        tuple(str(reason) for reason in item.severity_reasons or ()),
        json.loads(item.entities or "{}"),
        item.email,
        item.playbook_outcome,
        item.locale,
        json.loads(item.knowledge_article) if item.knowledge_article else None,
    )


def ticket_item(ticket_id: str) -> TicketItem:
    """The ticket as stored, read consistently; an unknown id is a 404."""
    try:
        return TicketItem.get(ticket_id, TicketItem.SK, consistent_read=True)
    except TicketItem.DoesNotExist:
        raise NotFound("no such ticket", code="unknown_ticket") from None


def owned_item(ticket_id: str, token: str | None) -> TicketItem:
    """The ticket its token opens; a wrong token is exactly like an unknown ticket."""
    try:
        item = TicketItem.get(ticket_id, TicketItem.SK)
    except TicketItem.DoesNotExist:
        item = None
    if item is None or not token or not token_matches(token, item.access_token_sha256):
        raise NotFound("no such ticket", code="unknown_ticket")
    return item


def set_status(item: TicketItem, status: TicketStatus) -> None:
    TicketItem(item.ticket_id, TicketItem.SK).update(actions=[TicketItem.status.set(status.value)])
    item.status = status.value


def append_message(
    ticket_id: str, author: str, channel: Channel, body: str, when: datetime, attachments: tuple[str, ...] = ()
) -> None:
    TicketMessageItem(
        ticket_id,
        f"MSG#{when.isoformat()}#{uuid.uuid4().hex[:8]}",
        author=author,
        channel=channel.value,
        body=body,
        attachments=list(attachments),
        created_at=when,
    ).save()


def _messages(ticket_id: str, *, newest_first: bool = False) -> list[TicketMessageItem]:
    return [
        m
        for m in TicketTableItem.query(
            ticket_id, TicketTableItem.sk.startswith("MSG#"), scan_index_forward=not newest_first
        )
        if isinstance(m, TicketMessageItem)
    ]


def buyer_visible_messages(ticket_id: str) -> list[TicketMessage]:
    """The thread as the buyer sees it: the evidence a playbook recorded is for the people handling the ticket."""
    return [
        TicketMessage(m.author, m.channel, m.body, m.created_at, tuple(str(key) for key in m.attachments or ()))
        for m in _messages(ticket_id)
        if m.author != EVIDENCE_AUTHOR
    ]


def last_reply(ticket_id: str) -> str:
    replies = [m.body for m in _messages(ticket_id, newest_first=True) if m.author == "assistant"]
    return replies[0] if replies else ""


def now() -> datetime:
    return datetime.now(UTC)


class TicketEvents:
    """The events a ticket's life publishes: opened, classified (each reading of the buyer's words), resolved by
    the assistant."""

    def __init__(self, events: EventPublisher) -> None:
        self._events = events

    def opened(self, item: TicketItem) -> None:
        self._events.publish(
            "TicketOpened",
            {
                "ticket_id": item.ticket_id,
                "shop_id": item.shop_id,
                "order_id": item.order_id,
                "intent": item.intent,
                "severity": int(item.severity),
                "source": item.source,
            },
        )

    def classified(self, item: TicketItem, triage: Triage) -> None:
        logger.info(
            "ticket classified",
            extra={"ticket_id": item.ticket_id, "intent": triage.intent, "severity": triage.severity},
        )
        self._events.publish(
            "TicketClassified",
            {
                "ticket_id": item.ticket_id,
                "shop_id": item.shop_id,
                "intent": triage.intent,
                "confidence": round(triage.confidence, 4),
                "language": triage.language,
                "sentiment": triage.sentiment,
                "severity": triage.severity,
                "severity_reasons": list(triage.severity_reasons),
            },
        )

    def resolved(self, item: TicketItem, seconds: float) -> None:
        self._events.publish(
            "TicketResolved",
            {
                "ticket_id": item.ticket_id,
                "shop_id": item.shop_id,
                "order_id": item.order_id,
                "intent": item.intent,
                "resolved_by": "assistant",
                "resolved_at": now().isoformat(),
                "resolve_seconds": round(seconds, 3),
                "first_response_seconds": None,
            },
        )
