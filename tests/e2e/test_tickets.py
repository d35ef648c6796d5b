"""Tickets over HTTP on `faka local`: the API in three languages, a chat turn, and an email."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.e2e.conftest import ADMIN_TOKEN, LocalFaka
from tests.e2e.test_local_runtime import eventually, place_order

pytestmark = pytest.mark.e2e

SAMPLE_EMAIL = Path(__file__).resolve().parents[2] / "events" / "samples" / "inbound_email.eml"


@pytest.mark.parametrize(
    ("message", "intent", "reply_word"),
    [
        ("我的卡密无效，兑换码用不了", "invalid_key", "卡密"),
        ("I paid an hour ago and never received my code", "not_received", "received"),
        ("Quiero un reembolso, ya no lo necesito", "refund_request", "reembolso"),
    ],
    ids=["zh", "en", "es"],
)
def test_a_ticket_is_classified_and_answered_in_its_language(
    local_faka: LocalFaka, message: str, intent: str, reply_word: str
) -> None:
    email = f"ticket-{uuid.uuid4().hex[:8]}@example.com"
    order = place_order(local_faka, email)
    response = local_faka.post(
        "/v1/tickets", json={"order_id": order["order_id"], "access_token": order["access_token"], "message": message}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["intent"] == intent
    assert reply_word in body["reply"]
    thread = local_faka.get(
        f"/v1/tickets/{body['ticket_id']}", headers={"Authorization": f"Bearer {body['ticket_token']}"}
    )
    assert [m["author"] for m in thread.json()["messages"]] == ["buyer", "assistant"]


def test_a_chat_turn_keeps_the_conversation(local_faka: LocalFaka) -> None:
    opened = local_faka.post("/v1/tickets", json={"email": "chat@example.com", "message": "hmm"}).json()
    token = {"Authorization": f"Bearer {opened['ticket_token']}"}
    turn = local_faka.post(
        f"/v1/tickets/{opened['ticket_id']}/messages", json={"message": "my code is invalid"}, headers=token
    )
    assert turn.status_code == 200, turn.text
    assert turn.json()["intent"] == "invalid_key"
    messages = local_faka.get(f"/v1/tickets/{opened['ticket_id']}", headers=token).json()["messages"]
    assert len(messages) == 4


def test_an_email_to_support_is_answered_by_email(local_faka: LocalFaka) -> None:
    stored = local_faka.post("/_local/inbound-email", data=SAMPLE_EMAIL.read_bytes())
    assert stored.status_code == 202, stored.text

    def answer() -> dict | None:
        messages = local_faka.get("/_local/outbox").json()["messages"]
        return next((m for m in messages if m["to"] == "zhang.san@example.com" and "[#T-" in m["subject"]), None)

    reply = eventually(answer, "the emailed answer")
    assert "卡密无法使用" in reply["text"]


@pytest.mark.parametrize(
    ("question", "locale", "article", "reply_word"),
    [
        ("卡密在哪查看？", "zh-CN", "find-key", "订单"),
        ("你們支援支付寶嗎？", "zh-TW", "payment-methods", "支付寶"),
        ("How do I redeem a PSN card?", "en", "redeem-playstation", "PlayStation"),
        ("¿Cuánto tarda la entrega después de pagar?", "es", "delivery-time", "minuto"),
    ],
    ids=["zh-CN", "zh-TW", "en", "es"],
)
def test_a_question_with_no_order_is_answered_from_an_article(
    local_faka: LocalFaka, question: str, locale: str, article: str, reply_word: str
) -> None:
    asked = local_faka.post("/v1/tickets", json={"email": "faq@example.com", "message": question, "locale": locale})

    assert asked.status_code == 201, asked.text
    body = asked.json()
    assert (body["outcome"], body["article"]["id"]) == ("answered_from_knowledge_base", article)
    assert body["article"]["title"] in body["reply"]
    assert reply_word in body["reply"]


def test_an_operators_article_answers_and_a_no_after_the_next_article_hands_off(local_faka: LocalFaka) -> None:
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    own = {
        "title": "Do you ship gift wrapping?",
        "body": "Keys are digital: there is nothing to wrap.",
        "questions": [],
    }
    written = local_faka.http.put(
        f"{local_faka.api_url}/v1/admin/knowledge/articles/gift-wrap/en", json=own, headers=admin, timeout=30
    )
    assert written.status_code == 200, written.text

    asked = local_faka.post("/v1/tickets", json={"email": "wrap@example.com", "message": "can you gift wrap it?"})
    body = asked.json()
    first_no, second_no = (
        local_faka.post(
            f"/v1/tickets/{body['ticket_id']}/messages",
            json={"message": "no, that did not help"},
            headers={"Authorization": f"Bearer {body['ticket_token']}"},
        ).json()
        for _ in range(2)
    )

    assert body["article"] == {"id": "gift-wrap", "title": own["title"]}
    # The next closest article is offered once; a second no is a person's.
    assert first_no["outcome"] == "answered_from_knowledge_base"
    assert first_no["article"]["id"] != "gift-wrap"
    assert second_no["status"] == "waiting_for_agent"
