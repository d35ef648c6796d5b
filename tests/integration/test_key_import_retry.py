"""The key import's report stays exact when a committed transaction is sent again by botocore's retry."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.endpoint import Endpoint
from botocore.exceptions import ConnectionClosedError

from faka.adapters.tables.catalog import ProductItem
from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import add_product, open_shop


@pytest.fixture
def first_transaction_answer_lost(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The first TransactWriteItems commits, then its connection drops before the answer, so botocore resends it."""
    sent: list[str] = []
    original = Endpoint._do_get_response

    def lose_first_answer(self: Endpoint, request: Any, operation_model: Any, context: Any) -> Any:
        answer = original(self, request, operation_model, context)
        if operation_model.name != "TransactWriteItems":
            return answer
        sent.append(request.body.decode() if isinstance(request.body, bytes) else str(request.body))
        if len(sent) == 1:
            return None, ConnectionClosedError(endpoint_url=request.url)
        return answer

    monkeypatch.setattr(Endpoint, "_do_get_response", lose_first_answer)
    return sent


def test_a_retried_committed_transaction_reports_its_keys_as_imported(
    stack: Stack, first_transaction_answer_lost: list[str]
) -> None:
    open_shop(stack)
    add_product(stack)
    keys = [f"RETRY-{n:04d}-ABCD" for n in range(200)]

    response = stack.api("POST", "/v1/admin/products/steam-20-us/keys", {"batch": "B1", "keys": keys}, ADMIN)

    assert response.status == 200, response.body
    assert (response.body["imported"], response.body["rejected"]) == (200, [])
    [lost, resent, *_] = first_transaction_answer_lost
    assert resent == lost, "botocore's retry resends the very request"
    assert '"ClientRequestToken"' in lost, "DynamoDB answers a resent transaction from its token only if it has one"
    assert ProductItem.get(*ProductItem.key("main", "steam-20-us")).stock == 200


def test_keys_already_in_stock_are_still_duplicates_after_a_retry(stack: Stack, request: pytest.FixtureRequest) -> None:
    open_shop(stack)
    add_product(stack, keys=["RETRY-0000-ABCD", "RETRY-0001-ABCD"])
    lost = request.getfixturevalue("first_transaction_answer_lost")
    keys = [f"RETRY-{n:04d}-ABCD" for n in range(150)]

    response = stack.api("POST", "/v1/admin/products/steam-20-us/keys", {"batch": "B2", "keys": keys}, ADMIN)

    assert response.status == 200, response.body
    assert response.body["imported"] == 148
    assert response.body["rejected"] == [{"index": 0, "code": "duplicate"}, {"index": 1, "code": "duplicate"}]
    assert len(lost) > 1, "the lost answer was not retried"
    assert ProductItem.get(*ProductItem.key("main", "steam-20-us")).stock == 150
