"""Who may act for a shop: the platform operator for every shop, a shop's operator for their own.

An operator shows either a bearer token (the platform's admin token, or the token a shop got when it was
opened) or, on AWS, the access token of their Cognito sign-in to the operator console: a member of the
``platform`` group is the platform operator, anyone else operates the shop named by their ``custom:shop_id``.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from botocore.exceptions import ClientError

from faka.catalog.catalog import Shops
from faka.errors import Forbidden, Unauthorized
from faka.security import token_matches

PLATFORM_GROUP = "platform"
SHOP_ATTRIBUTE = "custom:shop_id"
# A signed-in operator's identity is asked of Cognito once a minute, not on every click.
IDENTITY_CACHE_SECONDS = 60


class Role(StrEnum):
    PLATFORM_OPERATOR = "platform_operator"
    SHOP_OPERATOR = "shop_operator"


@dataclass(frozen=True)
class OperatorIdentity:
    platform: bool
    shop_id: str | None


class CognitoOperators:
    """Operators signed in to the console's user pool, known by their access token (checked by Cognito)."""

    def __init__(self, client: Any, user_pool_id: str) -> None:
        self._client = client
        self._pool = user_pool_id
        self._known: dict[str, tuple[float, OperatorIdentity | None]] = {}

    def identify(self, access_token: str) -> OperatorIdentity | None:
        key = hashlib.sha256(access_token.encode()).hexdigest()
        cached = self._known.get(key)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        identity = self._ask(access_token)
        self._known[key] = (time.monotonic() + IDENTITY_CACHE_SECONDS, identity)
        return identity

    def _ask(self, access_token: str) -> OperatorIdentity | None:
        try:
            user = self._client.get_user(AccessToken=access_token)
        except ClientError as error:
            if error.response["Error"]["Code"] in {"NotAuthorizedException", "UserNotFoundException"}:
                return None
            raise
        groups = self._client.admin_list_groups_for_user(UserPoolId=self._pool, Username=user["Username"])["Groups"]
        attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
        return OperatorIdentity(
            platform=any(group["GroupName"] == PLATFORM_GROUP for group in groups),
            shop_id=attributes.get(SHOP_ATTRIBUTE),
        )


def _looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and token.startswith("eyJ")


class OperatorAccess:
    def __init__(self, shops: Shops, platform_token: str, cognito: CognitoOperators | None = None) -> None:
        self._shops = shops
        self._platform_token = platform_token
        self._cognito = cognito

    def authorize(self, shop_id: str, token: str | None, *, platform_only: bool = False) -> Role:
        if not token:
            raise Unauthorized("an operator bearer token is required", code="missing_token")
        if self._platform_token and hmac.compare_digest(token, self._platform_token):
            return Role.PLATFORM_OPERATOR
        if self._cognito is not None and _looks_like_jwt(token):
            return self._signed_in(self._cognito.identify(token), shop_id, platform_only=platform_only)
        if not platform_only and token_matches(token, self._shops.get(shop_id).operator_token_sha256):
            return Role.SHOP_OPERATOR
        raise Forbidden("this token may not act on this shop", code="forbidden")

    @staticmethod
    def _signed_in(identity: OperatorIdentity | None, shop_id: str, *, platform_only: bool) -> Role:
        if identity is None:
            raise Unauthorized("the sign-in has expired or is not valid", code="invalid_token")
        if identity.platform:
            return Role.PLATFORM_OPERATOR
        if not platform_only and identity.shop_id == shop_id:
            return Role.SHOP_OPERATOR
        raise Forbidden("this operator may not act on this shop", code="forbidden")
