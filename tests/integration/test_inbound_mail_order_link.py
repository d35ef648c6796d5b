"""The assistant's emailed answer links the order page only when it goes to the order's own address; the
link, a credential for the order, is never stored with the ticket nor answered by the API."""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from faka.adapters.tables.tickets import TicketMessageItem, TicketTableItem
from tests.integration.conftest import Stack
from tests.integration.helpers import add_product, open_shop, pay, place_order, sent_mail
from tests.integration.inbound_helpers import deliver, store, tickets


@pytest.fixture
def delivered(stack: Stack) -> dict:
    open_shop(stack)
    add_product(stack, keys=["MAIL-0001-AAAA"])
    order = place_order(stack)
    assert pay(stack, order["order_id"], order["amount"]).body["result"] == "delivered"
    stack.deliver_events()
    return order


def mail_from(sender: str, order_id: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@example.com"
    message["Subject"] = "Help with my order"
    message["Message-ID"] = make_msgid(domain="mail.example.com")
    message.set_content(f"How do I activate my code? Order {order_id}")
    return bytes(message)


def emailed_reply_to(address: str) -> str:
    [reply] = [m for m in sent_mail() if m.destinations["ToAddresses"] == [address] and "[#T-" in m.subject]
    return str(reply.body)


def stored_turns() -> list[str]:
    return [item.body for item in TicketTableItem.scan() if isinstance(item, TicketMessageItem)]


def test_the_reply_to_the_orders_own_address_links_its_page_which_the_ticket_does_not_keep(
    stack: Stack, delivered: dict
) -> None:
    order_id = delivered["order_id"]
    assert deliver(store(mail_from("Buyer <BUYER@example.com>", order_id))) == {"batchItemFailures": []}

    [ticket] = tickets()
    assert ticket.order_id == order_id
    body = emailed_reply_to("BUYER@example.com")
    link = re.search(rf"/o/{order_id}#t=(op1\.[0-9]+\.[0-9a-f]+)", body)
    assert link, body
    opened = stack.api("GET", f"/v1/orders/{order_id}", headers={"Authorization": f"Bearer {link.group(1)}"})
    assert opened.status == 200, opened.body
    assert not any("#t=" in turn for turn in stored_turns())


def test_a_reply_to_another_address_naming_the_order_has_no_link(stack: Stack, delivered: dict) -> None:
    assert deliver(store(mail_from("someone@example.org", delivered["order_id"]))) == {"batchItemFailures": []}

    [ticket] = tickets()
    assert ticket.order_id is None
    body = emailed_reply_to("someone@example.org")
    assert "/o/" not in body
    assert "#t=" not in body


def test_the_apis_reply_to_a_ticket_proven_by_the_orders_email_has_no_link(stack: Stack, delivered: dict) -> None:
    ticket = {"order_id": delivered["order_id"], "email": "buyer@example.com", "message": "How do I activate it?"}
    opened = stack.api("POST", "/v1/tickets", ticket)

    assert opened.status == 201, opened.body
    assert "/o/" not in opened.body["reply"]
    assert "#t=" not in opened.body["reply"]
