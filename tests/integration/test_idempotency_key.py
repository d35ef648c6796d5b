"""Idempotency-Key on the routes that create something: the first answer again, never a second order."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from faka import resources
from faka.adapters.tables.orders import OrderItem, OrderTableItem
from faka.sales.orders import Orders
from faka.wiring import services
from faka_local.apigateway import rest_event
from faka_local.event_sources import load_handler
from faka_local.lambda_context import LocalLambdaContext
from tests.integration.conftest import ADMIN, Response, Stack
from tests.integration.helpers import add_product, open_shop
from tests.integration.refund_helpers import RefundStack, refund_stack_fixture  # noqa: F401 - fixture

DRAFT = {"sku": "steam-20-us", "quantity": 1, "email": "buyer@example.com", "locale": "en"}


@pytest.fixture
def shop(stack: Stack) -> Stack:
    open_shop(stack)
    add_product(stack, keys=[f"IDEM-{n:04d}-ABCD" for n in range(4)])
    return stack


def post_order(stack: Stack, key: str | None, draft: dict[str, Any] = DRAFT) -> Response:
    return stack.api("POST", "/v1/orders", draft, {"Idempotency-Key": key} if key is not None else None)


def replayed_flag(key: str) -> list[str]:
    """The Idempotent-Replayed header of a posted order, read from the raw proxy answer (REST: multi-value)."""
    event = rest_event("POST", "/v1/orders", body=json.dumps(DRAFT), headers={"Idempotency-Key": key})
    answer = load_handler(resources.API_FUNCTION)(event, LocalLambdaContext("faka-api"))
    return list((answer.get("multiValueHeaders") or {}).get("Idempotent-Replayed", []))


def order_count() -> int:
    return sum(isinstance(item, OrderItem) for item in OrderTableItem.scan())


def test_the_same_key_and_body_get_the_first_answer_and_one_order(shop: Stack) -> None:
    first = post_order(shop, "order-attempt-1")
    again = shop.api("POST", "/v1/orders", dict(reversed(DRAFT.items())), {"Idempotency-Key": "order-attempt-1"})

    assert first.status == 201, first.body
    assert (again.status, again.body) == (first.status, first.body)
    assert order_count() == 1
    assert replayed_flag("order-attempt-1") == ["true"]
    assert replayed_flag("order-attempt-2") == []


def test_the_same_key_with_another_body_is_refused(shop: Stack) -> None:
    assert post_order(shop, "order-attempt-1").status == 201

    reused = post_order(shop, "order-attempt-1", {**DRAFT, "quantity": 2})

    assert (reused.status, reused.body["code"]) == (409, "idempotency_key_reused")
    assert order_count() == 1


def test_without_a_key_each_post_is_an_order(shop: Stack) -> None:
    assert post_order(shop, None).status == post_order(shop, None).status == 201
    assert order_count() == 2


def test_a_key_is_kept_per_shop(shop: Stack) -> None:
    open_shop(shop, "second")
    product = {
        "sku": DRAFT["sku"],
        "name": "Steam $20",
        "price": 2000,
        "currency": "usd",
        "region": "US",
        "platform": "steam",
    }
    assert shop.api("POST", "/v1/admin/products", product, {**ADMIN, "X-Faka-Shop": "second"}).status == 201
    here = post_order(shop, "shared-key")

    elsewhere = shop.api("POST", "/v1/orders", DRAFT, {"Idempotency-Key": "shared-key", "X-Faka-Shop": "second"})

    assert (here.status, elsewhere.status) == (201, 201), elsewhere.body
    assert elsewhere.body["order_id"] != here.body["order_id"]
    assert order_count() == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "clé", "tab\there"])
def test_a_malformed_key_is_refused(shop: Stack, key: str) -> None:
    response = post_order(shop, key)

    assert (response.status, response.body["code"]) == (400, "invalid_idempotency_key")
    assert order_count() == 0


def test_the_first_answer_is_stored_sealed(shop: Stack) -> None:
    first = post_order(shop, "order-attempt-1")

    stored = boto3.client("dynamodb").scan(TableName=resources.IDEMPOTENCY_TABLE)["Items"]

    assert stored
    assert first.body["access_token"] not in str(stored)


@pytest.fixture
def placing_held(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, threading.Event]]:
    """The first Orders.place waits inside until the test lets it go; the test learns when it got there."""
    entered, release = threading.Event(), threading.Event()
    place = Orders.place

    def held_place(self: Orders, *args: Any, **kwargs: Any) -> Any:
        if not entered.is_set():
            entered.set()
            assert release.wait(timeout=30), "the test never released the first request"
        return place(self, *args, **kwargs)

    monkeypatch.setattr(Orders, "place", held_place)
    yield entered, release
    release.set()


def test_a_duplicate_while_the_first_runs_is_told_to_retry_and_makes_no_order(
    shop: Stack, placing_held: tuple[threading.Event, threading.Event]
) -> None:
    entered, release = placing_held
    answers: list[Response] = []
    first = threading.Thread(target=lambda: answers.append(post_order(shop, "order-attempt-1")))
    first.start()
    assert entered.wait(timeout=30), "the first request never reached the order"

    duplicate = post_order(shop, "order-attempt-1")
    release.set()
    first.join(timeout=30)

    assert (duplicate.status, duplicate.body["code"]) == (409, "retry_later")
    assert [a.status for a in answers] == [201]
    assert post_order(shop, "order-attempt-1").body == answers[0].body
    assert order_count() == 1


def test_a_refund_asked_twice_with_one_key_is_one_refund(refund_stack: RefundStack) -> None:
    refund_stack.open()
    order = refund_stack.buy()
    headers = {"Authorization": f"Bearer {order['access_token']}", "Idempotency-Key": "refund-1"}
    path = f"/v1/orders/{order['order_id']}/refund"

    first = refund_stack.api("POST", path, {"reason": "wrong card"}, headers)
    again = refund_stack.api("POST", path, {"reason": "wrong card"}, headers)
    reused = refund_stack.api("POST", path, {"reason": "another reason"}, headers)

    assert first.status == 202, first.body
    assert (again.status, again.body) == (first.status, first.body)
    assert (reused.status, reused.body["code"]) == (409, "idempotency_key_reused")
    assert len(services().refunds.for_order(order["order_id"])) == 1


def test_a_ticket_opened_twice_with_one_key_is_one_ticket(shop: Stack) -> None:
    order = post_order(shop, None).body
    ticket = {"order_id": order["order_id"], "access_token": order["access_token"], "message": "where is my key?"}
    headers = {"Idempotency-Key": "ticket-1"}

    first = shop.api("POST", "/v1/tickets", ticket, headers)
    again = shop.api("POST", "/v1/tickets", ticket, headers)
    reused = shop.api("POST", "/v1/tickets", {**ticket, "message": "and another thing"}, headers)

    assert first.status == 201, first.body
    assert (again.status, again.body) == (first.status, first.body)
    assert (reused.status, reused.body["code"]) == (409, "idempotency_key_reused")
