"""Writes data/triage/train.jsonl from the hand-written sentences and templates in train_sentences.py.

Every sentence was written by faka's engineers for this purpose (no scraped or third-party text); slots
such as {platform} or {order} are filled from small hand-written lists, and light noise (greetings,
sign-offs, typos, dropped accents, traditional characters) is added with a fixed seed, so running this
twice gives the same file. The committed train.jsonl is the source of truth; this script documents how
it was made and regenerates it:

    .venv/bin/python data/triage/generate.py
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "layers"))

from train_sentences import SENTENCES  # noqa: E402

from faka.triage.corpus import typo  # noqa: E402
from faka.triage.text import TRADITIONAL_SIMPLIFIED  # noqa: E402

SEED = 20240607
ROWS_PER_INTENT = 420

# Simplified → traditional, the inverse of the runtime table; a simplified character with two traditional
# forms takes the first listed.
_S2T: dict[str, str] = {}
for _pair in TRADITIONAL_SIMPLIFIED.split():
    _S2T.setdefault(_pair[1], _pair[0])
# 系 is 係 or 繫 or stays 系 depending on the word (联系, 系统); left alone, it is right more often than not.
_S2T.pop("系", None)
_TO_TRADITIONAL = str.maketrans(_S2T)

SLOTS: dict[str, dict[str, list[str]]] = {
    "platform": {
        "en": [
            "Steam",
            "PSN",
            "Xbox",
            "Switch",
            "eShop",
            "App Store",
            "iTunes",
            "Google Play",
            "PlayStation",
            "Nintendo",
        ],
        "zh": ["Steam", "steam", "PSN", "Xbox", "Switch", "任天堂", "苹果", "App Store", "谷歌", "NS", "PS5", "xbox"],
        "es": ["Steam", "PSN", "Xbox", "Switch", "eShop", "App Store", "Google Play", "PlayStation", "Nintendo"],
    },
    "region": {
        "en": ["US", "EU", "HK", "UK", "Japan", "Turkey", "Argentina", "USA", "Hong Kong", "European"],
        "zh": ["美区", "港区", "国区", "日区", "欧区", "土区", "阿区", "台区", "美服", "港服"],
        "es": ["EEUU", "Estados Unidos", "Europa", "México", "España", "Argentina", "US", "EU", "latam"],
    },
    "product": {
        "en": [
            "gift card",
            "wallet code",
            "game key",
            "PSN card",
            "Game Pass code",
            "Steam card",
            "cd key",
            "activation code",
            "redeem code",
            "top-up card",
            "subscription code",
            "iTunes card",
        ],
        "zh": [
            "充值卡",
            "礼品卡",
            "激活码",
            "点卡",
            "会员卡",
            "兑换码",
            "卡密",
            "月卡",
            "游戏key",
            "CDK",
            "充值码",
            "序列号",
        ],
        "es": [
            "tarjeta regalo",
            "código",
            "tarjeta de Steam",
            "clave del juego",
            "suscripción",
            "key",
            "código de activación",
            "tarjeta prepago",
            "gift card",
            "código de canje",
        ],
    },
    "time": {
        "en": ["2 hours", "an hour", "30 minutes", "3 days", "a whole day", "since yesterday", "45 mins", "two days"],
        "zh": ["两个小时", "一个小时", "半小时", "三天", "一整天", "昨天", "40分钟", "好几天", "一晚上"],
        "es": ["2 horas", "una hora", "media hora", "3 días", "todo el día", "desde ayer", "40 minutos", "dos días"],
    },
}
_AMOUNTS = {
    "en": ["$20", "$50", "20 USD", "$100", "€25", "£10", "$9.99", "US$60", "$200", "50 dollars", "HK$100", "10 bucks"],
    "zh": ["¥100", "100元", "50块", "￥298", "200块钱", "$20", "20刀", "500元", "¥1000", "30美金", "100港币"],
    "es": ["$20", "20 USD", "500 pesos", "25€", "50 euros", "$10", "100 dólares", "1.000 pesos", "$60", "15 EUR"],
}
_NAMES = ["juan", "maria.g", "li.wei", "zhang_san", "gamer2021", "alex.k", "wang88", "pedro.r", "lucia_m", "kevin"]
_DOMAINS = ["gmail.com", "qq.com", "outlook.com", "163.com", "hotmail.es", "yahoo.com", "icloud.com"]
_KEY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

_PREFIXES = {
    "en": [
        "hi",
        "hello",
        "hey",
        "Hi there,",
        "good morning,",
        "excuse me,",
        "sorry to bother you but",
        "yo",
        "hey guys",
    ],
    "zh": ["你好，", "您好，", "在吗？", "亲，", "老板，", "客服你好，", "请问", "hello，", "在不在", "急，"],
    "es": ["hola", "buenas", "hola buenas tardes,", "disculpa,", "oye,", "buenos días,", "qué tal,", "saludos,"],
}
# (suffix, sentiment it adds): politeness stays neutral, insults make the row angry.
_SUFFIXES = {
    "en": [
        ("please help", "neutral"),
        ("thanks in advance", "neutral"),
        ("asap", "neutral"),
        ("plz", "neutral"),
        ("??", "neutral"),
        ("thank you", "neutral"),
        ("this is ridiculous!!", "angry"),
        ("wtf", "angry"),
        ("worst shop ever", "angry"),
        ("I'm so pissed", "angry"),
    ],
    "zh": [
        ("谢谢", "neutral"),
        ("麻烦尽快处理", "neutral"),
        ("急", "neutral"),
        ("在线等", "neutral"),
        ("辛苦帮忙看看", "neutral"),
        ("快点!!", "angry"),
        ("什么破店", "angry"),
        ("垃圾", "angry"),
        ("气死我了", "angry"),
        ("再不处理我就投诉了", "angry"),
    ],
    "es": [
        ("gracias", "neutral"),
        ("por favor", "neutral"),
        ("urgente", "neutral"),
        ("porfa", "neutral"),
        ("saludos", "neutral"),
        ("¡¡es una vergüenza!!", "angry"),
        ("qué mal servicio, de verdad", "angry"),
        ("estoy harto", "angry"),
        ("son unos ladrones", "angry"),
    ],
}
_ACCENTS = str.maketrans("áéíóúñ¿¡", "aeioun  ")
_SLOT = re.compile(r"\{(\w+)\}")


def _key(rng: random.Random) -> str:
    shape = rng.choice(["5x3", "4x4", "5x5", "solid", "masked"])
    if shape == "masked":
        return "XXXXX-XXXXX-" + "".join(rng.choice(_KEY_ALPHABET) for _ in range(5))
    if shape == "solid":
        return "".join(rng.choice(_KEY_ALPHABET) for _ in range(rng.choice([12, 16])))
    size, groups = (int(part) for part in shape.split("x"))
    return "-".join("".join(rng.choice(_KEY_ALPHABET) for _ in range(size)) for _ in range(groups))


def _order(rng: random.Random) -> str:
    if rng.random() < 0.75:
        return "".join(rng.choice("0123456789abcdef") for _ in range(32))
    return str(rng.randint(10000, 9999999))


def _base_language(language: str, text: str) -> str:
    """The language slot values, greetings and sign-offs are drawn from: a mixed row with Chinese takes zh."""
    if language != "mixed":
        return language
    return "zh" if re.search(r"[\u4e00-\u9fff]", text) else "en"


def _fill(template: str, language: str, rng: random.Random) -> str:
    slot_language = _base_language(language, template)

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "order":
            return _order(rng)
        if name == "key":
            return _key(rng)
        if name == "amount":
            return rng.choice(_AMOUNTS[slot_language])
        if name == "email":
            return f"{rng.choice(_NAMES)}@{rng.choice(_DOMAINS)}"
        return rng.choice(SLOTS[name][slot_language])

    return _SLOT.sub(value, template)


def _noisy(text: str, language: str, sentiment: str, rng: random.Random) -> tuple[str, str]:
    base = _base_language(language, text)
    if rng.random() < 0.3:
        separator = "" if base == "zh" else " "
        text = rng.choice(_PREFIXES[base]) + separator + text
    if rng.random() < 0.3:
        suffix, tone = rng.choice(_SUFFIXES[base])
        if not (tone == "angry" and sentiment == "positive"):
            text = text + ("，" if base == "zh" else ", ") + suffix
            sentiment = "angry" if tone == "angry" else sentiment
    if base in {"en", "es"} and rng.random() < 0.25:
        text = typo(text, rng)
    if base == "es" and rng.random() < 0.35:
        text = text.translate(_ACCENTS).replace("  ", " ").strip()
    if rng.random() < 0.15:
        text = text.lower()
    if base == "zh" and rng.random() < 0.2:
        text = text.translate(_TO_TRADITIONAL)
    if base == "zh" and rng.random() < 0.2:
        text = text.replace("，", " ").replace("。", "")
    return text, sentiment


def generate() -> list[dict[str, str]]:
    rng = random.Random(SEED)  # noqa: S311 - noise for training data, not security
    rows: list[dict[str, str]] = []
    for intent, by_language in SENTENCES.items():
        templates = [
            (language, line.strip())
            for language, block in by_language.items()
            for line in block.strip().splitlines()
            if line.strip()
        ]
        seen: set[str] = set()
        produced: list[dict[str, str]] = []
        rounds = 0
        order = list(enumerate(templates))
        while len(produced) < ROWS_PER_INTENT and rounds < 20:
            # Later rounds visit templates in a shuffled order so the cut at ROWS_PER_INTENT favours no language.
            if rounds:
                rng.shuffle(order)
            for number, (language, line) in order:
                if len(produced) >= ROWS_PER_INTENT:
                    break
                sentiment = {"!": "angry", "+": "positive"}.get(line[0], "neutral")
                template = line.lstrip("!+ ")
                # The first round keeps each hand-written sentence as written; later rounds add noise.
                text = _fill(template, language, rng)
                if rounds:
                    text, sentiment = _noisy(text, language, sentiment, rng)
                if text in seen:
                    continue
                seen.add(text)
                source = f"{intent}/{language}/{number:03d}"
                produced.append(
                    {"text": text, "intent": intent, "language": language, "sentiment": sentiment, "source": source}
                )
            rounds += 1
        rows.extend(produced)
    return rows


def main() -> None:
    rows = generate()
    with (HERE / "train.jsonl").open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows to {HERE / 'train.jsonl'}")


if __name__ == "__main__":
    main()
