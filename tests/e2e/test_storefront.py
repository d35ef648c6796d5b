"""The buyer's pages in headless Chromium on a phone (390 px wide), in English and Chinese, against ``faka local``.

A buyer starts at ``/``, pays on the sandbox's page, opens the order page from the email's link, shows the key,
says it worked and rates; chats about an invalid key until it is replaced; asks for a refund in three steps;
finds orders by email. Screenshots of every page go to ``build/screenshots/storefront-*``.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import REPO, LocalFaka
from tests.e2e.test_console import ADMIN, SCREENSHOTS, UI_TIMEOUT_MS, assert_no_full_code, chromium
from tests.e2e.test_local_runtime import eventually, place_order

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
LANGUAGES = {"en": "en-US", "zh-CN": "zh-CN"}
ORDER_LINK = re.compile(r"https?://[^\s\"'<>]+(/o/[A-Za-z0-9_-]+#t=[^\s\"'<>]+)")
# What the page says, per language, where a test looks for words.
WORDS = {
    "en": {
        "delivered": "Delivered",
        "activated": "Activated",
        "invalid": "my key is invalid, it says the code was already used",
        "human": "I want to talk to a human",
    },
    "zh-CN": {
        "delivered": "已发货",
        "activated": "已激活",
        "invalid": "我的卡密无效，兑换码用不了",
        "human": "我要找人工客服",
    },
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture(params=list(LANGUAGES))
def lang(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def phone(browser: Browser, local_faka: LocalFaka, lang: str) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=local_faka.api_url, viewport=PHONE, locale=LANGUAGES[lang], is_mobile=True)
    context.set_default_timeout(UI_TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(phone: BrowserContext) -> Iterator[Page]:
    opened = phone.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    assert errors == [], "the page raised in the browser"


def screenshot(page: Page, name: str, lang: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"storefront-{name}-{lang}.png"), full_page=True)


def assert_fits_the_phone(page: Page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"horizontal scroll at 390 px: content {width[0]} px wide"


def buyer_email(tag: str) -> str:
    return f"sf-{tag}-{uuid.uuid4().hex[:8]}@example.com"


def order_link(local_faka: LocalFaka, email: str, order_id: str | None = None) -> str:
    """The order page's path and #t= fragment, from the newest email to ``email`` that links it."""

    def linked() -> str | None:
        messages = local_faka.http.get(f"{local_faka.api_url}/_local/outbox", timeout=30).json()["messages"]
        for message in reversed(messages):
            if message["to"] != email:
                continue
            for match in ORDER_LINK.finditer(message["text"]):
                if order_id is None or match.group(1).startswith(f"/o/{order_id}#"):
                    return match.group(1)
        return None

    link: str = eventually(linked, f"an email to {email} linking its order page")
    return link


def full_code(local_faka: LocalFaka, order: dict[str, Any]) -> str:
    owner = {"Authorization": f"Bearer {order['access_token']}"}

    def delivered() -> str | None:
        view = local_faka.get(f"/v1/orders/{order['order_id']}?reveal=true", headers=owner).json()
        return str(view["keys"][0]["code"]) if view["status"] == "delivered" and view["keys"] else None

    code: str = eventually(delivered, "delivery")
    return code


def paid_order(local_faka: LocalFaka, email: str) -> tuple[dict[str, Any], str]:
    order = place_order(local_faka, email)
    assert local_faka.post(f"/_local/pay/{order['order_id']}").status_code == 200
    return order, full_code(local_faka, order)


def open_order_page(page: Page, order: dict[str, Any]) -> None:
    page.goto(f"/o/{order['order_id']}#t={order['access_token']}")
    expect(page.locator("#order-title")).to_be_visible()


def test_buy_pay_then_show_the_key_from_the_email_link_say_it_worked_and_rate(
    page: Page, browser: Browser, local_faka: LocalFaka, lang: str
) -> None:
    email = buyer_email("buy")
    page.goto("/")
    card = page.locator("article[data-sku='steam-20-us']")
    expect(card).to_be_visible()
    expect(page.locator("article[data-sku='psn-50-hk']")).to_be_visible()
    page.fill("input[type=search]", "steam")
    expect(page.locator("article[data-sku='psn-50-hk']")).to_have_count(0)
    expect(card).to_be_visible()
    assert_fits_the_phone(page)
    screenshot(page, "shop", lang)

    card.locator("button").click()
    page.fill("#checkout-form input[name=email]", email)
    expect(page.locator("#checkout-form input[name=payment_method]").first).to_be_checked()
    assert_fits_the_phone(page)
    screenshot(page, "checkout", lang)
    page.click("#checkout-form button[type=submit]")
    page.wait_for_url(re.compile(r"/_local/pay/"))
    order_id = urlsplit(page.url).path.rsplit("/", 1)[1]
    page.click("button[type=submit]")
    # The sandbox returns to the order page, which the browser opens with the token it kept at checkout.
    page.wait_for_url(re.compile(rf"/o/{order_id}$"))
    expect(page.locator("#order-status")).to_have_text(WORDS[lang]["delivered"])

    # The email's link alone opens the page, in a browser that never saw the checkout.
    link = order_link(local_faka, email, order_id)
    other = browser.new_context(base_url=local_faka.api_url, viewport=PHONE, locale=LANGUAGES[lang], is_mobile=True)
    try:
        fresh = other.new_page()
        sizes: list[int] = []
        fresh.on("requestfinished", lambda request: sizes.append(request.sizes()["responseBodySize"]))
        fresh.goto(link)
        expect(fresh.locator("#order-status")).to_have_text(WORDS[lang]["delivered"])
        expect(fresh.locator("#rating")).not_to_be_empty()
        print(f"\norder page ({lang}): {sum(sizes) / 1024:.1f} KB in {len(sizes)} responses")
        assert "#t=" not in fresh.url, "the token is taken out of the address bar"
        token = link.split("#t=", 1)[1]
        code = full_code(local_faka, {"order_id": order_id, "access_token": token})
        assert_no_full_code(fresh, code)
        assert_fits_the_phone(fresh)

        fresh.locator(".key button.show").first.click()
        expect(fresh.locator(".key .code").first).to_have_text(code)
        expect(fresh.locator(".key button.copy").first).to_be_visible()
        screenshot(fresh, "order", lang)

        fresh.click("#worked")
        expect(fresh.locator("#activation-result .success")).to_be_visible()
        # The history gains its last step, after the delivery.
        expect(fresh.locator(".timeline li").last).to_have_attribute("data-status", "activated")
        expect(fresh.locator(".timeline li").last.locator("strong")).to_have_text(WORDS[lang]["activated"])
        form = fresh.locator("#rating-form")
        expect(form).to_be_visible()
        for fieldset in form.locator("fieldset").all():
            fieldset.locator("input[value='5']").check()
        form.locator("button[type=submit]").click()
        expect(fresh.locator("#rating .success")).to_be_visible()
    finally:
        other.close()
    rating_form = local_faka.get(f"/v1/orders/{order_id}/rating-form", headers={"Authorization": f"Bearer {token}"})
    assert rating_form.json()["rated"] is True


def test_a_key_with_a_pin_shows_the_pin_masked_then_with_the_code(page: Page, local_faka: LocalFaka, lang: str) -> None:
    sku = f"pin-{lang.lower()}-{uuid.uuid4().hex[:6]}"
    product = {"sku": sku, "name": "PIN card", "price": 300, "currency": "usd", "region": "US", "platform": "other"}
    assert local_faka.post("/v1/admin/products", json=product, headers=ADMIN).status_code == 201
    code, pin = f"PIN-{uuid.uuid4().hex[:10].upper()}", str(uuid.uuid4().int)[:8]
    imported = local_faka.post(
        f"/v1/admin/products/{sku}/keys",
        data=f"code,PIN\n{code},{pin}\n",
        headers={**ADMIN, "Content-Type": "text/csv"},
        params={"batch": "PIN-1"},
    )
    assert imported.json()["imported"] == 1, imported.text
    order = place_order(local_faka, buyer_email("pin"), sku=sku)
    assert local_faka.post(f"/_local/pay/{order['order_id']}").status_code == 200
    assert full_code(local_faka, order) == code

    open_order_page(page, order)
    part = page.locator(".key .part").first
    expect(part).to_have_text(f"PIN: {'*' * (len(pin) - 2)}{pin[-2:]}")
    page.locator(".key button.show").first.click()
    expect(part).to_have_text(f"PIN: {pin}")
    expect(page.locator(".key .code").first).to_have_text(code)
    screenshot(page, "key-with-pin", lang)
    assert_fits_the_phone(page)


def test_a_chat_about_an_invalid_key_ends_in_a_replacement(page: Page, local_faka: LocalFaka, lang: str) -> None:
    order, code = paid_order(local_faka, buyer_email("chat"))
    open_order_page(page, order)

    page.fill("#chat-message", WORDS[lang]["invalid"])
    page.click("#chat-form button[type=submit]")
    expect(page.locator("#chat .msg.assistant").first).to_be_visible()
    # The replaced key is never shown again; the new one waits behind its own "show".
    expect(page.locator(".key button.show")).to_have_count(1)
    new_code = full_code(local_faka, order)
    assert new_code != code
    assert_no_full_code(page, new_code)
    assert_no_full_code(page, code)
    assert_fits_the_phone(page)
    screenshot(page, "chat", lang)


def test_a_buyer_waiting_for_a_person_sees_the_place_in_the_queue(page: Page, local_faka: LocalFaka, lang: str) -> None:
    order, _ = paid_order(local_faka, buyer_email("queue"))
    open_order_page(page, order)

    page.fill("#chat-message", WORDS[lang]["human"])
    page.click("#chat-form button[type=submit]")
    expect(page.locator("#queue")).to_be_visible()
    expect(page.locator("#chat .msg.buyer")).to_have_count(1)


def test_a_refund_in_three_steps_shows_its_decision(page: Page, local_faka: LocalFaka, lang: str) -> None:
    order, _ = paid_order(local_faka, buyer_email("refund"))
    open_order_page(page, order)

    page.check("#refund-reason input[value=not_needed]")
    page.click("#refund-reason button[type=submit]")
    expect(page.locator("#refund-lines input[type=checkbox]")).to_have_count(1)
    page.click("#refund-lines button[type=submit]")
    page.click("#refund-confirm")
    expect(page.locator("#refund .refund-decision")).to_have_count(1)
    # Asked once: asking again is closed, and the page says why.
    expect(page.locator("#refund-reason button[type=submit]")).to_be_disabled()
    expect(page.locator("#why-refund")).not_to_be_empty()
    assert_fits_the_phone(page)
    screenshot(page, "refund", lang)
    refunds = local_faka.get(
        f"/v1/orders/{order['order_id']}/refunds", headers={"Authorization": f"Bearer {order['access_token']}"}
    ).json()["refunds"]
    assert [r["lines"] for r in refunds] == [[1]]


def test_a_pending_usdt_order_opened_in_another_tab_shows_where_to_send_what(
    page: Page, local_faka: LocalFaka, lang: str
) -> None:
    draft = {
        "sku": "steam-20-us",
        "quantity": 1,
        "email": f"{uuid.uuid4().hex[:8]}@example.com",
        "payment_method": "usdt_trc20",
    }
    order = local_faka.post("/v1/orders", json=draft, headers={"X-Faka-Shop": "main"}).json()

    open_order_page(page, order)  # a new tab: nothing kept from the checkout

    expect(page.locator("#usdt-address")).to_have_text(order["payment"]["address"])
    expect(page.locator("#usdt-amount")).to_have_text(order["payment"]["amount"])


def test_lookup_by_email_sends_the_order_links(page: Page, local_faka: LocalFaka, lang: str) -> None:
    email = buyer_email("lookup")
    order, _ = paid_order(local_faka, email)
    page.goto("/lookup")
    page.fill("#lookup-form input[name=email]", email)
    page.click("#lookup-form button[type=submit]")
    expect(page.locator("#lookup-form .success")).to_be_visible()
    assert_fits_the_phone(page)
    screenshot(page, "lookup", lang)

    page.goto(order_link(local_faka, email, order["order_id"]))
    expect(page.locator("#order-title")).to_be_visible()


def test_an_unpaid_order_says_so_and_its_actions_say_why_not(page: Page, local_faka: LocalFaka, lang: str) -> None:
    order = place_order(local_faka, buyer_email("unpaid"))
    open_order_page(page, order)
    expect(page.locator("#summary [role=status]")).to_be_visible()
    expect(page.locator("#refund-reason button[type=submit]")).to_be_disabled()
    expect(page.locator("#why-refund")).not_to_be_empty()
    expect(page.locator(".key")).to_have_count(0)
    screenshot(page, "unpaid", lang)


def test_a_tampered_link_offers_the_lookup(page: Page, local_faka: LocalFaka, lang: str) -> None:
    order, _ = paid_order(local_faka, buyer_email("tampered"))
    page.goto(f"/o/{order['order_id']}#t=op1.9999999999.not-the-signature")
    expect(page.locator("#link-problem a[href='/lookup']")).to_be_visible()
    assert_fits_the_phone(page)


def test_an_expired_link_says_so_and_offers_the_lookup(page: Page, local_faka: LocalFaka, lang: str) -> None:
    # The API's answer to a link past its days (FAKA_ORDER_LINK_DAYS), as the interface fixes it.
    expired = json.dumps({"code": "expired_link", "message": "this order link has expired"})
    page.route(re.compile(r"/v1/orders/[^/?]+\\?"), lambda route: route.fulfill(status=401, body=expired))
    page.goto("/o/01JEXPIREDORDER#t=op1.1.expired")
    expect(page.locator("#link-problem a[href='/lookup']")).to_be_visible()
    expired_title = page.locator("#link-problem h1").inner_text()
    screenshot(page, "expired", lang)
    page.unroute_all()
    page.goto("/o/01JOTHERORDER#t=op1.1.tampered")
    expect(page.locator("#link-problem h1")).not_to_have_text(expired_title)


def test_the_pages_are_served_with_the_consoles_security_headers(local_faka: LocalFaka) -> None:
    for path in ("/", "/s/main/", "/o/01ANYORDER", "/lookup", "/storefront/js/order.js", "/storefront/i18n/es.json"):
        response = local_faka.get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'"), path
        assert response.headers["X-Frame-Options"] == "DENY"
    assert local_faka.get("/storefront/../faka_local/http_server.py").status_code == 404


def test_the_language_follows_the_browser_and_the_switch_is_remembered(page: Page, lang: str) -> None:
    page.goto("/lookup")
    expect(page.locator("#lookup-form")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    page.select_option("#lang", "es")
    expect(page.locator("#lookup-form h1")).to_have_text("Buscar mi pedido")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("#count")).to_contain_text("productos")


def test_each_shop_has_its_storefront(page: Page) -> None:
    page.goto("/s/moon/")
    expect(page.locator("#brand")).to_have_text("Moon Cards 月亮卡铺")
    expect(page.locator("article[data-sku='apple-100-cn']")).to_be_visible()
    expect(page.locator("article[data-sku='steam-20-us']")).to_have_count(0)


def test_the_three_dictionaries_name_the_same_strings_and_every_one_the_code_asks_for() -> None:
    def dictionary(lang: str) -> dict[str, str]:
        loaded: dict[str, str] = json.loads((REPO / f"storefront/i18n/{lang}.json").read_text(encoding="utf-8"))
        return loaded

    # Plural forms differ by language (Chinese has only "other"): compare what is said, not how many forms.
    def said(strings: dict[str, str]) -> set[str]:
        return {re.sub(r"\.(zero|one|two|few|many|other)$", "", key) for key in strings}

    english = dictionary("en")
    for lang in ("zh-CN", "es"):
        other = dictionary(lang)
        assert said(other) == said(english), lang
        assert all(other.values()), lang
    code = "".join(path.read_text(encoding="utf-8") for path in (REPO / "storefront/js").glob("*.js"))
    asked = set(re.findall(r'\bt\("([a-z_.]+)"', code)) | {
        f"{key}.other" for key in re.findall(r'plural\("([a-z_.]+)"', code)
    }
    assert asked - english.keys() == set()


@pytest.mark.parametrize(
    ("asked", "returns_to"),
    [
        ("/o/{order_id}?from=pay", "/o/{order_id}?from=pay"),
        ("https://evil.example/o/{order_id}", "/o/{order_id}"),
        ("//evil.example/o/{order_id}", "/o/{order_id}"),
        ("javascript:alert(1)", "/o/{order_id}"),
    ],
)
def test_the_sandbox_pay_page_returns_only_to_this_origin(local_faka: LocalFaka, asked: str, returns_to: str) -> None:
    order = place_order(local_faka, buyer_email("return"))
    paid = local_faka.post(
        f"/_local/pay/{order['order_id']}",
        params={"return_url": asked.format(order_id=order["order_id"])},
        data="",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert paid.status_code == 200
    [refresh] = re.findall(r'http-equiv="refresh" content="1;url=([^"]+)"', paid.text)
    assert refresh.replace("&amp;", "&") == returns_to.format(order_id=order["order_id"])
