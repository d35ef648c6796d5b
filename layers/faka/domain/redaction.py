"""What is kept of a buyer's text: key codes and card numbers masked before storage, emails masked in logs."""

from __future__ import annotations

import re

from faka.domain.codes import mask_code

# Card keys: runs of letters and digits (with dashes or spaces between groups) that mix both.
_KEY_LIKE = re.compile(
    r"\b(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9]{3,}(?:-[A-Z0-9]{3,}){1,}\b|\b(?=\w*\d)(?=\w*[A-Z])[A-Z0-9]{12,}\b"
)
_CARD_NUMBER = re.compile(r"\b(?:\d[ -]?){13,19}\b")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _mask_card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return f"****{digits[-4:]}" if _luhn_valid(digits) else match.group(0)


def redact(text: str) -> str:
    """The text with anything that looks like a card key or a payment card number masked."""
    text = _CARD_NUMBER.sub(_mask_card, text)
    return _KEY_LIKE.sub(lambda m: mask_code(m.group(0)), text)


def mask_email(address: str) -> str:
    return _EMAIL.sub(r"\1***\2", address)
