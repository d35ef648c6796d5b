"""The console's knowledge and tone page against ``faka local``: an operator writes an article, tries a question
with it, corrects a ticket's intent and adds a prohibited word."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LocalFaka
from tests.e2e.test_console import ADMIN, browser, page, screenshot, sign_in

pytestmark = pytest.mark.e2e
__all__ = ["browser", "page"]  # fixtures this module uses


def test_an_operator_writes_an_article_tries_it_and_corrects_a_ticket(page: Page, local_faka: LocalFaka) -> None:
    article_id = f"e2e-{uuid.uuid4().hex[:8]}"
    # Corrections apply to the shop's later messages worded alike, and the local runtime is shared by every e2e
    # test: the corrected message must be worded like no other test's.
    message = f"quokka lantern zebra {article_id}"
    opened = local_faka.post("/v1/tickets", json={"email": "kb@example.com", "message": message})
    ticket_id = opened.json()["ticket_id"]
    sign_in(page)
    page.goto("/console/#/knowledge")
    expect(page.locator("#knowledge-list")).to_contain_text("payment-methods")
    page.select_option("#knowledge-locale", "en")

    page.fill("#article-editor input[name=id]", article_id)
    page.select_option("#article-editor select[name=locale]", "en")
    page.fill("#article-editor input[name=title]", "Do you sell to Antarctica?")
    page.fill("#article-editor textarea[name=body]", "Yes: keys are digital and delivered by email anywhere.")
    page.fill("#article-editor textarea[name=questions]", "do you ship to antarctica\ncan penguins buy keys")
    page.click("#article-editor button[type=submit]")
    expect(page.locator(f"#knowledge-list tr[data-id='{article_id}']")).to_contain_text("This shop")

    page.fill("#knowledge-try input[name=question]", "Can I buy keys from Antarctica?")
    page.click("#knowledge-try button[type=submit]")
    expect(page.locator("#knowledge-try .result")).to_contain_text("Do you sell to Antarctica?")

    page.fill("#intent-correction input[name=ticket]", ticket_id)
    page.select_option("#intent-correction select[name=intent]", "account_security")
    page.click("#intent-correction button[type=submit]")
    expect(page.locator("#intent-correction .result")).to_contain_text("Account security")

    page.fill("#tone-rules textarea[name=prohibited]", "penguin")
    page.click("#tone-rules button[type=submit]")
    expect(page.locator("#knowledge-status")).to_have_text("Saved.")
    screenshot(page, "console-knowledge")

    tone = local_faka.get("/v1/admin/tone", headers=ADMIN).json()
    assert tone["shop"]["prohibited"] == ["penguin"]
    case = local_faka.get(f"/v1/admin/tickets/{ticket_id}", headers=ADMIN).json()
    assert case["intent"] == "account_security"
    reset = local_faka.http.put(f"{local_faka.api_url}/v1/admin/tone", json={}, headers=ADMIN, timeout=30)
    assert reset.status_code == 200
