"""Which language a buyer wrote in — zh, en, es, or mixed — from script and function words.

Rules rather than a model: the three languages differ in script (Chinese) or in their most frequent words
(English and Spanish), and a rule explains itself when a reply goes out in the wrong language.
"""

from __future__ import annotations

import re

from faka.triage.entities import PLACEHOLDERS
from faka.triage.text import CJK, LEXICON, TRADITIONAL_SIMPLIFIED, normalize

_CJK_CHAR = re.compile(f"[{CJK}]")
_LATIN_WORD = re.compile(r"[a-z]+")
_SPANISH_MARKS = re.compile(r"[ñ¿¡áéíóú]")
# Brands, "key", "code", currencies: Latin words Chinese buyers write without switching language.
_LOANWORDS = frozenset(LEXICON["language"]["loanwords"])
_ENGLISH = frozenset(LEXICON["language"]["english"])
_SPANISH = frozenset(LEXICON["language"]["spanish"])
# Latin text counts as a switch of language inside Chinese once it is a fair share of the message; a CJK
# character carries about as much as two Latin letters.
_MIXED_SHARE = 0.3
_PAIRS = [(pair[0], pair[1]) for pair in TRADITIONAL_SIMPLIFIED.split()]
# Characters written one way in one script only (臺 and 台 are both Traditional, so 台 counts for neither).
_TRADITIONAL = frozenset(t for t, _ in _PAIRS) - frozenset(s for _, s in _PAIRS)
_SIMPLIFIED = frozenset(s for _, s in _PAIRS) - frozenset(t for t, _ in _PAIRS)


def is_traditional(text: str) -> bool:
    """Chinese written in Traditional characters: more characters only Traditional has than only Simplified has."""
    traditional = sum(char in _TRADITIONAL for char in text)
    return traditional > 0 and traditional > sum(char in _SIMPLIFIED for char in text)


def detect_language(redacted: str) -> str:
    """``redacted`` is the message with entities replaced by placeholders (see ``entities.extract``)."""
    normalized = normalize(redacted)
    han = len(_CJK_CHAR.findall(normalized))
    words = [w for w in _LATIN_WORD.findall(normalized.replace("_", " ")) if w not in PLACEHOLDERS]
    if han:
        letters = sum(len(w) for w in words if w not in _LOANWORDS and len(w) > 1)
        return "mixed" if letters / (letters + 2 * han) >= _MIXED_SHARE else "zh"
    english = sum(w in _ENGLISH for w in words)
    spanish = sum(w in _SPANISH for w in words) + (2 if _SPANISH_MARKS.search(redacted.lower()) else 0)
    if english >= 2 and spanish >= 2 and min(english, spanish) / max(english, spanish) >= 0.5:
        return "mixed"
    # With no evidence either way the reply goes out in English, the shop's common language.
    return "es" if spanish > english else "en"
