"""What a playbook decided for a ticket: the outcome, who acts next, and what the buyer is told."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from faka.shared.model import Order
from faka.trust.claims import Claimant, ClaimRisk

# A request a playbook may act on only with the order's token is confirmed through the order's mailbox: a signed
# link to this page (GET shows what will be done, POST does it).
CONFIRM_ACTION = "ticket_confirm"


def confirmation_path(ticket_id: str) -> str:
    return f"/v1/tickets/{ticket_id}/confirm"


class Proof(StrEnum):
    """How the buyer showed a ticket's order is theirs; what a playbook may do for them follows from it."""

    ACCESS_TOKEN = "access_token"  # noqa: S105 - a name, not a secret: the order page, the storefront session
    MAILBOX = "mailbox"  # followed a signed link mailed to the order's address (for the one request confirmed)
    EMAIL = "email"  # only named the order's address, which anyone who knows it can

    @property
    def may_act(self) -> bool:
        """Refund, reissue, exchange, or anything else that moves money or keys (and so stops the reminders)."""
        return self in (Proof.ACCESS_TOKEN, Proof.MAILBOX)

    @property
    def may_redirect(self) -> bool:
        """Send the order's keys to an address other than the order's own."""
        return self is Proof.ACCESS_TOKEN


class Next(StrEnum):
    RESOLVED = "resolved"  # done automatically; the buyer can still reply
    PERSON = "person"  # handed to the human queue
    BUYER = "buyer"  # waiting on the buyer's answer (another address, accepting a refund, a mailed confirmation)


class Outcome(StrEnum):
    DELIVERED_NOW = "delivered_now"
    AWAITING_STOCK = "awaiting_stock"
    RESENT_WITH_EVIDENCE = "resent_with_evidence"
    ASKED_FOR_ADDRESS = "asked_for_address"
    RESENT_TO_NEW_ADDRESS = "resent_to_new_address"
    REPLACED = "replaced"
    ALREADY_REPLACED = "already_replaced"
    EXCHANGED = "exchanged"
    REFUND_OFFERED = "refund_offered"
    CONFIRMATION_SENT = "confirmation_sent"
    CONFIRMED = "confirmed"  # the order's mailbox confirmed; the playbook is acting on it
    ORDER_LINK_NEEDED = "order_link_needed"
    GUIDE_SENT = "guide_sent"
    ANSWERED_STATUS = "answered_status"
    REFUND_REQUESTED = "refund_requested"
    PAYMENT_FOUND = "payment_found"
    DUPLICATE_REFUNDED = "duplicate_refunded"
    HELD_FOR_REVIEW = "held_for_review"
    HANDED_OFF = "handed_off"
    # Not a playbook's: a question with no order problem, answered with a knowledge-base article.
    ANSWERED_FROM_KNOWLEDGE_BASE = "answered_from_knowledge_base"
    # Not a playbook's: one clarifying question (faka.support.clarifying), waiting on the buyer's answer.
    ASKED_TO_CLARIFY = "asked_to_clarify"
    ASKED_FOR_ORDER = "asked_for_order"
    # Not a playbook's: thanks or praise, with nothing asked, acknowledged and resolved.
    ACKNOWLEDGED = "acknowledged"


@dataclass(frozen=True)
class Claim:
    """A classified ticket about an order, as the playbooks see it."""

    ticket_id: str
    intent: str
    order: Order | None
    claimant: Claimant
    entities: dict[str, Any] = field(default_factory=dict)
    # "asked_for_address": the buyer was asked for another address; a reply naming one is that answer.
    previous_outcome: str | None = None
    proof: Proof = Proof.EMAIL
    # The claim-fraud guard counted this claim when it was made; its mailed confirmation is judged, not counted.
    counted: bool = False


@dataclass(frozen=True)
class Resolution:
    outcome: Outcome
    next: Next
    reason: str = ""
    # What the reply says beyond the outcome (guide, new status, refund id); never a key.
    reply: dict[str, Any] = field(default_factory=dict)
    # What a person (or a dispute) needs to see: timestamps, message ids, events, page views.
    evidence: dict[str, Any] | None = None
    risk: ClaimRisk | None = None
