"""The assistant's turn on a ticket: it reads what the buyer wrote and answers, acts, asks, or hands over.

A turn is read by the embedded triage (adjusted by the shop's intent corrections, ``ShopCorrections``) and
answered in the buyer's language and script, in the shop's tone (``ShopTone``), never carrying a key:
- an article of the shop's knowledge base answers a question that is no order problem, and asks "did this help?"
  ("no" hands the ticket to a person);
- thanks or praise is answered in kind;
- one clarifying question when the triage is torn between two intents or an order problem names no order
  (``faka.support.clarifying``), and the next turn is read with it;
- a confident intent runs its playbook, which acts or hands the ticket to a person;
- words it cannot place are asked to be rephrased once, then go to a person; a real question with no order that
  no article answers goes to a person at once.
Once a person owns the ticket, the assistant only confirms the buyer's message reached them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from pynamodb.expressions.update import Action

from faka.adapters.tables.tickets import TicketItem
from faka.errors import InvalidRequest, NotFound
from faka.knowledge import Article, locale_of
from faka.knowledge.feedback import helpful_verdict, thanks
from faka.observability import logger
from faka.sales.orders import Orders
from faka.sales.redaction import BuyerText
from faka.shared.model import Order
from faka.shared.templating import MessageTemplates
from faka.support import clarifying
from faka.support.clarifying import Asked, Question
from faka.support.corrections import ShopCorrections
from faka.support.knowledge_answers import TicketKnowledge, unclear
from faka.support.resolutions import Claim, Next, Outcome, Proof, Resolution
from faka.support.ticket_records import (
    EVIDENCE_AUTHOR,
    Channel,
    HumanDesk,
    QueuePlace,
    TicketEvents,
    TicketStatus,
    append_message,
    now,
    set_status,
)
from faka.support.tone import ShopTone
from faka.triage import MAX_MESSAGE_CHARS, Triage, TriageContext, classify
from faka.triage.language import is_traditional
from faka.trust.claims import Claimant


class PlaybookRunner(Protocol):
    """What settles a classified claim (:class:`faka.support.playbooks.Playbooks`)."""

    def run(self, claim: Claim, now: datetime | None = None) -> Resolution: ...


@dataclass(frozen=True)
class FirstReading:
    """How the assistant will answer a ticket's first message, decided before the ticket is stored."""

    triage: Triage
    locale: str
    found: tuple[Article, float] | None
    question: Question | None
    thanked: bool
    # Not sure what the buyer means, and neither an article nor a question helps.
    low_confidence: bool
    # A real question with no order that no article answers: for a person; asking it again would not help.
    unanswerable: bool

    @property
    def asks_to_rephrase(self) -> bool:
        return self.low_confidence and not self.unanswerable


class Assistant:
    def __init__(
        self,
        events: TicketEvents,
        orders: Orders | None,
        replies: MessageTemplates | None,
        *,
        buyer_text: BuyerText,
        knowledge: TicketKnowledge,
        playbooks: PlaybookRunner | None = None,
        desk: HumanDesk | None = None,
        corrections: ShopCorrections | None = None,
        tone: ShopTone | None = None,
    ) -> None:
        self._events = events
        self._orders = orders
        self._replies = replies
        self._buyer_text = buyer_text
        self._knowledge = knowledge
        self._playbooks = playbooks
        self._desk = desk
        self._corrections = corrections
        self._tone = tone

    # -- reading the buyer's words ---------------------------------------------------------------------

    def classify(self, shop_id: str, text: str, order: Order | None) -> Triage:
        """The triage of the buyer's words, adjusted by the shop's earlier intent corrections."""
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

    def buyers_order(self, shop_id: str, email: str | None, triage: Triage) -> Order | None:
        """The order the message names by id, when it is the shop's and placed with ``email``."""
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

    def read_first(
        self, shop_id: str, text: str, order: Order | None, triage: Triage, chosen_locale: str | None
    ) -> FirstReading:
        """How to answer a ticket's first message (``answer_first`` gives the answer once the ticket is stored)."""
        locale = _reply_locale(triage, text, chosen_locale or (order.locale if order else None))
        # Thanks or praise is answered in kind: no article, no question, no knowledge-base gap.
        thanked = _thanked(triage, text)
        found = None if thanked else self._knowledge.article_for(shop_id, text, locale, order, triage)
        question = None if found is not None or thanked else _question(triage, order)
        low_confidence = unclear(triage) and found is None and question is None and not thanked
        unanswerable = low_confidence and order is None and self._knowledge.available and not _too_short(text)
        return FirstReading(triage, locale, found, question, thanked, low_confidence, unanswerable)

    # -- the assistant's turns -------------------------------------------------------------------------

    def answer_first(self, item: TicketItem, order: Order | None, reading: FirstReading) -> str:
        if reading.found is not None:
            return self._answer_from(item, reading.found, item.summary)
        if reading.question is not None:
            return self._ask(item, order, reading.question)
        if reading.thanked:
            return self._acknowledge(item, order)
        if reading.unanswerable:
            return self._hand_over(item, None, "no knowledge-base article answers the question")
        if reading.low_confidence:
            set_status(item, TicketStatus.AWAITING_BUYER)
            return self._render(item, order, rephrase=True)
        return self.act(item, order, reading.triage.intent, reading.triage.entities)

    def answer_turn(self, item: TicketItem, message: str, channel: Channel, attachments: tuple[str, ...] = ()) -> str:
        """One later turn (a chat message or an emailed reply): the buyer's words are stored, then answered."""
        text = checked(message)
        order = self._orders.get(item.order_id) if self._orders and item.order_id else None
        append_message(item.ticket_id, "buyer", channel, self._buyer_text.mask(text, order), now(), attachments)
        place = self._desk.buyer_replied(item.ticket_id) if self._desk is not None else None
        if place is not None:
            # A person owns the conversation: the assistant only confirms the message reached them.
            item.refresh()
            return self._render(item, order, handover=True, place=place)
        verdict = helpful_verdict(text)
        if (
            verdict is not None
            and item.playbook_outcome == Outcome.ANSWERED_FROM_KNOWLEDGE_BASE
            and item.article_helpful is None
        ):
            return self.verdict(item, verdict)
        triage = self.classify(item.shop_id, text, order)
        question = clarifying.pending(item.ticket_id)
        if question is not None:
            return self._read_answer(item, order, question, triage, text)
        thanked = _thanked(triage, text)
        found = (
            None
            if thanked
            else self._knowledge.article_for(item.shop_id, text, item.locale or item.language, order, triage)
        )
        if found is not None:
            return self._answer_from(item, found, text)
        if thanked:
            return self._acknowledge(item, order)
        # "Send it to x@y" answers the question the buyer was asked, however the model reads it alone.
        answers_address = item.playbook_outcome == Outcome.ASKED_FOR_ADDRESS and "email" in triage.entities
        low_confidence = unclear(triage) and not answers_address
        question = None if answers_address else _question(triage, order)
        if question is not None and not clarifying.asked_before(item.ticket_id, question.asked):
            self._reclassified(item, triage, triage.intent, triage.confidence)
            return self._ask(item, order, question)
        if low_confidence and int(item.rephrase_asked or 0):
            # Asked to rephrase once already: a person takes over rather than a second guess.
            return self._hand_over(item, order, "unclear after asking once to rephrase")
        if low_confidence:
            TicketItem(item.ticket_id, TicketItem.SK).update(actions=[TicketItem.rephrase_asked.set(1)])
            item.rephrase_asked = 1
            set_status(item, TicketStatus.AWAITING_BUYER)
            return self._render(item, order, rephrase=True)
        return self.act(item, order, *self._reclassified(item, triage, triage.intent, triage.confidence))

    def verdict(self, item: TicketItem, helpful: bool) -> str:
        """Record the buyer's "did this help?"; after a "no" the next best article is offered once, if one comes
        close enough, and then the question is a person's (and a gap in the article)."""
        TicketItem(item.ticket_id, TicketItem.SK).update(actions=[TicketItem.article_helpful.set(helpful)])
        item.article_helpful = helpful
        article_id = json.loads(item.knowledge_article or "{}").get("id", "")
        self._knowledge.count(item.shop_id, article_id, "helpful" if helpful else "not_helpful")
        offered = json.loads(item.next_article) if item.next_article and not helpful else None
        if offered and (instead := self._knowledge.article(item.shop_id, offered["id"], offered["locale"])):
            return self._answer_from(item, (instead, 0.0), None)
        if not helpful:
            return self._hand_over(item, None, f"knowledge-base article {article_id} did not help")
        return self._render(
            item,
            None,
            resolution=Resolution(Outcome.ANSWERED_FROM_KNOWLEDGE_BASE, Next.RESOLVED, reply={"helpful": True}),
        )

    def act(
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
            append_message(
                item.ticket_id, EVIDENCE_AUTHOR, Channel.API, json.dumps(resolution.evidence, ensure_ascii=False), now()
            )
        if resolution.next is Next.PERSON:
            return self._hand_over(item, order, resolution.reason, resolution)
        if resolution.next is Next.RESOLVED:
            self._resolve(item)
        else:
            set_status(item, TicketStatus.AWAITING_BUYER)
        return self._render(item, order, resolution=resolution)

    # -- internals -------------------------------------------------------------------------------------

    def _read_answer(self, item: TicketItem, order: Order | None, question: Question, triage: Triage, text: str) -> str:
        """The turn after a clarifying question, read with it: the order named for the problem described first, or
        the intent the answer and the first message's probabilities together settle on; an answer saying there is
        no order makes the first message a question for the knowledge base; else a person."""
        if order is None and question.asked is Asked.INTENTS and clarifying.says_no_order(text):
            clarifying.answered(item.ticket_id, question, settled=True)
            return self._no_order(item, "no order, and no knowledge-base article answers the question")
        if question.asked is Asked.ORDER:
            named = self.buyers_order(item.shop_id, item.email, triage)
            clarifying.answered(item.ticket_id, question, settled=named is not None)
            if named is None and "order_id" not in triage.entities:
                return self._no_order(item, "no order of the buyer's named after asking which")
            if named is None:
                return self._hand_over(item, None, "no order of the buyer's named after asking which")
            self._attach(item, named)
            return self.act(item, named, *self._reclassified(item, triage, item.intent, float(item.confidence)))
        settled = clarifying.settle(question, triage)
        clarifying.answered(item.ticket_id, question, settled=settled is not None)
        if settled is None:
            return self._hand_over(item, order, "unclear after a clarifying question")
        intent, confidence = settled
        if order is None and (named := self.buyers_order(item.shop_id, item.email, triage)) is not None:
            self._attach(item, named)
            order = named
        intent, entities = self._reclassified(item, triage, intent, confidence)
        if (
            order is None
            and clarifying.needs_order(intent)
            and not clarifying.asked_before(item.ticket_id, Asked.ORDER)
        ):
            return self._ask(item, None, clarifying.which_order(intent))
        return self.act(item, order, intent, entities)

    def _no_order(self, item: TicketItem, reason: str) -> str:
        """No order at all: the first message was a question after all, and may have its article now that it need not
        be told apart from an order problem; else a person."""
        found = self._knowledge.article_with_no_order(item.shop_id, item.summary, item.locale or item.language)
        return (
            self._answer_from(item, found, item.summary) if found is not None else self._hand_over(item, None, reason)
        )

    @staticmethod
    def _attach(item: TicketItem, order: Order) -> None:
        """The order a later turn named (by id, the buyer's own by email) becomes the ticket's."""
        TicketItem(item.ticket_id, TicketItem.SK).update(
            actions=[TicketItem.order_id.set(order.order_id), TicketItem.proof.set(Proof.EMAIL.value)]
        )
        item.order_id, item.proof = order.order_id, Proof.EMAIL.value

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
        self._events.classified(item, triage)
        return intent, entities

    def _ask(self, item: TicketItem, order: Order | None, question: Question) -> str:
        """One clarifying question; the ticket waits on the buyer's answer (``_read_answer``)."""
        clarifying.ask(item.ticket_id, question)
        outcome = Outcome.ASKED_FOR_ORDER if question.asked is Asked.ORDER else Outcome.ASKED_TO_CLARIFY
        TicketItem(item.ticket_id, TicketItem.SK).update(actions=[TicketItem.playbook_outcome.set(outcome.value)])
        item.playbook_outcome = outcome.value
        set_status(item, TicketStatus.AWAITING_BUYER)
        return self._render(
            item, order, resolution=Resolution(outcome, Next.BUYER, reply={"intents": list(question.intents)})
        )

    def _acknowledge(self, item: TicketItem, order: Order | None) -> str:
        """Thanks or praise with nothing asked: answered in kind and resolved, never asked to rephrase."""
        TicketItem(item.ticket_id, TicketItem.SK).update(
            actions=[TicketItem.playbook_outcome.set(Outcome.ACKNOWLEDGED.value)]
        )
        item.playbook_outcome = Outcome.ACKNOWLEDGED.value
        self._resolve(item)
        return self._render(item, order, resolution=Resolution(Outcome.ACKNOWLEDGED, Next.RESOLVED))

    def _answer_from(self, item: TicketItem, found: tuple[Article, float], question: str | None) -> str:
        """Answer with the article ``found`` for ``question``; None: it is offered after another did not help, and
        nothing more is offered after it. A question about an order gets no second article: after a "no" its answer
        is a person's."""
        article, score = found
        reference = json.dumps(article.as_reference(), ensure_ascii=False)
        following = (
            self._knowledge.runner_up(item.shop_id, question, article.locale, article.id)
            if question and not item.order_id
            else None
        )
        next_article = json.dumps({"id": following[0].id, "locale": article.locale}) if following else None
        TicketItem(item.ticket_id, TicketItem.SK).update(
            actions=[
                TicketItem.playbook_outcome.set(Outcome.ANSWERED_FROM_KNOWLEDGE_BASE.value),
                TicketItem.knowledge_article.set(reference),
                TicketItem.article_helpful.remove(),
                TicketItem.rephrase_asked.set(0),
                TicketItem.next_article.set(next_article) if next_article else TicketItem.next_article.remove(),
            ]
        )
        item.playbook_outcome, item.knowledge_article, item.article_helpful, item.next_article = (
            Outcome.ANSWERED_FROM_KNOWLEDGE_BASE.value,
            reference,
            None,
            next_article,
        )
        self._knowledge.count(item.shop_id, article.id, "answered")
        if item.status != TicketStatus.RESOLVED.value:  # an article offered after another is no second resolution
            self._resolve(item)
        logger.info("answered from the knowledge base", extra={"article": article.id, "score": round(score, 3)})
        facts = {
            "article": {"id": article.id, "title": article.title, "body": article.body},
            "instead_of_one_that_did_not_help": question is None,
            "another_if_not": next_article is not None,
        }
        return self._render(
            item, None, resolution=Resolution(Outcome.ANSWERED_FROM_KNOWLEDGE_BASE, Next.RESOLVED, reply=facts)
        )

    def _hand_over(
        self, item: TicketItem, order: Order | None, reason: str, resolution: Resolution | None = None
    ) -> str:
        place = self._desk.enqueue(item.ticket_id, reason=reason) if self._desk is not None else None
        if place is None:
            set_status(item, TicketStatus.WAITING_FOR_AGENT)
        else:
            item.refresh()
        return self._render(item, order, handover=True, place=place, resolution=resolution)

    def _resolve(self, item: TicketItem) -> None:
        """Resolved by the assistant; the time is kept so a person taking the ticket later can withdraw it."""
        resolved_at = now()
        TicketItem(item.ticket_id, TicketItem.SK).update(
            actions=[TicketItem.status.set(TicketStatus.RESOLVED.value), TicketItem.resolved_at.set(resolved_at)]
        )
        item.status, item.resolved_at = TicketStatus.RESOLVED.value, resolved_at
        seconds = (resolved_at - item.created_at).total_seconds()
        if self._desk is not None:
            self._desk.note_auto_resolved(item.shop_id, item.intent, seconds)
        self._events.resolved(item, seconds)

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


def checked(message: str) -> str:
    """The buyer's message, trimmed and cut to what the triage reads; an empty one is refused."""
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


# Fewer letters than this ("hmm", "ok?") say too little to be a question: the buyer is asked for more. A Chinese
# character is a word or half of one ("是秒发吗" is a whole question), so it counts as _CJK_WEIGHT letters.
_MIN_QUESTION_CHARS = 6
_CJK_WEIGHT = 2


def _too_short(text: str) -> bool:
    return sum(_CJK_WEIGHT if _is_cjk(char) else 1 for char in text if char.isalnum()) < _MIN_QUESTION_CHARS


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def _question(triage: Triage, order: Order | None) -> Question | None:
    """The one question to ask instead of acting or asking to rephrase: which of two intents, or which order."""
    pair = clarifying.torn_between(triage)
    if pair is not None:
        return pair
    if order is None and not unclear(triage) and clarifying.needs_order(triage.intent):
        return clarifying.which_order(triage.intent)
    return None


def _thanked(triage: Triage, text: str) -> bool:
    """Thanks or praise and no problem: the triage reads no intent of ours, the words thank."""
    return triage.intent == "other" and (triage.sentiment == "positive" or thanks(text)) and "?" not in text


def _context(order: Order | None) -> TriageContext | None:
    if order is None:
        return None
    hours = (datetime.now(UTC) - order.delivered_at).total_seconds() / 3600 if order.delivered_at else None
    return TriageContext(order_amount_minor=order.amount, currency=order.currency, hours_since_delivery=hours)
