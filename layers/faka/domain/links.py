"""Signed, expiring links in buyer emails: "it worked", "it didn't work", "was this helpful?", opt-out.

A link carries its own parameters and an HMAC over them with the link-signing secret (generated, kept in
Secrets Manager as ``resources.LINK_SIGNING_SECRET``; ``FAKA_LINK_SECRET`` overrides it), so following it
needs no login and a changed parameter or an expired link is refused. That secret signs nothing else:
suppliers and shops hold callback secrets (:mod:`faka.domain.callback_secrets`), never this one.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from urllib.parse import urlencode

from faka.errors import InvalidRequest

LINK_LIFETIME_SECONDS = 30 * 86400


class LinkAction(StrEnum):
    WORKED = "worked"
    FAILED = "failed"
    HELPFUL_YES = "helpful_yes"
    HELPFUL_NO = "helpful_no"
    OPT_OUT = "opt_out"


@dataclass(frozen=True)
class BuyerLinks:
    worked: str
    failed: str
    helpful_yes: str
    helpful_no: str
    opt_out: str


class LinkSigner:
    def __init__(self, secret: str | Callable[[], str], base_url: str) -> None:
        """``secret`` may be given as a function, read on first use: a function that never signs or verifies a
        link then needs no permission to read it."""
        self._secret_source = secret
        self._base = base_url.rstrip("/")

    @cached_property
    def _secret(self) -> bytes:
        return (self._secret_source if isinstance(self._secret_source, str) else self._secret_source()).encode()

    def _signature(self, action: str, params: Mapping[str, str]) -> str:
        canonical = "&".join(f"{k}={params[k]}" for k in sorted(params))
        return hmac.new(self._secret, f"{action}?{canonical}".encode(), hashlib.sha256).hexdigest()

    def link(self, action: LinkAction, params: Mapping[str, str], *, now: float | None = None) -> str:
        return self.url(f"/v1/links/{action}", action, params, now=now)

    def url(self, path: str, action: str, params: Mapping[str, str], *, now: float | None = None) -> str:
        """A signed, expiring link to ``path``; ``action`` is signed too, so one kind of link cannot pass as another."""
        signed = {**params, "exp": str(int((now or time.time()) + LINK_LIFETIME_SECONDS))}
        signed["sig"] = self._signature(action, signed)
        return f"{self._base}{path}?{urlencode(signed)}"

    def links_for(self, order_id: str, template: str) -> BuyerLinks:
        order = {"o": order_id}
        vote = {"o": order_id, "t": template}
        return BuyerLinks(
            worked=self.link(LinkAction.WORKED, order),
            failed=self.link(LinkAction.FAILED, order),
            helpful_yes=self.link(LinkAction.HELPFUL_YES, vote),
            helpful_no=self.link(LinkAction.HELPFUL_NO, vote),
            opt_out=self.link(LinkAction.OPT_OUT, order),
        )

    def verify(self, action: str, query: Mapping[str, str], *, now: float | None = None) -> dict[str, str]:
        """The link's parameters, if its signature holds and it has not expired."""
        params = {k: v for k, v in query.items() if k != "sig"}
        expected = self._signature(action, params)
        if not hmac.compare_digest(expected, query.get("sig", "")):
            raise InvalidRequest("this link is not valid", code="invalid_link")
        if not params.get("exp", "").isdigit() or int(params["exp"]) < (now or time.time()):
            raise InvalidRequest("this link has expired", code="expired_link")
        return params
