"""Who may act for a shop: the platform operator for every shop, a shop's operator for their own."""

from __future__ import annotations

import hmac
from enum import StrEnum

from faka.domain.catalog import Shops
from faka.errors import Forbidden, Unauthorized
from faka.security import token_matches


class Role(StrEnum):
    PLATFORM_OPERATOR = "platform_operator"
    SHOP_OPERATOR = "shop_operator"


class OperatorAccess:
    def __init__(self, shops: Shops, platform_token: str) -> None:
        self._shops = shops
        self._platform_token = platform_token

    def authorize(self, shop_id: str, token: str | None, *, platform_only: bool = False) -> Role:
        if not token:
            raise Unauthorized("an operator bearer token is required", code="missing_token")
        if self._platform_token and hmac.compare_digest(token, self._platform_token):
            return Role.PLATFORM_OPERATOR
        if not platform_only and token_matches(token, self._shops.get(shop_id).operator_token_sha256):
            return Role.SHOP_OPERATOR
        raise Forbidden("this token may not act on this shop", code="forbidden")
