"""After-sales tickets on three channels (API, chat turns, email): opening a ticket, reading it, and routing the
buyer's later turns and mailed confirmations to the assistant.

A ticket is classified on arrival and answered at once in the buyer's language by the assistant
(:mod:`faka.support.assistant`: an article, an action, a question, or a person). Nothing about an order is revealed
or attached without its access token or the buyer's own email, and the ticket records which of the two it was
given (``Proof``): with the email alone, anything that moves money or keys waits for a confirmation through the
order's own mailbox (``confirm``). Every text the buyer writes is masked (``BuyerText``) before it is stored or
shown. What a ticket is as stored lives in :mod:`faka.support.ticket_records`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from pynamodb.exceptions import PutError, UpdateError

from faka.adapters.counters import Counters
from faka.adapters.tables.tickets import TicketItem
from faka.errors import Conflict, InvalidRequest, NotFound
from faka.knowledge.store import ShopKnowledge
from faka.observability import metrics
from faka.ports import EventPublisher
from faka.sales.orders import Orders
from faka.sales.redaction import BuyerText
from faka.security import new_token, token_digest
from faka.shared.links import LinkSigner
from faka.shared.model import Order
from faka.shared.templating import MessageTemplates
from faka.support.assistant import Assistant, PlaybookRunner, checked
from faka.support.corrections import ShopCorrections
from faka.support.knowledge_answers import TicketKnowledge
from faka.support.resolutions import CONFIRM_ACTION, Outcome, Proof
from faka.support.ticket_records import (
    Channel,
    HumanDesk,
    Ticket,
    TicketEvents,
    TicketMessage,
    TicketReply,
    TicketRequest,
    TicketStatus,
    append_message,
    as_ticket,
    buyer_visible_messages,
    last_reply,
    now,
    owned_item,
    ticket_item,
)
from faka.support.tone import ShopTone


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
        self._events = TicketEvents(events)
        self._orders = orders
        self._buyer_text = buyer_text
        self._links = links
        self._desk = desk
        self._assistant = Assistant(
            self._events,
            orders,
            replies,
            buyer_text=buyer_text,
            knowledge=TicketKnowledge(knowledge, counters, buyer_text),
            playbooks=playbooks,
            desk=desk,
            corrections=corrections,
            tone=tone,
        )

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
            return as_ticket(TicketItem.get(ticket_id, TicketItem.SK))
        self._events.opened(item)
        if self._desk is not None:
            self._desk.note_opened(shop_id, intent)
            self._desk.enqueue(ticket_id, reason=f"opened by {source}: {intent}")
            item.refresh()
        return as_ticket(item)

    def for_shop(self, shop_id: str, limit: int = 100) -> list[Ticket]:
        keys = [
            (i.ticket_id, TicketItem.SK)
            for i in TicketItem.by_shop.query(shop_id, scan_index_forward=False, limit=limit)
        ]
        items = {i.ticket_id: i for i in TicketItem.batch_get(keys)} if keys else {}
        return [as_ticket(items[ticket_id]) for ticket_id, _ in keys if ticket_id in items]

    # -- written by buyers -------------------------------------------------------------------------------

    def submit(self, request: TicketRequest) -> TicketReply:
        text = checked(request.message)
        order, proof = self._order_for(request)
        if order is None and not request.email:
            raise InvalidRequest("name your order (with its access token) or give your email", code="missing_contact")
        triage = self._assistant.classify(request.shop_id, text, order)
        if (
            order is None
            and (named := self._assistant.buyers_order(request.shop_id, request.email, triage)) is not None
        ):
            order, proof = named, Proof.EMAIL
        reading = self._assistant.read_first(request.shop_id, text, order, triage, request.locale)
        token = new_token()
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
            locale=reading.locale,
            rephrase_asked=1 if reading.asks_to_rephrase else 0,
            created_at=now(),
            buyer_ip=request.ip,
            device_id=request.device,
        )
        item.save(condition=TicketItem.ticket_id.does_not_exist())
        append_message(
            item.ticket_id,
            "buyer",
            request.channel,
            self._buyer_text.mask(text, order),
            item.created_at,
            request.attachments,
        )
        self._events.opened(item)
        self._events.classified(item, triage)
        metrics.add_metric(name="TicketsOpened", unit="Count", value=1)
        if self._desk is not None:
            self._desk.note_opened(request.shop_id, triage.intent)
        reply = self._assistant.answer_first(item, order, reading)
        append_message(item.ticket_id, "assistant", request.channel, reply, now())
        return TicketReply(as_ticket(item), reply, token)

    def article_feedback(self, ticket_id: str, token: str | None, helpful: bool) -> TicketReply:
        """The buyer's answer to "did this help?" on a ticket answered from the knowledge base; "no" gets a person."""
        item = owned_item(ticket_id, token)
        if item.playbook_outcome != Outcome.ANSWERED_FROM_KNOWLEDGE_BASE or item.article_helpful is not None:
            raise Conflict("this answer has no open question", code="no_feedback_asked")
        reply = self._assistant.verdict(item, helpful)
        append_message(item.ticket_id, "assistant", Channel.API, reply, now())
        return TicketReply(as_ticket(item), reply)

    def converse(self, ticket_id: str, token: str | None, message: str, channel: Channel = Channel.CHAT) -> TicketReply:
        """One chat turn (or an emailed reply): the buyer writes, the assistant answers or hands over."""
        return self._turn(owned_item(ticket_id, token), message, channel)

    def continue_by_email(
        self, ticket_id: str, sender: str, message: str, attachments: tuple[str, ...] = ()
    ) -> TicketReply:
        """A reply that arrived by email threads onto its ticket only when it comes from the ticket's address."""
        item = ticket_item(ticket_id)
        if not item.email or item.email.lower() != sender.lower():
            raise NotFound("no such ticket", code="unknown_ticket")
        return self._turn(item, message, Channel.EMAIL, attachments)

    def thread(self, ticket_id: str, token: str | None) -> tuple[Ticket, list[TicketMessage]]:
        item = owned_item(ticket_id, token)
        return as_ticket(item), buyer_visible_messages(ticket_id)

    # -- confirmed through the order's mailbox ---------------------------------------------------------

    def confirmation(self, ticket_id: str, query: Mapping[str, str]) -> tuple[Ticket, str]:
        """The ticket and the request (its intent) a mailed confirmation link is for, once the link holds."""
        params = self._links.verify(CONFIRM_ACTION, query)
        if params.get("t") != ticket_id or not params.get("i"):
            raise InvalidRequest("this link is not valid", code="invalid_link")
        return as_ticket(ticket_item(ticket_id)), params["i"]

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
            return TicketReply(as_ticket(ticket_item(ticket_id)), last_reply(ticket_id))
        item = ticket_item(ticket_id)
        order = self._orders.get(item.order_id) if self._orders and item.order_id else None
        reply = self._assistant.act(item, order, intent, json.loads(item.entities or "{}"), confirmed_by_mailbox=True)
        append_message(item.ticket_id, "assistant", Channel.EMAIL, reply, now())
        return TicketReply(as_ticket(item), reply)

    # -- internals -------------------------------------------------------------------------------------

    def _turn(self, item: TicketItem, message: str, channel: Channel, attachments: tuple[str, ...] = ()) -> TicketReply:
        reply = self._assistant.answer_turn(item, message, channel, attachments)
        append_message(item.ticket_id, "assistant", channel, reply, now())
        return TicketReply(as_ticket(item), reply)

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
