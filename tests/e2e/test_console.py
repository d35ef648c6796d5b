"""The operator console in headless Chromium (Debian's ``chromium`` package) against ``faka local``.

Each test drives the real pages over HTTP and checks the result through the API as well; screenshots go
to ``build/screenshots/`` as test artifacts. ``make test`` installs the browser (the ``browser`` target).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.e2e.conftest import ADMIN_TOKEN, REPO, LocalFaka
from tests.e2e.test_local_runtime import eventually, place_order

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "build" / "screenshots"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
AGENT = "e2e-console"
# Generous for a 2-core machine shared with the server; a wait, never an assertion about speed.
UI_TIMEOUT_MS = 15_000
expect.set_options(timeout=UI_TIMEOUT_MS)


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless; the storefront's tests launch it too."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium package")
    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium refuses its sandbox.
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser, local_faka: LocalFaka) -> Iterator[Page]:
    context = browser.new_context(base_url=local_faka.api_url, viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(UI_TIMEOUT_MS)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert errors == [], "the console raised in the browser"


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, token: str = ADMIN_TOKEN, shop: str = "main") -> None:
    page.goto("/console/")
    page.fill("input[name=token]", token)
    page.fill("input[name=shop]", shop)
    page.fill("input[name=agent]", AGENT)
    page.click("#sign-in button[type=submit]")
    expect(page.locator("#nav")).to_be_visible()


def delivered_order(local_faka: LocalFaka, email: str | None = None) -> tuple[dict[str, Any], str]:
    """A paid, delivered order of the demo shop and its full key code, as only the buyer sees it."""
    order = place_order(local_faka, email or f"console-{uuid.uuid4().hex[:8]}@example.com")
    assert local_faka.post(f"/_local/pay/{order['order_id']}").status_code == 200
    owner = {"Authorization": f"Bearer {order['access_token']}"}

    def delivered() -> dict[str, Any] | None:
        view: dict[str, Any] = local_faka.get(f"/v1/orders/{order['order_id']}", headers=owner).json()
        return view if view["status"] == "delivered" else None

    [key] = eventually(delivered, "delivery")["keys"]
    return order, key["code"]


def queued_ticket(local_faka: LocalFaka, order: dict[str, Any], message: str) -> str:
    opened = local_faka.post(
        "/v1/tickets",
        json={"order_id": order["order_id"], "access_token": order["access_token"], "message": message},
    )
    assert opened.status_code == 201, opened.text
    ticket_id: str = opened.json()["ticket_id"]
    queue = local_faka.get("/v1/admin/tickets/queue", headers=ADMIN).json()["tickets"]
    assert ticket_id in [t["ticket_id"] for t in queue], "the ticket must wait for a person"
    return ticket_id


def assert_no_full_code(page: Page, code: str) -> None:
    # The DOM (attributes and form values included) and the visible text.
    values = page.eval_on_selector_all("input, textarea", "elements => elements.map(e => e.value).join(' ')")
    assert code not in page.content()
    assert code not in page.inner_text("body")
    assert code not in values


def test_sign_in_rejects_a_wrong_token_and_keeps_the_session_in_the_tab(page: Page) -> None:
    page.goto("/console/")
    page.fill("input[name=token]", "not-the-token")
    page.click("#sign-in button[type=submit]")
    expect(page.locator("#sign-in .error")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0

    sign_in(page)

    stored = json.loads(page.evaluate("sessionStorage.getItem('faka.console.session')"))
    assert stored == {"token": ADMIN_TOKEN, "shop": "main", "agent": AGENT}
    assert page.evaluate("localStorage.getItem('faka.console.session')") is None


def test_dashboard_shows_the_demo_shops_figures_as_live_charts(page: Page, local_faka: LocalFaka) -> None:
    delivered_order(local_faka)
    products = local_faka.get("/v1/admin/products", headers=ADMIN).json()["products"]

    sign_in(page)

    stock = page.locator("#stock-chart svg.chart")
    expect(stock).to_be_visible()
    for product in products:
        expect(stock).to_contain_text(product["sku"])
    expect(page.locator("[data-kpi]")).to_have_count(10)
    # The delivered order is in the activation figures whichever report the deployment has.
    expect(page.locator("[data-kpi=activation_rate] .value")).to_have_text(re.compile(r"^\d+(\.\d+)?%$"))
    assert page.locator("svg.chart").count() >= 3
    # Live: the page reads the reports again by itself.
    expect(page.locator("#dashboard")).to_have_attribute("data-refreshes", re.compile(r"^([2-9]|\d{2,})$"))
    screenshot(page, "dashboard")


def test_an_operator_claims_answers_and_resolves_a_queued_ticket(page: Page, local_faka: LocalFaka) -> None:
    order, code = delivered_order(local_faka)
    ticket_id = queued_ticket(local_faka, order, f"I want to talk to a human about my key {code}")

    sign_in(page)
    page.click("#nav a[href='#/queue']")
    row = page.locator(f"tr[data-id='{ticket_id}']")
    expect(row).to_be_visible()
    row.click()
    expect(page.locator("#thread")).to_contain_text("talk to a human")
    assert_no_full_code(page, code)

    page.click("#claim")
    expect(page.locator("#claim")).to_have_text(f"Claimed by {AGENT}")
    page.select_option("#reply select[name=canned]", "looking_into_it")
    page.click("#reply button[type=submit]")
    expect(page.locator("#thread .msg.operator")).to_contain_text("looking into your case")
    screenshot(page, "ticket-queue")

    case = local_faka.get(f"/v1/admin/tickets/{ticket_id}", headers=ADMIN).json()
    assert case["claimed_by"] == AGENT
    assert [m["author"] for m in case["messages"]][-1] == "operator"

    page.click("#resolve")
    # The row leaving the queue does not prove the resolution landed; the console shows the ticket again once
    # the API has answered, with nothing left to resolve, and the API is asked until it says so (or time is up).
    expect(page.locator("#resolve")).to_be_disabled()
    expect(row).to_have_count(0)

    def resolved() -> bool:
        return bool(local_faka.get(f"/v1/admin/tickets/{ticket_id}", headers=ADMIN).json()["status"] == "resolved")

    eventually(resolved, "the ticket's resolution")


def test_a_key_import_runs_in_chunks_with_progress(page: Page, local_faka: LocalFaka) -> None:
    sku = "steam-50-eu"
    stocked = f"CONSOLE-{uuid.uuid4().hex[:6].upper()}-STOCKED"
    first = local_faka.post(
        f"/v1/admin/products/{sku}/keys", json={"batch": "E2E-STOCKED", "keys": [stocked]}, headers=ADMIN
    )
    assert first.json()["imported"] == 1, first.text
    before = next(p for p in local_faka.get("/v1/admin/products", headers=ADMIN).json()["products"] if p["sku"] == sku)
    fresh = [f"CONSOLE-{uuid.uuid4().hex[:6].upper()}-{n:05d}" for n in range(25)]
    # A code already in stock (the API refuses it) and one twice in the file (the preview skips it): both
    # reports name the line without showing the code.
    keys = [*fresh, stocked, fresh[0]]
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if r.url.endswith(f"/products/{sku}/keys") else None)

    sign_in(page)
    page.click("#nav a[href='#/products']")
    page.select_option("#import select[name=sku]", sku)
    page.fill("#import input[name=batch]", f"E2E-{uuid.uuid4().hex[:6]}")
    page.fill("#import input[name=chunk]", "10")
    page.fill("#import-keys", "\n".join(keys))
    page.click("#preview-import")

    expect(page.locator("#preview-codes")).to_have_text(f"26 codes to import into {sku}")
    expect(page.locator("#preview-duplicates")).to_have_text("1 duplicate in the file (skipped)")
    expect(page.locator("#import-preview")).to_contain_text("line 27 repeats line 1")
    expect(page.locator("#import-keys")).to_have_value("")
    assert requests == [], "a preview sends nothing"
    page.click("#start-import")

    expect(page.locator("#import-status")).to_have_text("Done: 25 of 26 imported, 1 rejected")
    assert page.eval_on_selector("#import-progress", "p => [p.value, p.max]") == [26, 26]
    expect(page.locator("#import-rejected")).to_have_text("line 26: already imported")
    expect(page.locator(f"tr[data-sku='{sku}'] .stock")).to_have_text(str(before["stock"] + 25))
    assert len(requests) == 3
    screenshot(page, "key-import")
    for code in [*fresh, stocked]:
        assert_no_full_code(page, code)


def test_a_refund_in_review_is_decided_in_the_console(page: Page, local_faka: LocalFaka) -> None:
    order, _ = delivered_order(local_faka)
    activated = local_faka.post(
        f"/v1/admin/orders/{order['order_id']}/activation", json={"status": "activated"}, headers=ADMIN
    )
    assert activated.status_code == 200, activated.text
    owner = {"Authorization": f"Bearer {order['access_token']}"}
    asked = local_faka.post(f"/v1/orders/{order['order_id']}/refund", json={"reason": "changed my mind"}, headers=owner)
    refund_id = asked.json()["refund_id"]

    def in_review() -> bool:
        refunds = local_faka.get(f"/v1/orders/{order['order_id']}/refunds", headers=owner).json()["refunds"]
        return bool(refunds[0]["status"] == "in_review")

    eventually(in_review, "the review")

    sign_in(page)
    page.goto("/console/#/refunds")
    page.click(f"#refund-list a[href='#/refunds/{refund_id}']")
    expect(page.locator("[data-field=status]")).to_have_text("in review")
    expect(page.locator("[data-field=rules]")).not_to_have_text("—")
    page.fill("#decision textarea[name=reason]", "The key was activated before the refund was asked for.")
    page.click("#decision button[value=reject]")
    expect(page.locator("[data-field=status]")).to_have_text("rejected")
    screenshot(page, "refund-approval")

    decided = local_faka.get(f"/v1/admin/refunds/{refund_id}", headers=ADMIN).json()
    assert decided["status"] == "rejected"
    assert decided["decision_reason"] == "The key was activated before the refund was asked for."


def test_batch_health_page_suspends_and_resumes_a_batch(page: Page, local_faka: LocalFaka) -> None:
    sign_in(page)
    page.click("#nav a[href='#/batches']")
    expect(page.locator("#batch-report > *").first).to_be_visible()
    page.fill("#batch-status input[name=sku]", "psn-50-hk")
    page.fill("#batch-status input[name=batch]", "DEMO-1")
    page.select_option("#batch-status select[name=status]", "suspended")
    page.click("#batch-status button[type=submit]")
    expect(page.locator("#batch-status ~ div .ok")).to_contain_text("DEMO-1 is now suspended")
    screenshot(page, "batch-health")
    page.select_option("#batch-status select[name=status]", "active")
    page.click("#batch-status button[type=submit]")
    expect(page.locator("#batch-status ~ div .ok")).to_contain_text("active")


def test_the_console_switches_to_chinese(page: Page) -> None:
    sign_in(page)
    page.select_option("#lang", "zh-CN")

    expect(page.locator("#nav a[href='#/dashboard']")).to_have_text("仪表盘")
    expect(page.locator("[data-kpi=activation_rate] .label")).to_have_text("激活率")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    screenshot(page, "dashboard-zh-CN")
    page.reload()
    expect(page.locator("#nav a[href='#/queue']")).to_have_text("工单队列")
    page.select_option("#lang", "en")
    expect(page.locator("#nav a[href='#/queue']")).to_have_text("Ticket queue")


def test_the_canned_reply_ids_are_the_rules_ones() -> None:
    rules = json.loads((REPO / "layers/faka/rules/canned_replies.json").read_text(encoding="utf-8"))["replies"]
    source = (REPO / "console/js/pages/queue.js").read_text(encoding="utf-8")
    listed = re.search(r"CANNED_REPLIES = \[(.*?)\];", source)
    assert listed
    assert re.findall(r'"([a-z_]+)"', listed.group(1)) == list(rules)


def test_both_dictionaries_name_the_same_strings() -> None:
    english = json.loads((REPO / "console/i18n/en.json").read_text(encoding="utf-8"))
    chinese = json.loads((REPO / "console/i18n/zh-CN.json").read_text(encoding="utf-8"))
    assert english.keys() == chinese.keys()
    assert all(chinese.values())


def test_on_aws_operators_sign_in_with_their_account_and_authenticator_code(page: Page) -> None:
    """The console's Cognito sign-in (password, then the TOTP challenge) against a stand-in for the user pool,
    which answers with a token the local API takes: the admin token. The stand-in is on the console's own
    origin (config ``endpoint``), which the local CSP allows; on AWS the CSP names the region's endpoint."""
    cognito = {"region": "eu-west-1", "userPoolId": "eu-west-1_pool", "clientId": "console-client"}
    cognito["endpoint"] = "/_cognito/"
    asked: list[dict[str, Any]] = []

    def user_pool(route: Any) -> None:
        request = route.request
        body = json.loads(request.post_data or "{}")
        asked.append({"action": request.headers["x-amz-target"].rsplit(".", 1)[1], **body})
        if asked[-1]["action"] == "InitiateAuth":
            answer: dict[str, Any] = {"ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": "session-1"}
        else:
            answer = {"AuthenticationResult": {"AccessToken": ADMIN_TOKEN, "ExpiresIn": 3600}}
        route.fulfill(status=200, content_type="application/x-amz-json-1.1", body=json.dumps(answer))

    page.route("**/console/config.json", lambda route: route.fulfill(json={"apiUrl": "", "cognito": cognito}))
    page.route("**/_cognito/", user_pool)

    page.goto("/console/")
    expect(page.locator("input[name=token]")).to_have_count(0)
    page.fill("input[name=username]", "mei@example.com")
    page.fill("input[name=password]", "Correct-Horse-9-Battery")
    page.fill("input[name=code]", "123456")
    page.fill("input[name=agent]", AGENT)
    page.click("#sign-in button[type=submit]")

    expect(page.locator("#nav")).to_be_visible()
    assert [(a["action"], a["ClientId"]) for a in asked] == [
        ("InitiateAuth", "console-client"),
        ("RespondToAuthChallenge", "console-client"),
    ]
    assert asked[0]["AuthParameters"] == {"USERNAME": "mei@example.com", "PASSWORD": "Correct-Horse-9-Battery"}
    assert asked[1]["ChallengeResponses"] == {"USERNAME": "mei@example.com", "SOFTWARE_TOKEN_MFA_CODE": "123456"}
    assert asked[1]["Session"] == "session-1"
    screenshot(page, "sign-in-cognito")
