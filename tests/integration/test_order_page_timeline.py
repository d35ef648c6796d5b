"""The order page's history: when the keys were activated and when the money went back, read from what is stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from faka.adapters.tables.orders import OrderLineItem
from tests.integration.refund_helpers import RefundStack, refund_stack_fixture  # noqa: F401 - fixture


def _timeline(stack: RefundStack, order: dict[str, Any]) -> list[dict[str, str]]:
    bearer = {"Authorization": f"Bearer {order['access_token']}"}
    got = stack.api("GET", f"/v1/orders/{order['order_id']}", headers=bearer, query="reveal=false")
    assert got.status == 200, got.body
    return list(got.body["timeline"])


def test_the_timeline_shows_when_the_keys_were_activated(refund_stack: RefundStack) -> None:
    refund_stack.open()
    order = refund_stack.buy(quantity=2)
    assert refund_stack.activate(order, line_no=1).status == 200
    assert "activated" not in [step["status"] for step in _timeline(refund_stack, order)]

    assert refund_stack.activate(order, line_no=2).status == 200

    steps = _timeline(refund_stack, order)
    assert [step["status"] for step in steps] == ["created", "paid", "delivered", "activated"]
    last_line = OrderLineItem.get(order["order_id"], OrderLineItem.sort_key(2))
    assert datetime.fromisoformat(steps[-1]["at"]) == last_line.activation_at


def test_the_timeline_shows_when_each_refund_was_paid_back(refund_stack: RefundStack) -> None:
    refund_stack.open()
    order = refund_stack.buy(quantity=2)
    completed = []
    for line in (1, 2):
        asked = refund_stack.ask(order, lines=[line])
        assert asked.status == 202, asked.body
        completed.append(refund_stack.wait_for(asked.body["refund_id"], "completed"))

    steps = _timeline(refund_stack, order)
    assert [step["status"] for step in steps] == ["created", "paid", "delivered", "refunded", "refunded"]
    assert [datetime.fromisoformat(s["at"]) for s in steps[3:]] == [
        datetime.fromisoformat(refund["completed_at"]) for refund in completed
    ]
