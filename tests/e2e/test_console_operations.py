"""An operator's day in the console at phone width (390 px), in English and in Chinese, against ``faka local``.

Products are created and edited, a supplier's ``code,pin`` CSV is imported, an order is found by the buyer's
email, opened and exported, a held order is released; the platform operator opens a shop, sets its refund
policy and subscribes a webhook; the ticket queue's "mine" filter and search. Every step is checked through
the API too; screenshots go to ``build/screenshots/``.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.e2e.conftest import REPO, LocalFaka
from tests.e2e.test_console import (
    ADMIN,
    AGENT,
    UI_TIMEOUT_MS,
    assert_no_full_code,
    chromium,
    delivered_order,
    queued_ticket,
    screenshot,
    sign_in,
)
from tests.e2e.test_local_runtime import eventually, place_order

pytestmark = pytest.mark.e2e

PHONE: ViewportSize = {"width": 390, "height": 844}
LANGUAGES = ["en", "zh-CN"]
DICTIONARIES = {
    lang: json.loads((REPO / f"console/i18n/{lang}.json").read_text(encoding="utf-8")) for lang in LANGUAGES
}
Text = Callable[..., str]


def texts(lang: str) -> Text:
    """The console's t() and plural() for one language: ``say("key", n=3, sku=...)``."""
    strings = DICTIONARIES[lang]

    def say(key: str, **values: Any) -> str:
        if f"{key}.other" in strings:
            key = f"{key}.one" if lang == "en" and values.get("n") == 1 else f"{key}.other"
        template = strings[key]
        for name, value in values.items():
            template = template.replace("{" + name + "}", str(value))
        return template

    return say


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture(params=LANGUAGES)
def lang(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def phone(browser: Browser, local_faka: LocalFaka, lang: str) -> Iterator[Page]:
    """A phone-sized page whose browser speaks ``lang``: the console picks its language from the browser."""
    context = browser.new_context(base_url=local_faka.api_url, viewport=PHONE, locale=lang, has_touch=True)
    context.set_default_timeout(UI_TIMEOUT_MS)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert errors == [], "the console raised in the browser"


def go(page: Page, name: str) -> None:
    page.click(f"#nav a[href='#/{name}']")
    expect(page.locator(f"#nav a.active[href='#/{name}']")).to_be_visible()


def assert_fits_the_phone(page: Page) -> None:
    """Nothing wider than the screen: wide tables scroll inside their own box, never the page."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"


def test_csv_files_are_read_as_rfc_4180(phone: Page, lang: str) -> None:
    """Quotes, commas and line breaks inside fields, a BOM, CRLF; the code column by its header or the first."""
    sign_in(phone)

    def plan(text: str) -> dict[str, Any]:
        answer: dict[str, Any] = phone.evaluate(
            "async (text) => { const csv = await import('/console/js/csv.js'); return csv.planImport(text); }", text
        )
        return answer

    quoted = plan('\ufeffserial,Code,expiry\r\n1,"AB,CD-1234",2027-01\r\n2,"say ""hi""-5678",\r\n3,"two\nlines",x\r\n')
    assert [(c["code"], c["line"]) for c in quoted["codes"]] == [("AB,CD-1234", 2), ('say "hi"-5678', 3), ("two", 4)]
    assert quoted["codeColumn"] == 1
    assert quoted["extraColumns"] == ["serial", "expiry"]
    # The other columns are the key's parts, and so are a multi-line card's further lines: one key, never several.
    assert quoted["codes"][0]["parts"] == [{"name": "serial", "value": "1"}, {"name": "expiry", "value": "2027-01"}]
    assert quoted["codes"][2]["parts"] == [
        {"name": "", "value": "lines"},
        {"name": "serial", "value": "3"},
        {"name": "expiry", "value": "x"},
    ]
    assert quoted["rejected"] == []
    accounts = plan("player-1----pass-1\nplayer-2----pass-2\n")
    assert [(c["code"], c["parts"]) for c in accounts["codes"]] == [
        ("player-1", [{"name": "", "value": "pass-1"}]),
        ("player-2", [{"name": "", "value": "pass-2"}]),
    ]
    assert accounts["withParts"] == 2

    bare = plan("K-0001\nk 0001\n\nK-0002\n,pin-only\n")
    assert bare["header"] is None
    assert [c["code"] for c in bare["codes"]] == ["K-0001", "K-0002"]
    assert bare["duplicates"] == [{"line": 2, "first": 1}]
    assert bare["rejected"] == [{"line": 5, "reason": "empty"}]
    assert bare["extraColumns"] == ["#2"]

    unclosed = phone.evaluate(
        """async () => {
             const csv = await import('/console/js/csv.js');
             try { csv.planImport('code\\nA\\n"B,\\nC'); return null; } catch (e) { return [e.name, e.line]; }
           }"""
    )
    assert unclosed == ["CsvError", 3]

    # A supplier's large file: read whole, every line a code (the import then sends it 10,000 at most a request).
    large = phone.evaluate(
        """async () => {
             const csv = await import('/console/js/csv.js');
             const lines = Array.from({ length: 150000 }, (_, n) => `BIG-${n}-KEY,${n % 10000}`);
             const plan = csv.planImport(['code,pin', ...lines].join('\\n'));
             return [plan.codes.length, plan.codes.at(-1).line, plan.extraColumns];
           }"""
    )
    assert large == [150000, 150001, ["pin"]]


def test_an_operator_creates_a_product_and_imports_a_code_pin_csv_at_phone_width(
    phone: Page, local_faka: LocalFaka, lang: str, tmp_path: Path
) -> None:
    say = texts(lang)
    sku = f"phone-{lang.lower()}-{uuid.uuid4().hex[:6]}"
    codes = [f"PHONE-{uuid.uuid4().hex[:4].upper()}-{uuid.uuid4().hex[:4].upper()}-{n}" for n in range(3)]
    supplier_csv = tmp_path / "supplier.csv"
    supplier_csv.write_text(f'code,pin\r\n{codes[0]},1234\r\n"{codes[1]}","5678"\r\n{codes[2]},9012\r\n')

    sign_in(phone)
    go(phone, "products")
    form = phone.locator("#product-form")
    form.locator("[name=sku]").fill(sku)
    form.locator("[name=name]").fill("Phone test card")
    form.locator("[name=currency]").fill("usd")
    form.locator("[name=price]").fill("7.50")
    form.locator("[name=region]").fill("US")
    form.locator("[name=platform]").select_option("steam")
    form.locator("button[type=submit]").click()
    expect(phone.locator("#product-message")).to_have_text(say("products.created", sku=sku))
    row = phone.locator(f"#catalog tr[data-sku='{sku}']")
    expect(row.locator(".stock")).to_have_text("0")

    row.locator("button.edit").click()
    expect(form.locator("[name=price]")).to_have_value("7.50")
    form.locator("[name=name]").fill("Phone test card, renamed")
    form.locator("[name=price]").fill("8")
    form.locator("button[type=submit]").click()
    expect(phone.locator("#product-message")).to_have_text(say("products.updated", sku=sku))
    products = {p["sku"]: p for p in local_faka.get("/v1/admin/products", headers=ADMIN).json()["products"]}
    edited = products[sku]
    assert (edited["name"], edited["price"], edited["currency"]) == ("Phone test card, renamed", 800, "usd")

    importer = phone.locator("#import")
    importer.locator("select[name=sku]").select_option(sku)
    importer.locator("input[name=batch]").fill("SUPPLIER-1")
    importer.locator("input[type=file]").set_input_files(supplier_csv)
    phone.click("#preview-import")
    expect(phone.locator("#preview-codes")).to_have_text(say("products.preview_codes", n=3, sku=sku))
    expect(phone.locator("#preview-extra")).to_have_text(say("products.preview_extra", columns="pin"))
    expect(phone.locator("#preview-duplicates")).to_have_attribute("data-count", "0")
    expect(phone.locator("#preview-rejected")).to_have_attribute("data-count", "0")
    screenshot(phone, f"phone-import-preview-{lang}")
    assert_fits_the_phone(phone)
    phone.click("#start-import")

    expect(phone.locator("#import-status")).to_have_text(say("products.done", total=3, imported=3, rejected=0))
    expect(row.locator(".stock")).to_have_text("3")
    products = {p["sku"]: p for p in local_faka.get("/v1/admin/products", headers=ADMIN).json()["products"]}
    assert products[sku]["stock"] == 3, "the PINs and the header are not codes"
    for code in codes:
        assert_no_full_code(phone, code)
    screenshot(phone, f"phone-products-{lang}")
    assert_fits_the_phone(phone)


def test_an_operator_delists_a_product_and_lists_it_again_at_phone_width(
    phone: Page, local_faka: LocalFaka, lang: str
) -> None:
    say = texts(lang)
    sku = f"delist-{lang.lower()}-{uuid.uuid4().hex[:6]}"
    product = {"sku": sku, "name": "Delist test", "price": 500, "currency": "usd", "region": "US", "platform": "steam"}
    assert local_faka.post("/v1/admin/products", json=product, headers=ADMIN).status_code == 201

    def on_storefront() -> bool:
        return sku in {p["sku"] for p in local_faka.get("/v1/products").json()["products"]}

    sign_in(phone)
    go(phone, "products")
    row = phone.locator(f"#catalog tr[data-sku='{sku}']")
    expect(row.locator(".listing")).to_have_text(say("products.on_sale"))
    row.locator("button.delist").click()
    expect(phone.locator("#listing-message")).to_have_text(say("products.delisted_done", sku=sku))
    expect(row.locator(".listing")).to_have_text(say("products.delisted"))
    assert not on_storefront()
    assert_fits_the_phone(phone)

    row.locator("button.relist").click()
    expect(phone.locator("#listing-message")).to_have_text(say("products.relisted", sku=sku))
    expect(row.locator(".listing")).to_have_text(say("products.on_sale"))
    assert on_storefront()


def test_an_operator_finds_an_order_by_email_exports_it_and_releases_a_held_one_at_phone_width(
    phone: Page, local_faka: LocalFaka, lang: str
) -> None:
    say = texts(lang)
    email = f"phone-{uuid.uuid4().hex[:8]}@example.com"
    order, code = delivered_order(local_faka, email)
    # A disposable address is on the checkout blacklist: paid, then held for a person.
    held = place_order(local_faka, f"phone-{uuid.uuid4().hex[:8]}@mailinator.com")
    assert local_faka.post(f"/_local/pay/{held['order_id']}").status_code == 200

    def on_hold() -> bool:
        view = local_faka.get(f"/v1/admin/orders/{held['order_id']}", headers=ADMIN).json()
        return bool(view["status"] == "on_hold")

    eventually(on_hold, "the hold")

    sign_in(phone)
    go(phone, "orders")
    search = phone.locator("#order-search")
    search.locator("[name=email]").fill(email)
    search.locator("button[type=submit]").click()
    expect(phone.locator("#order-count")).to_have_text(say("orders.count", n=1))
    found = phone.locator(f"#order-results tr[data-order='{order['order_id']}']")
    expect(found).to_contain_text(say("order_status.delivered"))
    screenshot(phone, f"phone-orders-{lang}")
    assert_fits_the_phone(phone)

    with phone.expect_download() as downloading:
        phone.click("#export-orders")
    exported = Path(downloading.value.path()).read_text(encoding="utf-8").splitlines()
    assert exported[0].startswith("order_id,created_at,status,sku")
    assert [line.split(",")[0] for line in exported[1:]] == [order["order_id"]]

    found.locator("a.order-link").click()
    expect(phone.locator("[data-field=status]")).to_have_text(say("order_status.delivered"))
    expect(phone.locator("#order-keys li")).to_have_count(1)
    assert_no_full_code(phone, code)
    screenshot(phone, f"phone-order-detail-{lang}")
    assert_fits_the_phone(phone)

    go(phone, "held")
    held_row = phone.locator(f"#order-results tr[data-order='{held['order_id']}']")
    expect(held_row).to_contain_text(say("order_status.on_hold"))
    held_row.locator("a.order-link").click()
    expect(phone.locator("[data-field=status]")).to_have_text(say("order_status.on_hold"))
    phone.click("#release-order")
    expect(phone.locator("#order-message .ok")).to_contain_text(held["order_id"])
    expect(phone.locator("#release-order")).to_have_count(0)
    screenshot(phone, f"phone-released-{lang}")

    def delivered() -> bool:
        view = local_faka.get(f"/v1/admin/orders/{held['order_id']}", headers=ADMIN).json()
        return bool(view["status"] == "delivered")

    eventually(delivered, "the released order's delivery")


@pytest.mark.parametrize("lang", ["en"])
def test_the_platform_operator_opens_a_shop_sets_its_refund_policy_and_subscribes_a_webhook(
    phone: Page, local_faka: LocalFaka, lang: str
) -> None:
    say = texts(lang)
    shop = f"phone-{uuid.uuid4().hex[:6]}"
    sign_in(phone)
    go(phone, "shops")
    opening = phone.locator("#open-shop")
    opening.locator("[name=shop_id]").fill(shop)
    opening.locator("[name=name]").fill("Phone Shop")
    opening.locator("[name=support_email]").fill("support@example.com")
    opening.locator("button[type=submit]").click()
    token = phone.locator("#shop-token input")
    expect(token).not_to_have_value("")
    shop_token = token.input_value()
    shop_auth = {"Authorization": f"Bearer {shop_token}", "X-Faka-Shop": shop}
    assert local_faka.get("/v1/admin/products", headers=shop_auth).status_code == 200, "the token shown is the shop's"

    phone.locator(f"#shop-list tr[data-shop='{shop}'] button.operate").click()
    expect(phone.locator("#who")).to_have_text(say("who", agent=AGENT, shop=shop))

    go(phone, "policy")
    policy = phone.locator("#policy-form")
    expect(policy.locator(".limit").first).to_be_visible()
    policy.locator("[name=sla_hours]").fill("12")
    policy.locator("[name=sla_policy]").select_option("escalate")
    policy.locator("button[type=submit]").click()
    expect(phone.locator("#policy-message")).to_have_text(say("policy.saved"))
    saved = local_faka.get("/v1/admin/refund-policy", headers={**ADMIN, "X-Faka-Shop": shop}).json()
    assert (saved["review_sla_seconds"], saved["sla_policy"]) == (12 * 3600, "escalate")
    screenshot(phone, f"phone-policy-{lang}")
    assert_fits_the_phone(phone)

    go(phone, "webhooks")
    sink = f"{local_faka.api_url}/_local/webhook-sink"
    phone.locator("#subscribe [name=url]").fill(sink)
    phone.locator("#subscribe button[type=submit]").click()
    expect(phone.locator("#webhook-secret input")).not_to_have_value("")
    [hook] = local_faka.get("/v1/admin/webhooks", headers=shop_auth).json()["webhooks"]
    assert hook["url"] == sink
    assert "order.paid" in hook["events"]
    row = phone.locator(f"#webhook-list tr[data-webhook='{hook['webhook_id']}']")
    row.get_by_role("button", name=say("webhooks.deliveries")).click()
    expect(phone.locator("#webhook-deliveries")).to_contain_text(say("webhooks.no_deliveries"))
    screenshot(phone, f"phone-webhooks-{lang}")
    assert_fits_the_phone(phone)
    phone.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name=say("webhooks.delete")).click()
    expect(row).to_have_count(0)
    assert local_faka.get("/v1/admin/webhooks", headers=shop_auth).json()["webhooks"] == []


@pytest.mark.parametrize("lang", ["zh-CN"])
def test_the_ticket_queue_filters_to_mine_and_searches(phone: Page, local_faka: LocalFaka, lang: str) -> None:
    mine_order, _ = delivered_order(local_faka)
    other_order, _ = delivered_order(local_faka)
    mine = queued_ticket(local_faka, mine_order, "I want to talk to a human about my order")
    other = queued_ticket(local_faka, other_order, "I want to talk to a human please")
    claimed = local_faka.post(f"/v1/admin/tickets/{mine}/claim", json={"agent": AGENT}, headers=ADMIN)
    assert claimed.status_code == 200, claimed.text

    sign_in(phone)
    go(phone, "queue")
    rows = phone.locator("#queue-list tr[data-id]")
    expect(phone.locator(f"#queue-list tr[data-id='{other}']")).to_be_visible()
    phone.locator("#queue-filter [name=mine]").check()
    expect(phone.locator(f"#queue-list tr[data-id='{mine}']")).to_be_visible()
    expect(phone.locator(f"#queue-list tr[data-id='{other}']")).to_have_count(0)
    assert all(claimed_by == AGENT for claimed_by in rows.evaluate_all("rows => rows.map(r => r.cells[6].textContent)"))

    phone.locator("#queue-filter [name=mine]").uncheck()
    phone.locator("#queue-filter [name=q]").fill(other_order["order_id"][-10:].lower())
    expect(phone.locator(f"#queue-list tr[data-id='{mine}']")).to_have_count(0)
    expect(phone.locator(f"#queue-list tr[data-id='{other}']")).to_be_visible()
    # Every row found is one of that order's tickets: on a busy machine its last activation reminder (180 s after
    # delivery in faka local) may have handed the order to a person too, in a ticket of its own.
    queue = local_faka.get("/v1/admin/tickets/queue", headers=ADMIN).json()["tickets"]
    order_of = {ticket["ticket_id"]: ticket.get("order_id") for ticket in queue}
    found = rows.evaluate_all("rows => rows.map(r => r.dataset.id)")
    assert {order_of.get(ticket_id) for ticket_id in found} == {other_order["order_id"]}
    screenshot(phone, f"phone-queue-{lang}")
    assert_fits_the_phone(phone)


@pytest.mark.parametrize("lang", ["en"])
def test_orders_come_a_page_at_a_time_with_more(phone: Page, local_faka: LocalFaka, lang: str) -> None:
    """The console asks 50 at a time; here the request is rewritten to 1 a page, so two orders take two pages."""
    say = texts(lang)
    email = f"pages-{uuid.uuid4().hex[:8]}@example.com"
    older, newer = place_order(local_faka, email), place_order(local_faka, email)
    asked: list[str] = []

    def one_per_page(route: Any) -> None:
        asked.append(route.request.url)
        route.continue_(url=route.request.url.replace("limit=50", "limit=1"))

    phone.route("**/v1/admin/orders?*", one_per_page)
    sign_in(phone)
    go(phone, "orders")
    phone.locator("#order-search [name=email]").fill(email)
    phone.locator("#order-search button[type=submit]").click()
    expect(phone.locator("#order-count")).to_have_text(say("orders.count_more", n=1))
    expect(phone.locator("#order-results tr[data-order]")).to_have_count(1)
    phone.click("#more-orders")
    expect(phone.locator("#order-count")).to_have_text(say("orders.count", n=2))
    rows = phone.locator("#order-results tr[data-order]")
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.order)") == [newer["order_id"], older["order_id"]]
    expect(phone.locator("#more-orders")).to_be_hidden()
    assert "cursor=" in asked[-1]


@pytest.mark.parametrize("lang", ["zh-CN"])
def test_a_held_order_is_cancelled_with_a_reason_and_its_evidence_downloaded(
    phone: Page, local_faka: LocalFaka, lang: str
) -> None:
    say = texts(lang)
    held = place_order(local_faka, f"cancel-{uuid.uuid4().hex[:8]}@mailinator.com")
    assert local_faka.post(f"/_local/pay/{held['order_id']}").status_code == 200

    def status() -> str:
        return str(local_faka.get(f"/v1/admin/orders/{held['order_id']}", headers=ADMIN).json()["status"])

    eventually(lambda: status() == "on_hold", "the hold")

    sign_in(phone)
    phone.goto(f"/console/#/orders/{held['order_id']}")
    expect(phone.locator("[data-field=flag_reason]")).not_to_have_text("—")
    with phone.expect_download() as downloading:
        phone.click("#evidence")
    evidence = json.loads(Path(downloading.value.path()).read_text(encoding="utf-8"))
    assert evidence["order"]["order_id"] == held["order_id"]

    phone.fill("#cancel-order textarea[name=reason]", "A disposable address bought a key: refunded instead.")
    phone.click("#cancel-order button[type=submit]")
    cancelled = re.escape(say("orders.cancelled", refund="REFUND")).replace("REFUND", r"\w+")
    expect(phone.locator("#order-message .ok")).to_have_text(re.compile(f"^{cancelled}$"))
    expect(phone.locator("#cancel-order")).to_have_count(0)
    assert status() in {"refund_pending", "refunded"}
    screenshot(phone, f"phone-cancelled-{lang}")
    assert_fits_the_phone(phone)


@pytest.mark.parametrize("lang", ["en"])
def test_a_shop_operator_is_told_the_policy_is_the_platforms_and_stays_signed_in(
    phone: Page, local_faka: LocalFaka, lang: str
) -> None:
    say = texts(lang)
    shop = f"own-{uuid.uuid4().hex[:6]}"
    opened = local_faka.post(
        "/v1/admin/shops", json={"shop_id": shop, "name": "Own", "support_email": "own@example.com"}, headers=ADMIN
    )
    assert opened.status_code == 201, opened.text
    sign_in(phone, opened.json()["operator_token"], shop=shop)
    go(phone, "policy")
    phone.locator("#policy-form [name=sla_hours]").fill("1")
    phone.locator("#policy-form button[type=submit]").click()
    expect(phone.locator("#policy-message .error")).to_have_text(say("error.platform_only"))
    expect(phone.locator("#nav")).to_be_visible()
    policy = local_faka.get("/v1/admin/refund-policy", headers={**ADMIN, "X-Faka-Shop": shop}).json()
    assert policy["review_sla_seconds"] != 3600


def test_an_operator_notes_a_ticket_and_hands_it_to_a_colleague(phone: Page, local_faka: LocalFaka, lang: str) -> None:
    say = texts(lang)
    order, code = delivered_order(local_faka)
    ticket_id = queued_ticket(local_faka, order, "I want to talk to a human about my key")
    colleague = f"e2e-colleague-{uuid.uuid4().hex[:6]}"
    # A note of the colleague's puts them in the shop's desk team, whom a ticket can be handed to.
    noted = local_faka.post(
        f"/v1/admin/tickets/{ticket_id}/notes", json={"agent": colleague, "text": "I know this buyer"}, headers=ADMIN
    )
    assert noted.status_code == 200, noted.text
    claimed = local_faka.post(f"/v1/admin/tickets/{ticket_id}/claim", json={"agent": AGENT}, headers=ADMIN)
    assert claimed.status_code == 200, claimed.text

    sign_in(phone)
    go(phone, "queue")
    phone.locator("#queue-filter [name=mine]").check()
    row = phone.locator(f"#queue-list tr[data-id='{ticket_id}']")
    row.click()
    expect(phone.locator("#notes .msg.note")).to_contain_text("I know this buyer")
    phone.fill("#note textarea[name=text]", f"Checked with the supplier: key {code} was resold")
    phone.click("#note button[type=submit]")
    expect(phone.locator("#notes .msg.note")).to_have_count(2)
    expect(phone.locator("#notes")).to_contain_text(say("queue.notes_private"))
    assert_no_full_code(phone, code)
    screenshot(phone, f"phone-ticket-notes-{lang}")
    assert_fits_the_phone(phone)

    phone.select_option("#reassign select[name=to]", colleague)
    phone.click("#reassign button[type=submit]")
    handed = say("history.reassigned", **{"agent": AGENT, "from": AGENT, "to": colleague})
    expect(phone.locator("#history li[data-kind=reassigned]")).to_contain_text(handed)
    expect(row).to_have_count(0)  # "mine" follows the ticket to its new owner
    case = local_faka.get(f"/v1/admin/tickets/{ticket_id}", headers=ADMIN).json()
    assert case["claimed_by"] == colleague
    assert [n["agent"] for n in case["notes"]] == [colleague, AGENT]
    assert code not in json.dumps(case)
