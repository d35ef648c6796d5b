from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from faka.adapters.vault import KmsKeyVault
from faka.catalog.codes import MAX_CODE_LENGTH, identity_of, mask_code, normalize_code


@pytest.mark.parametrize("raw", ["", "   ", "A\nB", "A\tB", "A\x00B", "X" * (MAX_CODE_LENGTH + 1)])
def test_what_cannot_be_a_code_is_refused(raw: str) -> None:
    assert normalize_code(raw) is None


def test_surrounding_whitespace_is_not_part_of_a_code() -> None:
    assert normalize_code("  ABCD-EFGH  ") == "ABCD-EFGH"
    assert normalize_code("兑换码 ABC") == "兑换码 ABC"


def test_case_and_dashes_do_not_make_a_different_key() -> None:
    assert identity_of("abcd-efgh-ijkl") == identity_of("ABCDEFGHIJKL") == identity_of("ABCD EFGH IJKL")
    assert identity_of("ABCD-EFGH-IJKM") != identity_of("ABCD-EFGH-IJKL")


def test_fingerprints_are_keyed_and_bound_to_the_product() -> None:
    vault = KmsKeyVault(kms_client=None, key_id="unused", pepper=b"pepper-one")
    same = vault.fingerprint("abcd-efgh", context="main#steam") == vault.fingerprint("ABCDEFGH", context="main#steam")
    assert same
    assert vault.fingerprint("ABCDEFGH", context="main#steam") != vault.fingerprint("ABCDEFGH", context="main#psn")
    other_pepper = KmsKeyVault(kms_client=None, key_id="unused", pepper=b"pepper-two")
    assert vault.fingerprint("ABCDEFGH", context="x") != other_pepper.fingerprint("ABCDEFGH", context="x")


@given(st.text(min_size=1, max_size=MAX_CODE_LENGTH))
def test_a_masked_code_never_shows_more_than_four_characters(code: str) -> None:
    masked = mask_code(code)
    assert len(masked) == len(code)
    shown = sum(1 for seen, real in zip(masked, code, strict=True) if seen == real and seen != "*")
    assert shown <= 4
    if len(code) >= 12:
        assert masked.endswith(code[-4:])


@given(st.text(max_size=300))
def test_normalizing_twice_changes_nothing(raw: str) -> None:
    once = normalize_code(raw)
    assert once is None or normalize_code(once) == once
