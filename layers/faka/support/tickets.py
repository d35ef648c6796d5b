"""After-sales tickets on three channels (API, chat turns, email), understood on arrival.

A ticket is classified by the embedded triage model, answered at once in the buyer's language
(what the problem is, which order, what happens next) and kept for a person when it needs one.
Nothing about an order is revealed or attached without its access token or the buyer's own email, and
the ticket records which of the two it was given (``Proof``): with the email alone, anything that moves
money or keys waits for a confirmation through the order's own mailbox (``confirm``).
Every text the buyer writes is masked (``BuyerText``) before it is stored or shown.

A question that is not about an order (no order named, or the triage cannot tell what is wrong with the one
named) is answered from the shop's knowledge base when an article scores above the bar: the answer names the
article and asks whether it helped; "no" (a chat turn, or ``article_feedback``) hands the ticket to a person.
A question no article answers is counted for the knowledge-gap report. An operator's intent corrections
(``ShopCorrections``) adjust the triage per shop, and every reply keeps the shop's tone (``ShopTone``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.update import Action

from faka.adapters.counters import Counters
from faka.adapters.tables.tickets import TicketItem, TicketMessageItem, TicketTableItem
from faka.errors import Conflict, InvalidRequest, NotFound
from faka.knowledge import Article, locale_of
from faka.knowledge import answer as knowledge_answer
from faka.knowledge.feedback import helpful_verdict, thanks
from faka.knowledge.phrases import phrases
from faka.knowledge.store import ShopKnowledge
from faka.observability import logger, metrics
from faka.ports import EventPublisher
from faka.sales.orders import Orders
from faka.sales.redaction import BuyerText
from faka.security import new_token, token_digest, token_matches
from faka.shared.links import LinkSigner
from faka.shared.model import Order
from faka.shared.templating import MessageTemplates
from faka.support import clarifying
from faka.support.clarifying import Asked, Question
from faka.support.corrections import ShopCorrections
from faka.support.resolutions import CONFIRM_ACTION, Claim, Next, Outcome, Proof, Resolution
from faka.support.tone import ShopTone
from faka.triage import LOW_CONFIDENCE, MAX_MESSAGE_CHARS, Triage, TriageContext, classify
from faka.triage.language import is_traditional
from faka.trust.claims import Claimant


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


class PlaybookRunner(Protocol):
    """What settles a classified claim (:class:`faka.support.playbooks.Playbooks`)."""

    def run(self, claim: Claim, now: datetime | None = None) -> Resolution: ...


EVIDENCE_AUTHOR = "system"
# Where the knowledge base's figures per shop are counted: ``ARTICLE#<id>`` (answered, helpful, not_helpful)
# and ``UNANSWERED`` (questions no article answered, and their phrases).
UNANSWERED = "UNANSWERED"
# One question adds at most this many phrases to the gap counts.
_GAP_PHRASES = 12


def knowledge_stats_key(shop_id: str) -> str:
    return f"KNOWLEDGE#{shop_id}"


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


def _ticket(item: TicketItem) -> Ticket:
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


def _message_key(now: datetime) -> str:
    return f"MSG#{now.isoformat()}#{uuid.uuid4().hex[:8]}"


class Tickets:
    def __init__(
        self,
        events: EventPublisher,
        orders: Orders | None = None,
        replies: MessageTemplates | None = None,
        *,
        buyer_text: BuyerText,
        links: LinkSigner,
        playbooks: PlaybookRunner | None = None,
        desk: HumanDesk | None = None,
        knowledge: ShopKnowledge | None = None,
        corrections: ShopCorrections | None = None,
        tone: ShopTone | None = None,
        counters: Counters | None = None,
    ) -> None:
        self._events = events
        self._orders = orders
        self._replies = replies
        self._buyer_text = buyer_text
        self._links = links
        self._playbooks = playbooks
        self._desk = desk
        self._knowledge = knowledge
        self._corrections = corrections
        self._tone = tone
        self._counters = counters

    # -- opened by the system (escalations, buyer links) -------------------------------------------------

    def open_once(
        self,
        *,
        key: str,
        shop_id: str,
        order_id: str | None,
        intent: str,
        severity: int,
        source: str,
        summary: str,
        locale: str = "en",
    ) -> Ticket:
        """Open a ticket named by ``key`` (e.g. the order and the reason), or return the one already open."""
        ticket_id = uuid.uuid5(uuid.NAMESPACE_URL, f"faka:{key}").hex
        item = TicketItem(
            ticket_id,
            TicketItem.SK,
            shop_id=shop_id,
            order_id=order_id,
            intent=intent,
            severity=severity,
            source=source,
            summary=summary,
            locale=locale,
            language=locale.split("-")[0],
            created_at=datetime.now(UTC),
        )
        try:
            item.save(condition=TicketItem.ticket_id.does_not_exist())
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            return _ticket(TicketItem.get(ticket_id, TicketItem.SK))
        self._publish_opened(item)
        if self._desk is not None:
            self._desk.note_opened(shop_id, intent)
            self._desk.enqueue(ticket_id, reason=f"opened by {source}: {intent}")
            item.refresh()
        return _ticket(item)

    def for_shop(self, shop_id: str, limit: int = 100) -> list[Ticket]:
        keys = [
            (i.ticket_id, TicketItem.SK)
            for i in TicketItem.by_shop.query(shop_id, scan_index_forward=False, limit=limit)
        ]
        items = {i.ticket_id: i for i in TicketItem.batch_get(keys)} if keys else {}
        return [_ticket(items[ticket_id]) for ticket_id, _ in keys if ticket_id in items]

    # -- written by buyers -------------------------------------------------------------------------------

    def submit(self, request: TicketRequest) -> TicketReply:
        text = _checked(request.message)
        order, proof = self._order_for(request)
        if order is None and not request.email:
            raise InvalidRequest("name your order (with its access token) or give your email", code="missing_contact")
        triage = self._classify(request.shop_id, text, order)
        if order is None and (named := self._buyers_order(request.shop_id, request.email, triage)) is not None:
            order, proof = named, Proof.EMAIL
        now = datetime.now(UTC)
        token = new_token()
        locale = _reply_locale(triage, text, request.locale or (order.locale if order else None))
        # Thanks or praise is answered in kind: no article, no question, no knowledge-base gap.
        thanked = _thanked(triage, text)
        found = None if thanked else self._article_for(request.shop_id, text, locale, order, triage)
        question = None if found is not None or thanked else _question(triage, order)
        low_confidence = _unclear(triage) and found is None and question is None and not thanked
        # A real question with no order that no article answers is for a person; asking it again would not help.
        unanswerable = low_confidence and order is None and self._knowledge is not None and not _too_short(text)
        item = TicketItem(
            uuid.uuid4().hex,
            TicketItem.SK,
            shop_id=request.shop_id,
            order_id=order.order_id if order else None,
            email=(order.email if order else request.email),
            access_token_sha256=token_digest(token),
            proof=proof.value if proof else None,
            status=TicketStatus.OPEN.value,
            intent=triage.intent,
            confidence=round(triage.confidence, 4),
            language=triage.language,
            sentiment=triage.sentiment,
            severity=triage.severity,
            severity_reasons=triage.severity_reasons,
            entities=json.dumps(triage.entities, ensure_ascii=False),
            source=request.channel.value,
            summary=self._buyer_text.mask(text, order)[:300],
            locale=locale,
            rephrase_asked=1 if low_confidence and not unanswerable else 0,
            created_at=now,
            buyer_ip=request.ip,
            device_id=request.device,
        )
        item.save(condition=TicketItem.ticket_id.does_not_exist())
        self._append(
            item.ticket_id, "buyer", request.channel, self._buyer_text.mask(text, order), now, request.attachments
        )
        self._publish_opened(item)
        self._publish_classified(item, triage)
        metrics.add_metric(name="TicketsOpened", unit="Count", value=1)
        if self._desk is not None:
            self._desk.note_opened(request.shop_id, triage.intent)
        if found is not None:
            reply = self._answer_from(item, found)
        elif question is not None:
            reply = self._ask(item, order, question)
        elif thanked:
            reply = self._acknowledge(item, order)
        elif unanswerable:
            reply = self._hand_over(item, None, "no knowledge-base article answers the question")
        elif low_confidence:
            self._set_status(item, TicketStatus.AWAITING_BUYER)
            reply = self._render(item, order, rephrase=True)
        else:
            reply = self._act(item, order, triage.intent, triage.entities)
        self._append(item.ticket_id, "assistant", request.channel, reply, datetime.now(UTC))
        return TicketReply(_ticket(item), reply, token)

    def article_feedback(self, ticket_id: str, token: str | None, helpful: bool) -> TicketReply:
        """The buyer's answer to "did this help?" on a ticket answered from the knowledge base; "no" gets a person."""
        item = self._owned(ticket_id, token)
        if item.playbook_outcome != Outcome.ANSWERED_FROM_KNOWLEDGE_BASE or item.article_helpful is not None:
            raise Conflict("this answer has no open question", code="no_feedback_asked")
        reply = self._verdict(item, helpful)
        self._append(item.ticket_id, "assistant", Channel.API, reply, _now())
        return TicketReply(_ticket(item), reply)

    def converse(self, ticket_id: str, token: str | None, message: str, channel: Channel = Channel.CHAT) -> TicketReply:
        """One chat turn (or an emailed reply): the buyer writes, the assistant answers or hands over."""
        item = self._owned(ticket_id, token)
        return self._continue(item, message, channel)

    def continue_by_email(
        self, ticket_id: str, sender: str, message: str, attachments: tuple[str, ...] = ()
    ) -> TicketReply:
        """A reply that arrived by email threads onto its ticket only when it comes from the ticket's address."""
        item = ticket_item(ticket_id)
        if not item.email or item.email.lower() != sender.lower():
            raise NotFound("no such ticket", code="unknown_ticket")
        return self._continue(item, message, Channel.EMAIL, attachments)

    def thread(self, ticket_id: str, token: str | None) -> tuple[Ticket, list[TicketMessage]]:
        item = self._owned(ticket_id, token)
        messages = [
            TicketMessage(m.author, m.channel, m.body, m.created_at, tuple(str(key) for key in m.attachments or ()))
            for m in TicketTableItem.query(ticket_id, TicketTableItem.sk.startswith("MSG#"))
            # The evidence a playbook recorded is for the people handling the ticket.
            if isinstance(m, TicketMessageItem) and m.author != EVIDENCE_AUTHOR
        ]
        return _ticket(item), messages

    # -- confirmed through the order's mailbox ---------------------------------------------------------

    def confirmation(self, ticket_id: str, query: Mapping[str, str]) -> tuple[Ticket, str]:
        """The ticket and the request (its intent) a mailed confirmation link is for, once the link holds."""
        params = self._links.verify(CONFIRM_ACTION, query)
        if params.get("t") != ticket_id or not params.get("i"):
            raise InvalidRequest("this link is not valid", code="invalid_link")
        return _ticket(ticket_item(ticket_id)), params["i"]

    def confirm(self, ticket_id: str, query: Mapping[str, str]) -> TicketReply:
        """The order's mailbox confirmed the request: its playbook runs now, once however often the link is posted.

        Only the request the link names is confirmed; the ticket keeps the proof it was opened with.
        """
        _, intent = self.confirmation(ticket_id, query)
        try:
            TicketItem(ticket_id, TicketItem.SK).update(
                actions=[TicketItem.playbook_outcome.set(Outcome.CONFIRMED.value)],
                condition=(TicketItem.playbook_outcome == Outcome.CONFIRMATION_SENT.value)
                & (TicketItem.playbook == intent),
            )
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            # Confirmed before (or the conversation moved on): the answer already given stands.
            return TicketReply(_ticket(ticket_item(ticket_id)), self._last_reply(ticket_id))
        item = ticket_item(ticket_id)
        order = self._orders.get(item.order_id) if self._orders and item.order_id else None
        reply = self._act(item, order, intent, json.loads(item.entities or "{}"), confirmed_by_mailbox=True)
        self._append(item.ticket_id, "assistant", Channel.EMAIL, reply, _now())
        return TicketReply(_ticket(item), reply)

    # -- internals -------------------------------------------------------------------------------------

    def _continue(
        self, item: TicketItem, message: str, channel: Channel, attachments: tuple[str, ...] = ()
    ) -> TicketReply:
        text = _checked(message)
        order = self._orders.get(item.order_id) if self._orders and item.order_id else None
        now = datetime.now(UTC)
        self._append(item.ticket_id, "buyer", channel, self._buyer_text.mask(text, order), now, attachments)
        place = self._desk.buyer_replied(item.ticket_id) if self._desk is not None else None
        if place is not None:
            # A person owns the conversation: the assistant only confirms the message reached them.
            item.refresh()
            reply = self._render(item, order, handover=True, place=place)
            self._append(item.ticket_id, "assistant", channel, reply, datetime.now(UTC))
            return TicketReply(_ticket(item), reply)
        verdict = helpful_verdict(text)
        if (
            verdict is not None
            and item.playbook_outcome == Outcome.ANSWERED_FROM_KNOWLEDGE_BASE
            and item.article_helpful is None
        ):
            reply = self._verdict(item, verdict)
            self._append(item.ticket_id, "assistant", channel, reply, datetime.now(UTC))
            return TicketReply(_ticket(item), reply)
        triage = self._classify(item.shop_id, text, order)
        question = clarifying.pending(item.ticket_id)
        if question is not None:
            reply = self._read_answer(item, order, question, triage)
            self._append(item.ticket_id, "assistant", channel, reply, datetime.now(UTC))
            return TicketReply(_ticket(item), reply)
        thanked = _thanked(triage, text)
        found = None if thanked else self._article_for(item.shop_id, text, item.locale or item.language, order, triage)
        if found is not None or thanked:
            reply = self._answer_from(item, found) if found is not None else self._acknowledge(item, order)
            self._append(item.ticket_id, "assistant", channel, reply, datetime.now(UTC))
            return TicketReply(_ticket(item), reply)
        # "Send it to x@y" answers the question the buyer was asked, however the model reads it alone.
        answers_address = item.playbook_outcome == Outcome.ASKED_FOR_ADDRESS and "email" in triage.entities
        low_confidence = _unclear(triage) and not answers_address
        question = None if answers_address else _question(triage, order)
        if question is not None and not clarifying.asked_before(item.ticket_id, question.asked):
            self._reclassified(item, triage, triage.intent, triage.confidence)
            reply = self._ask(item, order, question)
        elif low_confidence and int(item.rephrase_asked or 0):
            # Asked to rephrase once already: a person takes over rather than a second guess.
            reply = self._hand_over(item, order, "unclear after asking once to rephrase")
        elif low_confidence:
            TicketItem(item.ticket_id, TicketItem.SK).update(actions=[TicketItem.rephrase_asked.set(1)])
            item.rephrase_asked = 1
            self._set_status(item, TicketStatus.AWAITING_BUYER)
            reply = self._render(item, order, rephrase=True)
        else:
            reply = self._act(item, order, *self._reclassified(item, triage, triage.intent, triage.confidence))
        self._append(item.ticket_id, "assistant", channel, reply, datetime.now(UTC))
        return TicketReply(_ticket(item), reply)

    def _reclassified(
        self, item: TicketItem, triage: Triage, intent: str, confidence: float
    ) -> tuple[str, dict[str, Any]]:
        """The ticket takes the intent a later turn gave; the entities of every turn are kept, the latest first."""
        severity = max(triage.severity, int(item.severity))
        entities = {**json.loads(item.entities or "{}"), **triage.entities}
        TicketItem(item.ticket_id, TicketItem.SK).update(
            actions=[
                TicketItem.intent.set(intent),
                TicketItem.confidence.set(round(confidence, 4)),
                TicketItem.severity.set(severity),
                TicketItem.entities.set(json.dumps(entities, ensure_ascii=False)),
            ]
        )
        item.intent, item.severity = intent, severity
        item.entities = json.dumps(entities, ensure_ascii=False)
        self._publish_classified(item, triage)
        return intent, entities

    def _ask(self, item: TicketItem, order: Order | None, question: Question) -> str:
        """One clarifying question; the ticket waits on the buyer's answer (``_read_answer``)."""
        clarifying.ask(item.ticket_id, question)
        outcome = Outcome.ASKED_FOR_ORDER if question.asked is Asked.ORDER else Outcome.ASKED_TO_CLARIFY
        TicketItem(item.ticket_id, TicketItem.SK).update(actions=[TicketItem.playbook_outcome.set(outcome.value)])
        item.playbook_outcome = outcome.value
        self._set_status(item, TicketStatus.AWAITING_BUYER)
        return self._render(
            item, order, resolution=Resolution(outcome, Next.BUYER, reply={"intents": list(question.intents)})
        )

    def _acknowledge(self, item: TicketItem, order: Order | None) -> str:
        """Thanks or praise with nothing asked: answered in kind and resolved, never asked to rephrase."""
        TicketItem(item.ticket_id, TicketItem.SK).update(
            actions=[TicketItem.playbook_outcome.set(Outcome.ACKNOWLEDGED.value)]
        )
        item.playbook_outcome = Outcome.ACKNOWLEDGED.value
        self._set_status(item, TicketStatus.RESOLVED)
        self._publish_resolved(item)
        return self._render(item, order, resolution=Resolution(Outcome.ACKNOWLEDGED, Next.RESOLVED))

    def _read_answer(self, item: TicketItem, order: Order | None, question: Question, triage: Triage) -> str:
        """The turn after a clarifying question, read with it: the order named for the problem described first, or
        the intent the answer and the first message's probabilities together settle on; else a person."""
        if question.asked is Asked.ORDER:
            named = self._buyers_order(item.shop_id, item.email, triage)
            clarifying.answered(item.ticket_id, question, settled=named is not None)
            if named is None and "order_id" not in triage.entities and self._knowledge is not None:
                # No order at all: the first message was a question after all, and may have its article now that
                # it need not be told apart from an order problem.
                found = knowledge_answer(
                    item.summary, item.locale or item.language, self._knowledge.base(item.shop_id), no_order=True
                )
                if found is not None:
                    return self._answer_from(item, found)
            if named is None:
                return self._hand_over(item, None, "no order of the buyer's named after asking which")
            TicketItem(item.ticket_id, TicketItem.SK).update(
                actions=[TicketItem.order_id.set(named.order_id), TicketItem.proof.set(Proof.EMAIL.value)]
            )
            item.order_id, item.proof = named.order_id, Proof.EMAIL.value
            return self._act(item, named, *self._reclassified(item, triage, item.intent, float(item.confidence)))
        settled = clarifying.settle(question, triage)
        clarifying.answered(item.ticket_id, question, settled=settled is not None)
        if settled is None:
            return self._hand_over(item, order, "unclear after a clarifying question")
        intent, confidence = settled
        if order is None and (named := self._buyers_order(item.shop_id, item.email, triage)) is not None:
            TicketItem(item.ticket_id, TicketItem.SK).update(
                actions=[TicketItem.order_id.set(named.order_id), TicketItem.proof.set(Proof.EMAIL.value)]
            )
            item.order_id, item.proof, order = named.order_id, Proof.EMAIL.value, named
        intent, entities = self._reclassified(item, triage, intent, confidence)
        if (
            order is None
            and clarifying.needs_order(intent)
            and not clarifying.asked_before(item.ticket_id, Asked.ORDER)
        ):
            return self._ask(item, None, clarifying.which_order(intent))
        return self._act(item, order, intent, entities)

    def _buyers_order(self, shop_id: str, email: str | None, triage: Triage) -> Order | None:
        """The order the message names by id, when it is the shop's and placed with ``email`` (as ``_order_for``)."""
        order_id = triage.entities.get("order_id")
        if not order_id or not email or self._orders is None:
            return None
        try:
            order = self._orders.get(str(order_id))
        except NotFound:
            return None
        if order.shop_id != shop_id or order.email.lower() != email.strip().lower():
            return None
        return order

    def _classify(self, shop_id: str, text: str, order: Order | None) -> Triage:
        triage = classify(text, _context(order))
        if self._corrections is None:
            return triage
        adjusted, override = self._corrections.adjust(shop_id, text, triage)
        if override is not None and adjusted is not triage:
            logger.info(
                "intent corrected by the shop's earlier correction",
                extra={
                    "model": triage.intent,
                    "corrected": adjusted.intent,
                    "similarity": round(override.similarity, 3),
                },
            )
        return adjusted

    def _article_for(
        self, shop_id: str, text: str, locale: str, order: Order | None, triage: Triage
    ) -> tuple[Article, float] | None:
        """The article answering a question that is no order problem: none named, or the one named is not the issue;
        or the article that answers every ticket of a confident intent no playbook can act on (account security)."""
        if self._knowledge is None:
            return None
        base = self._knowledge.base(shop_id)
        if not _unclear(triage) and (named := base.for_intent(triage.intent, locale)) is not None:
            return named, triage.confidence
        if order is not None and not _unclear(triage):
            return None
        found = knowledge_answer(text, locale, base)
        if found is None and order is None and _unclear(triage) and self._counters is not None:
            # A question no article answers and no playbook knows: what the knowledge-gap report lists for the
            # shop to write.
            distinct = list(dict.fromkeys(phrases(self._buyer_text.mask(text, None))))[:_GAP_PHRASES]
            self._counters.add(
                knowledge_stats_key(shop_id), UNANSWERED, {"questions": 1} | {f"phrase:{p}": 1 for p in distinct}
            )
        return found

    def _answer_from(self, item: TicketItem, found: tuple[Article, float]) -> str:
        article, score = found
        reference = json.dumps(article.as_reference(), ensure_ascii=False)
        TicketItem(item.ticket_id, TicketItem.SK).update(
            actions=[
                TicketItem.playbook_outcome.set(Outcome.ANSWERED_FROM_KNOWLEDGE_BASE.value),
                TicketItem.knowledge_article.set(reference),
                TicketItem.article_helpful.remove(),
                TicketItem.rephrase_asked.set(0),
            ]
        )
        item.playbook_outcome, item.knowledge_article, item.article_helpful = (
            Outcome.ANSWERED_FROM_KNOWLEDGE_BASE.value,
            reference,
            None,
        )
        self._count_article(item.shop_id, article.id, "answered")
        self._set_status(item, TicketStatus.RESOLVED)
        self._publish_resolved(item)
        logger.info("answered from the knowledge base", extra={"article": article.id, "score": round(score, 3)})
        facts = {"article": {"id": article.id, "title": article.title, "body": article.body}}
        return self._render(
            item, None, resolution=Resolution(Outcome.ANSWERED_FROM_KNOWLEDGE_BASE, Next.RESOLVED, reply=facts)
        )

    def _verdict(self, item: TicketItem, helpful: bool) -> str:
        """Record the buyer's "did this help?"; a "no" is a gap in the article and a question for a person."""
        TicketItem(item.ticket_id, TicketItem.SK).update(actions=[TicketItem.article_helpful.set(helpful)])
        item.article_helpful = helpful
        article_id = json.loads(item.knowledge_article or "{}").get("id", "")
        self._count_article(item.shop_id, article_id, "helpful" if helpful else "not_helpful")
        if not helpful:
            return self._hand_over(item, None, f"knowledge-base article {article_id} did not help")
        return self._render(
            item,
            None,
            resolution=Resolution(Outcome.ANSWERED_FROM_KNOWLEDGE_BASE, Next.RESOLVED, reply={"helpful": True}),
        )

    def _count_article(self, shop_id: str, article_id: str, figure: str) -> None:
        if self._counters is not None:
            self._counters.add(knowledge_stats_key(shop_id), f"ARTICLE#{article_id}", {figure: 1})

    def _act(
        self,
        item: TicketItem,
        order: Order | None,
        intent: str,
        entities: dict[str, Any],
        *,
        confirmed_by_mailbox: bool = False,
    ) -> str:
        """Run the intent's playbook and answer with what it did; a person takes what it cannot settle."""
        if self._playbooks is None:
            return self._hand_over(item, order, "no playbooks configured")
        resolution = self._playbooks.run(
            Claim(
                ticket_id=item.ticket_id,
                intent=intent,
                order=order,
                claimant=Claimant(item.email, item.buyer_ip, item.device_id),
                entities=entities,
                previous_outcome=item.playbook_outcome,
                proof=Proof.MAILBOX if confirmed_by_mailbox else Proof(item.proof or Proof.EMAIL),
                counted=confirmed_by_mailbox,
            )
        )
        actions: list[Action] = [
            TicketItem.playbook.set(intent),
            TicketItem.playbook_outcome.set(resolution.outcome.value),
        ]
        if resolution.risk is not None:
            actions += [
                TicketItem.risk_score.set(resolution.risk.score),
                TicketItem.risk_signals.set(list(resolution.risk.signals)),
            ]
        TicketItem(item.ticket_id, TicketItem.SK).update(actions=actions)
        item.playbook, item.playbook_outcome = intent, resolution.outcome.value
        if resolution.evidence is not None:
            self._append(
                item.ticket_id,
                EVIDENCE_AUTHOR,
                Channel.API,
                json.dumps(resolution.evidence, ensure_ascii=False),
                _now(),
            )
        if resolution.next is Next.PERSON:
            return self._hand_over(item, order, resolution.reason, resolution)
        self._set_status(
            item, TicketStatus.RESOLVED if resolution.next is Next.RESOLVED else TicketStatus.AWAITING_BUYER
        )
        if resolution.next is Next.RESOLVED:
            self._publish_resolved(item)
        return self._render(item, order, resolution=resolution)

    def _hand_over(
        self, item: TicketItem, order: Order | None, reason: str, resolution: Resolution | None = None
    ) -> str:
        place = self._desk.enqueue(item.ticket_id, reason=reason) if self._desk is not None else None
        if place is None:
            self._set_status(item, TicketStatus.WAITING_FOR_AGENT)
        else:
            item.refresh()
        return self._render(item, order, handover=True, place=place, resolution=resolution)

    @staticmethod
    def _set_status(item: TicketItem, status: TicketStatus) -> None:
        TicketItem(item.ticket_id, TicketItem.SK).update(actions=[TicketItem.status.set(status.value)])
        item.status = status.value

    @staticmethod
    def _last_reply(ticket_id: str) -> str:
        replies = [
            m.body
            for m in TicketTableItem.query(ticket_id, TicketTableItem.sk.startswith("MSG#"), scan_index_forward=False)
            if isinstance(m, TicketMessageItem) and m.author == "assistant"
        ]
        return replies[0] if replies else ""

    def _owned(self, ticket_id: str, token: str | None) -> TicketItem:
        try:
            item = TicketItem.get(ticket_id, TicketItem.SK)
        except TicketItem.DoesNotExist:
            item = None
        if item is None or not token or not token_matches(token, item.access_token_sha256):
            raise NotFound("no such ticket", code="unknown_ticket")
        return item

    def _order_for(self, request: TicketRequest) -> tuple[Order | None, Proof | None]:
        """The order the buyer names and how they proved it is theirs; otherwise exactly like a missing one."""
        if not request.order_id or self._orders is None:
            return None, None
        try:
            order = self._orders.get(request.order_id)
        except NotFound:
            order = None
        if order is not None and order.shop_id == request.shop_id:
            if request.access_token and self._orders.holds_credential(order, request.access_token):
                return order, Proof.ACCESS_TOKEN
            if request.email and request.email.strip().lower() == order.email.lower():
                return order, Proof.EMAIL
        raise NotFound("no such order", code="unknown_order")

    def _render(
        self,
        item: TicketItem,
        order: Order | None,
        *,
        rephrase: bool = False,
        handover: bool = False,
        place: QueuePlace | None = None,
        resolution: Resolution | None = None,
    ) -> str:
        if self._replies is None:
            return ""
        reply = self._replies.render_text(
            "ticket_reply",
            item.locale or item.language,
            {
                "intent": item.intent,
                "status": item.status,
                "severity": int(item.severity),
                "order_ref": order.order_id[:8] if order else None,
                "rephrase": rephrase,
                "handover": handover,
                "ticket_ref": item.ticket_id[:12],
                "position": place.position if place else None,
                "eta_minutes": place.eta_minutes if place else None,
                "outcome": resolution.outcome.value if resolution else None,
                "held": resolution is not None and resolution.outcome is Outcome.HELD_FOR_REVIEW,
                "facts": resolution.reply if resolution else {},
            },
        )
        if self._tone is not None:
            reply = self._tone.rules(item.shop_id).dress(reply, item.locale or item.language)
        # Replies never carry a key; this keeps it so whatever a template or a fact ever names.
        return self._buyer_text.codes_masked(reply, order) if order is not None else reply

    @staticmethod
    def _append(
        ticket_id: str, author: str, channel: Channel, body: str, when: datetime, attachments: tuple[str, ...] = ()
    ) -> None:
        TicketMessageItem(
            ticket_id,
            _message_key(when),
            author=author,
            channel=channel.value,
            body=body,
            attachments=list(attachments),
            created_at=when,
        ).save()

    def _publish_opened(self, item: TicketItem) -> None:
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

    def _publish_resolved(self, item: TicketItem) -> None:
        seconds = (_now() - item.created_at).total_seconds()
        if self._desk is not None:
            self._desk.note_auto_resolved(item.shop_id, item.intent, seconds)
        self._events.publish(
            "TicketResolved",
            {
                "ticket_id": item.ticket_id,
                "shop_id": item.shop_id,
                "order_id": item.order_id,
                "intent": item.intent,
                "resolved_by": "assistant",
                "resolved_at": _now().isoformat(),
                "resolve_seconds": round(seconds, 3),
                "first_response_seconds": None,
            },
        )

    def _publish_classified(self, item: TicketItem, triage: Triage) -> None:
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


def _checked(message: str) -> str:
    text = message.strip()
    if not text:
        raise InvalidRequest("the message is empty", code="empty_message")
    return text[:MAX_MESSAGE_CHARS]


_LOCALE_OF_LANGUAGE = {"zh": "zh-CN", "en": "en", "es": "es"}


def _reply_locale(triage: Triage, text: str, fallback: str | None) -> str:
    """Answer in the language the buyer wrote in, Chinese in the script they wrote; for mixed or unknown text,
    in the locale they chose."""
    if triage.language == "zh" and (is_traditional(text) or locale_of(fallback or "") == "zh-TW"):
        return "zh-TW"
    return _LOCALE_OF_LANGUAGE.get(triage.language) or fallback or "en"


# Fewer letters or characters than this ("hmm", "ok?") say too little to be a question: the buyer is asked for more.
_MIN_QUESTION_CHARS = 6


def _too_short(text: str) -> bool:
    return sum(char.isalnum() for char in text) < _MIN_QUESTION_CHARS


def _question(triage: Triage, order: Order | None) -> Question | None:
    """The one question to ask instead of acting or asking to rephrase: which of two intents, or which order."""
    pair = clarifying.torn_between(triage)
    if pair is not None:
        return pair
    if order is None and not _unclear(triage) and clarifying.needs_order(triage.intent):
        return clarifying.which_order(triage.intent)
    return None


def _thanked(triage: Triage, text: str) -> bool:
    """Thanks or praise and no problem: the triage reads no intent of ours, the words thank."""
    return triage.intent == "other" and (triage.sentiment == "positive" or thanks(text)) and "?" not in text


def _unclear(triage: Triage) -> bool:
    """Not sure what the buyer means, or sure it is none of the things a shop handles: ask once more."""
    return triage.confidence < LOW_CONFIDENCE or triage.intent == "other"


def _now() -> datetime:
    return datetime.now(UTC)


def _context(order: Order | None) -> TriageContext | None:
    if order is None:
        return None
    hours = (datetime.now(UTC) - order.delivered_at).total_seconds() / 3600 if order.delivered_at else None
    return TriageContext(order_amount_minor=order.amount, currency=order.currency, hours_since_delivery=hours)


def ticket_item(ticket_id: str) -> TicketItem:
    """The ticket as stored, read consistently; an unknown id is a 404."""
    try:
        return TicketItem.get(ticket_id, TicketItem.SK, consistent_read=True)
    except TicketItem.DoesNotExist:
        raise NotFound("no such ticket", code="unknown_ticket") from None
