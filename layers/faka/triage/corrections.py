"""Operators' corrections as nearest-neighbour overrides: a message close to one an operator relabelled gets
that label.

A shop's buyers reuse their own words ("码不灵", "no jala el pin"); when the model misreads one and an operator
corrects it, the same wording from the next buyer should be read as corrected, without retraining. Closeness is
the cosine of the two messages' model features (the same features the model scores), so a correction reaches
messages worded like it and no others. ``SIMILARITY_BAR`` was chosen in ``benchmarks/tickets.py``
(``--corrections``): at 0.4 the eval corrections turned 5 of the 5,040 training rows wrong; at 0.5 and 0.6 none,
and every corrected message resent with chat noise was read right; at 0.7 some of those were missed. 0.6 keeps
a margin from 0.4.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

SIMILARITY_BAR = 0.6


@dataclass(frozen=True)
class Override:
    intent: str
    similarity: float
    text: str


class CorrectionIndex:
    """Corrected messages (their model features) and their intents, searched by cosine similarity."""

    def __init__(self, corrected: Iterable[tuple[frozenset[str], str, str]]) -> None:
        # (features, intent, text); a later correction of the same features wins.
        self._rows = list({row[0]: row for row in corrected}.values())

    def __len__(self) -> int:
        return len(self._rows)

    def nearest(self, features: frozenset[str] | set[str], bar: float = SIMILARITY_BAR) -> Override | None:
        if not features:
            return None
        best: Override | None = None
        for corrected, intent, text in self._rows:
            shared = len(corrected & features)
            if not shared:
                continue
            similarity = shared / math.sqrt(len(corrected) * len(features))
            if similarity >= bar and (best is None or similarity > best.similarity):
                best = Override(intent, similarity, text)
        return best


# --- corrections as training rows (faka.triage.train; development only) ---------------------------------------

# A correction worded this close to a curated row (train, eval or holdout) of another intent contradicts the
# curated data: it is reported and left out, never trained on silently. Near-identical wording only: a misread
# message is by nature worded somewhat like the intent the model chose.
CONFLICT_SIMILARITY = 0.9


@dataclass(frozen=True)
class Conflict:
    text: str
    intent: str
    reason: str  # what the correction contradicts or repeats, for the person reading the report


@dataclass(frozen=True)
class CorrectionRows:
    rows: list[dict[str, str]]  # what training uses: deduplicated, sorted, no conflicts
    conflicts: list[Conflict]


def _cosine(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / math.sqrt(len(a) * len(b)) if a and b else 0.0


def training_rows(
    corrections: Iterable[dict[str, str]],
    curated: Iterable[dict[str, str]],
    evaluated: Iterable[dict[str, str]],
    features: Callable[[str], frozenset[str]],
) -> CorrectionRows:
    """The corrections (``text``, ``intent``, ``shop``, ``ticket``, ``corrected_at``) training may use.

    One row per wording and intent (``faka.support.correction_export`` keeps a ticket's latest correction);
    left out, each with a
    ``Conflict``: wording corrected to different intents, wording that an evaluation set (``evaluated``) holds
    (training on it would inflate the figures measured there), and wording near a curated row (``curated``,
    which includes ``evaluated``) of another intent. Sorted by text, so the same corrections train the same model.
    """
    by_wording: dict[frozenset[str], dict[str, dict[str, str]]] = {}
    for row in sorted(corrections, key=lambda r: (r["text"], r["intent"], r.get("shop", ""), r.get("ticket", ""))):
        by_wording.setdefault(features(row["text"]), {}).setdefault(row["intent"], row)
    reference = [(features(row["text"]), row["intent"], row["text"]) for row in curated]
    held_out = {features(row["text"]) for row in evaluated}
    rows: list[dict[str, str]] = []
    conflicts: list[Conflict] = []
    for wording, intents in by_wording.items():
        first = next(iter(intents.values()))
        if len(intents) > 1:
            conflicts.append(Conflict(first["text"], "/".join(sorted(intents)), "corrected to different intents"))
            continue
        if not wording:
            conflicts.append(Conflict(first["text"], first["intent"], "no words the model reads"))
            continue
        if wording in held_out:
            conflicts.append(Conflict(first["text"], first["intent"], "worded as an evaluation message"))
            continue
        clash = next(
            (
                (intent, text)
                for curated_features, intent, text in reference
                if intent != first["intent"] and _cosine(wording, curated_features) >= CONFLICT_SIMILARITY
            ),
            None,
        )
        if clash is not None:
            conflicts.append(Conflict(first["text"], first["intent"], f"curated as {clash[0]}: {clash[1]!r}"))
            continue
        rows.append({key: first[key] for key in ("text", "intent", "shop", "ticket") if key in first})
    rows.sort(key=lambda r: (r["text"], r["intent"]))
    conflicts.sort(key=lambda c: (c.text, c.intent))
    return CorrectionRows(rows, conflicts)
