"""An operator's first sign-in to the console through Cognito, at phone width in English and Chinese: the temporary
password is replaced, the authenticator app is set up (AssociateSoftwareToken, VerifySoftwareToken), and the next
sign-in asks for the app's code (SOFTWARE_TOKEN_MFA).

The user pool lives in the emulator behind ``faka local`` (moto's cognito-idp), which the browser calls as it calls
Cognito on AWS. This faka local has no pool configured, so the one API call the sign-in makes is answered here, after
checking the access token with the pool itself (GetUser); that the API takes pool tokens is tested in
tests/integration/test_operator_sign_in.py.
"""

from __future__ import annotations

import base64
import time
import uuid
from typing import Any
from urllib.parse import urlparse

import pytest
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP
from playwright.sync_api import Page, Route, expect

from tests.e2e.conftest import LocalFaka
from tests.e2e.test_console_operations import assert_fits_the_phone, browser, lang, phone, texts

pytestmark = pytest.mark.e2e
__all__ = ["browser", "lang", "phone"]  # fixtures this module uses

TEMPORARY = "Temporary-Pass-1"
CHOSEN = "Chosen-Horse-9-Battery"


def totp_code(secret: str) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    # RFC 6238 as authenticator apps (and Cognito) use it: HMAC-SHA1, 6 digits, 30 s.
    return TOTP(key, 6, SHA1(), 30, enforce_key_length=False).generate(time.time()).decode()  # noqa: S303


@pytest.fixture
def pool(local_faka: LocalFaka) -> dict[str, str]:
    cognito = local_faka.aws("cognito-idp")
    pool_id = cognito.create_user_pool(
        PoolName=f"operators-{uuid.uuid4().hex[:6]}",
        MfaConfiguration="ON",
        Schema=[{"Name": "shop_id", "AttributeDataType": "String", "Mutable": False}],
    )["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="ON"
    )
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="console", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    username = f"mei-{uuid.uuid4().hex[:6]}@example.com"
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        TemporaryPassword=TEMPORARY,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "custom:shop_id", "Value": "main"}],
    )
    return {"pool_id": pool_id, "client_id": client_id, "username": username}


def use_pool(page: Page, local_faka: LocalFaka, pool: dict[str, str]) -> None:
    cognito = local_faka.aws("cognito-idp")
    config = {
        "apiUrl": "",
        "auth": "cognito",
        "cognito": {"region": "us-east-1", "clientId": pool["client_id"], "endpoint": "/_cognito/"},
    }
    page.route("**/console/config.json", lambda route: route.fulfill(json=config))
    # The Cognito API, passed on to the emulator's: on the page's own origin, since Chromium keeps pages from calling
    # another loopback port (and the CSP allows connect-src 'self' only, like the deployed console's plus Cognito).
    page.route("**/_cognito/", lambda route: route.fulfill(response=route.fetch(url=local_faka.emulator_url + "/")))

    def operator_api(route: Route) -> None:
        token = (route.request.headers.get("authorization") or "").removeprefix("Bearer ")
        try:
            user = cognito.get_user(AccessToken=token)
        except cognito.exceptions.ClientError:
            route.fulfill(status=401, json={"code": "invalid_token", "message": "not signed in"})
            return
        assert user["Username"] == pool["username"]
        # The dashboard also asks for reports, which it does without: answered as a route this API lacks, never 401
        # (a 401 would sign the operator out again, at whatever moment it arrived).
        if urlparse(route.request.url).path == "/v1/admin/products":
            route.fulfill(json={"products": []})
        else:
            route.fulfill(status=404, json={"code": "no_route", "message": "not here"})

    page.route("**/v1/admin/**", operator_api)


def sign_in(page: Page, pool: dict[str, str], password: str) -> None:
    page.goto("/console/")
    page.fill("input[name=username]", pool["username"])
    page.fill("input[name=password]", password)
    page.click("#sign-in button[type=submit]")


def test_the_first_sign_in_sets_a_password_and_an_authenticator_then_asks_for_its_code(
    phone: Page, local_faka: LocalFaka, lang: str, pool: dict[str, str]
) -> None:
    say = texts(lang)
    use_pool(phone, local_faka, pool)

    sign_in(phone, pool, TEMPORARY)
    expect(phone.locator("#sign-in-new-password")).to_contain_text(say("signin.new_password.help"))
    phone.fill("#sign-in-new-password input[name=answer]", CHOSEN)
    phone.click("#sign-in-new-password button[type=submit]")

    setup = phone.locator("#sign-in-mfa-setup")
    expect(setup).to_contain_text(say("signin.mfa_setup.help"))
    secret = setup.locator("input[name=secret]").input_value()
    expect(setup).to_contain_text(f"otpauth://totp/faka%3A{pool['username'].replace('@', '%40')}?secret={secret}")
    assert_fits_the_phone(phone)
    phone.fill("#sign-in-mfa-setup input[name=answer]", totp_code(secret))
    phone.click("#sign-in-mfa-setup button[type=submit]")
    expect(phone.locator("#nav")).to_be_visible()

    cognito = local_faka.aws("cognito-idp")
    user: dict[str, Any] = cognito.admin_get_user(UserPoolId=pool["pool_id"], Username=pool["username"])
    assert user["UserStatus"] == "CONFIRMED"
    assert user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"

    # Signed out (the pages after sign-in call API routes this faka local does not take pool tokens for).
    phone.evaluate("sessionStorage.clear()")
    sign_in(phone, pool, CHOSEN)
    expect(phone.locator("#sign-in-mfa-code")).to_contain_text(say("signin.mfa_code.help"))
    phone.fill("#sign-in-mfa-code input[name=answer]", totp_code(secret))
    phone.click("#sign-in-mfa-code button[type=submit]")
    expect(phone.locator("#nav")).to_be_visible()
