"""The help desk's team work against moto: internal notes the buyer never sees, and handing a ticket over."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from faka.adapters.tables.tickets import TicketDeskEntryItem, TicketItem, TicketTableItem
from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import add_product, open_shop, pay, place_order, sent_mail

NOTE = "Supplier batch looks bad, buyer pasted HD-BBBB-0001 and card 4242 4242 4242 4242; check before refunding"


@pytest.fixture
def opened(stack: Stack) -> dict:
    """A buyer's ticket about a paid order, in the queue."""
    open_shop(stack)
    add_product(stack, keys=["HD-BBBB-0001", "HD-BBBB-0002"])
    placed = place_order(stack)
    pay(stack, placed["order_id"], placed["amount"])
    response = stack.api(
        "POST",
        "/v1/tickets",
        {"order_id": placed["order_id"], "access_token": placed["access_token"], "message": "I want a human"},
    )
    assert response.status == 201, response.body
    return {**response.body, **placed}


def other_shop(stack: Stack) -> dict[str, str]:
    """A second shop's operator headers."""
    opened = stack.api("POST", "/v1/admin/shops", {"shop_id": "other", "name": "O", "support_email": "o@x.io"}, ADMIN)
    assert opened.status in (200, 201), opened.body
    return {"Authorization": f"Bearer {opened.body['operator_token']}", "X-Faka-Shop": "other"}


def other_ticket() -> str:
    TicketItem(
        "t-other",
        TicketItem.SK,
        shop_id="other",
        intent="invalid_key",
        severity=3,
        source="api",
        summary="other shop's ticket",
        status="open",
        created_at=datetime.now(UTC),
    ).save()
    return "t-other"


def act(stack: Stack, ticket_id: str, action: str, body: dict, headers: dict[str, str] = ADMIN) -> dict:
    response = stack.api("POST", f"/v1/admin/tickets/{ticket_id}/{action}", body, headers)
    assert response.status == 200, (action, response.body)
    return dict(response.body)


def case(stack: Stack, ticket_id: str) -> dict:
    response = stack.api("GET", f"/v1/admin/tickets/{ticket_id}", headers=ADMIN)
    assert response.status == 200, response.body
    return dict(response.body)


def test_an_internal_note_is_masked_and_shown_to_the_shops_operators_only(stack: Stack, opened: dict) -> None:
    ticket_id = opened["ticket_id"]
    mails_before = len(sent_mail())

    noted = act(stack, ticket_id, "notes", {"agent": "alice", "text": NOTE})

    assert noted["kind"] == "note"
    assert noted["agent"] == "alice"
    assert "HD-BBBB-0001" not in noted["body"]
    assert "4242 4242 4242 4242" not in noted["body"]
    assert "check before refunding" in noted["body"]
    (stored,) = [
        i
        for i in TicketTableItem.query(ticket_id, TicketTableItem.sk.startswith("DESK#"))
        if isinstance(i, TicketDeskEntryItem)
    ]
    assert stored.body == noted["body"]
    seen = case(stack, ticket_id)
    assert [n["body"] for n in seen["notes"]] == [noted["body"]]
    assert "alice" in seen["operators"]

    # The buyer writes again and gets the assistant's answer; the ticket is answered and resolved by a person.
    buyer = {"Authorization": f"Bearer {opened['ticket_token']}"}
    answer = stack.api("POST", f"/v1/tickets/{ticket_id}/messages", {"message": "any news?"}, buyer)
    assert answer.status in (200, 201), answer.body
    act(stack, ticket_id, "reply", {"agent": "alice", "message": "We are checking your key."})
    act(stack, ticket_id, "resolve", {"agent": "alice"})
    thread = stack.api("GET", f"/v1/tickets/{ticket_id}", headers=buyer)
    assert thread.status == 200, thread.body
    mails = sent_mail()[mails_before:]
    assert len(mails) >= 2  # the reply and the "how did we do?" email
    for seen_by_buyer in [json.dumps(answer.body), json.dumps(thread.body), *(m.body for m in mails)]:
        assert "Supplier batch" not in seen_by_buyer
        assert "check before refunding" not in seen_by_buyer


def test_a_note_is_refused_when_empty_or_on_another_shops_ticket(stack: Stack, opened: dict) -> None:
    other = other_shop(stack)

    empty = stack.api("POST", f"/v1/admin/tickets/{opened['ticket_id']}/notes", {"text": "   "}, ADMIN)
    foreign = stack.api("POST", f"/v1/admin/tickets/{opened['ticket_id']}/notes", {"text": "mine now"}, other)

    assert (empty.status, empty.body["code"]) == (400, "empty_message")
    assert (foreign.status, foreign.body["code"]) == (404, "unknown_ticket")
    assert case(stack, opened["ticket_id"])["notes"] == []


def test_a_claimed_ticket_is_handed_to_another_operator_of_the_shop_and_mine_follows_it(
    stack: Stack, opened: dict
) -> None:
    ticket_id = opened["ticket_id"]
    act(stack, ticket_id, "claim", {"agent": "bob"})  # bob works this shop's desk
    act(stack, ticket_id, "resolve", {"agent": "bob"})
    stack.api("POST", f"/v1/admin/tickets/{ticket_id}/reopen", None, ADMIN)
    act(stack, ticket_id, "claim", {"agent": "alice"})

    handed = act(stack, ticket_id, "reassign", {"agent": "alice", "to": "bob"})

    assert handed["claimed_by"] == "bob"
    assert handed["position"] == 0

    def mine(agent: str) -> list[str]:
        listed = stack.api("GET", "/v1/admin/tickets", headers=ADMIN, query=f"claimed_by={agent}")
        assert listed.status == 200, listed.body
        return [t["ticket_id"] for t in listed.body["tickets"]]

    assert mine("bob") == [ticket_id]
    assert mine("alice") == []
    history = case(stack, ticket_id)["history"]
    assert [(h["kind"], h["agent"]) for h in history] == [
        ("claimed", "bob"),
        ("resolved", "bob"),
        ("claimed", "alice"),
        ("reassigned", "alice"),
    ]
    assert (history[-1]["from_agent"], history[-1]["to_agent"]) == ("alice", "bob")


def test_a_ticket_is_never_handed_to_another_shops_operator_nor_once_resolved(stack: Stack, opened: dict) -> None:
    ticket_id = opened["ticket_id"]
    other = other_shop(stack)
    act(stack, other_ticket(), "claim", {"agent": "olga"}, other)  # olga works the other shop's desk

    act(stack, ticket_id, "claim", {"agent": "alice"})
    foreign = stack.api("POST", f"/v1/admin/tickets/{ticket_id}/reassign", {"agent": "alice", "to": "olga"}, ADMIN)
    stranger = stack.api("POST", f"/v1/admin/tickets/{ticket_id}/reassign", {"agent": "alice", "to": "nobody"}, ADMIN)

    assert (foreign.status, foreign.body["code"]) == (400, "unknown_operator")
    assert foreign.body["details"] == ["alice"]
    assert (stranger.status, stranger.body["code"]) == (400, "unknown_operator")
    assert case(stack, ticket_id)["claimed_by"] == "alice"

    act(stack, ticket_id, "notes", {"agent": "carol", "text": "I can take this one"})
    act(stack, ticket_id, "resolve", {"agent": "alice"})
    resolved = stack.api("POST", f"/v1/admin/tickets/{ticket_id}/reassign", {"agent": "alice", "to": "carol"}, ADMIN)
    assert (resolved.status, resolved.body["code"]) == (409, "ticket_resolved")


def test_an_unclaimed_ticket_cannot_be_handed_over(stack: Stack, opened: dict) -> None:
    ticket_id = opened["ticket_id"]
    act(stack, ticket_id, "notes", {"agent": "carol", "text": "I know this buyer"})

    response = stack.api("POST", f"/v1/admin/tickets/{ticket_id}/reassign", {"agent": "alice", "to": "carol"}, ADMIN)

    assert (response.status, response.body["code"]) == (409, "not_claimed")
    assert case(stack, ticket_id)["claimed_by"] is None
