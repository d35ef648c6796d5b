"""The buyer's tone — angry, neutral or positive — from a small trilingual lexicon.

A lexicon is enough here: tone only moves severity, anger in these messages is loud (insults, "scam",
"!!!", capitals), and every word that triggers it can be read and argued with.
"""

from __future__ import annotations

import re

_ANGRY = (
    "wtf",
    "scam",
    "scammer",
    "scammed",
    "ripoff",
    "rip off",
    "ridiculous",
    "terrible",
    "worst",
    "useless",
    "garbage",
    "trash",
    "bullshit",
    "damn",
    "fuck",
    "f**k",
    "shit",
    "pissed",
    "angry",
    "furious",
    "unacceptable",
    "disgusting",
    "thieves",
    "liar",
    "liars",
    "never again",
    "awful",
    "horrible",
    "pathetic",
    "stupid",
    "idiot",
    "fed up",
    "sick of",
    "joke",
    "sue you",
    "lawyer",
    "estafa",
    "estafadores",
    "ladrones",
    "basura",
    "pesimo",
    "verguenza",
    "harto",
    "harta",
    "mierda",
    "joder",
    "carajo",
    "maldit",
    "inaceptable",
    "ridiculo",
    "burla",
    "indignante",
    "nunca mas",
    "cabron",
    "chingad",
    "no mames",
    "furioso",
    "furiosa",
    "molesto",
    "molesta",
    "enojad",
    "fatal",
    "垃圾",
    "骗子",
    "骗钱",
    "骗人",
    "坑爹",
    "坑人",
    "黑店",
    "气死",
    "什么鬼",
    "搞什么",
    "有病",
    "投诉",
    "差评",
    "恶心",
    "无语",
    "离谱",
    "过分",
    "妈的",
    "tmd",
    "尼玛",
    "废物",
    "耍我",
    "生气",
    "受够",
    "退钱",
    "曝光",
    "12315",
    "报警",
    "什么破",
    "破店",
    "烂",
)
# Gratitude that carries the message ("it worked, thanks!") — not the politeness tacked onto a complaint.
_POSITIVE = (
    "great",
    "awesome",
    "perfect",
    "love",
    "excellent",
    "amazing",
    "appreciate",
    "worked",
    "works now",
    "good job",
    "nice",
    "happy",
    "satisfied",
    "recommend",
    "genial",
    "perfecto",
    "excelente",
    "increible",
    "me encanta",
    "funciono",
    "todo bien",
    "buen servicio",
    "contento",
    "contenta",
    "feliz",
    "recomiendo",
    "好评",
    "给力",
    "太棒",
    "很棒",
    "真棒",
    "满意",
    "完美",
    "点赞",
    "靠谱",
    "神速",
    "辛苦了",
    "五星",
    "成功了",
    "👍",
    "❤",
    ":)",
)
_THANKS = ("thanks", "thank you", "thx", "ty", "gracias", "谢谢", "感谢", "多谢", "谢啦")
_POLITE_THANKS = ("in advance", "de antemano", "先谢", "提前谢", "advance")


def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    # Latin words match whole (so "joke" is not "jokes"' prefix problem, "ty" not "pretty"); CJK as substrings.
    parts = [rf"(?<![a-z]){re.escape(w)}(?![a-z])" if w.isascii() and w[0].isalpha() else re.escape(w) for w in words]
    return re.compile("|".join(parts))


_ANGRY_WORDS = _pattern(_ANGRY)
_POSITIVE_WORDS = _pattern(_POSITIVE)
_THANKS_WORDS = _pattern(_THANKS)
_POLITE = _pattern(_POLITE_THANKS)
_SHOUTING = re.compile(r"(?<![A-Za-z])[A-Z]{3,}(?![A-Za-z])")
_EXCLAIMS = re.compile(r"[!！]{2,}|[?？][!！]|[!！][?？]")
# Intents that are complaints: "thanks" in them is manners, not praise.
_COMPLAINTS = frozenset(
    {
        "not_received",
        "invalid_key",
        "wrong_region",
        "refund_request",
        "payment_issue",
        "description_mismatch",
        "account_security",
        "fraud_report",
    }
)


def detect_sentiment(normalized: str, original: str, intent: str) -> str:
    """``normalized`` from ``text.normalize``; ``original`` keeps the capitals that shouting is made of."""
    shouted = [w for w in _SHOUTING.findall(original) if w not in {"USD", "EUR", "RMB", "CNY", "HKD", "PSN", "DLC"}]
    if _ANGRY_WORDS.search(normalized) or len(shouted) >= 2 or (_EXCLAIMS.search(original) and intent in _COMPLAINTS):
        return "angry"
    if _POSITIVE_WORDS.search(normalized) and intent not in _COMPLAINTS:
        return "positive"
    if _THANKS_WORDS.search(normalized) and not _POLITE.search(normalized) and intent == "other":
        return "positive"
    return "neutral"
