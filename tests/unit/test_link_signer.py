"""The link signer reads its secret only when a link is signed or verified (least privilege per function)."""

from __future__ import annotations

import pytest

from faka.shared.links import LinkAction, LinkSigner


def test_the_secret_is_read_on_first_use_only() -> None:
    reads: list[str] = []

    def secret() -> str:
        reads.append("read")
        return "link-secret"

    signer = LinkSigner(secret, "https://shop.example")
    assert reads == []

    link = signer.link(LinkAction.WORKED, {"o": "order-1"}, now=1_000_000)
    query = dict(pair.split("=") for pair in link.split("?")[1].split("&"))
    assert signer.verify("worked", query, now=1_000_001)["o"] == "order-1"
    assert reads == ["read"]


def test_a_signer_whose_secret_cannot_be_read_fails_only_when_used() -> None:
    def unreadable() -> str:
        raise PermissionError("no grant")

    signer = LinkSigner(unreadable, "https://shop.example")
    with pytest.raises(PermissionError):
        signer.link(LinkAction.OPT_OUT, {"o": "order-1"})
