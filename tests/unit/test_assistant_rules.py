"""The assistant's rules without AWS: tone, "did this help?", script detection, corrections, mail charsets."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from faka.knowledge.feedback import helpful_verdict
from faka.shared.templating import MessageTemplates
from faka.support.assistant import _too_short
from faka.support.clarifying import says_no_order
from faka.support.inbound_mail import parse_mail
from faka.support.tone import INFORMAL, PROHIBITED, Violation, platform_tone
from faka.triage import INTENTS, message_features
from faka.triage.corrections import SIMILARITY_BAR, CorrectionIndex
from faka.triage.language import is_traditional

ROOT = Path(__file__).resolve().parents[2]


def test_the_platform_tone_names_an_insult_and_an_informal_address() -> None:
    found = platform_tone().check("Hi Buddy, 你是傻X")
    assert found == [Violation(PROHIBITED, "傻X"), Violation(INFORMAL, "buddy")]


@pytest.mark.parametrize(
    "text",
    ["Your code has been replaced automatically.", "We automated the checks", "請稍候，我們正在處理"],
    ids=["plain", "mate inside a word", "traditional"],
)
def test_ordinary_replies_break_no_rule(text: str) -> None:
    assert platform_tone().check(text) == []


def test_full_width_and_case_do_not_hide_a_prohibited_word() -> None:
    assert [v.word for v in platform_tone().check("ＳＢ商家")] == ["SB"]
    assert [v.word for v in platform_tone().check("You IDIOT")] == ["idiot"]


def test_masking_keeps_the_rest_of_the_reply_as_written() -> None:
    assert platform_tone().mask("Hi Buddy, 你是傻X!") == "Hi Buddy, 你是**!"


def test_a_shops_rules_add_to_the_platforms_and_frame_the_reply() -> None:
    rules = platform_tone().with_shop(
        {"prohibited": ["cheap"], "greetings": {"zh": "您好！"}, "sign_offs": {"zh-TW": "—— 客服小美"}}
    )
    assert [v.word for v in rules.check("a cheap idiot")] == ["cheap", "idiot"]
    assert rules.dress("已為您處理。", "zh-TW") == "您好！\n已為您處理。\n—— 客服小美"
    assert rules.dress("您好！\n已处理。", "zh-CN") == "您好！\n已处理。"
    assert rules.shop_part(platform_tone())["prohibited"] == ["cheap"]


@pytest.mark.parametrize("name", ["ticket_reply", "ticket_reply_order_link"])
@pytest.mark.parametrize("locale", ["en", "es", "zh-CN", "zh-TW"])
def test_automatic_ticket_texts_keep_the_platform_tone(name: str, locale: str) -> None:
    """Every template the assistant answers from, read raw: no prohibited word or informal address in any branch."""
    text = (ROOT / "templates" / "email" / locale / f"{name}.txt").read_text(encoding="utf-8")
    assert platform_tone().check(text) == []


def test_zh_tw_templates_exist_for_every_zh_cn_template_and_are_traditional() -> None:
    simplified = {p.relative_to(ROOT / "templates/email/zh-CN") for p in (ROOT / "templates/email/zh-CN").rglob("*.*")}
    traditional = {p.relative_to(ROOT / "templates/email/zh-TW") for p in (ROOT / "templates/email/zh-TW").rglob("*.*")}
    assert simplified == traditional
    reply = (ROOT / "templates/email/zh-TW/ticket_reply.txt").read_text(encoding="utf-8")
    assert is_traditional(reply)
    assert MessageTemplates(ROOT / "templates").locale_for("zh-TW") == "zh-TW"


@pytest.mark.parametrize(
    ("message", "verdict"),
    [
        ("没有帮助", False),
        ("沒用", False),
        ("no, that's not it", False),
        ("No me sirvió", False),
        ("有用，谢谢", True),
        ("yes thanks", True),
        ("Sí, gracias", True),
        ("How do I redeem it on Xbox then? I tried the console and the website already.", None),
        ("where is my key", None),
    ],
)
def test_did_this_help_is_read_from_short_answers_only(message: str, verdict: bool | None) -> None:
    assert helpful_verdict(message) is verdict


@pytest.mark.parametrize(
    ("text", "traditional"),
    [("我的卡密無法兌換，請幫忙", True), ("我的卡密无法兑换，请帮忙", False), ("Steam key", False), ("卡密", False)],
)
def test_traditional_chinese_is_told_by_its_characters(text: str, traditional: bool) -> None:
    assert is_traditional(text) is traditional


def test_a_correction_reaches_messages_worded_like_it_and_no_others() -> None:
    corrected = "码不灵了老板，咋整"
    index = CorrectionIndex([(frozenset(message_features(corrected)), "invalid_key", corrected)])

    near = index.nearest(message_features("老板，码不灵了，咋整啊"))
    far = index.nearest(message_features("I want a refund for my order"))

    assert near is not None
    assert (near.intent, near.similarity >= SIMILARITY_BAR) == ("invalid_key", True)
    assert far is None
    assert "invalid_key" in INTENTS


def test_a_later_correction_of_the_same_words_wins() -> None:
    features = frozenset(message_features("the thing is weird"))
    index = CorrectionIndex([(features, "other", "a"), (features, "description_mismatch", "b")])
    found = index.nearest(features)
    assert len(index) == 1
    assert found is not None
    assert found.intent == "description_mismatch"


@pytest.mark.parametrize(
    ("charset", "language", "locale"),
    [("big5", None, "zh-TW"), ("gb2312", None, "zh-CN"), ("utf-8", "zh-HK", "zh-HK"), ("utf-8", None, None)],
)
def test_a_mails_charset_or_language_says_which_chinese_it_is(
    charset: str, language: str | None, locale: str | None
) -> None:
    message = EmailMessage()
    message["From"] = "buyer@example.com"
    message["Subject"] = "hi"
    message.set_content("請問可以用支付寶嗎" if charset != "gb2312" else "请问可以用支付宝吗", charset=charset)
    if language:
        message["Content-Language"] = language
    assert parse_mail(bytes(message)).locale == locale


def test_a_close_call_between_two_intents_is_a_question_and_a_clear_one_is_not() -> None:
    from faka.support.clarifying import Asked, torn_between
    from faka.triage import classify

    torn = torn_between(classify("my code?"))

    assert torn is not None
    assert (torn.asked, set(torn.intents)) == (Asked.INTENTS, {"invalid_key", "not_received"})
    assert torn_between(classify("my steam key says invalid when I redeem it")) is None
    assert torn_between(classify("do you sell Roblox gift cards?")) is None  # "other" is no intent to ask about


@pytest.mark.parametrize(
    ("answer", "settled"),
    [("it never came", "not_received"), ("提示无效", "invalid_key"), ("hmm well, you know", None)],
)
def test_the_answer_to_a_clarifying_question_is_read_with_the_first_message(answer: str, settled: str | None) -> None:
    from faka.support.clarifying import settle, torn_between
    from faka.triage import classify

    question = torn_between(classify("my code?"))
    assert question is not None

    result = settle(question, classify(answer))

    assert (result[0] if result else None) == settled


def test_an_answer_about_something_else_said_clearly_is_taken_as_it_is() -> None:
    from faka.support.clarifying import settle, torn_between
    from faka.triage import classify

    question = torn_between(classify("my code?"))
    assert question is not None

    result = settle(question, classify("forget it, I want a refund"))

    assert result is not None
    assert result[0] == "refund_request"


@pytest.mark.parametrize(
    ("answer", "no_order"),
    [
        ("I have no order, it is a general question", True),
        ("I haven't bought anything yet", True),
        ("我还没下单，只是问问", True),
        ("沒有訂單，只是諮詢", True),
        ("我没有任何订单", True),
        ("no tengo ningún pedido", True),
        ("solo una pregunta", True),
        ("it never arrived", False),
        ("I never received my order", False),
        ("我的订单没有到", False),
        ("no me llegó el pedido", False),
    ],
)
def test_a_buyer_saying_there_is_no_order_is_told_from_an_order_problem(answer: str, no_order: bool) -> None:
    assert says_no_order(answer) is no_order


@pytest.mark.parametrize(
    ("message", "short"),
    [
        ("hmm", True),
        ("ok?", True),
        ("你好", True),
        ("在吗", True),
        ("是秒发吗", False),
        ("有货吗", False),
        ("refund?", False),
    ],
)
def test_a_chinese_question_of_a_few_characters_is_not_too_short_to_answer(message: str, short: bool) -> None:
    assert _too_short(message) is short
