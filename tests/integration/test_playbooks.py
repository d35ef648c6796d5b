"""Ticket playbooks and the claim-fraud guard, through the API against moto."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from faka.adapters.tables.catalog import BatchItem
from faka.adapters.tables.keys import KeyItem
from faka.adapters.tables.orders import OrderLineItem
from faka.adapters.tables.tickets import TicketItem, TicketMessageItem, TicketTableItem
from faka.payments.stripe_signing import stripe_signature
from faka.support.resolutions import Claim, Next, Outcome, Proof
from faka.trust.claims import Claimant
from faka.wiring import services
from faka_local import mailbox_simulator
from faka_local.mailbox_simulator import BOUNCE_ADDRESS
from tests.integration.conftest import ADMIN, Response, Stack
from tests.integration.helpers import add_product, mailed_link, open_shop, pay, place_order, sent_mail

SIGNING_SECRET = "test-signing-secret"
INVALID = "My code does not work, it says the key is invalid"
# Outside the loopback and documentation ranges the burst rules never count.
CLAIMANT_IP = "198.51.100.23"


def order_view(stack: Stack, order: dict) -> dict:
    response = stack.api(
        "GET", f"/v1/orders/{order['order_id']}", headers={"Authorization": f"Bearer {order['access_token']}"}
    )
    assert response.status == 200, response.body
    return dict(response.body)


def bought(stack: Stack, *, sku: str = "steam-20-us", quantity: int = 1) -> dict:
    order = place_order(stack, sku=sku, quantity=quantity)
    assert pay(stack, order["order_id"], order["amount"]).body["result"] == "delivered"
    stack.deliver_events()  # the delivery email, whose message id the evidence names
    return order


def claim(stack: Stack, order: dict, message: str = INVALID, source_ip: str = CLAIMANT_IP, **extra: str) -> Response:
    body = {"order_id": order["order_id"], "access_token": order["access_token"], "message": message, **extra}
    response = stack.api("POST", "/v1/tickets", body, source_ip=source_ip)
    assert response.status == 201, response.body
    return response


def ticket(response: Response) -> TicketItem:
    return TicketItem.get(response.body["ticket_id"], TicketItem.SK)


def line(order: dict, line_no: int = 1) -> OrderLineItem:
    return OrderLineItem.get(order["order_id"], OrderLineItem.sort_key(line_no))


@pytest.fixture
def shop(stack: Stack) -> Stack:
    open_shop(stack)
    add_product(stack, keys=[f"PLB-{n:04d}-AAAA" for n in range(8)])
    return stack


def test_an_unused_invalid_key_is_replaced_once_and_counted_against_its_batch(shop: Stack) -> None:
    order = bought(shop)
    [old_code] = [k["code"] for k in order_view(shop, order)["keys"]]
    old_hash = line(order).code_hash

    answer = claim(shop, order)

    assert answer.body["status"] == "resolved"
    assert "replacement" in answer.body["reply"]
    [new_code] = [k["code"] for k in order_view(shop, order)["keys"]]
    assert new_code != old_code
    assert new_code in sent_mail()[-1].body
    assert old_code not in sent_mail()[-1].body
    assert new_code not in answer.body["reply"]
    replaced = KeyItem.get("main#steam-20-us", old_hash)
    assert (replaced.status, replaced.order_id) == ("replaced", order["order_id"])
    assert int(line(order).replacements) == 1
    [batch] = [b for b in services().batch_health.batches("main") if b.batch_id == "B1"]
    assert (batch.invalid_claims, batch.issued) == (1, 2)
    stored = ticket(answer)
    assert (stored.playbook, stored.playbook_outcome) == ("invalid_key", "replaced")


def test_the_same_claim_three_times_at_once_replaces_one_key(shop: Stack) -> None:
    order = bought(shop)
    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda _: claim(shop, order), range(3)))

    outcomes = sorted(ticket(a).playbook_outcome or "" for a in answers)
    assert outcomes.count("replaced") == 1, outcomes
    assert set(outcomes) <= {"replaced", "already_replaced", "held_for_review"}
    assert int(line(order).replacements) == 1
    keys_of_order = [k for k in KeyItem.scan() if k.order_id == order["order_id"]]
    assert sorted(k.status for k in keys_of_order) == ["issued", "replaced"]


def test_a_third_claim_in_a_row_from_one_buyer_is_held_for_a_person(shop: Stack) -> None:
    answers = [claim(shop, bought(shop)) for _ in range(3)]

    assert [ticket(a).playbook_outcome for a in answers] == ["replaced", "replaced", "held_for_review"]
    held = ticket(answers[2])
    assert held.status == "waiting_for_agent"
    assert "repeat_claims_by_email" in held.risk_signals
    assert float(held.risk_score) > 0
    assert "check by a member of our team" in answers[2].body["reply"]
    evidence = [
        m for m in TicketTableItem.query(held.ticket_id) if isinstance(m, TicketMessageItem) and m.author == "system"
    ]
    assert json.loads(evidence[0].body)["delivery_email"]["message_id"]


def test_many_addresses_claiming_from_one_ip_are_held(shop: Stack) -> None:
    outcomes = []
    for n in range(3):
        draft = {"sku": "steam-20-us", "quantity": 1, "email": f"buyer{n}@example.net", "locale": "en"}
        order = shop.api("POST", "/v1/orders", draft).body
        assert pay(shop, order["order_id"], order["amount"]).body["result"] == "delivered"
        outcomes.append(ticket(claim(shop, order)))

    assert [t.playbook_outcome for t in outcomes] == ["replaced", "replaced", "held_for_review"]
    assert "many_emails_from_ip" in outcomes[2].risk_signals


def test_not_received_is_resent_with_the_evidence(shop: Stack) -> None:
    order = bought(shop)
    mails_before = len(sent_mail())

    answer = claim(shop, order, "I paid but I never received my code")

    assert ticket(answer).playbook_outcome == "resent_with_evidence"
    assert answer.body["status"] == "resolved"
    assert len(sent_mail()) == mails_before + 1
    assert "buyer@example.com" in answer.body["reply"]
    assert "code issued" in answer.body["reply"]


def test_not_received_after_opening_the_key_page_goes_to_a_person(shop: Stack) -> None:
    order = bought(shop)
    order_view(shop, order)

    answer = claim(shop, order, "I paid but I never received my code")

    stored = ticket(answer)
    assert stored.playbook_outcome == "held_for_review"
    assert "claimed_after_key_page_view" in stored.risk_signals


def test_a_paid_order_still_waiting_is_delivered_from_the_ticket(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack)
    order = place_order(stack)
    assert pay(stack, order["order_id"], order["amount"]).body["result"] == "awaiting_stock"
    response = stack.api(
        "POST", "/v1/admin/products/steam-20-us/keys", {"batch": "B2", "keys": ["LATE-0001-AAAA"]}, ADMIN
    )
    assert response.status == 200

    answer = claim(stack, order, "I paid an hour ago and still have not received my code")

    assert ticket(answer).playbook_outcome == "delivered_now"
    assert order_view(stack, order)["status"] == "delivered"


def test_an_activated_key_is_never_reissued(shop: Stack) -> None:
    order = bought(shop)
    [code] = [k["code"] for k in order_view(shop, order)["keys"]]
    raw = json.dumps({"key": code, "status": "activated", "at": datetime.now(UTC).isoformat()})
    signature = stripe_signature(raw, SIGNING_SECRET)
    assert shop.api("POST", "/v1/activations", raw=raw, headers={"X-Faka-Signature": signature}).status == 200

    answer = claim(shop, order)

    stored = ticket(answer)
    assert (stored.playbook_outcome, stored.status) == ("held_for_review", "waiting_for_agent")
    assert "key_reported_activated" in stored.risk_signals
    assert int(line(order).replacements or 0) == 0


def test_a_replaced_key_activated_later_flags_the_buyer(shop: Stack) -> None:
    order = bought(shop)
    [old_code] = [k["code"] for k in order_view(shop, order)["keys"]]
    claim(shop, order)
    raw = json.dumps({"key": old_code, "status": "activated", "at": datetime.now(UTC).isoformat()})
    assert (
        shop.api(
            "POST", "/v1/activations", raw=raw, headers={"X-Faka-Signature": stripe_signature(raw, SIGNING_SECRET)}
        ).status
        == 200
    )
    assert line(order).activation_status is None

    later = claim(shop, bought(shop))

    assert "replaced_key_later_activated" in ticket(later).risk_signals


def test_no_replacement_in_stock_offers_a_refund(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack, keys=["ONLY-0001-AAAA"])
    order = bought(stack)

    answer = claim(stack, order)

    assert (ticket(answer).playbook_outcome, answer.body["status"]) == ("refund_offered", "awaiting_buyer")
    assert "refund" in answer.body["reply"]


def test_a_second_replacement_on_one_order_needs_a_person(shop: Stack) -> None:
    order = bought(shop)
    claim(shop, order)

    again = claim(shop, order, "The new code is invalid too")

    assert ticket(again).status == "waiting_for_agent"
    assert int(line(order).replacements) == 1


def test_wrong_region_is_exchanged_for_the_variant_in_stock(shop: Stack) -> None:
    product = {
        "sku": "steam-20-eu",
        "name": "Steam EUR 20",
        "price": 2000,
        "currency": "usd",
        "region": "EU",
        "platform": "steam",
    }
    assert shop.api("POST", "/v1/admin/products", product, ADMIN).status == 201
    keys = {"batch": "EU1", "keys": ["EURO-0001-AAAA"]}
    assert shop.api("POST", "/v1/admin/products/steam-20-eu/keys", keys, ADMIN).status == 200
    order = bought(shop)

    answer = claim(shop, order, "This key is for the wrong region, my Steam account is in the EU")

    assert ticket(answer).playbook_outcome == "exchanged"
    assert [k["code"] for k in order_view(shop, order)["keys"]] == ["EURO-0001-AAAA"]
    assert line(order).sku == "steam-20-eu"
    batch = BatchItem.get(*BatchItem.key("main", "steam-20-us", "B1"))
    assert int(batch.invalid_claims) == 0


def test_wrong_region_without_a_variant_gets_the_cross_border_guide(shop: Stack) -> None:
    order = bought(shop)

    answer = claim(shop, order, "This key is for the wrong region, my Steam account is in the EU")

    assert ticket(answer).playbook_outcome == "guide_sent"
    assert "region" in answer.body["reply"]
    assert int(line(order).replacements or 0) == 0


@pytest.mark.parametrize(
    ("message", "outcome", "status"),
    [
        ("How do I activate this code on Steam? Where do I enter it?", "guide_sent", "resolved"),
        ("What is the status of my order?", "answered_status", "resolved"),
        ("I want to talk to a real person please", "handed_off", "waiting_for_agent"),
    ],
    ids=["activation help", "order status", "a person"],
)
def test_each_intent_has_its_playbook(shop: Stack, message: str, outcome: str, status: str) -> None:
    order = bought(shop)
    [code] = [k["code"] for k in order_view(shop, order)["keys"]]

    answer = claim(shop, order, message)

    assert (ticket(answer).playbook_outcome, answer.body["status"]) == (outcome, status)
    assert code not in answer.body["reply"]


def delivered_to_a_bouncing_address(shop: Stack) -> dict:
    """A paid order whose delivery email bounced (call inside ``mailbox_simulator.installed()``)."""
    draft = {"sku": "steam-20-us", "quantity": 1, "email": BOUNCE_ADDRESS, "locale": "en"}
    order: dict = shop.api("POST", "/v1/orders", draft).body
    assert pay(shop, order["order_id"], order["amount"]).body["result"] == "delivered"
    shop.deliver_events()
    return order


def test_a_bounced_delivery_asks_for_another_address_and_sends_there(shop: Stack) -> None:
    with mailbox_simulator.installed():
        order = delivered_to_a_bouncing_address(shop)

        asked = claim(shop, order, "I never received my code")

        assert (ticket(asked).playbook_outcome, asked.body["status"]) == ("asked_for_address", "awaiting_buyer")
        assert "bounced" in asked.body["reply"]
        turn = shop.api(
            "POST",
            f"/v1/tickets/{asked.body['ticket_id']}/messages",
            {"message": "Please send it to my other address: backup.buyer@example.org"},
            {"Authorization": f"Bearer {asked.body['ticket_token']}"},
        )

    assert turn.status == 200, turn.body
    assert turn.body["outcome"] == "resent_to_new_address"
    [code] = [k["code"] for k in order_view(shop, order)["keys"]]
    resent = sent_mail()[-1]
    assert resent.destinations["ToAddresses"] == ["backup.buyer@example.org"]
    assert code in resent.body


def test_a_bounced_delivery_goes_nowhere_else_on_the_order_email_alone(shop: Stack) -> None:
    with mailbox_simulator.installed():
        order = delivered_to_a_bouncing_address(shop)
        body = {"message": "I did not receive my key", "order_id": order["order_id"], "email": BOUNCE_ADDRESS}

        opened = shop.api("POST", "/v1/tickets", body, source_ip=CLAIMANT_IP)
        turn = shop.api(
            "POST",
            f"/v1/tickets/{opened.body['ticket_id']}/messages",
            {"message": "please send it to attacker@evil.example"},
            {"Authorization": f"Bearer {opened.body['ticket_token']}"},
        )

    assert turn.status == 200, turn.body
    [code] = [k["code"] for k in order_view(shop, order)["keys"]]
    elsewhere = [m for m in sent_mail() if m.destinations["ToAddresses"] != [BOUNCE_ADDRESS]]
    assert [m for m in elsewhere if "attacker@evil.example" in m.destinations["ToAddresses"]] == []
    assert [m.destinations for m in elsewhere if code in m.body] == []
    assert (opened.body["outcome"], opened.body["status"]) == ("order_link_needed", "waiting_for_agent")
    assert "order page" in opened.body["reply"]
    assert ticket(opened).proof == "email"


def test_a_ticket_asked_for_an_address_before_it_proved_the_token_still_sends_nothing(shop: Stack) -> None:
    order = bought(shop)
    mails_before = len(sent_mail())
    stored = services().orders.get(order["order_id"])

    resolution = services().playbooks.run(
        Claim(
            ticket_id="t" * 32,
            intent="not_received",
            order=stored,
            claimant=Claimant(stored.email),
            entities={"email": "attacker@evil.example"},
            previous_outcome=Outcome.ASKED_FOR_ADDRESS,
            proof=Proof.EMAIL,
        )
    )

    assert (resolution.outcome, resolution.next) == (Outcome.ORDER_LINK_NEEDED, Next.PERSON)
    assert len(sent_mail()) == mails_before


def test_an_invalid_key_claimed_with_the_order_email_alone_waits_for_the_orders_mailbox(shop: Stack) -> None:
    order = bought(shop)
    [code] = [k["code"] for k in order_view(shop, order)["keys"]]
    body = {"order_id": order["order_id"], "email": "buyer@example.com", "message": INVALID}

    answer = shop.api("POST", "/v1/tickets", body, source_ip=CLAIMANT_IP)

    assert (answer.body["outcome"], answer.body["status"]) == ("confirmation_sent", "awaiting_buyer")
    assert "b***@example.com" in answer.body["reply"]
    assert [k["code"] for k in order_view(shop, order)["keys"]] == [code]
    assert int(line(order).replacements or 0) == 0
    path, query = mailed_link("buyer@example.com")
    assert path == f"/v1/tickets/{answer.body['ticket_id']}/confirm"

    page = shop.api("GET", path, query=query)

    assert page.status == 200
    assert "Replace the code of this order?" in page.body
    assert int(line(order).replacements or 0) == 0, "opening the link changed something"
    tampered = shop.api("POST", path, query=query.replace("i=invalid_key", "i=refund_request"))
    assert (tampered.status, tampered.body["code"]) == (400, "invalid_link")

    confirmed = [shop.api("POST", path, query=query) for _ in range(2)]

    assert [c.status for c in confirmed] == [200, 200]
    assert [c.body["outcome"] for c in confirmed] == ["replaced", "replaced"]
    assert int(line(order).replacements) == 1
    [new_code] = [k["code"] for k in order_view(shop, order)["keys"]]
    assert new_code != code
    assert new_code in sent_mail()[-1].body
    assert sent_mail()[-1].destinations["ToAddresses"] == ["buyer@example.com"]
    assert ticket(answer).proof == "email"


def test_a_wrong_region_exchange_asked_with_the_order_email_alone_exchanges_nothing(shop: Stack) -> None:
    product = {"sku": "steam-20-eu", "name": "Steam EUR 20", "price": 2000, "currency": "usd", "region": "EU"}
    assert shop.api("POST", "/v1/admin/products", {**product, "platform": "steam"}, ADMIN).status == 201
    keys = {"batch": "EU1", "keys": ["EURO-0001-AAAA"]}
    assert shop.api("POST", "/v1/admin/products/steam-20-eu/keys", keys, ADMIN).status == 200
    order = bought(shop)
    body = {
        "order_id": order["order_id"],
        "email": "buyer@example.com",
        "message": "This key is for the wrong region, my Steam account is in the EU",
    }

    answer = shop.api("POST", "/v1/tickets", body, source_ip=CLAIMANT_IP)

    assert answer.body["outcome"] == "confirmation_sent"
    assert line(order).sku is None
    assert [k["code"] for k in order_view(shop, order)["keys"]] != ["EURO-0001-AAAA"]
