"""Operators' intent corrections as triage training rows, and the file ``faka triage pull`` / ``retrain`` keep them in.

The operator API lists them (``GET /v1/admin/triage/corrections``, ``corrections_page``): a platform operator
every shop's, a shop's operator its own. ``faka triage pull`` (or ``retrain``) pages through that list on a faka
stack, ``faka local`` or a deployed one, or reads an export file of the same rows, into
``data/triage/corrections.jsonl``, which training reads (``faka.triage.train``).

A row is ``{"text", "intent", "shop", "ticket", "corrected_at"}``, the buyer's text masked again here (keys, order
ids, e-mails, amounts become placeholders: what the model reads of a message is unchanged by it). Rows are merged
with the file's, one per ticket (its latest correction), sorted, so a pull run twice writes the same file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from faka.sales.redaction import redact
from faka.support.corrections import CorrectionItem
from faka.triage.entities import extract


def masked(text: str) -> str:
    """The buyer's words with keys, card numbers, order ids, e-mails and amounts replaced by placeholders."""
    return " ".join(redact(extract(text).redacted).split())


def training_row(item: CorrectionItem) -> dict[str, str]:
    return {
        "text": masked(item.text),
        "intent": item.intent,
        "shop": item.pk.removeprefix("SHOP#"),
        "ticket": item.ticket_id,
        "corrected_at": item.corrected_at.isoformat(),
    }


@dataclass(frozen=True)
class CorrectionsPage:
    rows: list[dict[str, str]]
    after: tuple[str, str] | None  # (shop, ticket) of the last row when more follow, else None


def corrections_page(shops: Iterable[str], limit: int, after: tuple[str, str] | None = None) -> CorrectionsPage:
    """Up to ``limit`` of the shops' corrections as training rows, by shop then ticket, after ``(shop, ticket)``:
    one query per shop (never a scan), each reading only as many as the page still needs, plus one to know
    whether more follow."""
    rows: list[dict[str, str]] = []
    for shop in sorted(s for s in shops if after is None or s >= after[0]):
        pk, prefix = CorrectionItem.key(shop, "")
        start = None
        if after is not None and shop == after[0]:
            start = {"pk": {"S": pk}, "sk": {"S": CorrectionItem.key(shop, after[1])[1]}}
        wanted = limit + 1 - len(rows)
        query = CorrectionItem.query(pk, CorrectionItem.sk.startswith(prefix), limit=wanted, last_evaluated_key=start)
        rows += [training_row(item) for item in query]
        if len(rows) > limit:
            last = rows[limit - 1]
            return CorrectionsPage(rows[:limit], (last["shop"], last["ticket"]))
    return CorrectionsPage(rows, None)


def merged(*sources: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    """One row per shop and ticket, the latest correction of each, masked and sorted."""
    latest: dict[tuple[str, str], dict[str, str]] = {}
    for row in (row for source in sources for row in source):
        clean = {**row, "text": masked(row["text"])}
        key = (clean.get("shop", ""), clean.get("ticket", "") or clean["text"])
        if key not in latest or clean.get("corrected_at", "") >= latest[key].get("corrected_at", ""):
            latest[key] = clean
    return sorted(latest.values(), key=lambda r: (r["text"], r["intent"], r.get("shop", ""), r.get("ticket", "")))


def read_jsonl(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as stream:
        return [json.loads(line) for line in stream if line.strip()]


def write_jsonl(rows: Sequence[dict[str, str]], path: Path) -> None:
    path.write_text("".join(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n" for row in rows), "utf-8")
