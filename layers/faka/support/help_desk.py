"""The human help desk: a fair queue, SLA clocks, operators' claims and replies, resolution and CSAT.

A ticket the assistant and the playbooks cannot settle is *enqueued*. The queue is FIFO within a
priority (the ticket's severity; an escalation adds one): its order is the sort key
``<band>#<queued at>#<ticket>`` of a sparse index that holds only waiting tickets, and a ticket's position
is a count of the keys before its own. A later ticket of the same or a lower priority sorts after every
earlier one, so a position only ever goes down.

Two SLA clocks start when a ticket is queued: the *first response* clock (a person's answer is due) and
the *escalation* clock (if nobody has claimed or answered it by then, the operators are alerted and the
ticket moves up one priority, each exactly once). A person's reply stops both; a claim stops the
escalation clock; resolving stops every clock. While the ticket waits on the buyer its running clocks
are paused with the time they had left and restart with it when the buyer writes; a buyer who writes to
a ticket a person has already answered is owed the next answer, so the response clock starts again.
The earliest running clock is in a second sparse index, swept every minute by the ``ticket_sla`` function
(the clocks themselves: :mod:`faka.support.sla_clocks`; the prepared answers: :mod:`faka.support.canned_replies`).

Every change the desk makes is conditioned on the ticket's ``desk_version``: two operators claiming at
once, or a claim racing the sweep, cannot both win; the loser re-reads and decides again.

CSAT: resolving a ticket a person handled emails the buyer signed, expiring links (1–5); the form they open
also asks how likely they are to recommend the shop (NPS, 0–10). One rating is kept per ticket: a second
submission is refused, so the figures count each buyer once.

Tone: an operator's reply is checked against the shop's tone rules (``faka.support.tone``) before it is kept
or sent. One that breaks them is refused (``tone_violation``, naming each rule and word) unless the operator
confirms it, and then its prohibited words are masked; the shop's greeting and sign-off are added.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from faka.adapters.counters import Counters
from faka.adapters.tables.tickets import TicketItem, TicketMessageItem, TicketTableItem
from faka.catalog.catalog import Shops
from faka.errors import Conflict, InvalidRequest, NotFound
from faka.observability import logger, metrics
from faka.ports import Email, EventPublisher, Mailer, OperatorAlerts
from faka.sales.orders import Orders
from faka.sales.redaction import BuyerText
from faka.shared.links import LinkSigner
from faka.shared.templating import MessageTemplates
from faka.support.canned_replies import CannedReplies
from faka.support.desk_log import MAX_NOTE_CHARS, DeskEntry, DeskEntryKind, DeskLog
from faka.support.desk_views import DeskMessage, DeskTicket, desk_view
from faka.support.sla_clocks import SLA_PARTITION, Clock, Clocks, SlaBudget
from faka.support.ticket_records import QueuePlace, TicketStatus, ticket_item
from faka.support.tone import ShopTone

CSAT_ACTION = "csat"
# Priorities run 1 (lowest severity) to MAX_PRIORITY; the queue sorts on BANDS - priority, ascending.
MAX_PRIORITY = 8
BANDS = 9
# Until a shop has handled this many tickets, its ETA assumes DEFAULT_HANDLING_SECONDS of a person's time per
# ticket ahead: 2.5 minutes keeps the first two in line within the default 5-minute first-response SLA.
MIN_HANDLING_SAMPLE = 5
DEFAULT_HANDLING_SECONDS = 150.0
# A desk change re-reads and retries this often when it loses a race before giving up with a 409.
MAX_ATTEMPTS = 5
SWEEP_BATCH = 200

T = TypeVar("T")


@dataclass(frozen=True)
class SweepReport:
    due: int = 0
    first_response_breaches: int = 0
    escalations: int = 0
    alerts: int = 0


def ticket_stats_key(shop_id: str) -> str:
    """Counters per intent (sort key) of a shop's tickets: opened, resolved by whom, how fast, CSAT."""
    return f"TICKETS#{shop_id}"


def _desk_key(shop_id: str) -> str:
    return f"TICKETDESK#{shop_id}"


def _queue_key(priority: int, queued_at: datetime, ticket_id: str) -> str:
    return f"{BANDS - priority}#{queued_at.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{ticket_id}"


def _clamped(priority: int) -> int:
    return max(1, min(MAX_PRIORITY, priority))


def _with_person(item: TicketItem) -> bool:
    return bool(item.claimed_by) and item.status != TicketStatus.RESOLVED


def _seconds(later: datetime, earlier: datetime | None) -> float:
    return max(0.0, (later - earlier).total_seconds()) if earlier else 0.0


class HelpDesk:
    def __init__(
        self,
        counters: Counters,
        alerts: OperatorAlerts,
        mailer: Mailer,
        templates: MessageTemplates,
        links: LinkSigner,
        shops: Shops,
        budget: SlaBudget,
        canned: CannedReplies,
        events: EventPublisher,
        *,
        ticket_url: str,
        buyer_text: BuyerText,
        orders: Orders,
        tone: ShopTone | None = None,
    ) -> None:
        self._events = events
        self._counters = counters
        self._alerts = alerts
        self._mailer = mailer
        self._templates = templates
        self._links = links
        self._shops = shops
        self._budget = budget
        self.canned = canned
        self._ticket_url = ticket_url
        self._buyer_text = buyer_text
        self._orders = orders
        self._tone = tone
        self.log = DeskLog(counters)

    # -- the interface the ticket service calls --------------------------------------------------------

    def enqueue(self, ticket_id: str, *, reason: str) -> QueuePlace:
        """Hand the ticket to a person. Idempotent: a ticket already queued or with a person keeps its place."""
        item, handoff = self._mutate(ticket_id, lambda item, now: self._queue(item, now, reason))
        if handoff is not None:
            withdrawn = handoff.withdrawn_auto_resolve_seconds
            if withdrawn is None:
                self._count(item, handed_off=1)
            else:
                # The assistant's answer did not settle it: counted as handed off, no longer as resolved by it.
                self._count(item, handed_off=1, auto_resolved=-1, auto_resolve_seconds=-withdrawn)
            metrics.add_metric(name="TicketsHandedOff", unit="Count", value=1)
            self._events.publish(
                "TicketHandedOff",
                {**_ticket_ref(item), "reason": reason[:200], "withdrawn_auto_resolve_seconds": withdrawn},
            )
            logger.info("ticket handed to a person", extra={"ticket_id": ticket_id, "reason": reason})
        place = self._place(item)
        assert place is not None
        return place

    def buyer_replied(self, ticket_id: str) -> QueuePlace | None:
        """The buyer wrote on a ticket a person owns or had: resume its clocks, or reopen it if it was resolved."""
        item = ticket_item(ticket_id)
        if item.status == TicketStatus.RESOLVED and item.handed_off_at:
            self._count(item, reopened=1)
            return self.enqueue(ticket_id, reason="buyer_replied")
        if not (item.queue_key or _with_person(item)):
            return None
        item, _ = self._mutate(ticket_id, self._buyer_back)
        return self._place(item)

    def place(self, ticket_id: str) -> QueuePlace | None:
        return self._place(ticket_item(ticket_id))

    def note_opened(self, shop_id: str, intent: str) -> None:
        self._counters.add(ticket_stats_key(shop_id), intent, {"opened": 1})

    def note_auto_resolved(self, shop_id: str, intent: str, seconds: float) -> None:
        self._counters.add(
            ticket_stats_key(shop_id), intent, {"auto_resolved": 1, "auto_resolve_seconds": round(seconds, 3)}
        )
        metrics.add_metric(name="TicketsAutoResolved", unit="Count", value=1)

    # -- operators -------------------------------------------------------------------------------------

    def queue(self, shop_id: str, limit: int = 100) -> list[DeskTicket]:
        """The shop's waiting tickets in the order they will be served."""
        keys = [(i.ticket_id, TicketItem.SK) for i in TicketItem.queue.query(shop_id, limit=limit)]
        items = {i.ticket_id: i for i in TicketItem.batch_get(keys)} if keys else {}
        handling = self._handling_seconds(shop_id)
        return [
            desk_view(items[ticket_id], QueuePlace(position, _eta(position, handling)))
            for position, (ticket_id, _) in enumerate(keys, start=1)
            if ticket_id in items
        ]

    def handed_off(self, shop_id: str, recent: int = 500) -> list[TicketItem]:
        """The tickets among the shop's most recent that reached a person: the knowledge-base gaps' material."""
        keys = [
            (i.ticket_id, TicketItem.SK)
            for i in TicketItem.by_shop.query(shop_id, scan_index_forward=False, limit=recent)
        ]
        return [item for item in TicketItem.batch_get(keys) if item.handed_off_at] if keys else []

    def case(self, ticket_id: str, shop_id: str) -> tuple[DeskTicket, list[DeskMessage]]:
        item = self._shop_item(ticket_id, shop_id)
        messages = [
            DeskMessage(m.author, m.channel, m.body, m.created_at)
            for m in TicketTableItem.query(ticket_id, TicketTableItem.sk.startswith("MSG#"))
            if isinstance(m, TicketMessageItem)
        ]
        return desk_view(item, self._place(item)), messages

    def claim(self, ticket_id: str, shop_id: str, agent: str) -> DeskTicket:
        self._shop_item(ticket_id, shop_id)

        def take(item: TicketItem, now: datetime) -> tuple[list[Action], bool | None]:
            if item.status == TicketStatus.RESOLVED:
                raise Conflict("the ticket is resolved; reopen it first", code="ticket_resolved")
            if item.claimed_by == agent:
                return [], None
            if item.claimed_by:
                raise Conflict(f"{item.claimed_by} has claimed this ticket", code="already_claimed")
            actions, clocks, first_handoff = self._take(item, now, agent)
            status = item.status if item.status == TicketStatus.AWAITING_BUYER else TicketStatus.IN_PROGRESS.value
            return [*actions, TicketItem.status.set(status), *clocks.actions(now)], first_handoff

        item, first_handoff = self._mutate(ticket_id, take)
        if first_handoff is not None:
            self.log.record(ticket_id, shop_id, DeskEntryKind.CLAIMED, agent)
        if first_handoff:
            self._count(item, handed_off=1)
        return desk_view(item, self._place(item))

    def reassign(self, ticket_id: str, shop_id: str, agent: str, to: str) -> DeskTicket:
        """``agent`` hands a claimed ticket to ``to``, an operator of the same shop's desk; the history keeps it."""
        self._shop_item(ticket_id, shop_id)
        if not self.log.in_team(shop_id, to):
            raise InvalidRequest(
                f"{to} is not an operator of this shop's help desk",
                code="unknown_operator",
                details=self.log.team(shop_id),
            )

        def hand_over(item: TicketItem, now: datetime) -> tuple[list[Action], str | None]:
            if item.status == TicketStatus.RESOLVED:
                raise Conflict("the ticket is resolved; reopen it first", code="ticket_resolved")
            if not item.claimed_by:
                raise Conflict("nobody has claimed this ticket; claim it instead", code="not_claimed")
            if item.claimed_by == to:
                return [], None
            # The new owner's handling time runs from the hand-over.
            return [TicketItem.claimed_by.set(to), TicketItem.claimed_at.set(now)], item.claimed_by

        item, previous = self._mutate(ticket_id, hand_over)
        if previous is not None:
            self.log.record(ticket_id, shop_id, DeskEntryKind.REASSIGNED, agent, from_agent=previous, to_agent=to)
        return desk_view(item, self._place(item))

    def note(self, ticket_id: str, shop_id: str, agent: str, text: str) -> DeskEntry:
        """An internal note for the shop's operators, masked as buyer text is; never shown or sent to the buyer."""
        item = self._shop_item(ticket_id, shop_id)
        body = self._buyer_text.mask_for(text.strip(), item.order_id)[:MAX_NOTE_CHARS]
        if not body:
            raise InvalidRequest("the note is empty", code="empty_message")
        return self.log.record(ticket_id, shop_id, DeskEntryKind.NOTE, agent, body=body)

    def reply(
        self,
        ticket_id: str,
        shop_id: str,
        agent: str,
        *,
        message: str | None = None,
        canned: str | None = None,
        await_buyer: bool = False,
        confirm: bool = False,
    ) -> DeskTicket:
        """A person's answer: kept in the thread (masked), emailed to the buyer, and stopping the response clocks.

        An answer that breaks the shop's tone rules is refused unless ``confirm``; confirmed, its prohibited words
        are masked. Either way it goes out with the shop's greeting and sign-off."""
        current = self._shop_item(ticket_id, shop_id)
        if (message is None) == (canned is None):
            raise InvalidRequest("give either a message or a canned reply", code="invalid_request")
        text = self._buyer_text.mask_for(
            message.strip() if message is not None else self._canned(current, canned or ""), current.order_id
        )
        if not text:
            raise InvalidRequest("the message is empty", code="empty_message")
        if self._tone is not None:
            text = self._in_tone(current, text, confirm=confirm)
        measured: dict[str, float] = {}

        def answer(item: TicketItem, now: datetime) -> tuple[list[Action], bool]:
            if item.status == TicketStatus.RESOLVED:
                raise Conflict("the ticket is resolved; reopen it first", code="ticket_resolved")
            first_handoff = False
            if item.claimed_by:
                actions: list[Action] = []
                clocks = Clocks(item)
            else:
                actions, clocks, first_handoff = self._take(item, now, agent)
            # An answer is a response, and a question to the buyer is one too: nothing is left to time.
            clocks.stop()
            measured.clear()
            if item.responded_at is None:
                actions.append(TicketItem.responded_at.set(now))
                if item.claimed_at:
                    measured["handling"] = _seconds(now, item.claimed_at)
            if item.first_response_at is None:
                actions.append(TicketItem.first_response_at.set(now))
                measured["first_response"] = _seconds(now, item.handed_off_at or now)
            status = TicketStatus.AWAITING_BUYER if await_buyer else TicketStatus.IN_PROGRESS
            return [*actions, TicketItem.status.set(status.value), *clocks.actions(now)], first_handoff

        item, first_handoff = self._mutate(ticket_id, answer)
        self.log.worked(shop_id, agent)
        now = datetime.now(UTC)
        channel = "email" if item.email else "api"
        TicketMessageItem(
            ticket_id, f"MSG#{now.isoformat()}#op", author="operator", channel=channel, body=text, created_at=now
        ).save()
        if first_handoff:
            self._count(item, handed_off=1)
        if "first_response" in measured:
            self._count(item, first_responses=1, first_response_seconds=round(measured["first_response"], 3))
            metrics.add_metric(name="TicketFirstResponseSeconds", unit="Seconds", value=measured["first_response"])
        if "handling" in measured:
            self._counters.add(_desk_key(item.shop_id), "handling", {"count": 1, "seconds": measured["handling"]})
        if item.email:
            self._email(item, "ticket_agent_reply", {"message": text, "await_buyer": await_buyer})
        return desk_view(item, self._place(item))

    def _in_tone(self, item: TicketItem, text: str, *, confirm: bool) -> str:
        assert self._tone is not None
        rules = self._tone.rules(item.shop_id)
        violations = rules.check(text)
        if violations and not confirm:
            words = ", ".join(f"{v.word} ({v.rule})" for v in violations)
            raise InvalidRequest(
                f"the reply breaks the shop's tone rules: {words}; rephrase it, or resend with confirm to send it "
                "with prohibited words masked",
                code="tone_violation",
                details=[v.as_detail() for v in violations],
            )
        return rules.dress(rules.mask(text), self._templates.locale_for(item.locale or item.language))

    def resolve(self, ticket_id: str, shop_id: str, agent: str) -> DeskTicket:
        self._shop_item(ticket_id, shop_id)

        def close(item: TicketItem, now: datetime) -> tuple[list[Action], bool | None]:
            if item.status == TicketStatus.RESOLVED:
                return [], None
            clocks = Clocks(item)
            clocks.stop()
            clocks.alert_owed = False
            actions = [
                TicketItem.status.set(TicketStatus.RESOLVED.value),
                TicketItem.resolved_at.set(now),
                TicketItem.resolved_by.set(agent),
                TicketItem.queue_key.remove(),
                *clocks.actions(now),
            ]
            if item.first_resolved_at is None:
                actions.append(TicketItem.first_resolved_at.set(now))
            return actions, item.first_resolved_at is None

        item, first_resolution = self._mutate(ticket_id, close)
        if first_resolution is not None:
            self.log.record(ticket_id, shop_id, DeskEntryKind.RESOLVED, agent)
        if first_resolution:
            assert item.resolved_at is not None
            resolve_seconds = round(_seconds(item.resolved_at, item.created_at), 3)
            self._count(item, resolved=1, resolve_seconds=resolve_seconds)
            metrics.add_metric(name="TicketsResolvedByPeople", unit="Count", value=1)
            first_response = (
                round(_seconds(item.first_response_at, item.queued_at), 3)
                if item.first_response_at and item.queued_at
                else None
            )
            self._events.publish(
                "TicketResolved",
                {
                    **_ticket_ref(item),
                    "resolved_by": "person",
                    "resolved_at": item.resolved_at.isoformat(),
                    "resolve_seconds": resolve_seconds,
                    "first_response_seconds": first_response,
                },
            )
        if first_resolution and item.email and item.csat_score is None:
            self._email(item, "ticket_csat", {"csat_links": self._csat_links(item.ticket_id)})
        return desk_view(item, None)

    def reopen(self, ticket_id: str, shop_id: str) -> QueuePlace:
        item = self._shop_item(ticket_id, shop_id)
        if item.status != TicketStatus.RESOLVED:
            raise Conflict("only a resolved ticket can be reopened", code="not_resolved")
        self._count(item, reopened=1)
        return self.enqueue(ticket_id, reason="reopened_by_operator")

    def ask_buyer(self, ticket_id: str) -> None:
        """The ticket now waits on the buyer (e.g. a playbook asked for another address while it was queued): its
        running clocks pause with the time they have left, and its place in the queue is kept."""

        def wait(item: TicketItem, now: datetime) -> tuple[list[Action], None]:
            clocks = Clocks(item)
            clocks.pause(now)
            return [TicketItem.status.set(TicketStatus.AWAITING_BUYER.value), *clocks.actions(now)], None

        self._mutate(ticket_id, wait)

    # -- CSAT ------------------------------------------------------------------------------------------

    def csat_link_params(self, ticket_id: str, query: dict[str, str]) -> TicketItem:
        """The ticket a CSAT link is for, once its signature and expiry hold."""
        params = self._links.verify(CSAT_ACTION, query)
        if params.get("t") != ticket_id:
            raise InvalidRequest("this link is not valid", code="invalid_link")
        return ticket_item(ticket_id)

    def rate(
        self, ticket_id: str, query: dict[str, str], score: int, comment: str | None, nps: int | None = None
    ) -> None:
        """Record the buyer's rating (CSAT 1–5, and NPS 0–10 when given); one per ticket, a second one is refused
        (409 ``already_rated``)."""
        rated = self.csat_link_params(ticket_id, query)
        masked = (
            self._buyer_text.mask_for(comment.strip(), rated.order_id)[:2000] if comment and comment.strip() else None
        )

        def record(item: TicketItem, now: datetime) -> tuple[list[Action], None]:
            if item.csat_score is not None:
                raise Conflict("this conversation has been rated already; thank you", code="already_rated")
            actions = [TicketItem.csat_score.set(score), TicketItem.csat_at.set(now)]
            if nps is not None:
                actions.append(TicketItem.nps_score.set(nps))
            if masked:
                actions.append(TicketItem.csat_comment.set(masked))
            return actions, None

        item, _ = self._mutate(ticket_id, record)
        self._count(item, csat_count=1, csat_sum=score, **_nps_counts(nps))
        metrics.add_metric(name="TicketCsatScore", unit="Count", value=score)
        assert item.csat_at is not None
        self._events.publish("TicketRated", {**_ticket_ref(item), "score": score, "rated_at": item.csat_at.isoformat()})

    def _csat_links(self, ticket_id: str) -> list[dict[str, Any]]:
        path = f"/v1/tickets/{ticket_id}/csat"
        return [
            {"score": score, "url": self._links.url(path, CSAT_ACTION, {"t": ticket_id, "s": str(score)})}
            for score in range(1, 6)
        ]

    # -- the SLA sweep ---------------------------------------------------------------------------------

    def sweep(self, now: datetime | None = None) -> SweepReport:
        """Act on every clock that ran out by ``now``: each breach and escalation happens once, however often swept."""
        now = now or datetime.now(UTC)
        due = [
            i.ticket_id
            for i in TicketItem.sla_due.query(SLA_PARTITION, TicketItem.sla_due_at <= now, limit=SWEEP_BATCH)
        ]
        breaches = escalations = alerts = 0
        for ticket_id in due:
            item, outcome = self._mutate(ticket_id, lambda item, _: self._expire(item, now))
            breaches += outcome.get("breached", False)
            if outcome.get("escalated"):
                escalations += 1
                metrics.add_metric(name="TicketsEscalated", unit="Count", value=1)
                self._count(item, escalated=1)
            if outcome.get("breached"):
                metrics.add_metric(name="TicketFirstResponseBreaches", unit="Count", value=1)
                self._count(item, first_response_breached=1)
            if item.escalated_at and not item.escalation_alerted_at:
                alerts += self._alert_escalation(ticket_id)
        return SweepReport(len(due), breaches, escalations, alerts)

    def _expire(self, item: TicketItem, now: datetime) -> tuple[list[Action], dict[str, bool]]:
        outcome: dict[str, bool] = {}
        clocks = Clocks(item)
        actions: list[Action] = []
        first_due = clocks.due[Clock.FIRST_RESPONSE]
        if first_due is not None and first_due <= now:
            clocks.stop(Clock.FIRST_RESPONSE)
            if item.first_response_breached_at is None:
                actions.append(TicketItem.first_response_breached_at.set(now))
                outcome["breached"] = True
        escalation_due = clocks.due[Clock.ESCALATION]
        if escalation_due is not None and escalation_due <= now:
            clocks.stop(Clock.ESCALATION)
            if item.escalated_at is None:
                priority = _clamped(int(item.priority or item.severity) + 1)
                actions += [TicketItem.escalated_at.set(now), TicketItem.priority.set(priority)]
                if item.queue_key and item.queued_at:
                    actions.append(TicketItem.queue_key.set(_queue_key(priority, item.queued_at, item.ticket_id)))
                clocks.alert_owed = True
                outcome["escalated"] = True
        return [*actions, *clocks.actions(now)], outcome

    def _alert_escalation(self, ticket_id: str) -> int:
        """Send the escalation alert once: the right to send it is taken by a conditional write first."""

        def take_alert(item: TicketItem, now: datetime) -> tuple[list[Action], bool]:
            if not item.escalated_at or item.escalation_alerted_at:
                return [], False
            clocks = Clocks(item)
            clocks.alert_owed = False
            return [TicketItem.escalation_alerted_at.set(now), *clocks.actions(now)], True

        item, taken = self._mutate(ticket_id, take_alert)
        if not taken:
            return 0
        waited = int(_seconds(datetime.now(UTC), item.queued_at) // 60)
        try:
            self._alerts.alert(
                f"Ticket waiting {waited} min without a person: {item.intent}, severity {int(item.severity)}",
                "\n".join(
                    [
                        f"Ticket {item.ticket_id} of shop {item.shop_id} has not been claimed or answered "
                        f"{waited} minutes after it was queued; it has been moved up the queue.",
                        f"Intent: {item.intent}; severity {int(item.severity)}; language {item.language}.",
                        f"Summary (masked): {item.summary}",
                        f"Open it: {self._ticket_url.format(ticket_id=item.ticket_id)}",
                    ]
                ),
                shop_id=item.shop_id,
            )
        except Exception:
            # Give the right to alert back, so the next sweep tries again instead of the alert being lost.
            self._mutate(ticket_id, self._owe_alert)
            logger.exception("escalation alert failed", extra={"ticket_id": ticket_id})
            return 0
        return 1

    @staticmethod
    def _owe_alert(item: TicketItem, now: datetime) -> tuple[list[Action], None]:
        clocks = Clocks(item)
        clocks.alert_owed = True
        return [TicketItem.escalation_alerted_at.remove(), *clocks.actions(now)], None

    # -- internals -------------------------------------------------------------------------------------

    def _queue(self, item: TicketItem, now: datetime, reason: str) -> tuple[list[Action], _FirstHandoff | None]:
        if item.queue_key or _with_person(item):
            return [], None
        priority = _clamped(int(item.severity))
        clocks = Clocks(item)
        clocks.stop()
        clocks.alert_owed = False
        clocks.start(Clock.FIRST_RESPONSE, now + timedelta(seconds=self._budget.first_response_seconds))
        clocks.start(Clock.ESCALATION, now + timedelta(seconds=self._budget.escalation_seconds))
        actions = [
            TicketItem.status.set(TicketStatus.WAITING_FOR_AGENT.value),
            TicketItem.handoff_reason.set(reason),
            TicketItem.queued_at.set(now),
            TicketItem.priority.set(priority),
            TicketItem.queue_key.set(_queue_key(priority, now, item.ticket_id)),
            *(
                attribute.remove()
                for attribute in (
                    TicketItem.claimed_by,
                    TicketItem.claimed_at,
                    TicketItem.responded_at,
                    TicketItem.resolved_at,
                    TicketItem.resolved_by,
                    TicketItem.first_response_breached_at,
                    TicketItem.escalated_at,
                    TicketItem.escalation_alerted_at,
                )
            ),
            *clocks.actions(now),
        ]
        if item.handed_off_at is not None:
            return actions, None
        # Before its first handoff, a resolution can only be the assistant's.
        resolved = round(_seconds(item.resolved_at, item.created_at), 3) if item.resolved_at else None
        return [*actions, TicketItem.handed_off_at.set(now)], _FirstHandoff(resolved)

    def _take(self, item: TicketItem, now: datetime, agent: str) -> tuple[list[Action], Clocks, bool]:
        """A person takes the ticket: it leaves the queue and the escalation clock stops."""
        clocks = Clocks(item)
        clocks.stop(Clock.ESCALATION)
        actions: list[Action] = [
            TicketItem.claimed_by.set(agent),
            TicketItem.claimed_at.set(now),
            TicketItem.queue_key.remove(),
        ]
        first_handoff = item.handed_off_at is None
        if first_handoff:
            # Taken straight from the assistant's answered tickets: it reached a person all the same.
            actions += [
                TicketItem.handed_off_at.set(now),
                TicketItem.queued_at.set(now),
                TicketItem.handoff_reason.set("claimed_by_operator"),
            ]
            clocks.start(Clock.FIRST_RESPONSE, now + timedelta(seconds=self._budget.first_response_seconds))
        return actions, clocks, first_handoff

    def _buyer_back(self, item: TicketItem, now: datetime) -> tuple[list[Action], None]:
        clocks = Clocks(item)
        clocks.resume(now)
        if _with_person(item) and not clocks.running and item.responded_at is not None:
            clocks.start(Clock.FIRST_RESPONSE, now + timedelta(seconds=self._budget.first_response_seconds))
        status = TicketStatus.WAITING_FOR_AGENT if item.queue_key else TicketStatus.IN_PROGRESS
        return [TicketItem.status.set(status.value), *clocks.actions(now)], None

    def _mutate(
        self, ticket_id: str, change: Callable[[TicketItem, datetime], tuple[list[Action], T]]
    ) -> tuple[TicketItem, T]:
        """Apply ``change`` to the ticket as it is now; if another desk change came first, re-read and decide again."""
        for _ in range(MAX_ATTEMPTS):
            item = ticket_item(ticket_id)
            actions, result = change(item, datetime.now(UTC))
            if not actions:
                return item, result
            version = item.desk_version
            condition = (
                TicketItem.desk_version.does_not_exist() if version is None else TicketItem.desk_version == version
            )
            try:
                item.update(actions=[*actions, TicketItem.desk_version.add(1)], condition=condition)
            except UpdateError as error:
                if error.cause_response_code != "ConditionalCheckFailedException":
                    raise
                continue
            return item, result
        raise Conflict("the ticket is being changed by someone else; try again", code="retry_later")

    def _shop_item(self, ticket_id: str, shop_id: str) -> TicketItem:
        item = ticket_item(ticket_id)
        if item.shop_id != shop_id:
            raise NotFound("no such ticket", code="unknown_ticket")
        return item

    def _place(self, item: TicketItem) -> QueuePlace | None:
        if item.queue_key:
            ahead = TicketItem.queue.count(item.shop_id, TicketItem.queue_key < item.queue_key)
            return QueuePlace(ahead + 1, _eta(ahead + 1, self._handling_seconds(item.shop_id)))
        if _with_person(item):
            return QueuePlace(0, 0)
        return None

    def _handling_seconds(self, shop_id: str) -> float:
        """The shop's measured mean time from a person claiming a ticket to their first answer."""
        handled = self._counters.get(_desk_key(shop_id), "handling")
        count = handled.get("count", 0)
        return handled.get("seconds", 0) / count if count >= MIN_HANDLING_SAMPLE else DEFAULT_HANDLING_SECONDS

    def _count(self, item: TicketItem, **amounts: float) -> None:
        self._counters.add(ticket_stats_key(item.shop_id), item.intent, amounts)

    def _canned(self, item: TicketItem, name: str) -> str:
        return self.canned.render(
            name,
            self._templates.locale_for(item.locale or item.language),
            ticket_ref=item.ticket_id[:12],
            order_ref=item.order_id[:8] if item.order_id else "",
        )

    def _email(self, item: TicketItem, template: str, context: dict[str, Any]) -> None:
        assert item.email is not None
        message = self._templates.render(
            template,
            item.locale or item.language,
            {
                "shop_name": self._shops.get(item.shop_id).name,
                "ticket_id": item.ticket_id,
                "ticket_ref": item.ticket_id[:12],
                "order_ref": item.order_id[:8] if item.order_id else None,
                "order_url": self._order_url(item),
                **context,
            },
        )
        # The [#T-…] reference threads the buyer's emailed answer back onto this ticket.
        subject = f"{message.subject} [#T-{item.ticket_id}]"
        self._mailer.send(Email(item.email, subject, message.text, message.html))

    def _order_url(self, item: TicketItem) -> str | None:
        if not item.order_id or not item.email:
            return None
        return self._links.order_page_url_for(item.order_id, self._orders.get(item.order_id).email, item.email)


def _eta(position: int, handling_seconds: float) -> int:
    """Minutes until a person picks the ticket up, assuming the tickets ahead each take the shop's mean handling."""
    return max(1, math.ceil(position * handling_seconds / 60)) if position else 0


def _nps_counts(nps: int | None) -> dict[str, float]:
    """NPS buckets: promoters answer 9–10, detractors 0–6."""
    if nps is None:
        return {}
    return {"nps_count": 1, "nps_promoters": int(nps >= 9), "nps_detractors": int(nps <= 6)}


@dataclass(frozen=True)
class _FirstHandoff:
    """A ticket reaching a person for the first time; one the assistant had resolved withdraws that resolution."""

    withdrawn_auto_resolve_seconds: float | None


def _ticket_ref(item: TicketItem) -> dict[str, Any]:
    """What every help desk event names: the ticket, its shop and order, and what it is about."""
    return {"ticket_id": item.ticket_id, "shop_id": item.shop_id, "order_id": item.order_id, "intent": item.intent}
