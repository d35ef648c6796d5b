"""Reply drafts against moto and a local stand-in of the Bedrock runtime's Converse API (boto3 pointed at it).

What leaves the shop is searched in the stand-in's received requests: the masked thread and the shop's articles,
never a key or its PIN, even when the buyer quoted them. A draft is sent only when the model is sure, an article
grounds it and it keeps the shop's tone; otherwise it waits in the operator's ticket view. Off by default.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from faka.adapters.tables.tickets import TicketMessageItem, TicketTableItem
from faka.config import get_settings
from faka.support.drafts import PRICES
from faka.wiring import services
from faka_local.bedrock_standin import BedrockStandIn, count_tokens
from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import add_product, open_shop, pay, place_order, sent_mail

SKU = "steam-20-us"
CODE, PIN = "GIFT-QWER-TYUI-0001", "731946"
MODEL = "amazon.nova-lite-v1:0"


@pytest.fixture
def standin() -> Iterator[tuple[BedrockStandIn, str]]:
    stand_in = BedrockStandIn()
    with stand_in.serve() as url:
        yield stand_in, url


@pytest.fixture
def order(stack: Stack) -> dict:
    open_shop(stack)
    add_product(stack)
    imported = stack.api(
        "POST",
        f"/v1/admin/products/{SKU}/keys",
        raw=f"code,PIN\r\n{CODE},{PIN}\r\n",
        headers={**ADMIN, "Content-Type": "text/csv"},
        query="batch=DRAFTS-1",
    )
    assert imported.body["imported"] == 1, imported.body
    placed = place_order(stack)
    assert pay(stack, placed["order_id"], placed["amount"]).body["result"] == "delivered"
    stack.deliver_events()
    return placed


def drafts_on(monkeypatch: pytest.MonkeyPatch, url: str, send_at: str = "0.85") -> None:
    monkeypatch.setenv("FAKA_REPLY_DRAFTS", "bedrock")
    monkeypatch.setenv("FAKA_REPLY_DRAFT_MODEL", MODEL)
    monkeypatch.setenv("FAKA_REPLY_DRAFT_SEND_AT", send_at)
    monkeypatch.setenv("FAKA_BEDROCK_ENDPOINT_URL", url)
    get_settings.cache_clear()
    services.cache_clear()


def ticket(stack: Stack, order: dict, message: str) -> str:
    response = stack.api(
        "POST",
        "/v1/tickets",
        {"order_id": order["order_id"], "access_token": order["access_token"], "message": message},
    )
    assert response.status == 201, response.body
    return str(response.body["ticket_id"])


def handed_to_a_person(stack: Stack, order: dict, question: str) -> str:
    """A ticket waiting for a person, whose buyer then asks something an article answers."""
    opened = stack.api(
        "POST",
        "/v1/tickets",
        {"order_id": order["order_id"], "access_token": order["access_token"], "message": "I want to talk to a human"},
    )
    assert opened.body["status"] == "waiting_for_agent", opened.body
    ticket_id = str(opened.body["ticket_id"])
    token = {"Authorization": f"Bearer {opened.body['ticket_token']}"}
    assert stack.api("POST", f"/v1/tickets/{ticket_id}/messages", {"message": question}, token).status == 200
    return ticket_id


def draft(stack: Stack, ticket_id: str) -> dict:
    response = stack.api("POST", f"/v1/admin/tickets/{ticket_id}/draft", {"agent": "alice"}, ADMIN)
    assert response.status == 201, response.body
    return dict(response.body)


def operator_messages(ticket_id: str) -> list[str]:
    return [
        m.body
        for m in TicketTableItem.query(ticket_id, TicketTableItem.sk.startswith("MSG#"))
        if isinstance(m, TicketMessageItem) and m.author == "operator"
    ]


def test_drafts_are_off_by_default_and_nothing_reaches_the_model(
    stack: Stack, order: dict, standin: tuple[BedrockStandIn, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_in, url = standin
    monkeypatch.setenv("FAKA_BEDROCK_ENDPOINT_URL", url)
    get_settings.cache_clear()
    services.cache_clear()
    ticket_id = ticket(stack, order, "How do I redeem a Steam gift card?")

    response = stack.api("POST", f"/v1/admin/tickets/{ticket_id}/draft", {"agent": "alice"}, ADMIN)

    assert (response.status, response.body["code"]) == (404, "reply_drafts_off")
    assert stack.api("GET", f"/v1/admin/tickets/{ticket_id}", headers=ADMIN).body["draft"] is None
    assert stand_in.received() == []


def test_a_draft_is_written_from_the_masked_thread_and_the_articles_and_shown_in_the_case(
    stack: Stack, order: dict, standin: tuple[BedrockStandIn, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_in, url = standin
    drafts_on(monkeypatch, url, send_at="off")
    ticket_id = ticket(stack, order, "How do I redeem a Steam gift card on my account?")

    made = draft(stack, ticket_id)

    [request] = stand_in.received()
    assert request["modelId"] == MODEL
    prompt = request["messages"][0]["content"][0]["text"]
    assert "How do I redeem a Steam gift card on my account?" in prompt
    assert {"id": "redeem-steam", "title": made["articles"][0]["title"]} in made["articles"]
    assert f"## {made['articles'][0]['title']}" in prompt
    assert made["status"] == "draft", "sending is off: every draft waits for an operator"
    assert made["text"].startswith(made["articles"][0]["title"]), "the stand-in's default answer is the article"
    assert made["confidence"] == 0.9
    usage = made["usage"]
    assert usage["input_tokens"] == count_tokens(request["system"][0]["text"]) + count_tokens(prompt), "Converse's"
    price_in, price_out = PRICES[MODEL]
    expected = round(usage["input_tokens"] * price_in + usage["output_tokens"] * price_out) / 1_000_000
    assert usage["cost_usd"] == pytest.approx(expected)
    case = stack.api("GET", f"/v1/admin/tickets/{ticket_id}", headers=ADMIN).body
    assert case["draft"] == made
    assert operator_messages(ticket_id) == []

    again = draft(stack, ticket_id)

    assert again["ticket_usage"]["input_tokens"] == usage["input_tokens"] + again["usage"]["input_tokens"]
    assert again["ticket_usage"]["cost_usd"] == pytest.approx(usage["cost_usd"] + again["usage"]["cost_usd"])


def test_a_key_and_its_pin_the_buyer_quoted_never_reach_the_model(
    stack: Stack, order: dict, standin: tuple[BedrockStandIn, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_in, url = standin
    drafts_on(monkeypatch, url, send_at="off")
    ticket_id = ticket(stack, order, f"My Steam code {CODE} with PIN {PIN} says invalid when I redeem it")

    draft(stack, ticket_id)

    sent = json.dumps(stand_in.received(), ensure_ascii=False)
    assert "says invalid when I redeem it" in sent, "the thread did reach the model"
    for secret in (CODE, CODE.replace("-", ""), "QWER-TYUI", PIN):
        assert secret not in sent


def test_a_sure_grounded_draft_within_the_tone_rules_is_sent_to_the_buyer(
    stack: Stack, order: dict, standin: tuple[BedrockStandIn, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_in, url = standin
    drafts_on(monkeypatch, url)
    ticket_id = handed_to_a_person(stack, order, "How do I redeem a Steam gift card on my account?")
    mails = len(sent_mail())
    stand_in.script("Open Steam, choose Games > Activate a Product on Steam and enter your code.", 0.95)

    made = draft(stack, ticket_id)

    assert made["status"] == "sent"
    [sent] = operator_messages(ticket_id)
    assert "Activate a Product on Steam" in sent
    assert len(sent_mail()) == mails + 1, "emailed to the buyer like an operator's reply"
    assert stack.api("GET", f"/v1/admin/tickets/{ticket_id}", headers=ADMIN).body["claimed_by"] == "alice"


@pytest.mark.parametrize(
    ("reply", "confidence", "violations"),
    [
        (
            "Redeeming is easy, you idiot: Games > Activate a Product on Steam.",
            0.99,
            [{"rule": "prohibited_word", "word": "idiot"}],
        ),
        ("Open Steam, choose Games > Activate a Product on Steam and enter your code.", 0.6, []),
    ],
    ids=["breaks-tone", "unsure"],
)
def test_a_draft_that_breaks_tone_or_is_unsure_waits_for_an_operator(
    stack: Stack,
    order: dict,
    standin: tuple[BedrockStandIn, str],
    monkeypatch: pytest.MonkeyPatch,
    reply: str,
    confidence: float,
    violations: list[dict[str, str]],
) -> None:
    stand_in, url = standin
    drafts_on(monkeypatch, url)
    ticket_id = handed_to_a_person(stack, order, "How do I redeem a Steam gift card on my account?")
    stand_in.script(reply, confidence)

    made = draft(stack, ticket_id)

    assert made["status"] == "draft"
    assert made["text"] == reply
    assert made["tone_violations"] == violations
    assert operator_messages(ticket_id) == []


def test_a_draft_without_a_grounding_article_is_never_sent(
    stack: Stack, order: dict, standin: tuple[BedrockStandIn, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_in, url = standin
    drafts_on(monkeypatch, url)
    ticket_id = ticket(stack, order, "qwxz plok zzzt")
    stand_in.script("A colleague will look into this.", 1.0)

    made = draft(stack, ticket_id)

    assert (made["articles"], made["confidence"], made["status"]) == ([], 0.0, "draft")
    assert "(none matches this ticket)" in stand_in.received()[0]["messages"][0]["content"][0]["text"]
