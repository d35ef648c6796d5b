"""The buyer's tone — angry, neutral or positive — from a small trilingual lexicon (lexicon.json).

A lexicon is enough here: tone only moves severity, anger in these messages is loud (insults, "!!!",
capitals, "third time"), and every word that triggers it can be read and argued with.
"""

from __future__ import annotations

import re

from faka.triage.text import LEXICON, Vocabulary

_WORDS = LEXICON["sentiment"]
# Complaints are never positive, however warmly put ("thanks, but the key is invalid").
_COMPLAINTS = frozenset(
    {
        "not_received",
        "invalid_key",
        "wrong_region",
        "refund_request",
        "payment_issue",
        "description_mismatch",
        "account_security",
        "fraud_report",
    }
)


def _vocabulary(name: str) -> Vocabulary:
    return Vocabulary(dict.fromkeys(_WORDS[name], name))


_ANGRY = _vocabulary("angry")
_ACCUSATIONS = _vocabulary("accusations")
_POSITIVE = _vocabulary("positive")
# "垃圾邮件" is the spam folder and "我妈的卡" my mother's card: they contain angry words but are not.
_NOT_ANGRY = tuple(_WORDS["not_angry"])
_ACRONYMS = frozenset(_WORDS["acronyms"])
_CAPITALS = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2,}(?![A-Za-z0-9])")
_EXCLAIMS = re.compile(r"[!！]{2,}|[?？][!！]|[!！][?？]")


def _shouting(redacted: str) -> bool:
    shouted = [w for w in _CAPITALS.findall(redacted) if w not in _ACRONYMS]
    return len(shouted) >= 2 or any(len(w) >= 4 for w in shouted)


def detect_sentiment(normalized: str, redacted: str, intent: str) -> str:
    """``normalized`` from ``text.normalize``; ``redacted`` keeps the capitals that shouting is made of
    (with key fragments already taken out, so a key in capitals is not a shout)."""
    for phrase in _NOT_ANGRY:
        normalized = normalized.replace(phrase, " ")
    praise = intent not in _COMPLAINTS and bool(_POSITIVE.find(normalized))
    # Naming a scam is what a fraud report is for; elsewhere "scam" or "thieves" is aimed at the shop.
    accusing = intent != "fraud_report" and bool(_ACCUSATIONS.find(normalized))
    exclaiming = not praise and _EXCLAIMS.search(redacted)
    if _ANGRY.find(normalized) or accusing or exclaiming or _shouting(redacted):
        return "angry"
    # "Thanks" alone is manners; praise is what makes a message positive, and a complaint never is.
    return "positive" if praise else "neutral"
