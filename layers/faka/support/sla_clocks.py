"""A ticket's two SLA clocks and how a desk change leaves them.

The *first response* clock runs until a person answers; the *escalation* clock until a person claims or answers.
While the ticket waits on the buyer a running clock is paused with the seconds it had left, and restarts with them.
The earliest running clock (or an escalation alert still owed) puts the ticket in the sparse SLA index under
:data:`SLA_PARTITION`, which the ``ticket_sla`` function sweeps every minute (see :mod:`faka.support.help_desk`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pynamodb.expressions.update import Action

from faka.adapters.tables.tickets import TicketItem

# The partition of the SLA index: one sweep reads every shop's due clocks.
SLA_PARTITION = "running"


@dataclass(frozen=True)
class SlaBudget:
    first_response_seconds: int
    escalation_seconds: int

    @classmethod
    def parse(cls, text: str) -> SlaBudget:
        first, escalation = (int(part) for part in text.split(","))
        if not 0 < first <= escalation:
            raise ValueError(f"SLA seconds {text!r}: expected 'first response,escalation', 0 < first <= escalation")
        return cls(first, escalation)


class Clock(StrEnum):
    FIRST_RESPONSE = "first_response"
    ESCALATION = "escalation"


class Clocks:
    """The ticket's clock state as a change leaves it, and the writes that store it with its SLA index entry."""

    def __init__(self, item: TicketItem) -> None:
        self.due: dict[Clock, datetime | None] = {
            Clock.FIRST_RESPONSE: item.first_response_due,
            Clock.ESCALATION: item.escalation_due,
        }
        self.left: dict[Clock, int | None] = {
            Clock.FIRST_RESPONSE: None if item.first_response_left is None else int(item.first_response_left),
            Clock.ESCALATION: None if item.escalation_left is None else int(item.escalation_left),
        }
        self.alert_owed = bool(item.escalated_at) and not item.escalation_alerted_at

    def start(self, clock: Clock, due: datetime) -> None:
        self.due[clock], self.left[clock] = due, None

    def stop(self, *clocks: Clock) -> None:
        for clock in clocks or tuple(Clock):
            self.due[clock], self.left[clock] = None, None

    def pause(self, now: datetime) -> None:
        for clock, due in self.due.items():
            if due is not None:
                self.due[clock], self.left[clock] = None, max(0, math.ceil((due - now).total_seconds()))

    def resume(self, now: datetime) -> None:
        for clock, left in self.left.items():
            if left is not None:
                self.due[clock], self.left[clock] = now + timedelta(seconds=left), None

    @property
    def running(self) -> bool:
        return any(due is not None for due in self.due.values())

    @property
    def paused(self) -> bool:
        return any(left is not None for left in self.left.values())

    def actions(self, now: datetime) -> list[Action]:
        attributes = {
            Clock.FIRST_RESPONSE: (TicketItem.first_response_due, TicketItem.first_response_left),
            Clock.ESCALATION: (TicketItem.escalation_due, TicketItem.escalation_left),
        }
        actions: list[Action] = []
        for clock, (due_attribute, left_attribute) in attributes.items():
            due, left = self.due[clock], self.left[clock]
            actions.append(due_attribute.set(due) if due is not None else due_attribute.remove())
            actions.append(left_attribute.set(left) if left is not None else left_attribute.remove())
        # An escalation alert that could not be sent is retried by the next sweep.
        next_due = min(
            [d for d in self.due.values() if d is not None] + ([now] if self.alert_owed else []), default=None
        )
        if next_due is None:
            actions += [TicketItem.sla_clock.remove(), TicketItem.sla_due_at.remove()]
        else:
            actions += [TicketItem.sla_clock.set(SLA_PARTITION), TicketItem.sla_due_at.set(next_due)]
        return actions
