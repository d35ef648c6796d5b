"""The routes that read their body themselves (a key import as JSON or CSV, a rating as JSON or from the link's form)
answer a bad body as every JSON route does: JSON no parser should accept is ``malformed_json``, a body of another
shape ``invalid_request`` naming what it is; and nothing is written."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import add_product, open_shop

IMPORT = "/v1/admin/products/steam-20-us/keys"
CSAT = "/v1/tickets/no-such-ticket/csat"
JSON = {"Content-Type": "application/json"}
MALFORMED = ["{oops", "[" * 100_000, '{"batch": "B2", "keys": ["K-1"], "x": NaN}']


@pytest.fixture
def shop(stack: Stack) -> Stack:
    open_shop(stack)
    add_product(stack, keys=["KEY-1", "KEY-2"])
    return stack


def _stock(stack: Stack) -> int:
    return int(stack.api("GET", "/v1/products").body["products"][0]["stock"])


@pytest.mark.parametrize("body", MALFORMED, ids=["truncated", "nested", "nan"])
def test_a_key_import_that_is_not_json_is_malformed_json(shop: Stack, body: str) -> None:
    response = shop.api("POST", IMPORT, raw=body, headers={**ADMIN, **JSON})

    assert (response.status, response.body["code"]) == (400, "malformed_json"), response.body
    assert _stock(shop) == 2


@pytest.mark.parametrize(
    "body",
    ['{"batch": "B2", "keys": []}', '{"keys": ["K-1"]}', '{"batch": "B2", "keys": "K-1"}', "[]", '"K-1"'],
    ids=["no-keys", "no-batch", "keys-not-a-list", "array", "string"],
)
def test_a_key_import_of_another_shape_is_invalid_request_naming_the_import(shop: Stack, body: str) -> None:
    response = shop.api("POST", IMPORT, raw=body, headers={**ADMIN, **JSON})

    assert (response.status, response.body["code"]) == (400, "invalid_request"), response.body
    assert response.body["message"] == "the import does not match the API's schema"
    assert response.body["details"]
    assert _stock(shop) == 2


@pytest.mark.parametrize("query", ["", "batch=B2&supplier_email=not-an-address"], ids=["no-batch", "bad-email"])
def test_a_csv_key_import_with_a_bad_query_is_invalid_request_naming_the_import(shop: Stack, query: str) -> None:
    response = shop.api("POST", IMPORT, raw="code\nCSV-1\n", headers={**ADMIN, "Content-Type": "text/csv"}, query=query)

    assert (response.status, response.body["code"]) == (400, "invalid_request"), response.body
    assert response.body["message"] == "the import does not match the API's schema"
    assert _stock(shop) == 2


@pytest.mark.parametrize("body", MALFORMED, ids=["truncated", "nested", "nan"])
def test_a_rating_that_is_not_json_is_malformed_json(shop: Stack, body: str) -> None:
    response = shop.api("POST", CSAT, raw=body, headers=JSON)

    assert (response.status, response.body["code"]) == (400, "malformed_json"), response.body


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        ('{"score": "five"}', JSON),
        ('{"score": 9}', JSON),
        ("", JSON),
        ("[5]", JSON),
        (urlencode({"comment": "no score"}), {"Content-Type": "application/x-www-form-urlencoded"}),
        (urlencode({"score": "6"}), {"Content-Type": "application/x-www-form-urlencoded"}),
    ],
    ids=["score-a-word", "score-out-of-range", "empty", "array", "form-without-score", "form-out-of-range"],
)
def test_a_rating_of_another_shape_is_invalid_request_naming_the_rating(
    shop: Stack, body: str, headers: dict[str, str]
) -> None:
    response = shop.api("POST", CSAT, raw=body, headers=headers)

    assert (response.status, response.body["code"]) == (400, "invalid_request"), response.body
    assert response.body["message"] == "the rating does not match the API's schema"
    assert response.body["details"]
