"""The API behind the buyer's pages: order-page tokens from the emails, the order view, the page's own actions."""

from __future__ import annotations

import re
import time

import pytest

from faka.adapters.counters import Counters
from faka.adapters.tables.orders import OrderItem, OrderLineItem
from faka.adapters.tables.tickets import TicketItem
from faka.trust.page_views import views_key
from faka.wiring import services
from tests.integration.conftest import Response, Stack
from tests.integration.helpers import add_product, open_shop, pay, place_order, sent_mail

CODES = ["PAGE-0001-AAAA", "PAGE-0002-BBBB", "PAGE-0003-CCCC"]


@pytest.fixture
def delivered(stack: Stack) -> dict:
    open_shop(stack)
    add_product(stack, keys=CODES)
    order = place_order(stack)
    assert pay(stack, order["order_id"], order["amount"]).body["result"] == "delivered"
    stack.deliver_events()
    return order


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def mailed_order_page_token(order_id: str) -> str:
    """The order-page token of the last email linking the order's page, read from the link's fragment."""
    for mail in reversed(sent_mail()):
        if found := re.search(rf"/o/{order_id}#t=(op1\.[0-9]+\.[0-9a-f]+)", mail.body):
            return found.group(1)
    raise AssertionError("no email links the order's page")


def altered(token: str) -> str:
    return token[:-1] + ("1" if token[-1] == "0" else "0")


def view(stack: Stack, order_id: str, token: str, query: str = "") -> Response:
    return stack.api("GET", f"/v1/orders/{order_id}", headers=bearer(token), query=query)


# -- the order-page token -----------------------------------------------------------------------------------


def test_the_delivery_email_links_the_order_page_whose_token_opens_the_order_and_its_buyer_routes(
    stack: Stack, delivered: dict
) -> None:
    order_id = delivered["order_id"]
    [delivery] = [m for m in sent_mail() if order_id[:8] in m.subject]
    assert f"/o/{order_id}#t=op1." in delivery.body
    assert f"/v1/orders/{order_id}" not in delivery.body
    token = mailed_order_page_token(order_id)

    opened = view(stack, order_id, token)
    assert opened.status == 200, opened.body
    assert opened.body["keys"][0]["code"] in CODES
    for path in (f"/v1/orders/{order_id}/refunds", f"/v1/orders/{order_id}/rating-form"):
        assert stack.api("GET", path, headers=bearer(token)).status == 200, path


@pytest.mark.parametrize(
    ("make_token", "code"),
    [
        (lambda order_id: services().links.order_page_token(order_id, now=time.time() - 31 * 86400), "expired_link"),
        (lambda order_id: altered(services().links.order_page_token(order_id)), "invalid_link"),
        (lambda order_id: services().links.order_page_token("another-order"), "invalid_link"),
        (lambda order_id: "op1.", "invalid_link"),
    ],
    ids=["expired", "altered", "another order's", "empty"],
)
def test_an_expired_or_altered_order_page_token_is_refused_401_with_its_code(
    stack: Stack, delivered: dict, make_token: object, code: str
) -> None:
    token = make_token(delivered["order_id"])  # type: ignore[operator]
    for path in ("", "/refunds", "/rating-form"):
        refused = stack.api("GET", f"/v1/orders/{delivered['order_id']}{path}", headers=bearer(token))
        assert (refused.status, refused.body["code"]) == (401, code), path


def test_a_wrong_access_token_still_looks_like_a_missing_order(stack: Stack, delivered: dict) -> None:
    assert view(stack, delivered["order_id"], "not-the-token").status == 404


def test_a_ticket_opened_with_the_order_page_token_is_proven_by_the_orders_credential(
    stack: Stack, delivered: dict
) -> None:
    ticket = {
        "order_id": delivered["order_id"],
        "access_token": mailed_order_page_token(delivered["order_id"]),
        "message": "Where do I enter this code?",
    }
    opened = stack.api("POST", "/v1/tickets", ticket)

    assert opened.status == 201, opened.body
    assert TicketItem.get(opened.body["ticket_id"], TicketItem.SK).proof == "access_token"


def test_a_ticket_with_an_expired_order_page_token_is_refused_401(stack: Stack, delivered: dict) -> None:
    expired = services().links.order_page_token(delivered["order_id"], now=time.time() - 31 * 86400)
    ticket = {"order_id": delivered["order_id"], "access_token": expired, "message": "Where is my code?"}

    refused = stack.api("POST", "/v1/tickets", ticket)

    assert (refused.status, refused.body["code"]) == (401, "expired_link")


# -- the order view -----------------------------------------------------------------------------------------


def test_the_order_view_shows_history_keys_guide_and_open_actions(stack: Stack, delivered: dict) -> None:
    got = view(stack, delivered["order_id"], delivered["access_token"], "locale=es").body

    assert got["order_number"] == delivered["order_id"][:8]
    assert (got["shop_id"], got["locale"], got["email_masked"]) == ("main", "en", "b***@example.com")
    assert [step["status"] for step in got["timeline"]] == ["created", "paid", "delivered"]
    assert got["activation"] == "pending"
    [key] = got["keys"]
    assert key["code"] in CODES
    assert key | {"code": None, "masked": None} == {
        "line": 1,
        "line_no": 1,
        "code": None,
        "masked": None,
        "platform": "steam",
        "region": "US",
        "state": "delivered",
        "parts": [],
    }
    assert key["code"] not in key["masked"]
    assert key["masked"].endswith(key["code"][-4:])
    assert got["guide"]["locale"] == "es"
    assert any("Steam" in step for step in got["guide"]["steps"])
    assert got["actions"] == {"confirm_activation": True, "refund": True, "rate": False, "chat": True}
    assert got["actions_reasons"] == {"rate": "rating_not_open"}


def test_only_a_fetch_that_reveals_the_codes_records_the_key_view(stack: Stack, delivered: dict) -> None:
    order_id, token = delivered["order_id"], delivered["access_token"]

    hidden = view(stack, order_id, token, "reveal=false").body
    assert hidden["keys"][0]["code"] is None
    assert hidden["keys"][0]["masked"]
    assert Counters().get(*views_key(order_id)) == {}

    assert view(stack, order_id, token, "reveal=true").body["keys"][0]["code"] in CODES
    assert Counters().get(*views_key(order_id))["visits"] == 1


def test_a_refunded_orders_actions_are_closed_with_reasons_and_its_code_is_never_returned(
    stack: Stack, delivered: dict
) -> None:
    order_id = delivered["order_id"]
    OrderItem(order_id, OrderItem.SK).update(actions=[OrderItem.status.set("refunded")])
    OrderLineItem(order_id, OrderLineItem.sort_key(1)).update(actions=[OrderLineItem.refund_id.set("r1")])

    got = view(stack, order_id, delivered["access_token"]).body

    assert got["keys"][0]["state"] == "refunded"
    assert got["keys"][0]["code"] is None
    assert got["actions"] == {"confirm_activation": False, "refund": False, "rate": False, "chat": True}
    assert got["actions_reasons"] == {"confirm_activation": "refunded", "refund": "refunded", "rate": "refunded"}


def test_an_unpaid_orders_actions_wait_for_the_payment(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack, keys=CODES)
    order = place_order(stack)

    got = view(stack, order["order_id"], order["access_token"]).body

    assert got["keys"] == []
    assert [s["status"] for s in got["timeline"]] == ["created"]
    assert got["actions_reasons"] == {"confirm_activation": "not_paid", "refund": "not_paid", "rate": "not_paid"}


# -- the page's own actions ---------------------------------------------------------------------------------


def test_the_buyer_confirms_activation_from_the_page_once(stack: Stack, delivered: dict) -> None:
    order_id, token = delivered["order_id"], mailed_order_page_token(delivered["order_id"])
    path = f"/v1/orders/{order_id}/activation"

    for _ in range(2):
        confirmed = stack.api("POST", path, {"status": "activated"}, bearer(token))
        assert (confirmed.status, confirmed.body) == (200, {"activation": "activated"})

    got = view(stack, order_id, token).body
    assert got["keys"][0]["state"] == "activated"
    assert got["actions_reasons"]["confirm_activation"] == "already_activated"
    assert int(OrderItem.get(order_id, OrderItem.SK).pending_activation) == 0


def test_a_failed_activation_from_the_page_opens_one_ticket(stack: Stack, delivered: dict) -> None:
    order_id, token = delivered["order_id"], delivered["access_token"]

    for _ in range(2):
        reported = stack.api("POST", f"/v1/orders/{order_id}/activation", {"status": "failed"}, bearer(token))
        assert (reported.status, reported.body) == (200, {"activation": "failed"})

    tickets = [t for t in TicketItem.scan() if t.order_id == order_id]
    assert [(t.intent, t.source) for t in tickets] == [("invalid_key", "order_page")]


def test_the_activation_report_refuses_bad_input(stack: Stack, delivered: dict) -> None:
    path = f"/v1/orders/{delivered['order_id']}/activation"
    token = bearer(delivered["access_token"])

    assert stack.api("POST", path, {"status": "maybe"}, token).status == 400
    assert stack.api("POST", path, {"status": "activated"}, bearer("wrong")).status == 404
    expired = services().links.order_page_token(delivered["order_id"], now=time.time() - 31 * 86400)
    refused = stack.api("POST", path, {"status": "activated"}, bearer(expired))
    assert (refused.status, refused.body["code"]) == (401, "expired_link")


def test_an_unpaid_order_has_no_activation_to_report(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack, keys=CODES)
    order = place_order(stack)

    refused = stack.api(
        "POST", f"/v1/orders/{order['order_id']}/activation", {"status": "activated"}, bearer(order["access_token"])
    )

    assert (refused.status, refused.body["code"]) == (400, "not_delivered")


# -- checkout's way back, the storefront ---------------------------------------------------------------------


def test_the_sandbox_pay_page_returns_to_the_order_page_or_a_same_origin_return_url(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack, keys=CODES)
    base = services().settings.public_base_url.rstrip("/")

    default = place_order(stack)
    assert default["payment"]["checkout_url"].endswith(
        f"/_local/pay/{default['order_id']}?return_url={base.replace(':', '%3A').replace('/', '%2F')}%2Fo%2F"
        f"{default['order_id']}"
    )
    draft = {"sku": "steam-20-us", "quantity": 1, "email": "buyer@example.com", "return_url": f"{base}/s/main/"}
    chosen = stack.api("POST", "/v1/orders", draft)
    assert chosen.status == 201
    assert chosen.body["payment"]["checkout_url"].endswith("%2Fs%2Fmain%2F")

    elsewhere = stack.api("POST", "/v1/orders", {**draft, "return_url": "https://evil.example/o/x"})
    assert (elsewhere.status, elsewhere.body["code"]) == (400, "invalid_return_url")


def test_the_storefront_names_the_shop_its_currency_payment_methods_and_locales(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack, keys=CODES)

    by_header = stack.api("GET", "/v1/storefront", headers={"X-Faka-Shop": "main"})
    by_query = stack.api("GET", "/v1/storefront", query="shop=main")

    assert by_header.status == 200
    assert by_header.body == by_query.body
    assert by_header.body == {
        "shop_id": "main",
        "name": "Demo",
        "currency": "usd",
        "payment_methods": ["stripe"],
        "country": None,
        "locales": ["en", "es", "zh-CN", "zh-TW"],
    }
    unknown = stack.api("GET", "/v1/storefront", query="shop=nope")
    assert (unknown.status, unknown.body["code"]) == (404, "unknown_shop")


# -- the order lookup by email ------------------------------------------------------------------------------


def look_up(stack: Stack, email: str, source_ip: str = "198.51.100.4") -> Response:
    return stack.api("POST", "/v1/order-lookup", {"email": email}, source_ip=source_ip)


def mail_to(address: str) -> list:
    return [m for m in sent_mail() if m.destinations["ToAddresses"] == [address]]


@pytest.mark.parametrize("locale", ["en", "zh-CN", "es"])
def test_a_lookup_mails_the_address_links_to_its_orders_pages(stack: Stack, locale: str) -> None:
    open_shop(stack)
    add_product(stack, keys=CODES)
    orders = [place_order(stack, locale=locale) for _ in range(2)]
    before = len(mail_to("buyer@example.com"))

    accepted = look_up(stack, "  Buyer@EXAMPLE.com ")

    assert (accepted.status, accepted.body) == (202, {"status": "accepted"})
    [mail] = mail_to("buyer@example.com")[before:]
    for order in orders:
        token = re.search(rf"/o/{order['order_id']}#t=(op1\.[0-9]+\.[0-9a-f]+)", mail.body)
        assert token, mail.body
        assert view(stack, order["order_id"], token.group(1)).status == 200
    assert ("的订单" if locale == "zh-CN" else "Sus pedidos" if locale == "es" else "Your orders") in mail.subject


def test_a_lookup_of_an_unknown_address_answers_the_same_and_mails_nothing(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack, keys=CODES)
    place_order(stack)
    before = len(sent_mail())

    unknown = look_up(stack, "nobody@example.com")

    assert (unknown.status, unknown.body) == (202, {"status": "accepted"})
    assert len(sent_mail()) == before


def test_lookups_past_the_hourly_limits_are_refused_429_before_looking(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack, keys=CODES)
    place_order(stack)
    before = len(mail_to("buyer@example.com"))

    answers = [look_up(stack, "buyer@example.com", source_ip=f"198.51.100.{n}").status for n in range(5)]

    assert answers == [202, 202, 202, 429, 429]
    assert look_up(stack, "buyer@example.com").body["code"] == "rate_limited"
    assert len(mail_to("buyer@example.com")) == before + 3
    by_ip = [look_up(stack, f"someone{n}@example.com", source_ip="192.0.2.9").status for n in range(21)]
    assert by_ip == [202] * 20 + [429]


def test_a_lookup_refuses_what_is_not_an_address(stack: Stack) -> None:
    open_shop(stack)

    for body in ({"email": "not-an-address"}, {}, {"email": ["a@example.com"]}):
        refused = stack.api("POST", "/v1/order-lookup", body)
        assert refused.status == 400, body
        assert refused.body["code"] == "invalid_request"


def test_the_openapi_document_describes_the_buyer_pages_routes(stack: Stack) -> None:
    document = stack.api("GET", "/v1/openapi.json").body

    paths = document["paths"]
    assert {"/v1/storefront", "/v1/order-lookup", "/v1/orders/{order_id}/activation"} <= set(paths)
    assert set(paths["/v1/orders/{order_id}"]["get"]["responses"]) >= {"200", "401", "404"}
    assert "429" in paths["/v1/order-lookup"]["post"]["responses"]
    view_schema = document["components"]["schemas"]["OrderView"]["properties"]
    assert {"order_number", "timeline", "activation", "guide", "actions", "actions_reasons"} <= set(view_schema)
