from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from faka.catalog.codes import Card
from faka.shared.templating import MessageTemplates

TEMPLATES = MessageTemplates(Path(__file__).resolve().parents[2] / "templates")
KEY = "ABCDE-FGHIJ-KLMNO"


def delivery(locale: str, platform: str = "steam", name: str = "Steam Wallet $20") -> dict:
    return {
        "order": SimpleNamespace(
            order_id="0123456789abcdef", quantity=1, amount=2000, currency="usd", email="b@x.io", locale=locale
        ),
        "product": SimpleNamespace(sku="s", name=name, description="", platform=platform, region="US"),
        "shop_name": "Demo",
        "keys": [Card(KEY)],
        "order_url": "https://shop.example/o/1?a=1&b=2",
    }


@pytest.mark.parametrize(
    ("requested", "folder"),
    [("zh-CN", "zh-CN"), ("zh_cn", "zh-CN"), ("zh", "zh-CN"), ("en-GB", "en"), ("es-MX", "es"), ("fr", "en")],
)
def test_the_closest_locale_is_used(requested: str, folder: str) -> None:
    assert TEMPLATES.locale_for(requested) == folder


@pytest.mark.parametrize("locale", ["en", "zh-CN", "es"])
@pytest.mark.parametrize("platform", ["steam", "psn", "xbox", "switch", "apple", "google", "riot"])
def test_the_delivery_email_shows_the_key_but_never_in_its_subject(locale: str, platform: str) -> None:
    message = TEMPLATES.render("order_delivered", locale, delivery(locale, platform))
    assert KEY in message.text
    assert KEY in message.html
    assert KEY not in message.subject
    assert "\n" not in message.subject


def test_the_chinese_email_is_in_chinese() -> None:
    message = TEMPLATES.render("order_delivered", "zh-CN", delivery("zh-CN"))
    assert "卡密" in message.text or "兑换" in message.text


def test_html_is_escaped_text_is_not() -> None:
    message = TEMPLATES.render("order_delivered", "en", delivery("en", name="<b>Gift</b> & Co"))
    assert "<b>Gift</b>" not in message.html
    assert "&lt;b&gt;Gift&lt;/b&gt;" in message.html
    assert "<b>Gift</b> & Co" in message.text
