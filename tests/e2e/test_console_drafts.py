"""The ticket view's reply draft at phone width (390 px), in English and in Chinese, against ``faka local``.

``faka local`` runs with reply drafts off (the default), so asking for one shows that they are off; the draft an
operator copies into the reply box is the one the API would answer with drafts on, put into the ticket's case by
the browser (``page.route``): the console's side of it, without a second stack."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Route, expect

from tests.e2e.conftest import LocalFaka
from tests.e2e.test_console import ADMIN, delivered_order, queued_ticket, screenshot, sign_in
from tests.e2e.test_console_operations import assert_fits_the_phone, browser, lang, phone, texts

pytestmark = pytest.mark.e2e
__all__ = ["browser", "lang", "phone"]  # fixtures this module uses

DRAFT_TEXT = "Sorry for the trouble: we have checked your key and sent a replacement to your order page."


def with_a_draft(ticket_id: str) -> dict[str, object]:
    return {
        "ticket_id": ticket_id,
        "text": DRAFT_TEXT,
        "confidence": 0.72,
        "status": "draft",
        "articles": [{"id": "where-is-my-key", "title": "Where to find your key"}],
        "tone_violations": [],
        "model_id": "amazon.nova-lite-v1:0",
        "usage": {"input_tokens": 900, "output_tokens": 60, "cost_usd": 0.0001},
        "ticket_usage": {"input_tokens": 900, "output_tokens": 60, "cost_usd": 0.0001},
        "created_by": "e2e",
        "created_at": "2026-12-06T18:00:00+00:00",
    }


def test_an_operator_copies_the_draft_into_the_reply_and_is_told_drafts_are_off(
    phone: Page, local_faka: LocalFaka, lang: str
) -> None:
    say = texts(lang)
    order, _ = delivered_order(local_faka)
    ticket_id = queued_ticket(local_faka, order, "I want to talk to a human about my key, it does not redeem")

    def case_with_a_draft(route: Route) -> None:
        if route.request.method != "GET":
            route.continue_()
            return
        answer = route.fetch()
        route.fulfill(response=answer, json={**answer.json(), "draft": with_a_draft(ticket_id)})

    phone.route(f"**/v1/admin/tickets/{ticket_id}", case_with_a_draft)
    sign_in(phone)
    phone.goto(f"/console/#/queue/{ticket_id}")

    expect(phone.locator("#draft-text")).to_have_text(DRAFT_TEXT)
    expect(phone.locator("#draft")).to_contain_text(say("queue.draft_draft", confidence=72))
    phone.click("#use-draft")
    expect(phone.locator("#reply textarea[name=message]")).to_have_value(DRAFT_TEXT)
    expect(phone.locator("#reply select[name=canned]")).to_have_value("")

    phone.click("#ask-draft")
    expect(phone.locator("#drafts-off")).to_have_text(say("queue.drafts_off"))
    expect(phone.locator("#ask-draft")).to_have_count(0)
    assert_fits_the_phone(phone)
    screenshot(phone, f"console-draft-{lang}")
    # The real API answered the request for a draft: off, as faka local runs by default.
    asked = local_faka.post(f"/v1/admin/tickets/{ticket_id}/draft", json={"agent": "e2e"}, headers=ADMIN)
    assert (asked.status_code, asked.json()["code"]) == (404, "reply_drafts_off")
