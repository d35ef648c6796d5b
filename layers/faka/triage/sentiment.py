"""The buyer's tone — angry, neutral or positive — from a small trilingual lexicon (lexicon.json).

A lexicon is enough here: tone only moves severity, anger in these messages is loud (insults, "!!!",
capitals, "third time"), and every word that triggers it can be read and argued with.
"""

from __future__ import annotations

import re

from faka.triage.text import LEXICON

_WORDS = LEXICON["sentiment"]
# Intents that are complaints: "thanks" in them is manners, not praise.
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


def _pattern(words: list[str]) -> re.Pattern[str]:
    # Latin words match whole ("ty" is not in "pretty"); CJK and symbols match anywhere.
    parts = [
        rf"(?<![a-z]){re.escape(w)}(?![a-z])" if w[0].isascii() and w[0].isalpha() else re.escape(w) for w in words
    ]
    return re.compile("|".join(parts))


_ANGRY = _pattern(_WORDS["angry"])
_ACCUSATIONS = _pattern(_WORDS["accusations"])
_POSITIVE = _pattern(_WORDS["positive"])
# "垃圾邮件" is the spam folder and "我妈的卡" my mother's card: words that contain an angry one but are not.
_NOT_ANGRY = _pattern(_WORDS["not_angry"])
_ACRONYMS = frozenset(_WORDS["acronyms"])
_CAPITALS = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2,}(?![A-Za-z0-9])")
_EXCLAIMS = re.compile(r"[!！]{2,}|[?？][!！]|[!！][?？]")


def _shouting(redacted: str) -> bool:
    shouted = [w for w in _CAPITALS.findall(redacted) if w not in _ACRONYMS]
    return len(shouted) >= 2 or any(len(w) >= 4 for w in shouted)


def detect_sentiment(normalized: str, redacted: str, intent: str) -> str:
    """``normalized`` from ``text.normalize``; ``redacted`` keeps the capitals that shouting is made of
    (with key fragments already taken out, so a key in capitals is not a shout)."""
    normalized = _NOT_ANGRY.sub(" ", normalized)
    praise = intent not in _COMPLAINTS and _POSITIVE.search(normalized)
    # Naming a scam is what a fraud report is for; elsewhere "scam" or "thieves" is aimed at the shop.
    accusing = intent != "fraud_report" and _ACCUSATIONS.search(normalized)
    exclaiming = not praise and _EXCLAIMS.search(redacted)
    if _ANGRY.search(normalized) or accusing or exclaiming or _shouting(redacted):
        return "angry"
    # "Thanks" alone is manners; praise is what makes a message positive, and a complaint never is.
    return "positive" if praise else "neutral"
