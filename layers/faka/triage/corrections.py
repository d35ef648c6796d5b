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
from collections.abc import Iterable
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
