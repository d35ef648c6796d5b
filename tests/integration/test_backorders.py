"""Backorders: refunded through the provider once overdue, delivered by a restock before; never both."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from faka.adapters.tables.orders import OrderItem, OrderLineItem
from faka.money.refunds import Refunds
from faka.sales.fulfilment import Fulfilment
from faka.wiring import services
from tests.integration.helpers import add_product, sent_mail
from tests.integration.refund_helpers import PRICE, SKU, RefundStack, refund_stack_fixture  # noqa: F401 - fixture

PRODUCT = f"main#{SKU}"


def overdue() -> datetime:
    """A run of the schedule once the order has waited past FAKA_BACKORDER_REFUND_HOURS (48 by default)."""
    return datetime.now(UTC) + timedelta(hours=48, minutes=1)


def waiting_order(stack: RefundStack) -> dict[str, Any]:
    stack.open(keys=0)
    order = stack.buy()
    assert OrderItem.get(order["order_id"], OrderItem.SK).status == "awaiting_stock"
    return order


def restock(stack: RefundStack, count: int = 1) -> None:
    add_product(stack, SKU, [f"LATE-{n:04d}-ABCD" for n in range(count)], price=PRICE, batch="B2")


def refunds_of(order: dict[str, Any]) -> list[Any]:
    return services().refunds.for_order(order["order_id"])


def test_an_order_waiting_past_the_limit_is_refunded_through_its_provider_and_the_buyer_told(
    refund_stack: RefundStack,
) -> None:
    order = waiting_order(refund_stack)

    early = services().backorders.refund_overdue(now=datetime.now(UTC) + timedelta(hours=47))
    report = services().backorders.refund_overdue(now=overdue())
    again = services().backorders.refund_overdue(now=overdue())
    [refund] = refunds_of(order)
    refund_stack.wait_for(refund.refund_id, "completed")
    refund_stack.deliver_notices()
    restock(refund_stack)
    served = services().fulfilment.fulfil_waiting(PRODUCT)

    assert (early.overdue, report.refunded, again.refunded) == (0, 1, 0)
    assert (refund.requested_by, refund.decided_by) == ("system", "system:backorder_timeout")
    assert [r["amount"] for r in refund_stack.provider_refunds()] == [PRICE]
    assert OrderItem.get(order["order_id"], OrderItem.SK).status == "refunded"
    assert any("Refund of 20.00 USD" in m.subject for m in sent_mail())
    assert served == 0  # the refunded order's line is closed: the late key stays in stock


def test_a_restock_before_the_limit_still_delivers_and_nothing_is_refunded(refund_stack: RefundStack) -> None:
    order = waiting_order(refund_stack)

    restock(refund_stack)
    services().fulfilment.fulfil_waiting(PRODUCT)
    report = services().backorders.refund_overdue(now=overdue())

    assert OrderItem.get(order["order_id"], OrderItem.SK).status == "delivered"
    assert report.overdue == 0
    assert refunds_of(order) == []


def test_a_restock_landing_between_the_overdue_read_and_the_refund_wins_and_nothing_is_refunded(
    refund_stack: RefundStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = waiting_order(refund_stack)
    restock(refund_stack)
    request = Refunds.request

    def restock_first(self: Refunds, *args: Any, **kwargs: Any) -> Any:
        services().fulfilment.fulfil_waiting(PRODUCT)
        return request(self, *args, **kwargs)

    monkeypatch.setattr(Refunds, "request", restock_first)
    report = services().backorders.refund_overdue(now=overdue())

    assert (report.overdue, report.refunded) == (1, 0)
    assert OrderItem.get(order["order_id"], OrderItem.SK).status == "delivered"
    assert refunds_of(order) == []


def test_a_restock_that_read_the_order_before_the_refund_opened_delivers_nothing_and_its_key_is_revoked(
    refund_stack: RefundStack, monkeypatch: pytest.MonkeyPatch, events_match_their_schemas: list[str]
) -> None:
    order = waiting_order(refund_stack)
    restock(refund_stack)
    fulfil: Callable[..., Any] = Fulfilment.fulfil

    def refund_opens_meanwhile(self: Fulfilment, stale: Any) -> Any:
        # The restock holds the order as awaiting stock; the schedule's refund opens before it claims a key.
        services().backorders.refund_overdue(now=overdue())
        return fulfil(self, stale)

    monkeypatch.setattr(Fulfilment, "fulfil", refund_opens_meanwhile)
    services().fulfilment.fulfil_waiting(PRODUCT)
    [refund] = refunds_of(order)
    refund_stack.wait_for(refund.refund_id, "completed")

    assert OrderItem.get(order["order_id"], OrderItem.SK).status == "refunded"
    assert "OrderDelivered" not in events_match_their_schemas
    [line] = [i for i in OrderLineItem.query(order["order_id"]) if isinstance(i, OrderLineItem)]
    assert line.revoked_at is not None
    assert [r["amount"] for r in refund_stack.provider_refunds()] == [PRICE]
