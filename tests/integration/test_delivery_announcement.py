"""A delivered order's delivery is announced (OrderDelivered) even when the run that delivered it stopped right before
announcing it, and an announcement published again changes nothing its consumers did.

The crash is the process dying as it would publish: the order is delivered in the table, no event has left, and no
answer reached the provider, which sends the notification again minutes later (a restock's message comes back the
same way), or never, when reconciliation's next check finds it. Duplicates arriving while the delivering run is still
announcing it announce nothing more.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest

from faka.adapters.messaging import EventBridgePublisher
from faka.adapters.tables.orders import OrderItem
from faka.sales import fulfilment
from faka.wiring import services
from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import add_product, an_order_waiting_for_stock, open_shop, pay, place_order, sent_mail


class Crash(RuntimeError):
    """The invocation ends here: nothing after this point runs."""


@contextmanager
def crash_on_first(detail_type: str) -> Iterator[None]:
    publish = EventBridgePublisher.publish
    crashed: list[str] = []

    def crash_once(self: EventBridgePublisher, kind: str, detail: Mapping[str, Any]) -> None:
        if kind == detail_type and not crashed:
            crashed.append(kind)
            raise Crash(f"before {kind} was published")
        publish(self, kind, detail)

    with mock.patch.object(EventBridgePublisher, "publish", crash_once):
        yield
    assert crashed, f"no {detail_type} was published, so nothing crashed"


def notifiers_lag_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, the delivery is older than the notifier's lag (as when a provider's retry comes back minutes
    later); the order's own delivery time stays as recorded, since consumers count a delivery once by it."""
    monkeypatch.setattr(fulfilment, "ANNOUNCEMENT_LAG", timedelta(0))


def delivered_figures(stack: Stack) -> tuple[int, int, int]:
    today = datetime.now(UTC).date().isoformat()
    summary = stack.api("GET", "/v1/admin/reports/summary", headers=ADMIN, query=f"from={today}&to={today}")
    overall = summary.body["overall"]
    return overall["orders"], overall["keys_delivered"], len(sent_mail())


def test_a_crash_before_the_delivery_is_announced_is_made_good_by_the_redelivered_webhook(
    stack: Stack, events_match_their_schemas: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    open_shop(stack)
    add_product(stack, keys=["KEY-0001", "KEY-0002"])
    order = place_order(stack)

    with crash_on_first("OrderDelivered"), pytest.raises(Crash):
        pay(stack, order["order_id"], 2000, event_id="evt_crashed")
    assert OrderItem.get(order["order_id"], OrderItem.SK).status == "delivered"
    assert "OrderDelivered" not in events_match_their_schemas

    notifiers_lag_passes(monkeypatch)
    again = pay(stack, order["order_id"], 2000, event_id="evt_crashed")  # no answer came: Stripe sends it again

    assert (again.status, again.body["result"]) == (200, "delivered")
    assert events_match_their_schemas.count("OrderDelivered") == 1
    stack.deliver_events()
    assert delivered_figures(stack) == (1, 1, 1)  # one order, one key, one delivery email
    # Once the delivery email is recorded, a replay announces nothing more.
    assert pay(stack, order["order_id"], 2000, event_id="evt_crashed").body["result"] == "delivered"
    assert events_match_their_schemas.count("OrderDelivered") == 1


def test_a_crash_before_a_restocked_order_is_announced_is_made_good_by_the_retried_restock(
    stack: Stack, events_match_their_schemas: list[str]
) -> None:
    order = an_order_waiting_for_stock(stack)
    assert len(sent_mail()) == 1  # "we are restocking"

    with crash_on_first("OrderDelivered"):
        # The restock consumer crashes as it would announce the delivery; its message comes back and is run again.
        keys = {"batch": "B2", "keys": ["NEW-0001"]}
        assert stack.api("POST", "/v1/admin/products/steam-20-us/keys", keys, ADMIN).status == 200
        stack.deliver_events()

    assert OrderItem.get(order["order_id"], OrderItem.SK).status == "delivered"
    assert events_match_their_schemas.count("OrderDelivered") == 1
    assert delivered_figures(stack) == (1, 1, 2)
    assert OrderItem.get(order["order_id"], OrderItem.SK).waiting_for is None  # off the waiting list once announced


def test_a_delivery_announced_twice_is_told_and_counted_once(
    stack: Stack, events_match_their_schemas: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    open_shop(stack)
    add_product(stack, keys=["KEY-0001", "KEY-0002"])
    order = place_order(stack)

    first = pay(stack, order["order_id"], 2000, event_id="evt_session_completed")
    # Another notification of the same payment while the delivering run announces it: nothing more is announced.
    other = pay(stack, order["order_id"], 2000, event_id="evt_other_notice")
    assert events_match_their_schemas.count("OrderDelivered") == 1
    # One more, the notifier's lag later with no delivery email recorded yet (a backlog): announced again.
    notifiers_lag_passes(monkeypatch)
    late = pay(stack, order["order_id"], 2000, event_id="evt_late_notice")

    assert [r.body["result"] for r in (first, other, late)] == ["delivered", "already_processed", "already_processed"]
    assert events_match_their_schemas.count("OrderDelivered") == 2
    stack.deliver_events()
    assert delivered_figures(stack) == (1, 1, 1)
    assert stack.api("GET", "/v1/products").body["products"][0]["stock"] == 1


def test_a_crash_no_notification_comes_back_for_is_made_good_by_reconciliations_next_check(
    stack: Stack, events_match_their_schemas: list[str]
) -> None:
    open_shop(stack)
    add_product(stack, keys=["KEY-0001"])
    order = place_order(stack)
    with crash_on_first("OrderDelivered"), pytest.raises(Crash):
        pay(stack, order["order_id"], 2000, event_id="evt_crashed")
    reconciliation = services().reconciliation
    # A retry answered while the lag runs announces nothing (the delivering run may still be announcing it) ...
    assert pay(stack, order["order_id"], 2000, event_id="evt_crashed").body["result"] == "delivered"
    assert "OrderDelivered" not in events_match_their_schemas

    # ... and the provider, answered, sends no more: reconciliation's check at the order's next age finds it.
    assert reconciliation.run(datetime.now(UTC) + timedelta(minutes=1)).announced_again == 0  # before any check age
    assert reconciliation.run(datetime.now(UTC) + timedelta(minutes=4)).announced_again == 1
    assert events_match_their_schemas.count("OrderDelivered") == 1
    stack.deliver_events()
    assert delivered_figures(stack) == (1, 1, 1)
    assert reconciliation.run(datetime.now(UTC) + timedelta(minutes=16)).announced_again == 0  # the email is recorded
