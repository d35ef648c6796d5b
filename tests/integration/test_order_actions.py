"""An operator's reads and actions on one order, against moto: who am I, the order's dates and refunds, resending
its delivery email (to its own address, a few times an hour), cancelling it while unpaid; each shop sees its own."""

from __future__ import annotations

from datetime import datetime

import pytest

from faka.adapters.tables.orders import OrderItem
from faka.sales.order_actions import RESENDS_PER_HOUR
from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import add_product, open_shop, pay, place_order, sent_mail

KEYS = ["ACT1-AAAA-0001", "ACT1-AAAA-0002"]


@pytest.fixture
def shop(stack: Stack) -> Stack:
    open_shop(stack)
    add_product(stack, keys=KEYS)
    return stack


def other_shop(stack: Stack) -> dict[str, str]:
    opened = stack.api("POST", "/v1/admin/shops", {"shop_id": "other", "name": "O", "support_email": "o@x.io"}, ADMIN)
    assert opened.status == 201, opened.body
    return {"Authorization": f"Bearer {opened.body['operator_token']}", "X-Faka-Shop": "other"}


def delivered(stack: Stack) -> str:
    order = place_order(stack)
    assert pay(stack, order["order_id"], order["amount"]).status == 200
    stack.deliver_events()
    return str(order["order_id"])


def test_me_names_the_callers_role_for_the_shop(shop: Stack) -> None:
    other = other_shop(shop)

    assert shop.api("GET", "/v1/admin/me", headers=ADMIN).body == {"role": "platform_operator", "shop_id": "main"}
    assert shop.api("GET", "/v1/admin/me", headers=other).body == {"role": "shop_operator", "shop_id": "other"}
    assert shop.api("GET", "/v1/admin/me", headers={**other, "X-Faka-Shop": "main"}).status == 403
    assert shop.api("GET", "/v1/admin/me").status == 401


def test_the_order_detail_gives_its_dates_and_refunds_to_its_own_shop_only(shop: Stack) -> None:
    order_id = delivered(shop)

    detail = shop.api("GET", f"/v1/admin/orders/{order_id}", headers=ADMIN).body
    created, paid, done = (datetime.fromisoformat(detail[name]) for name in ("created_at", "paid_at", "delivered_at"))
    assert created <= paid <= done
    assert detail["refund_ids"] == []
    assert shop.api("GET", f"/v1/admin/orders/{order_id}", headers=other_shop(shop)).status in (403, 404)


def test_the_delivery_email_goes_again_to_the_orders_own_address_a_few_times_an_hour(shop: Stack) -> None:
    order_id = delivered(shop)
    before = len(sent_mail())

    for n in range(1, RESENDS_PER_HOUR + 1):
        resent = shop.api("POST", f"/v1/admin/orders/{order_id}/resend", headers=ADMIN)
        assert resent.status == 200, resent.body
        assert resent.body["resends_this_hour"] == n
    refused = shop.api("POST", f"/v1/admin/orders/{order_id}/resend", headers=ADMIN)

    assert refused.status == 429
    emails = sent_mail()[before:]
    assert len(emails) == RESENDS_PER_HOUR
    assert {address for email in emails for address in email.destinations["ToAddresses"]} == {"buyer@example.com"}
    assert all(any(key in email.body for key in KEYS) for email in emails)
    # The latest resend is the order's delivery email from now on (what mail events and playbooks look at).
    assert OrderItem.get(order_id, OrderItem.SK).delivery_message_id == resent.body["message_id"]


def test_only_a_delivered_order_of_ones_own_shop_is_resent(shop: Stack) -> None:
    unpaid = place_order(shop)["order_id"]
    order_id = delivered(shop)

    assert shop.api("POST", f"/v1/admin/orders/{unpaid}/resend", headers=ADMIN).status == 409
    assert shop.api("POST", f"/v1/admin/orders/{order_id}/resend", headers=other_shop(shop)).status == 404


def test_an_unpaid_order_is_cancelled_and_reads_as_expired(shop: Stack) -> None:
    order_id = place_order(shop)["order_id"]

    cancelled = shop.api("POST", f"/v1/admin/orders/{order_id}/cancel", {"reason": "buyer asked"}, ADMIN)

    assert cancelled.status == 200, cancelled.body
    assert cancelled.body == {"order_id": order_id, "status": "expired"}
    assert shop.api("GET", f"/v1/admin/orders/{order_id}", headers=ADMIN).body["status"] == "expired"
    assert OrderItem.get(order_id, OrderItem.SK).payment_pending is None
    again = shop.api("POST", f"/v1/admin/orders/{order_id}/cancel", {"reason": "twice"}, ADMIN)
    assert again.status == 409


def test_a_paid_order_or_another_shops_is_not_cancelled_as_unpaid(shop: Stack) -> None:
    unpaid = place_order(shop)["order_id"]
    order_id = delivered(shop)

    assert shop.api("POST", f"/v1/admin/orders/{order_id}/cancel", {"reason": "no"}, ADMIN).status == 409
    foreign = shop.api("POST", f"/v1/admin/orders/{unpaid}/cancel", {"reason": "no"}, other_shop(shop))
    assert foreign.status == 404
    assert shop.api("GET", f"/v1/admin/orders/{unpaid}", headers=ADMIN).body["status"] == "pending_payment"
