"""Card-key codes as data: what counts as a valid code, when two codes are the same, how one is shown."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

MAX_CODE_LENGTH = 256


@cache
def _valid_code() -> re.Pattern[str]:
    """Visible characters only: a code with a line break or control character is a copy-paste accident.

    Compiled when the first code is checked: its character ranges take about 10 ms to compile, which every function
    importing the catalog paid at cold start, and only those taking keys in (uploads, restock) check a code.
    """
    return re.compile(r"^[\x21-\x7e\u00a0-\uffff]+(?: [\x21-\x7e\u00a0-\uffff]+)*$")


def normalize_code(raw: str) -> str | None:
    """The code as stored, or None when it cannot be a code."""
    code = raw.strip()
    if not code or len(code) > MAX_CODE_LENGTH or not _valid_code().match(code):
        return None
    return code


def identity_of(code: str) -> str:
    """Suppliers and buyers mix cases and dashes; keys that differ only so are the same key."""
    return re.sub(r"[\s-]", "", code).upper()


def mask_code(code: str) -> str:
    """What operators and tickets see: enough to recognise a key, never enough to redeem it."""
    visible = 4 if len(code) >= 12 else max(len(code) // 4, 1) if len(code) > 2 else 0
    return "*" * (len(code) - visible) + code[len(code) - visible :]


# A key may carry secret parts beside its code (a PIN, the password of an account, the further lines of a card):
# named by the supplier's column, or unnamed when the source names none. They are sealed, delivered and masked
# with the code, and never sold as keys of their own; only the code says whether two keys are the same.
MAX_PARTS = 16
MAX_PART_NAME_LENGTH = 64
MAX_PART_LENGTH = 1024
# The header names of a supplier file's code column, in the order they are looked for; every other column is a part.
CODE_COLUMNS = ("code", "key", "cdkey", "卡密", "激活码", "兑换码")
# 发卡 shops' line format: ``账号----密码`` (account, then password; sometimes further fields).
FIELD_SEPARATOR = "----"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class KeyPart:
    name: str
    value: str


@dataclass(frozen=True)
class Card:
    """What one key delivers: its code and, in the supplier's order, its secret parts."""

    code: str
    parts: tuple[KeyPart, ...] = ()


def normalize_card(code: str, parts: Iterable[tuple[str, str]] = ()) -> Card | None:
    """The card as stored, or None when its code is no code or a part cannot be one.

    Blank parts are left out (a CSV row whose PIN cell is empty); names and values are trimmed."""
    normalized = normalize_code(code)
    if normalized is None:
        return None
    kept: list[KeyPart] = []
    for name, value in parts:
        name, value = name.strip(), value.strip()
        if not value:
            continue
        if len(name) > MAX_PART_NAME_LENGTH or len(value) > MAX_PART_LENGTH or _CONTROL.search(name + value):
            return None
        kept.append(KeyPart(name, value))
    if len(kept) > MAX_PARTS:
        return None
    return Card(normalized, tuple(kept))


def split_card(text: str) -> tuple[str, list[tuple[str, str]]]:
    """A card as a supplier's file writes it in one field, as its code and unnamed parts: a multi-line card's first
    line is its code and each further line a part; ``账号----密码`` is the code, then the password."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()] or [""]
    fields = lines[0].split(FIELD_SEPARATOR)
    return fields[0], [("", value) for value in [*fields[1:], *lines[1:]]]


def read_card(text: str, named_parts: Iterable[tuple[str, str]] = ()) -> Card | None:
    """The card :func:`split_card` reads, ``named_parts`` (the row's other columns) after its own; None: no card."""
    code, unnamed = split_card(text)
    return normalize_card(code, [*unnamed, *named_parts])


def mask_card(card: Card) -> Card:
    """The card as operators see it: the code and every part masked alike."""
    return Card(mask_code(card.code), tuple(KeyPart(p.name, mask_code(p.value)) for p in card.parts))


def parts_json(parts: Iterable[KeyPart]) -> str:
    """The parts as sealed: a JSON list of ``[name, value]``, in order."""
    return json.dumps([[p.name, p.value] for p in parts], ensure_ascii=False, separators=(",", ":"))


def parts_from_json(text: str) -> tuple[KeyPart, ...]:
    return tuple(KeyPart(name, value) for name, value in json.loads(text))


def parts_context(product_ref: str, code_hash: str) -> str:
    """The associated data sealing a key's parts: parts copied onto another key (or product) do not open."""
    return f"{product_ref}#{code_hash}"
