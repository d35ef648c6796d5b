"""A key's secret parts (a PIN, an account's password, a card's further lines): imported with its code as one key,
sealed at rest like the code, delivered whole to the buyer and masked for operators."""

from __future__ import annotations

import html
import json
import re

import pytest

from faka.adapters.tables.keys import KeyItem
from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import add_product, open_shop, pay, place_order, sent_mail, where_stored

SKU = "steam-20-us"


@pytest.fixture
def shop(stack: Stack) -> Stack:
    open_shop(stack)
    add_product(stack)
    return stack


def import_csv(stack: Stack, body: str) -> dict:
    response = stack.api(
        "POST",
        f"/v1/admin/products/{SKU}/keys",
        raw=body,
        headers={**ADMIN, "Content-Type": "text/csv"},
        query="batch=PARTS-1",
    )
    assert response.status == 200, response.body
    return dict(response.body)


def buy(stack: Stack) -> dict:
    order = place_order(stack)
    assert pay(stack, order["order_id"], order["amount"]).body["result"] == "delivered"
    stack.deliver_events()
    return order


def stock(stack: Stack) -> int:
    return int(stack.api("GET", "/v1/products").body["products"][0]["stock"])


def test_a_code_pin_csv_is_one_key_a_row_delivered_with_its_pin_and_masked_for_operators(shop: Stack) -> None:
    report = import_csv(shop, "code,PIN\r\nGIFT-AAAA-BBBB-0001,731946\r\n")
    assert report == {"batch": "PARTS-1", "imported": 1, "rejected": []}
    assert stock(shop) == 1, "the PIN and the header are no keys"
    [key] = KeyItem.query(f"main#{SKU}")
    assert key.sealed_parts
    assert where_stored("731946") == [], "the PIN is sealed at rest, like the code"

    order = buy(shop)
    buyer = {"Authorization": f"Bearer {order['access_token']}"}
    [view] = shop.api("GET", f"/v1/orders/{order['order_id']}", headers=buyer).body["keys"]
    assert view["code"] == "GIFT-AAAA-BBBB-0001"
    assert view["parts"] == [{"name": "PIN", "value": "731946", "masked": "*****6"}]
    [hidden] = shop.api("GET", f"/v1/orders/{order['order_id']}", headers=buyer, query="reveal=false").body["keys"]
    assert hidden["parts"] == [{"name": "PIN", "value": None, "masked": "*****6"}]

    [mail] = [m for m in sent_mail() if "GIFT-AAAA-BBBB-0001" in m.body]
    assert "PIN: 731946" in html.unescape(re.sub(r"<[^>]+>", "", mail.body))

    operator = shop.api("GET", f"/v1/admin/orders/{order['order_id']}", headers=ADMIN).body
    assert operator["keys"] == [
        {"line_no": 1, "code": "***************0001", "parts": [{"name": "PIN", "value": "*****6"}]}
    ]


def test_the_faka_line_format_and_a_multi_line_card_keep_every_part_on_one_key(shop: Stack) -> None:
    body = 'shop-account-01----S3cret!pw\r\n"CARD-7777-0001\nserial 99-1\nexpires 2027-01"\r\n'
    assert import_csv(shop, body)["imported"] == 2
    assert stock(shop) == 2
    delivered = [buy(shop), buy(shop)]

    cards = []
    for order in delivered:
        buyer = {"Authorization": f"Bearer {order['access_token']}"}
        [view] = shop.api("GET", f"/v1/orders/{order['order_id']}", headers=buyer).body["keys"]
        cards.append((view["code"], [(part["name"], part["value"]) for part in view["parts"]]))
    assert sorted(cards) == [
        ("CARD-7777-0001", [("", "serial 99-1"), ("", "expires 2027-01")]),
        ("shop-account-01", [("", "S3cret!pw")]),
    ]
    assert where_stored("S3cret!pw") == []


def test_json_keys_take_parts_and_duplicates_are_told_by_the_code_alone(shop: Stack) -> None:
    keys = [
        {"code": "JSON-0001-AAAA", "parts": {"pin": "1111"}},
        {"code": "json0001aaaa", "parts": {"pin": "2222"}},
        {"code": "JSON-0002-AAAA", "parts": [{"name": "password", "value": "pw-2"}, {"value": "note"}]},
        {"code": "JSON-0003-AAAA", "parts": {"pin": "bad\u0000byte"}},
        {"parts": {"pin": "3333"}},
        "JSON-0004-AAAA",
    ]
    response = shop.api("POST", f"/v1/admin/products/{SKU}/keys", {"batch": "J1", "keys": keys}, ADMIN)
    assert response.status == 200, response.body
    assert response.body["imported"] == 3
    assert response.body["rejected"] == [
        {"index": 1, "code": "duplicate"},
        {"index": 3, "code": "invalid"},
        {"index": 4, "code": "invalid"},
    ]
    again = shop.api(
        "POST", f"/v1/admin/products/{SKU}/keys", {"batch": "J2", "keys": [{"code": "JSON-0004-AAAA"}]}, ADMIN
    )
    assert again.body["rejected"] == [{"index": 0, "code": "duplicate"}]
    assert stock(shop) == 3


def test_a_ticket_quoting_a_keys_password_is_kept_and_shown_masked(shop: Stack) -> None:
    import_csv(shop, "code,password\r\nTICKET-ACCOUNT-01,bluehorsestaple\r\n")
    order = buy(shop)
    message = "I want to talk to a human: the password bluehorsestaple is refused when I sign in"
    ticket = {"order_id": order["order_id"], "access_token": order["access_token"], "message": message}
    opened = shop.api("POST", "/v1/tickets", ticket)
    assert opened.status == 201, opened.body

    [listed] = shop.api("GET", "/v1/admin/tickets", headers=ADMIN).body["tickets"]
    case = shop.api("GET", f"/v1/admin/tickets/{listed['ticket_id']}", headers=ADMIN).body
    assert "bluehorsestaple" not in json.dumps([listed, case])
    assert "aple" in json.dumps(case), "masked like a code: its last characters recognise it"
    assert where_stored("bluehorsestaple") == []
