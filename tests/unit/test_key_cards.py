"""Reading a key and its secret parts from a supplier's field, and masking both for operators."""

from __future__ import annotations

import pytest

from faka.catalog.codes import (
    MAX_PART_LENGTH,
    MAX_PARTS,
    Card,
    KeyPart,
    mask_card,
    normalize_card,
    parts_from_json,
    parts_json,
    read_card,
)


@pytest.mark.parametrize(
    ("field", "card"),
    [
        ("GIFT-0001", Card("GIFT-0001")),
        ("  account-7----p@ss word  ", Card("account-7", (KeyPart("", "p@ss word"),))),
        ("a----b----c", Card("a", (KeyPart("", "b"), KeyPart("", "c")))),
        ("CARD-1\r\n  serial 9 \n\nexp 2027", Card("CARD-1", (KeyPart("", "serial 9"), KeyPart("", "exp 2027")))),
    ],
)
def test_a_field_reads_as_a_code_and_its_unnamed_parts(field: str, card: Card) -> None:
    assert read_card(field) == card


def test_named_parts_follow_and_blank_ones_are_left_out() -> None:
    assert read_card("K-1----pw", [("PIN", " 1234 "), ("serial", "  ")]) == Card(
        "K-1", (KeyPart("", "pw"), KeyPart("PIN", "1234"))
    )


@pytest.mark.parametrize(
    ("code", "parts"),
    [
        ("", [("pin", "1")]),
        ("----pw", []),
        ("K-1", [("pin", "12\x0034")]),
        ("K-1", [("pin", "x" * (MAX_PART_LENGTH + 1))]),
        ("K-1", [("n" * 65, "1")]),
        ("K-1", [("", str(n)) for n in range(MAX_PARTS + 1)]),
    ],
)
def test_a_card_that_cannot_be_stored_is_refused_whole(code: str, parts: list[tuple[str, str]]) -> None:
    assert read_card(code, parts) is None


def test_operators_see_the_code_and_every_part_masked_and_parts_round_trip() -> None:
    card = Card("ACCOUNT-0001-XYZ", (KeyPart("password", "hunter2hunter2"), KeyPart("", "密码一二三四")))
    assert mask_card(card) == Card("************-XYZ", (KeyPart("password", "**********ter2"), KeyPart("", "*****四")))
    assert parts_from_json(parts_json(card.parts)) == card.parts
    assert normalize_card(card.code, [(p.name, p.value) for p in card.parts]) == card
