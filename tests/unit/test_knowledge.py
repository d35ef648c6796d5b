"""The knowledge base: default articles in four locales, retrieval across languages and Chinese without
spaces, the confidence bar, and order problems left to the triage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from faka.knowledge import (
    CONFIDENCE_BAR,
    LOCALES,
    Article,
    KnowledgeBase,
    answer,
    default_knowledge_base,
    load_articles,
    locale_of,
)

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = {
    "payment-methods",
    "delivery-time",
    "find-key",
    "redeem-steam",
    "redeem-playstation",
    "redeem-xbox",
    "redeem-nintendo",
    "redeem-apple",
    "redeem-google-play",
    "region-rules",
    "region-exchange",
    "refund-policy",
    "key-expiry",
    "find-order",
    "support-hours",
    # Answers account-security tickets through the triage's intent, never by its words alone.
    "account-security",
}
# Common questions of a card shop beyond the list: what it sells, and prices for several cards.
BEYOND_REQUIRED = {"products-available", "quantity-discounts"}


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_has_every_default_article_written_out(locale: str) -> None:
    articles = load_articles(locale)
    assert {article.id for article in articles} == REQUIRED | BEYOND_REQUIRED
    for article in articles:
        assert article.locale == locale
        assert article.title.strip()
        assert len(article.body) > 40
        assert article.questions


@pytest.mark.parametrize(
    ("question", "locale", "article_id"),
    [
        ("卡密在哪查看？", "zh-CN", "find-key"),
        ("你们支持支付宝吗？", "zh-CN", "payment-methods"),
        ("How do I redeem a PSN card?", "en", "redeem-playstation"),
        ("序號在哪裡看？", "zh-TW", "find-key"),
        ("¿Aceptan pagos con USDT?", "es", "payment-methods"),
        ("how to redeem nintendo eshop card", "en", "redeem-nintendo"),
        ("do you have Roblox gift cards?", "en", "products-available"),
        ("¿tienen tarjetas de Spotify?", "es", "products-available"),
        ("any discount for 10 cards?", "en", "quantity-discounts"),
        ("¿descuento por comprar 10?", "es", "quantity-discounts"),
    ],
)
def test_faq_questions_are_answered_in_the_buyers_locale(question: str, locale: str, article_id: str) -> None:
    found = answer(question, locale, default_knowledge_base())
    assert found is not None
    article, score = found
    assert (article.id, article.locale) == (article_id, locale)
    assert CONFIDENCE_BAR <= score <= 1.0


def test_a_question_in_one_language_is_answered_with_the_article_in_the_buyers_locale() -> None:
    found = answer("do you accept Alipay?", "zh-TW", default_knowledge_base())
    assert found is not None
    assert (found[0].id, found[0].locale) == ("payment-methods", "zh-TW")


@pytest.mark.parametrize(
    ("question", "locale"),
    [
        ("I did not receive my key for order 0f3a9c1e2d3b4a5f60718293a4b5c6d7", "en"),
        ("I paid for order 88231 and the code never came", "en"),
        ("my code ABCDE-12345-FGHIJ says already redeemed", "en"),
        ("付款了但是没收到卡密", "zh-CN"),
        ("me cobraron dos veces el mismo pedido", "es"),
    ],
)
def test_order_problems_are_not_answered_from_the_knowledge_base(question: str, locale: str) -> None:
    assert answer(question, locale, default_knowledge_base()) is None


@pytest.mark.parametrize("question", ["", "   ", "😀😀😀", "asdf qwer zxcv", "x" * 100_000])
def test_questions_with_nothing_to_match_are_handed_off(question: str) -> None:
    assert answer(question, "en", default_knowledge_base()) is None


def test_a_shops_own_article_is_found_and_the_bar_is_the_callers_to_raise() -> None:
    shop = Article("shop-invoice", "en", "Can I get an invoice?", "Yes: reply to the order e-mail with your VAT id.")
    base = KnowledgeBase((*load_articles("en"), shop))
    found = answer("how do I get a VAT invoice for my purchase", "en", base)
    assert found is not None
    assert found[0] is shop
    assert answer("how do I get a VAT invoice for my purchase", "en", base, bar=found[1] + 0.01) is None


def test_an_article_missing_in_the_buyers_locale_comes_in_english() -> None:
    shop = Article("shop-invoice", "en", "Can I get an invoice?", "Yes: reply to the order e-mail with your VAT id.")
    found = answer("invoice please, with VAT", "es", KnowledgeBase((shop,)))
    assert found is not None
    assert found[0] is shop
    assert found[0].as_reference() == {"id": "shop-invoice", "title": "Can I get an invoice?"}


@pytest.mark.parametrize(
    ("tag", "locale"),
    [("zh", "zh-CN"), ("zh_CN", "zh-CN"), ("zh-Hant", "zh-TW"), ("zh-HK", "zh-TW"), ("es-MX", "es"), ("fr", "en")],
)
def test_language_tags_map_onto_the_four_locales(tag: str, locale: str) -> None:
    assert locale_of(tag) == locale


def test_held_out_questions_are_answered_and_order_problems_are_not() -> None:
    """The figures benchmarks/knowledge.py prints, as floors."""
    rows = [json.loads(line) for line in (ROOT / "data/knowledge/heldout.jsonl").read_text("utf-8").splitlines()]
    base = default_knowledge_base()
    faq = [row for row in rows if row["article"]]
    problems = [row for row in rows if not row["article"]]
    right = 0
    for row in faq:
        found = answer(row["text"], row["locale"], base)
        right += found is not None and found[0].id == row["article"]
    answered = sum(answer(row["text"], row["locale"], base) is not None for row in problems)
    assert right / len(faq) >= 0.85
    assert answered / len(problems) <= 0.1


def test_an_intent_article_answers_its_intent_and_never_by_its_words_alone() -> None:
    base = default_knowledge_base()

    by_intent = base.for_intent("account_security", "zh-TW")

    assert by_intent is not None
    assert (by_intent.id, by_intent.locale) == ("account-security", "zh-TW")
    assert base.for_intent("invalid_key", "en") is None
    found = answer("my account was hacked", "en", base)
    assert found is None or found[0].id != "account-security"
