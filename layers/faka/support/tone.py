"""Tone (话术) standards: what every reply to a buyer, a person's or the assistant's, keeps.

The platform's standards are data (``faka/rules/tone.json``); a shop adds prohibited words and forms of address
of its own and sets its greeting, sign-off and the assistant's display name per locale (stored beside its
catalog). ``ToneRules.check`` names what a reply breaks; an operator reply that breaks anything is refused
(400 ``tone_violation`` naming each rule and word) unless resent with ``confirm``, and even then a prohibited
word is masked, never sent. ``ToneRules.dress`` adds the shop's greeting and sign-off to every reply that lacks
them, automatic ones included.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute

from faka import resources
from faka.adapters.tables.catalog import CatalogItem

TONE_FILE = Path(__file__).resolve().parents[1] / "rules" / "tone.json"
PROHIBITED = "prohibited_word"
INFORMAL = "informal_address"
# How stale another container's copy of a shop's rules may be, in seconds.
REFRESH_SECONDS = 60.0


@dataclass(frozen=True)
class Violation:
    rule: str
    word: str

    def as_detail(self) -> dict[str, str]:
        return {"rule": self.rule, "word": self.word}


def _fold(text: str) -> str:
    """Full-width forms and case folded, so "ＳＢ", "Sb" and "sb" are one word."""
    return unicodedata.normalize("NFKC", text).casefold()


def _pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """One alternation: Latin entries as whole words (so "mate" is not found in "automated", but "SB" is in "SB商家"),
    others anywhere."""
    parts = []
    for word in sorted({_fold(w) for w in words if w.strip()}, key=len, reverse=True):
        escaped = re.escape(word)
        parts.append(rf"(?<![a-z0-9]){escaped}(?![a-z0-9])" if word.isascii() else escaped)
    return re.compile("|".join(parts)) if parts else None


@dataclass(frozen=True)
class ToneRules:
    prohibited: tuple[str, ...] = ()
    informal: tuple[str, ...] = ()
    greetings: Mapping[str, str] = field(default_factory=dict)
    sign_offs: Mapping[str, str] = field(default_factory=dict)
    assistant_name: str = ""

    def check(self, text: str) -> list[Violation]:
        """Each rule broken and the word that broke it, as written in the rules, once each."""
        folded = _fold(text)
        found: dict[tuple[str, str], Violation] = {}
        for rule, words in ((PROHIBITED, self.prohibited), (INFORMAL, self.informal)):
            pattern = _pattern(words)
            if pattern is None:
                continue
            named = {_fold(w): w for w in words}
            for match in pattern.finditer(folded):
                word = named.get(match.group(0), match.group(0))
                found.setdefault((rule, word), Violation(rule, word))
        return list(found.values())

    def mask(self, text: str) -> str:
        """The text with every prohibited word replaced by asterisks of its length."""
        pattern = _pattern(self.prohibited)
        if pattern is None:
            return text
        # NFKC keeps lengths for the characters these lists hold, so spans of the folded text fit the original.
        folded = _fold(text)
        if len(folded) != len(text):
            return pattern.sub(lambda m: "*" * len(m.group(0)), folded)
        pieces, last = [], 0
        for match in pattern.finditer(folded):
            pieces += [text[last : match.start()], "*" * (match.end() - match.start())]
            last = match.end()
        return "".join([*pieces, text[last:]])

    def dress(self, text: str, locale: str) -> str:
        """The reply with the shop's greeting before it and sign-off after it, where it lacks them."""
        greeting = _for_locale(self.greetings, locale)
        sign_off = _for_locale(self.sign_offs, locale)
        if greeting and not text.startswith(greeting):
            text = f"{greeting}\n{text}"
        if sign_off and not text.rstrip().endswith(sign_off):
            text = f"{text.rstrip()}\n{sign_off}"
        return text

    def with_shop(self, shop: Mapping[str, Any]) -> ToneRules:
        """The platform's rules with a shop's: its words add to these; its greetings, sign-offs and name replace."""
        return ToneRules(
            prohibited=(*self.prohibited, *shop.get("prohibited", ())),
            informal=(*self.informal, *shop.get("informal", ())),
            greetings={**self.greetings, **shop.get("greetings", {})},
            sign_offs={**self.sign_offs, **shop.get("sign_offs", {})},
            assistant_name=shop.get("assistant_name") or self.assistant_name,
        )

    def shop_part(self, platform: ToneRules) -> dict[str, Any]:
        """What these rules add to the platform's (what a shop stores and an operator edits)."""
        return {
            "prohibited": [w for w in self.prohibited if w not in platform.prohibited],
            "informal": [w for w in self.informal if w not in platform.informal],
            "greetings": dict(self.greetings),
            "sign_offs": dict(self.sign_offs),
            "assistant_name": self.assistant_name,
        }


def _for_locale(texts: Mapping[str, str], locale: str) -> str:
    return texts.get(locale) or texts.get(locale.split("-")[0]) or ""


@cache
def platform_tone(path: Path = TONE_FILE) -> ToneRules:
    data = json.loads(path.read_text(encoding="utf-8"))
    return ToneRules(
        tuple(data["prohibited"]),
        tuple(data["informal"]),
        dict(data["greetings"]),
        dict(data["sign_offs"]),
        data["assistant_name"],
    )


class ToneRulesItem(CatalogItem, discriminator="tone_rules"):
    """A shop's own tone rules, as JSON (``ToneRules.shop_part``): ``SHOP#<shop>`` / ``TONE``."""

    class Meta(CatalogItem.Meta):
        table_name = resources.CATALOG_TABLE

    rules = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()

    @staticmethod
    def key(shop_id: str) -> tuple[str, str]:
        return f"SHOP#{shop_id}", "TONE"


class ShopTone:
    """Each shop's tone rules (the platform's plus its own), read once a minute per container."""

    def __init__(self, platform: ToneRules | None = None) -> None:
        self.platform = platform or platform_tone()
        self._read: dict[str, tuple[float, ToneRules]] = {}

    def rules(self, shop_id: str) -> ToneRules:
        cached = self._read.get(shop_id)
        if cached is not None and time.monotonic() - cached[0] < REFRESH_SECONDS:
            return cached[1]
        try:
            own = json.loads(ToneRulesItem.get(*ToneRulesItem.key(shop_id)).rules)
        except ToneRulesItem.DoesNotExist:
            own = {}
        rules = self.platform.with_shop(own)
        self._read[shop_id] = (time.monotonic(), rules)
        return rules

    def set(self, shop_id: str, own: Mapping[str, Any]) -> ToneRules:
        ToneRulesItem(
            *ToneRulesItem.key(shop_id), rules=json.dumps(dict(own), ensure_ascii=False), updated_at=datetime.now(UTC)
        ).save()
        self._read.pop(shop_id, None)
        return self.rules(shop_id)
