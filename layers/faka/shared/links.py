"""Signed, expiring links in buyer emails: "it worked", "it didn't work", "was this helpful?", opt-out.

A link carries its own parameters and an HMAC over them with the link-signing secret (generated, kept in
Secrets Manager as ``resources.LINK_SIGNING_SECRET``; ``FAKA_LINK_SECRET`` overrides it), so following it
needs no login and a changed parameter or an expired link is refused. That secret signs nothing else:
suppliers and shops hold callback secrets (:mod:`faka.platform.callback_secrets`), never this one.

The order page's link carries an order-page token (``op1.<exp>.<sig>``, scoped to one order) in its
fragment, which browsers never send to a server: opening the link changes nothing and logs no credential.
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

from faka.errors import InvalidRequest, Unauthorized

LINK_LIFETIME_SECONDS = 30 * 86400
ORDER_PAGE_TOKEN_PREFIX = "op1."  # noqa: S105 - the token format's version, not a secret
_ORDER_PAGE = "order_page"


def is_order_page_token(token: str) -> bool:
    return token.startswith(ORDER_PAGE_TOKEN_PREFIX)


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
    def __init__(self, secret: str | Callable[[], str], base_url: str, *, order_link_days: int = 30) -> None:
        """``secret`` may be given as a function, read on first use: a function that never signs or verifies a
        link then needs no permission to read it."""
        self._secret_source = secret
        self._base = base_url.rstrip("/")
        self._order_link_seconds = order_link_days * 86400

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

    def order_page_token(self, order_id: str, *, now: float | None = None) -> str:
        """A credential for this one order's page and buyer API, until it expires."""
        exp = str(int((now or time.time()) + self._order_link_seconds))
        return f"{ORDER_PAGE_TOKEN_PREFIX}{exp}.{self._signature(_ORDER_PAGE, {'o': order_id, 'exp': exp})}"

    def order_page_url(self, order_id: str) -> str:
        return f"{self._base}/o/{order_id}#t={self.order_page_token(order_id)}"

    def order_page_url_for(self, order_id: str, order_email: str, recipient: str) -> str | None:
        """The order page's link opens the keys, so it goes only to the order's own address."""
        return self.order_page_url(order_id) if order_email.lower() == recipient.lower() else None

    def verify_order_page_token(self, order_id: str, token: str, *, now: float | None = None) -> None:
        """Refuse, 401 with ``invalid_link`` or ``expired_link``, a token not signed for this order or past its date."""
        exp, _, sig = token.removeprefix(ORDER_PAGE_TOKEN_PREFIX).partition(".")
        try:
            self.verify(_ORDER_PAGE, {"o": order_id, "exp": exp, "sig": sig}, now=now)
        except InvalidRequest as refused:
            raise Unauthorized(refused.message, code=refused.code) from None

    def verify(self, action: str, query: Mapping[str, str], *, now: float | None = None) -> dict[str, str]:
        """The link's parameters, if its signature holds and it has not expired."""
        params = {k: v for k, v in query.items() if k != "sig"}
        expected = self._signature(action, params)
        if not hmac.compare_digest(expected, query.get("sig", "")):
            raise InvalidRequest("this link is not valid", code="invalid_link")
        if not params.get("exp", "").isdecimal() or int(params["exp"]) < (now or time.time()):
            raise InvalidRequest("this link has expired", code="expired_link")
        return params
