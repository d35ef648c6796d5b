"""Operators signed in to the console's Cognito user pool act through the API with their access token."""

from __future__ import annotations

import boto3
import pytest

from faka.config import Env, get_settings
from faka.platform.access import SHOP_ATTRIBUTE
from faka.wiring import services
from tests.integration.conftest import Stack
from tests.integration.helpers import open_shop

PASSWORD = "Correct-Horse-9-Battery"


@pytest.fixture
def pool(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    cognito = boto3.client("cognito-idp")
    pool_id = cognito.create_user_pool(
        PoolName="operators",
        # As deployed (infra/constructs/console.py): the shop is set once, by the platform.
        Schema=[{"Name": "shop_id", "AttributeDataType": "String", "Mutable": False}],
    )["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="console",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
        ReadAttributes=["email", "email_verified", SHOP_ATTRIBUTE],
        WriteAttributes=["email"],
    )["UserPoolClient"]["ClientId"]
    cognito.create_group(UserPoolId=pool_id, GroupName="platform")
    monkeypatch.setenv(Env.OPERATOR_USER_POOL_ID, pool_id)
    get_settings.cache_clear()
    services.cache_clear()
    open_shop(stack, "main")
    open_shop(stack, "moon")
    return {"pool_id": pool_id, "client_id": client_id}


def sign_in(pool: dict[str, str], username: str, *, shop: str | None = None, platform: bool = False) -> dict[str, str]:
    cognito = boto3.client("cognito-idp")
    attributes = [{"Name": SHOP_ATTRIBUTE, "Value": shop}] if shop else []
    cognito.admin_create_user(UserPoolId=pool["pool_id"], Username=username, UserAttributes=attributes)
    cognito.admin_set_user_password(UserPoolId=pool["pool_id"], Username=username, Password=PASSWORD, Permanent=True)
    if platform:
        cognito.admin_add_user_to_group(UserPoolId=pool["pool_id"], Username=username, GroupName="platform")
    tokens = cognito.initiate_auth(
        ClientId=pool["client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return {"Authorization": f"Bearer {tokens['AccessToken']}"}


def test_a_shop_operator_acts_on_their_own_shop_only(stack: Stack, pool: dict[str, str]) -> None:
    operator = sign_in(pool, "mei", shop="main")

    assert stack.api("GET", "/v1/admin/tickets", headers=operator).status == 200
    elsewhere = stack.api("GET", "/v1/admin/tickets", headers={**operator, "X-Faka-Shop": "moon"})
    assert (elsewhere.status, elsewhere.body["code"]) == (403, "forbidden")
    platform_only = stack.api("GET", "/v1/admin/platform/shops", headers=operator)
    assert platform_only.status == 403


def test_the_platform_group_acts_on_every_shop(stack: Stack, pool: dict[str, str]) -> None:
    operator = sign_in(pool, "root", platform=True)

    assert stack.api("GET", "/v1/admin/tickets", headers={**operator, "X-Faka-Shop": "moon"}).status == 200
    assert stack.api("GET", "/v1/admin/platform/shops", headers=operator).status == 200


def test_a_forged_sign_in_is_refused(stack: Stack, pool: dict[str, str]) -> None:
    forged = {"Authorization": "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"}

    response = stack.api("GET", "/v1/admin/tickets", headers=forged)

    assert (response.status, response.body["code"]) == (401, "invalid_token")
