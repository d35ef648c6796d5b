"""The core sale through the real handlers against moto: order, signed webhook, key, email."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from faka import resources
from faka.adapters.tables.orders import OrderItem
from faka.sales.fulfilment import Fulfilment
from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import (
    add_product,
    an_order_waiting_for_stock,
    open_shop,
    pay,
    place_order,
    run_reconcile_schedule,
    sent_mail,
)


def test_a_paid_order_gets_its_key_by_email(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack, keys=["AAAA-BBBB-CCCC-0001", "AAAA-BBBB-CCCC-0002"])

    created = stack.api(
        "POST", "/v1/orders", {"sku": "steam-20-us", "quantity": 1, "email": "buyer@example.com", "locale": "zh-CN"}
    )
    assert created.status == 201, created.body
    assert created.body["status"] == "pending_payment"
    assert created.body["amount"] == 2000
    order_id, token = created.body["order_id"], created.body["access_token"]

    paid = pay(stack, order_id, 2000)
    assert paid.status == 200, paid.body
    assert paid.body["result"] == "delivered"

    view = stack.api("GET", f"/v1/orders/{order_id}", headers={"Authorization": f"Bearer {token}"})
    assert view.status == 200
    assert view.body["status"] == "delivered"
    [key] = view.body["keys"]
    assert key["code"] in {"AAAA-BBBB-CCCC-0001", "AAAA-BBBB-CCCC-0002"}

    stack.deliver_events()
    [mail] = sent_mail()
    assert mail.destinations["ToAddresses"] == ["buyer@example.com"]
    assert key["code"] in mail.body
    assert key["code"] not in mail.subject

    products = stack.api("GET", "/v1/products").body["products"]
    assert products[0]["stock"] == 1


def test_a_replayed_webhook_changes_nothing(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack, keys=["KEY-0001", "KEY-0002", "KEY-0003"])
    order = stack.api(
        "POST", "/v1/orders", {"sku": "steam-20-us", "quantity": 1, "email": "b@example.com", "locale": "en"}
    ).body

    first = pay(stack, order["order_id"], 2000, event_id="evt_same")
    again = pay(stack, order["order_id"], 2000, event_id="evt_same")
    other_delivery = pay(stack, order["order_id"], 2000, event_id="evt_other")

    assert first.status == again.status == other_delivery.status == 200
    assert stack.api("GET", "/v1/products").body["products"][0]["stock"] == 2
    stack.deliver_events()
    assert len(sent_mail()) == 1


def test_a_wrong_amount_is_flagged_not_delivered(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack, keys=["KEY-0001"])
    order = stack.api(
        "POST", "/v1/orders", {"sku": "steam-20-us", "quantity": 1, "email": "b@example.com", "locale": "en"}
    ).body

    response = pay(stack, order["order_id"], 1)

    assert response.status == 200
    assert response.body["result"] == "flagged"
    view = stack.api(
        "GET", f"/v1/orders/{order['order_id']}", headers={"Authorization": f"Bearer {order['access_token']}"}
    )
    assert view.body["status"] == "on_hold"
    assert view.body["keys"] == []


def test_out_of_stock_waits_and_is_served_when_keys_arrive(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack)
    order = stack.api(
        "POST", "/v1/orders", {"sku": "steam-20-us", "quantity": 2, "email": "b@example.com", "locale": "en"}
    ).body

    assert pay(stack, order["order_id"], 4000).body["result"] == "awaiting_stock"
    stack.deliver_events()
    assert len(sent_mail()) == 1  # "we are restocking"

    stack.api(
        "POST", "/v1/admin/products/steam-20-us/keys", {"batch": "B2", "keys": ["NEW-1", "NEW-2", "NEW-3"]}, ADMIN
    )
    stack.deliver_events()

    view = stack.api(
        "GET", f"/v1/orders/{order['order_id']}", headers={"Authorization": f"Bearer {order['access_token']}"}
    )
    assert view.body["status"] == "delivered"
    assert len(view.body["keys"]) == 2
    assert len(sent_mail()) == 2
    assert stack.api("GET", "/v1/products").body["products"][0]["stock"] == 1


def test_orders_a_restock_crashed_on_are_served_by_the_next_run_of_the_schedule(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_shop(stack)
    add_product(stack)
    orders = [place_order(stack) for _ in range(3)]
    for order in orders:
        assert pay(stack, order["order_id"], 2000).body["result"] == "awaiting_stock"
    stack.deliver_events()
    fulfil = Fulfilment.fulfil
    served_before_each_crash: list[str] = []

    def crash_after_the_first_order(self: Fulfilment, order: Any) -> Any:
        if served_before_each_crash:
            raise RuntimeError("the restock function stopped half-way")
        served_before_each_crash.append(order.order_id)
        return fulfil(self, order)

    with monkeypatch.context() as crashing:
        crashing.setattr(Fulfilment, "fulfil", crash_after_the_first_order)
        add_product(stack, keys=["NEW-1", "NEW-2", "NEW-3"], batch="B2")
        stack.deliver_events()
    dead = boto3.client("sqs").receive_message(QueueUrl=stack.provisioned.dlq_urls[resources.RESTOCK_QUEUE.name])
    statuses_after_the_restock = [_status(order) for order in orders]
    run_reconcile_schedule()
    stack.deliver_events()

    assert [json.loads(m["Body"])["detail-type"] for m in dead.get("Messages", [])] == ["StockReplenished"]
    assert statuses_after_the_restock == ["delivered", "awaiting_stock", "awaiting_stock"]
    stored = [OrderItem.get(order["order_id"], OrderItem.SK) for order in orders]
    assert [(item.status, item.delivery_message_id is not None) for item in stored] == [("delivered", True)] * 3


def test_an_order_a_restock_delivered_and_crashed_before_announcing_is_announced_with_no_stock_left(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = an_order_waiting_for_stock(stack)

    def crash_before_announcing(self: Fulfilment, order: Any) -> None:
        raise RuntimeError("the restock function stopped after the delivery")

    with monkeypatch.context() as crashing:
        crashing.setattr(Fulfilment, "_announce_delivery", crash_before_announcing)
        add_product(stack, keys=["NEW-1"], batch="B2")
        stack.deliver_events()
    dead = boto3.client("sqs").receive_message(QueueUrl=stack.provisioned.dlq_urls[resources.RESTOCK_QUEUE.name])
    after_the_restock = OrderItem.get(order["order_id"], OrderItem.SK)
    run_reconcile_schedule()
    stack.deliver_events()

    assert [json.loads(m["Body"])["detail-type"] for m in dead.get("Messages", [])] == ["StockReplenished"]
    assert (after_the_restock.status, after_the_restock.delivery_message_id) == ("delivered", None)
    assert stack.api("GET", "/v1/products").body["products"][0]["stock"] == 0
    announced = OrderItem.get(order["order_id"], OrderItem.SK)
    assert (announced.delivery_message_id is not None, announced.waiting_for) == (True, None)


def _status(order: dict[str, Any]) -> str:
    return str(OrderItem.get(order["order_id"], OrderItem.SK).status)
