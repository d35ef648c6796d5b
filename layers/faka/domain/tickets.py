"""After-sales tickets: cases a person picks up (the triage and playbooks build on these)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from pynamodb.exceptions import PutError

from faka.adapters.tables import TicketItem
from faka.ports import EventPublisher


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
    )


class Tickets:
    def __init__(self, events: EventPublisher) -> None:
        self._events = events

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
            shop_id=shop_id,
            order_id=order_id,
            intent=intent,
            severity=severity,
            source=source,
            summary=summary,
            locale=locale,
            created_at=datetime.now(UTC),
        )
        try:
            item.save(condition=TicketItem.ticket_id.does_not_exist())
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            return _ticket(TicketItem.get(ticket_id))
        self._events.publish(
            "TicketOpened",
            {
                "ticket_id": ticket_id,
                "shop_id": shop_id,
                "order_id": order_id,
                "intent": intent,
                "severity": severity,
                "source": source,
            },
        )
        return _ticket(item)

    def for_shop(self, shop_id: str, limit: int = 100) -> list[Ticket]:
        ids = [i.ticket_id for i in TicketItem.by_shop.query(shop_id, scan_index_forward=False, limit=limit)]
        return [_ticket(i) for i in TicketItem.batch_get(ids)] if ids else []
