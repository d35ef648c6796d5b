"""The buyer's country is CloudFront's word, taken only from requests that came through the distribution.

The regional API is reachable directly too, where anyone can write ``CloudFront-Viewer-Country`` themselves:
only a request carrying the origin-verify secret (which CloudFront adds) has its country believed.
"""

from __future__ import annotations

import pytest

from faka import resources
from faka.config import Env, get_settings
from faka.wiring import services
from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import add_product, open_shop

ORIGIN_SECRET = "origin-verify-test-secret"


@pytest.fixture
def shop(stack: Stack) -> Stack:
    open_shop(stack)
    add_product(stack, keys=["K-1", "K-2", "K-3"])
    return stack


def trust_cloudfront(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Configures the origin-verify secret; returns the header CloudFront would add to each request."""
    monkeypatch.setenv(Env.ORIGIN_VERIFY_SECRET, ORIGIN_SECRET)
    get_settings.cache_clear()
    services.cache_clear()
    return {resources.ORIGIN_VERIFY_HEADER: ORIGIN_SECRET}


def buyer_country(stack: Stack, headers: dict[str, str]) -> str | None:
    draft = {"sku": "steam-20-us", "quantity": 1, "email": "buyer@example.com", "locale": "en"}
    placed = stack.api("POST", "/v1/orders", draft, headers)
    assert placed.status == 201, placed.body
    order = stack.api("GET", f"/v1/admin/orders/{placed.body['order_id']}", headers=ADMIN)
    country: str | None = order.body["buyer_country"]
    return country


def test_a_country_header_sent_straight_to_the_api_is_ignored(shop: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    assert buyer_country(shop, {"CloudFront-Viewer-Country": "KP"}) is None

    trust_cloudfront(monkeypatch)
    forged = {"CloudFront-Viewer-Country": "KP", resources.ORIGIN_VERIFY_HEADER: "a-guess"}
    assert buyer_country(shop, forged) is None
    assert buyer_country(shop, {"CloudFront-Viewer-Country": "KP"}) is None


def test_the_country_of_a_request_that_came_through_cloudfront_is_the_buyers(
    shop: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    through_cloudfront = {**trust_cloudfront(monkeypatch), "CloudFront-Viewer-Country": "DE"}

    assert buyer_country(shop, through_cloudfront) == "DE"
