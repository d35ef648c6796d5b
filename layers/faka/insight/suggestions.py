"""Complaint analysis: what buyers' tickets and reviews say per product and per batch, turned into suggestions.

Counts, not models: each ticket, and each rating comment (its intent read by the triage model), adds its
intent and its distinct phrases (English words and word pairs, Chinese character pairs, from the help desk's
tokenizer over the masked text) to its product's and its batches' items of the ``COMPLAINTS#<shop>``
partition. A suggestion names the figures it stands on.

Only complaints are counted: text a buyer wrote whose tone is negative or neutral. Praise ("发货很快，好评")
is not a complaint, and neither is a ticket the system opened itself (an activation escalation, a low-rating
follow-up, a refund review): its text is the system's, not a buyer's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from faka.adapters.counters import Counters
from faka.insight.batch_health import BatchFigures
from faka.knowledge.phrases import phrases
from faka.triage import classify

# A product's complaints say something once this many tickets name it.
MIN_TICKETS = 3
# One ticket adds at most this many phrases, so one long message does not fill its product's item.
_PHRASES_PER_TICKET = 12
_TOP_PHRASES = 5

# What the top complaint of a product asks the shop to do; intents of the triage model.
_ADVICE = {
    "wrong_region": "make the region clearer in its name and description",
    "invalid_key": "check its key batches with the supplier",
    "activation_help": "add a clearer redeem guide to its description and delivery email",
    "not_received": "check its delivery: buyers say their key did not arrive",
    "description_mismatch": "rewrite its description: buyers say the product is not what it describes",
    "refund_request": "look at why buyers of it ask for their money back",
    "payment_issue": "check its checkout: buyers report payment problems",
}


# The channels buyers write tickets on (faka.support.ticket_records.Channel); any other source is the system's own.
BUYER_SOURCES = frozenset({"api", "chat", "email"})


def complaints_key(shop_id: str) -> str:
    return f"COMPLAINTS#{shop_id}"


@dataclass(frozen=True)
class Suggestion:
    kind: str
    subject: str
    text: str
    evidence: dict[str, Any] = field(default_factory=dict)


class Complaints:
    def __init__(self, counters: Counters) -> None:
        self._counters = counters

    def note_ticket(
        self, shop_id: str, sku: str, batches: Iterable[str], intent: str, text: str, *, source: str | None = None
    ) -> bool:
        """Count a ticket as a complaint, unless the system opened it (``source``) or the buyer was praising.
        Returns whether it was counted."""
        if source is not None and source not in BUYER_SOURCES:
            return False
        if classify(text).sentiment == "positive":
            return False
        self._note(shop_id, sku, batches, "tickets", intent, text)
        return True

    def note_review(self, shop_id: str, sku: str, batches: Iterable[str], comment: str) -> bool:
        """A rating's comment, read by the same triage model as a ticket: "卡密失效" counts as an invalid key, and
        "发货很快，好评" is praise, not counted. Returns whether it was counted."""
        triage = classify(comment)
        if triage.sentiment == "positive":
            return False
        self._note(shop_id, sku, batches, "reviews", triage.intent, comment)
        return True

    def _note(self, shop_id: str, sku: str, batches: Iterable[str], source: str, intent: str, text: str) -> None:
        distinct = list(dict.fromkeys(phrases(text)))[:_PHRASES_PER_TICKET]
        amounts = {source: 1, f"intent:{intent}": 1} | {f"phrase:{p}": 1 for p in distinct}
        self._counters.add(complaints_key(shop_id), f"SKU#{sku}", amounts)
        for batch_id in batches:
            self._counters.add(complaints_key(shop_id), f"BATCH#{sku}#{batch_id}", amounts)

    def by_subject(self, shop_id: str) -> dict[str, dict[str, float]]:
        return self._counters.all_under(complaints_key(shop_id))


def suggestions(batches: Iterable[BatchFigures], complaints: Mapping[str, Mapping[str, float]]) -> list[Suggestion]:
    """Quarantined batches first (each with its figures), then each product's top complaint with its phrases."""
    found = [
        _batch_suggestion(b, complaints.get(f"BATCH#{b.sku}#{b.batch_id}", {})) for b in batches if b.quarantine_rule
    ]
    for subject, counts in sorted(complaints.items()):
        if subject.startswith("SKU#") and (product := _product_suggestion(subject.removeprefix("SKU#"), counts)):
            found.append(product)
    return found


def _batch_suggestion(batch: BatchFigures, complaints: Mapping[str, float]) -> Suggestion:
    supplier = f" of supplier {batch.supplier}" if batch.supplier else ""
    status = "quarantined" if batch.status == "suspended" else "quarantined, since resumed by an operator"
    return Suggestion(
        kind="batch_quarantined",
        subject=f"{batch.sku}/{batch.batch_id}",
        text=(
            f"batch {batch.batch_id}{supplier}: {batch.invalid_claims} invalid-key claims and "
            f"{batch.activation_failures} activation failures in {batch.activated} activations "
            f"({batch.issued} keys sold) — {status}"
        ),
        evidence={
            "rule": batch.quarantine_rule,
            "defect_rate": batch.defect_rate,
            **batch.counts(),
            "tickets_by_intent": _intents(complaints),
        },
    )


def _product_suggestion(sku: str, counts: Mapping[str, float]) -> Suggestion | None:
    tickets, reviews = int(counts.get("tickets", 0)), int(counts.get("reviews", 0))
    intents = _intents(counts)
    if tickets + reviews < MIN_TICKETS or not intents:
        return None
    intent, count = max(intents.items(), key=lambda item: (item[1], item[0]))
    top_phrases = sorted(
        ((k.removeprefix("phrase:"), int(v)) for k, v in counts.items() if k.startswith("phrase:") and v > 1),
        key=lambda item: (-item[1], item[0]),
    )[:_TOP_PHRASES]
    advice = _ADVICE.get(intent, "read these tickets: they share one complaint")
    return Suggestion(
        kind="top_complaint",
        subject=sku,
        text=(
            f"product {sku}: '{intent.replace('_', ' ')}' is the top complaint ({count} of {tickets + reviews}:"
            f" {tickets} tickets, {reviews} reviews)"
            f" — {advice}"
        ),
        evidence={
            "tickets": tickets,
            "reviews": reviews,
            "intents": intents,
            "top_phrases": [{"phrase": p, "tickets": n} for p, n in top_phrases],
        },
    )


def _intents(counts: Mapping[str, float]) -> dict[str, int]:
    found = {k.removeprefix("intent:"): int(v) for k, v in counts.items() if k.startswith("intent:")}
    return dict(sorted(found.items(), key=lambda item: (-item[1], item[0])))
