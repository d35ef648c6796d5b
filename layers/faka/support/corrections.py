"""An operator's one-click correction of a ticket's intent, stored per shop and used on the shop's next tickets.

A correction keeps the ticket's first message (masked, as stored) and the intent the operator chose. Every
later message of the shop passes ``ShopCorrections.adjust``: one worded like a corrected message
(``faka.triage.corrections``) takes the corrected intent, without retraining and for this shop only.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute

from faka import resources
from faka.adapters.tables.catalog import CatalogItem
from faka.adapters.tables.tickets import TicketItem, TicketMessageItem, TicketTableItem
from faka.errors import InvalidRequest, NotFound
from faka.triage import INTENTS, Triage, message_features
from faka.triage.corrections import CorrectionIndex, Override

_PREFIX = "CORRECTION#"
# How stale another container's copy of a shop's corrections may be, in seconds.
REFRESH_SECONDS = 60.0


class CorrectionItem(CatalogItem, discriminator="intent_correction"):
    """``SHOP#<shop>`` / ``CORRECTION#<ticket>``: the ticket's masked message and the intent an operator chose."""

    class Meta(CatalogItem.Meta):
        table_name = resources.CATALOG_TABLE

    ticket_id = UnicodeAttribute()
    text = UnicodeAttribute()
    intent = UnicodeAttribute()
    previous_intent = UnicodeAttribute()
    corrected_at = UTCDateTimeAttribute()

    @staticmethod
    def key(shop_id: str, ticket_id: str) -> tuple[str, str]:
        return f"SHOP#{shop_id}", f"{_PREFIX}{ticket_id}"


@dataclass(frozen=True)
class Correction:
    ticket_id: str
    text: str
    intent: str
    previous_intent: str
    corrected_at: datetime


class ShopCorrections:
    def __init__(self) -> None:
        self._indexes: dict[str, tuple[float, CorrectionIndex]] = {}

    def correct_ticket(self, shop_id: str, ticket_id: str, intent: str) -> Correction:
        """The operator's intent for one of the shop's tickets: the ticket takes it and the shop's triage learns it
        from the ticket's first buyer message."""
        try:
            item = TicketItem.get(ticket_id, TicketItem.SK, consistent_read=True)
        except TicketItem.DoesNotExist:
            item = None
        if item is None or item.shop_id != shop_id:
            raise NotFound("no such ticket in this shop", code="unknown_ticket")
        first = next(
            (
                m.body
                for m in TicketTableItem.query(ticket_id, TicketTableItem.sk.startswith("MSG#"))
                if isinstance(m, TicketMessageItem) and m.author == "buyer"
            ),
            item.summary,
        )
        correction = self.record(shop_id, ticket_id, first, intent, item.intent)
        TicketItem(ticket_id, TicketItem.SK).update(actions=[TicketItem.intent.set(intent)])
        return correction

    def record(self, shop_id: str, ticket_id: str, text: str, intent: str, previous_intent: str) -> Correction:
        if intent not in INTENTS:
            raise InvalidRequest(f"unknown intent {intent!r}", code="unknown_intent", details={"intents": INTENTS})
        now = datetime.now(UTC)
        CorrectionItem(
            *CorrectionItem.key(shop_id, ticket_id),
            ticket_id=ticket_id,
            text=text,
            intent=intent,
            previous_intent=previous_intent,
            corrected_at=now,
        ).save()
        self._indexes.pop(shop_id, None)
        return Correction(ticket_id, text, intent, previous_intent, now)

    def for_shop(self, shop_id: str) -> list[Correction]:
        return [
            Correction(i.ticket_id, i.text, i.intent, i.previous_intent, i.corrected_at)
            for i in CorrectionItem.query(f"SHOP#{shop_id}", CorrectionItem.sk.startswith(_PREFIX))
        ]

    def adjust(self, shop_id: str, text: str, triage: Triage) -> tuple[Triage, Override | None]:
        """The triage, with the intent of the closest corrected message when one is close enough."""
        override = self._index(shop_id).nearest(frozenset(message_features(text)))
        if override is None or (override.intent == triage.intent and triage.confidence >= override.similarity):
            return triage, override
        confidence = max(triage.confidence, override.similarity)
        # The operator settled the wording: no doubt left between the model's intents to ask the buyer about.
        return dataclasses.replace(
            triage, intent=override.intent, confidence=confidence, probabilities={override.intent: confidence}
        ), override

    def _index(self, shop_id: str) -> CorrectionIndex:
        cached = self._indexes.get(shop_id)
        if cached is not None and time.monotonic() - cached[0] < REFRESH_SECONDS:
            return cached[1]
        index = CorrectionIndex(
            (frozenset(message_features(c.text)), c.intent, c.text)
            for c in sorted(self.for_shop(shop_id), key=lambda c: c.corrected_at)
        )
        self._indexes[shop_id] = (time.monotonic(), index)
        return index
