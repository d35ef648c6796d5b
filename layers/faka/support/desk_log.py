"""What a shop's operators keep about a ticket among themselves, and who they are.

A ticket's *desk log* sits in its partition under ``DESK#<time>#<id>``, beside the thread (``MSG#…``) and apart
from it: every view the buyer gets (the ticket page, the emails, the assistant's answers) reads the thread only,
so an internal note cannot reach the buyer by any of them. The log holds the operators' notes, masked as buyer
text is before they are stored, and the desk's history: who claimed the ticket, handed it to whom, resolved
or reopened it.

The shop's *desk team* is every operator who has worked its desk (claimed, noted, answered, handed over or
resolved one of its tickets): operators name themselves when they sign in to the console, so a ticket is handed
over only to a name the shop's own desk knows, never to another shop's operator.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from faka.adapters.counters import Counters
from faka.adapters.tables.tickets import TicketDeskEntryItem, TicketTableItem

ENTRY_PREFIX = "DESK#"
MAX_NOTE_CHARS = 4000


class DeskEntryKind(StrEnum):
    NOTE = "note"
    CLAIMED = "claimed"
    REASSIGNED = "reassigned"
    RESOLVED = "resolved"
    REOPENED = "reopened"


@dataclass(frozen=True)
class DeskEntry:
    kind: DeskEntryKind
    agent: str
    created_at: datetime
    body: str | None = None
    from_agent: str | None = None
    to_agent: str | None = None


def desk_team_key(shop_id: str) -> str:
    """The operators who have worked the shop's desk (sort key: the operator's name; ``actions``: how often)."""
    return f"DESKTEAM#{shop_id}"


class DeskLog:
    def __init__(self, counters: Counters) -> None:
        self._counters = counters

    def record(
        self,
        ticket_id: str,
        shop_id: str,
        kind: DeskEntryKind,
        agent: str,
        *,
        body: str | None = None,
        from_agent: str | None = None,
        to_agent: str | None = None,
    ) -> DeskEntry:
        """Append one entry (a note's ``body`` already masked) and count ``agent`` in the shop's desk team."""
        now = datetime.now(UTC)
        TicketDeskEntryItem(
            ticket_id,
            f"{ENTRY_PREFIX}{now.isoformat()}#{uuid.uuid4().hex[:8]}",
            entry=kind.value,
            agent=agent,
            body=body,
            from_agent=from_agent,
            to_agent=to_agent,
            created_at=now,
        ).save()
        self.worked(shop_id, agent)
        return DeskEntry(kind, agent, now, body, from_agent, to_agent)

    def worked(self, shop_id: str, agent: str) -> None:
        self._counters.add(desk_team_key(shop_id), agent, {"actions": 1})

    def entries(self, ticket_id: str) -> list[DeskEntry]:
        """The ticket's notes and history, oldest first."""
        return [
            DeskEntry(DeskEntryKind(i.entry), i.agent, i.created_at, i.body, i.from_agent, i.to_agent)
            for i in TicketTableItem.query(ticket_id, TicketTableItem.sk.startswith(ENTRY_PREFIX))
            if isinstance(i, TicketDeskEntryItem)
        ]

    def team(self, shop_id: str) -> list[str]:
        return sorted(self._counters.all_under(desk_team_key(shop_id)))

    def in_team(self, shop_id: str, agent: str) -> bool:
        return bool(self._counters.get(desk_team_key(shop_id), agent))
