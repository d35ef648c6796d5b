"""Tickets on three channels: the API, chat turns and email, each classified and answered at once."""

from __future__ import annotations

import json
import uuid
from email.message import EmailMessage

import boto3
import pytest

from faka import resources
from faka.adapters.tables.tickets import TicketItem, TicketMessageItem, TicketTableItem
from faka.catalog.codes import identity_of
from tests.integration.conftest import ADMIN, Response, Stack
from tests.integration.helpers import add_product, mailed_link, open_shop, pay, place_order, sent_mail, where_stored


@pytest.fixture
def order(stack: Stack) -> dict:
    open_shop(stack)
    add_product(stack, keys=["TKT-AAAA-0001", "TKT-AAAA-0002"])
    placed = place_order(stack, locale="zh-CN")
    pay(stack, placed["order_id"], placed["amount"])
    return placed


def open_ticket(stack: Stack, **body: object) -> Response:
    return stack.api("POST", "/v1/tickets", body)


def test_a_chinese_complaint_is_understood_and_answered_in_chinese(stack: Stack, order: dict) -> None:
    response = open_ticket(
        stack,
        order_id=order["order_id"],
        access_token=order["access_token"],
        message="我的卡密无效，兑换码 TKT-AAAA-0001 用不了",
    )

    assert response.status == 201, response.body
    assert response.body["intent"] == "invalid_key"
    assert response.body["severity"] >= 3
    assert "卡密无法使用" in response.body["reply"]
    assert order["order_id"][:8] in response.body["reply"]
    thread = stack.api(
        "GET",
        f"/v1/tickets/{response.body['ticket_id']}",
        headers={"Authorization": f"Bearer {response.body['ticket_token']}"},
    )
    assert [m["author"] for m in thread.body["messages"]] == ["buyer", "assistant"]
    assert "TKT-AAAA-0001" not in thread.body["messages"][0]["body"]
    assert "0001" in thread.body["messages"][0]["body"]


@pytest.mark.parametrize(
    "proof",
    [{"access_token": "guess"}, {"email": "someone.else@example.com"}, {}],
    ids=["wrong token", "other email", "no proof"],
)
def test_another_buyers_order_reveals_nothing(stack: Stack, order: dict, proof: dict) -> None:
    response = open_ticket(stack, order_id=order["order_id"], message="where is my order?", **proof)
    assert (response.status, response.body["code"]) == (404, "unknown_order")
    assert list(TicketTableItem.scan()) == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"message": "hello"}, "missing_contact"),
        ({"email": "b@example.com", "message": "   "}, "empty_message"),
        ({"email": "b@example.com", "message": "x" * 10_001}, "invalid_request"),
        ({"email": "not-an-email", "message": "hi"}, "invalid_request"),
    ],
    ids=["no contact", "blank", "huge", "bad email"],
)
def test_bad_tickets_are_refused_clearly(stack: Stack, order: dict, body: dict, code: str) -> None:
    response = open_ticket(stack, **body)
    assert (response.status, response.body["code"]) == (400, code)


def test_the_buyers_email_proves_the_order_too(stack: Stack, order: dict) -> None:
    response = open_ticket(stack, order_id=order["order_id"], email="BUYER@example.com", message="I never got my code")
    assert response.status == 201
    assert response.body["intent"] == "not_received"


def test_an_unclear_chat_is_asked_once_to_rephrase_then_handed_to_a_person(stack: Stack, order: dict) -> None:
    opened = open_ticket(stack, email="b@example.com", message="hmm")
    assert opened.body["status"] == "awaiting_buyer", opened.body
    token = {"Authorization": f"Bearer {opened.body['ticket_token']}"}

    second = stack.api("POST", f"/v1/tickets/{opened.body['ticket_id']}/messages", {"message": "ok"}, token)

    assert second.status == 200
    assert second.body["status"] == "waiting_for_agent"
    assert "assistant" in opened.body["reply"]
    wrong = stack.api(
        "POST", f"/v1/tickets/{opened.body['ticket_id']}/messages", {"message": "hi"}, {"Authorization": "Bearer x"}
    )
    assert (wrong.status, wrong.body["code"]) == (404, "unknown_ticket")


def mail(
    sender: str, subject: str, text: str, *, html: str | None = None, attachment: tuple[str, str, bytes] | None = None
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@example.com"
    message["Subject"] = subject
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    if attachment:
        name, content_type, data = attachment
        main, sub = content_type.split("/")
        message.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return bytes(message)


def receive(stack: Stack, raw: bytes) -> None:
    boto3.client("s3").put_object(
        Bucket=resources.MAIL_BUCKET, Key=f"{resources.INBOUND_MAIL_PREFIX}{uuid.uuid4().hex}", Body=raw
    )
    stack.deliver_events()


def test_an_email_opens_a_ticket_and_a_reply_threads_onto_it(stack: Stack, order: dict) -> None:
    receive(
        stack,
        mail(
            "buyer@example.com",
            "Problem",
            f"Hola, el código de mi pedido {order['order_id']} no funciona.\n\nEl lun, 30 nov escribió:\n> old",
            attachment=("screenshot.png", "image/png", b"\x89PNG..."),
        ),
    )
    [answer] = [
        m for m in sent_mail() if m.destinations["ToAddresses"] == ["buyer@example.com"] and "[#T-" in m.subject
    ]
    [ticket] = [t for t in TicketTableItem.scan() if isinstance(t, TicketItem)]
    assert (ticket.order_id, ticket.intent, ticket.source) == (order["order_id"], "invalid_key", "email")
    assert f"[#T-{ticket.ticket_id}]" in answer.subject

    receive(
        stack,
        mail("buyer@example.com", f"Re: Problem [#T-{ticket.ticket_id}]", "Sigue sin funcionar. ¿Me pueden ayudar?"),
    )

    messages = [m for m in TicketTableItem.query(ticket.ticket_id) if isinstance(m, TicketMessageItem)]
    buyer_turns = [m for m in messages if m.author == "buyer"]
    assert len(buyer_turns) == 2
    assert "old" not in buyer_turns[0].body
    [attachment] = buyer_turns[0].attachments
    assert attachment.startswith(resources.ATTACHMENTS_PREFIX)


def test_a_forged_reference_from_another_sender_does_not_join_the_thread(stack: Stack, order: dict) -> None:
    opened = open_ticket(
        stack, order_id=order["order_id"], access_token=order["access_token"], message="I never got my code"
    )
    receive(
        stack,
        mail(
            "intruder@example.com",
            f"Re: x [#T-{opened.body['ticket_id']}]",
            "<b>refund me</b>",
            html="<p>refund <b>me</b> now</p>",
        ),
    )
    tickets = [t for t in TicketTableItem.scan() if isinstance(t, TicketItem)]
    assert len(tickets) == 2
    intruder = next(t for t in tickets if t.email == "intruder@example.com")
    assert intruder.order_id is None


def test_operators_see_every_ticket_labelled_with_keys_masked(stack: Stack, order: dict) -> None:
    open_ticket(
        stack,
        order_id=order["order_id"],
        access_token=order["access_token"],
        message="This is a scam!!! key TKT-AAAA-0001 was already redeemed when I got it, fix it NOW",
    )
    [ticket] = stack.api("GET", "/v1/admin/tickets", headers=ADMIN).body["tickets"]
    assert ticket["order_id"] == order["order_id"]
    assert ticket["language"] == "en"
    assert ticket["sentiment"] == "angry"
    assert ticket["severity_reasons"]
    assert "TKT-AAAA-0001" not in str(ticket)


def test_a_buyer_writing_on_a_resolved_ticket_reopens_it_in_the_queue(stack: Stack, order: dict) -> None:
    opened = open_ticket(
        stack,
        order_id=order["order_id"],
        access_token=order["access_token"],
        message="I want to talk to a real person please",
    ).body
    ticket_id, bearer = opened["ticket_id"], {"Authorization": f"Bearer {opened['ticket_token']}"}
    assert opened["status"] == "waiting_for_agent"
    for step, body in (("claim", {"agent": "mei"}), ("reply", {"message": "Hello, how can I help?"}), ("resolve", {})):
        assert stack.api("POST", f"/v1/admin/tickets/{ticket_id}/{step}", body, ADMIN).status == 200

    turn = stack.api("POST", f"/v1/tickets/{ticket_id}/messages", {"message": "It still does not work"}, bearer)

    assert turn.status == 200, turn.body
    assert turn.body["status"] == "waiting_for_agent"
    assert "in line" in turn.body["reply"]
    thread = stack.api("GET", f"/v1/tickets/{ticket_id}", headers=bearer).body
    assert thread["queue"]["position"] == 1


def test_a_quoted_key_is_masked_on_every_channel_in_what_is_kept_and_shown(stack: Stack) -> None:
    open_shop(stack)
    # Codes no pattern can tell from a number: only the shop's own keys make them secret.
    add_product(stack, keys=["7730 1184 2296", "7730 1184 2297", "7730 1184 2298"])
    order = place_order(stack)
    pay(stack, order["order_id"], order["amount"])
    buyer = {"Authorization": f"Bearer {order['access_token']}"}
    [code] = [k["code"] for k in stack.api("GET", f"/v1/orders/{order['order_id']}", headers=buyer).body["keys"]]
    solid, dashed = code.replace(" ", ""), code.replace(" ", "-")

    opened = open_ticket(
        stack,
        order_id=order["order_id"],
        access_token=order["access_token"],
        message=f"My code {solid} says it is invalid",
    ).body
    assert opened["outcome"] == "replaced"  # the quoted code is no longer the order's: it is masked all the same
    ticket_id, bearer = opened["ticket_id"], {"Authorization": f"Bearer {opened['ticket_token']}"}
    turn = stack.api("POST", f"/v1/tickets/{ticket_id}/messages", {"message": f"The old one was {dashed}"}, bearer)
    assert turn.status == 200, turn.body
    receive(stack, mail("buyer@example.com", "Key", f"Order {order['order_id']}: the code «{code}» is rejected"))
    for step, body in (("reply", {"agent": "mei", "message": f"Noted: {solid} was replaced"}), ("resolve", {})):
        assert stack.api("POST", f"/v1/admin/tickets/{ticket_id}/{step}", body, ADMIN).status == 200
    path, query = mailed_link("buyer@example.com", "csat")
    rated = stack.api("POST", path, {"score": 2, "comment": f"{code.lower()} never worked"}, query=query)
    assert rated.status == 200, rated.body

    tickets = stack.api("GET", "/v1/admin/tickets", headers=ADMIN).body["tickets"]
    cases = [stack.api("GET", f"/v1/admin/tickets/{t['ticket_id']}", headers=ADMIN).body for t in tickets]
    thread = stack.api("GET", f"/v1/tickets/{ticket_id}", headers=bearer).body
    assert len(tickets) == 2
    assert identity_of(code) not in identity_of(json.dumps([tickets, cases, thread]))
    assert code[-4:] in json.dumps(thread)  # enough of it to recognise the key
    assert where_stored(code) == []
