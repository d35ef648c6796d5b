"""The order-page token: a credential for one order's page, until its date."""

from __future__ import annotations

import time

import pytest

from faka.errors import Unauthorized
from faka.shared.links import LinkSigner, is_order_page_token

SIGNER = LinkSigner("secret", "https://shop.example", order_link_days=30)


def refusal(order_id: str, token: str, now: float | None = None) -> tuple[int, str]:
    with pytest.raises(Unauthorized) as refused:
        SIGNER.verify_order_page_token(order_id, token, now=now)
    return refused.value.status, refused.value.code


def test_a_token_opens_its_order_until_its_date_and_then_no_more() -> None:
    issued = time.time()
    token = SIGNER.order_page_token("o1", now=issued)

    assert is_order_page_token(token)
    SIGNER.verify_order_page_token("o1", token, now=issued + 30 * 86400 - 1)
    assert refusal("o1", token, now=issued + 30 * 86400 + 1) == (401, "expired_link")


def test_a_token_opens_no_other_order_and_its_date_cannot_be_moved() -> None:
    token = SIGNER.order_page_token("o1", now=time.time() - 31 * 86400)
    _, exp, sig = token.split(".")

    assert refusal("o2", SIGNER.order_page_token("o1")) == (401, "invalid_link")
    assert refusal("o1", f"op1.{int(exp) + 2 * 86400}.{sig}") == (401, "invalid_link")
    assert refusal("o1", f"op1.²{exp}.{sig}") == (401, "invalid_link")
    assert refusal("o1", LinkSigner("other", "https://shop.example").order_page_token("o1")) == (401, "invalid_link")


def test_the_order_page_url_carries_the_token_in_its_fragment_only() -> None:
    url = SIGNER.order_page_url("o1")

    path, _, fragment = url.partition("#")
    assert path == "https://shop.example/o/o1"
    assert fragment.startswith("t=op1.")
    assert "?" not in url
