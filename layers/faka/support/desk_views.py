"""What operators see of a ticket on the help desk: its state, its place in the queue, its thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from faka.adapters.tables.tickets import TicketItem
from faka.support.sla_clocks import Clock
from faka.support.ticket_records import QueuePlace


@dataclass(frozen=True)
class DeskMessage:
    author: str
    channel: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class DeskTicket:
    """A ticket as operators see it; every text in it was stored with key codes and card numbers masked."""

    ticket_id: str
    shop_id: str
    order_id: str | None
    status: str
    intent: str
    severity: int
    language: str
    locale: str
    summary: str
    created_at: datetime
    priority: int | None
    handoff_reason: str | None
    queued_at: datetime | None
    claimed_by: str | None
    first_response_due: datetime | None
    escalation_due: datetime | None
    paused_seconds_left: dict[str, int]
    first_response_at: datetime | None
    escalated_at: datetime | None
    resolved_at: datetime | None
    csat_score: int | None
    risk_score: float | None
    risk_signals: tuple[str, ...]
    playbook: str | None
    playbook_outcome: str | None
    place: QueuePlace | None = None


def desk_view(item: TicketItem, place: QueuePlace | None) -> DeskTicket:
    left = {
        clock.value: int(value)
        for clock, value in ((Clock.FIRST_RESPONSE, item.first_response_left), (Clock.ESCALATION, item.escalation_left))
        if value is not None
    }
    return DeskTicket(
        ticket_id=item.ticket_id,
        shop_id=item.shop_id,
        order_id=item.order_id,
        status=item.status,
        intent=item.intent,
        severity=int(item.severity),
        language=item.language,
        locale=item.locale,
        summary=item.summary,
        created_at=item.created_at,
        priority=None if item.priority is None else int(item.priority),
        handoff_reason=item.handoff_reason,
        queued_at=item.queued_at,
        claimed_by=item.claimed_by,
        first_response_due=item.first_response_due,
        escalation_due=item.escalation_due,
        paused_seconds_left=left,
        first_response_at=item.first_response_at,
        escalated_at=item.escalated_at,
        resolved_at=item.resolved_at,
        csat_score=None if item.csat_score is None else int(item.csat_score),
        risk_score=None if item.risk_score is None else float(item.risk_score),
        risk_signals=tuple(str(signal) for signal in item.risk_signals or ()),
        playbook=item.playbook,
        playbook_outcome=item.playbook_outcome,
        place=place,
    )
