"""What is kept of a buyer's text: key codes and card numbers masked before storage, emails masked in logs.

Every text a buyer writes (ticket messages on any channel, refund reasons and appeals, rating and CSAT
comments) passes through ``BuyerText.mask`` before it is stored, sent or shown. It masks what looks like
a key or a card number, and, when the text is about an order, the codes of the order's products in
whatever format the shop sells them (the order's own, an earlier one it replaced, any other of the key
table): a code is recognised by its keyed fingerprint, so no code is ever decrypted for it.

Powertools' data masking erases whole fields or replaces a pattern with one fixed string; it cannot keep
a key's last characters, check a card number's Luhn digit or recognise the shop's own codes, so it is
not used here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from faka.adapters.tables.keys import KeyItem
from faka.catalog.codes import MAX_CODE_LENGTH, identity_of, mask_code
from faka.errors import NotFound
from faka.sales.orders import Orders
from faka.shared.model import Order

# Card keys: runs of letters and digits (with dashes between groups) that mix both, in either case. Lower-case
# hex runs are the order, ticket and refund ids (and their short forms) people look things up by: they stay.
_KEY_LIKE = re.compile(
    r"\b(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9]{3,}(?:-[A-Za-z0-9]{3,})+\b"
    r"|\b(?![0-9a-f]+\b)(?=\w*\d)(?=\w*[A-Za-z])[A-Za-z0-9]{12,}\b"
)
_CARD_NUMBER = re.compile(r"\b(?:\d[ -]?){13,19}\b")
# Buyers reply quoting their emails: the order-page token and link signatures are credentials to the order.
_LINK_CREDENTIAL = re.compile(r"\b(op1\.)\d+\.[0-9a-f]{16,}|\b(sig=)[0-9a-f]{16,}")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")
# A shop's codes, as buyers type them: letters and digits in groups split by spaces or dashes, or one word.
_CODE_PIECE = re.compile(r"[A-Za-z0-9]+")
_CODE_GLUE = re.compile(r"[ \t-]{1,3}")
_WORD = re.compile(r"\S+")
_WORD_EDGES = "\"'`.,;:!?()[]{}<>«»“”‘’，。；：！？（）【】「」"
MAX_PIECES_PER_CODE = 8
MIN_CODE_IDENTITY = 4
# Looking a buyer's words up in the key table costs one read per 100; the longest are looked up first (codes are
# longer than most words), so a long message costs a few reads, not one per word.
MAX_STOCK_LOOKUPS = 300


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
    """The text with anything that looks like a card key, a payment card number or a link credential masked."""
    text = _LINK_CREDENTIAL.sub(lambda m: f"{m.group(1) or m.group(2)}***", text)
    text = _CARD_NUMBER.sub(_mask_card, text)
    return _KEY_LIKE.sub(lambda m: mask_code(m.group(0)), text)


def mask_email(address: str) -> str:
    return _EMAIL.sub(r"\1***\2", address)


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Every stretch of the text that could be one code: up to MAX_PIECES_PER_CODE letter-and-digit groups
    joined by spaces or dashes, and every whitespace-separated word without its surrounding punctuation."""
    pieces = list(_CODE_PIECE.finditer(text))
    spans: list[tuple[int, int]] = []
    for first, piece in enumerate(pieces):
        end = piece.end()
        spans.append((piece.start(), end))
        for following in pieces[first + 1 : first + MAX_PIECES_PER_CODE]:
            if not _CODE_GLUE.fullmatch(text, end, following.start()):
                break
            end = following.end()
            spans.append((piece.start(), end))
    for word in _WORD.finditer(text):
        stripped = word.group(0).strip(_WORD_EDGES)
        if stripped:
            start = word.start() + word.group(0).index(stripped)
            spans.append((start, start + len(stripped)))
    return spans


class BuyerText:
    """The one masking path of buyer-written text (see the module's docstring)."""

    def __init__(self, fingerprint: Callable[[str, str], str], orders: Orders) -> None:
        # ``fingerprint(code, product_ref)``: the keyed hash the key table stores for a code of that product.
        self._fingerprint = fingerprint
        self._orders = orders

    def mask(self, text: str, order: Order | None = None) -> str:
        """``text`` with key-like codes and card numbers masked, and, when it is about an order, every code of the
        order's products it quotes: the order's own, one it had before a replacement, any other in the shop's stock."""
        return redact(self._codes_masked(text, order, in_stock=True) if order is not None else text)

    def mask_for(self, text: str, order_id: str | None) -> str:
        """``mask`` for a text that names its order only by id (a ticket's CSAT comment, an operator's reply)."""
        return self.mask(text, self.order_named(order_id))

    def order_named(self, order_id: str | None) -> Order | None:
        """The order ``mask_for`` masks about, read once for several texts about it; None without one."""
        if not order_id:
            return None
        try:
            return self._orders.get(order_id)
        except NotFound:
            return None

    def codes_masked(self, text: str, order: Order) -> str:
        """``text`` with the order's current codes masked: what the shop writes about an order (the assistant's
        replies) names ids that look like keys, so only the order's real codes are looked for there."""
        return self._codes_masked(text, order, in_stock=False)

    def _codes_masked(self, text: str, order: Order, *, in_stock: bool) -> str:
        spans: dict[str, list[tuple[int, int]]] = {}
        for start, end in _code_spans(text):
            identity = identity_of(text[start:end])
            if MIN_CODE_IDENTITY <= len(identity) <= MAX_CODE_LENGTH:
                spans.setdefault(identity, []).append((start, end))
        if not spans:
            return text
        products = {order.product_ref, *(order.line_product_ref(line) for line in order.lines)}
        fingerprints = {
            (product, self._fingerprint(identity, product)): identity for identity in spans for product in products
        }
        issued = {(order.line_product_ref(line), line.code_hash) for line in order.lines if line.code_hash}
        secrets = issued | _part_fingerprints(issued)
        known = {identity for key, identity in fingerprints.items() if key in secrets}
        if in_stock:
            known |= self._in_stock({key: i for key, i in fingerprints.items() if i not in known})
        return _masked_at(text, [span for identity in known for span in spans[identity]])

    @staticmethod
    def _in_stock(fingerprints: dict[tuple[str, str], str]) -> set[str]:
        """The identities among ``fingerprints`` that are keys of the shop (any status), the longest looked up first."""
        wanted = sorted(fingerprints, key=lambda key: -len(fingerprints[key]))[:MAX_STOCK_LOOKUPS]
        if not wanted:
            return set()
        found = KeyItem.batch_get(wanted, attributes_to_get=["product_ref", "code_hash"])
        return {fingerprints[item.product_ref, item.code_hash] for item in found}


def _part_fingerprints(issued: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """``(product_ref, fingerprint)`` of the secret parts (a PIN, a password) of the order's keys."""
    if not issued:
        return set()
    found = KeyItem.batch_get(list(issued), attributes_to_get=["product_ref", "code_hash", "part_fingerprints"])
    return {(item.product_ref, fingerprint) for item in found for fingerprint in item.part_fingerprints or ()}


def _masked_at(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each span masked; overlapping spans are masked as one."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        text = text[:start] + mask_code(text[start:end]) + text[end:]
    return text
