"""Card-key codes as data: what counts as a valid code, when two codes are the same, how one is shown."""

from __future__ import annotations

import re

MAX_CODE_LENGTH = 256
# Visible characters only: a code with a line break or control character is a copy-paste accident.
_VALID_CODE = re.compile(r"^[\x21-\x7e\u00a0-\uffff]+(?: [\x21-\x7e\u00a0-\uffff]+)*$")


def normalize_code(raw: str) -> str | None:
    """The code as stored, or None when it cannot be a code."""
    code = raw.strip()
    if not code or len(code) > MAX_CODE_LENGTH or not _VALID_CODE.match(code):
        return None
    return code


def identity_of(code: str) -> str:
    """Suppliers and buyers mix cases and dashes; keys that differ only so are the same key."""
    return re.sub(r"[\s-]", "", code).upper()


def mask_code(code: str) -> str:
    """What operators and tickets see: enough to recognise a key, never enough to redeem it."""
    visible = 4 if len(code) >= 12 else max(len(code) // 4, 1) if len(code) > 2 else 0
    return "*" * (len(code) - visible) + code[len(code) - visible :]
