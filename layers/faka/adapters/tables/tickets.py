"""The tickets table (faka.support's): after-sales tickets, their threads and the help desk's own entries.

Layout: a ticket (``<ticket id>`` / ``TICKET``), its thread (``MSG#<time>#<id>``) and what operators keep about it
(``DESK#<time>#<id>``) share a partition; ``by_shop`` lists a shop's tickets, ``queue`` those waiting for a person
and ``sla_due`` those with a running SLA clock.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from faka import resources
from faka.adapters.tables.base import TableMeta


class ShopTicketsIndex(GlobalSecondaryIndex["TicketItem"]):
    class Meta:
        index_name = "by_shop"
        # pynamodb filters a polymorphic model's queries on its discriminator, so it must be projected.
        projection = IncludeProjection(["kind"])

    shop_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class TicketQueueIndex(GlobalSecondaryIndex["TicketItem"]):
    """A shop's tickets waiting for a person, in the order they are served (see faka.support.help_desk)."""

    class Meta:
        index_name = "queue"
        projection = IncludeProjection(["kind"])

    shop_id = UnicodeAttribute(hash_key=True)
    queue_key = UnicodeAttribute(range_key=True)


class TicketSlaIndex(GlobalSecondaryIndex["TicketItem"]):
    """Tickets with a running SLA clock, by when the next one runs out: what the SLA sweep reads."""

    class Meta:
        index_name = "sla_due"
        projection = IncludeProjection(["kind"])

    sla_clock = UnicodeAttribute(hash_key=True)
    sla_due_at = UTCDateTimeAttribute(range_key=True)


class TicketTableItem(Model):
    """A ticket (``TICKET``) and its thread (``MSG#<time>#<id>``) share a partition."""

    class Meta(TableMeta):
        table_name = resources.TICKETS_TABLE

    ticket_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()


class TicketItem(TicketTableItem, discriminator="ticket"):
    """An after-sales case: classified on arrival, resolved automatically or by a person."""

    class Meta(TableMeta):
        table_name = resources.TICKETS_TABLE

    shop_id = UnicodeAttribute()
    order_id = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    access_token_sha256 = UnicodeAttribute(null=True)
    # How the buyer proved the order is theirs (faka.support.resolutions.Proof): what the playbooks may do for them.
    proof = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="open")
    intent = UnicodeAttribute()
    confidence = NumberAttribute(default=1)
    language = UnicodeAttribute(default="en")
    sentiment = UnicodeAttribute(default="neutral")
    severity = NumberAttribute()
    severity_reasons = ListAttribute(of=UnicodeAttribute, default=list)
    entities = UnicodeAttribute(default="{}")
    source = UnicodeAttribute()
    summary = UnicodeAttribute()
    locale = UnicodeAttribute(default="en")
    rephrase_asked = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    # What the claim-fraud guard and the playbooks saw and did (see faka.support.playbooks).
    buyer_ip = UnicodeAttribute(null=True)
    device_id = UnicodeAttribute(null=True)
    playbook = UnicodeAttribute(null=True)
    playbook_outcome = UnicodeAttribute(null=True)
    risk_score = NumberAttribute(null=True)
    risk_signals: ListAttribute[str] = ListAttribute(of=UnicodeAttribute, null=True)  # type: ignore[arg-type]
    # The human help desk (see faka.support.help_desk). Only the desk writes these, each write conditioned on
    # desk_version, so claims, replies and the SLA sweep never overwrite each other.
    desk_version = NumberAttribute(null=True)
    handoff_reason = UnicodeAttribute(null=True)
    handed_off_at = UTCDateTimeAttribute(null=True)
    queued_at = UTCDateTimeAttribute(null=True)
    priority = NumberAttribute(null=True)
    # Set only while waiting for a person, which puts the ticket in the sparse queue index.
    queue_key = UnicodeAttribute(null=True)
    claimed_by = UnicodeAttribute(null=True)
    claimed_at = UTCDateTimeAttribute(null=True)
    responded_at = UTCDateTimeAttribute(null=True)
    first_response_at = UTCDateTimeAttribute(null=True)
    first_resolved_at = UTCDateTimeAttribute(null=True)
    resolved_at = UTCDateTimeAttribute(null=True)
    resolved_by = UnicodeAttribute(null=True)
    # SLA clocks: when each runs out, or (while the ticket waits on the buyer) the seconds it had left.
    first_response_due = UTCDateTimeAttribute(null=True)
    first_response_left = NumberAttribute(null=True)
    escalation_due = UTCDateTimeAttribute(null=True)
    escalation_left = NumberAttribute(null=True)
    first_response_breached_at = UTCDateTimeAttribute(null=True)
    escalated_at = UTCDateTimeAttribute(null=True)
    escalation_alerted_at = UTCDateTimeAttribute(null=True)
    # Set only while a clock runs (or an escalation alert is owed), which puts the ticket in the sparse SLA index.
    sla_clock = UnicodeAttribute(null=True)
    sla_due_at = UTCDateTimeAttribute(null=True)
    csat_score = NumberAttribute(null=True)
    csat_comment = UnicodeAttribute(null=True)
    csat_at = UTCDateTimeAttribute(null=True)
    nps_score = NumberAttribute(null=True)
    # The knowledge-base article the assistant answered with, as JSON {"id", "title"}, and the buyer's verdict.
    knowledge_article = UnicodeAttribute(null=True)
    article_helpful = BooleanAttribute(null=True)
    # The article offered if the buyer says that one did not help, as JSON {"id", "locale"} (none after a second).
    next_article = UnicodeAttribute(null=True)

    by_shop = ShopTicketsIndex()
    queue = TicketQueueIndex()
    sla_due = TicketSlaIndex()

    SK = "TICKET"


class TicketMessageItem(TicketTableItem, discriminator="message"):
    """One turn of a ticket's conversation; the body is stored with key codes and card numbers masked."""

    class Meta(TableMeta):
        table_name = resources.TICKETS_TABLE

    author = UnicodeAttribute()
    channel = UnicodeAttribute()
    body = UnicodeAttribute()
    attachments = ListAttribute(of=UnicodeAttribute, default=list)
    created_at = UTCDateTimeAttribute()


class TicketDeskEntryItem(TicketTableItem, discriminator="desk_entry"):
    """What operators keep about a ticket among themselves (``DESK#<time>#<id>``): an internal note (masked) or a
    step of the desk's history (claimed, reassigned, resolved, reopened). Never part of the buyer's thread."""

    class Meta(TableMeta):
        table_name = resources.TICKETS_TABLE

    entry = UnicodeAttribute()
    agent = UnicodeAttribute()
    body = UnicodeAttribute(null=True)
    from_agent = UnicodeAttribute(null=True)
    to_agent = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
