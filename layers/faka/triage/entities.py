"""What a buyer's message names: orders, emails, amounts, key fragments, platforms and regions.

Extraction also redacts: each order id, email, amount and key fragment is replaced by a placeholder word
before the model sees the text, so a key never reaches a feature and the model learns "an amount was
mentioned" instead of memorising numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from faka.catalog.codes import mask_code
from faka.triage.text import Vocabulary, fold, fold_case

ORDER_PLACEHOLDER = " _order_ "
EMAIL_PLACEHOLDER = " _email_ "
KEY_PLACEHOLDER = " _key_ "
AMOUNT_PLACEHOLDER = " _amount_ "
PLACEHOLDERS = frozenset(p.strip() for p in (ORDER_PLACEHOLDER, EMAIL_PLACEHOLDER, KEY_PLACEHOLDER, AMOUNT_PLACEHOLDER))

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# faka's order ids are uuid4().hex; buyers also paste the dashed UUID form.
_ORDER_ID = re.compile(
    r"(?<![0-9A-Fa-f-])(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
    r"(?![0-9A-Fa-f-])"
)
# Storefront and payment-provider references: "order 1234", "订单号：1234", "pedido #A-5521", "#88231".
_ORDER_REFERENCE = re.compile(
    r"(?:\b(?:order|orden|pedido|compra|transaction|transaccion|transacción)(?![a-z])|订单|单号|交易号)"
    r"\s*(?:no\.?|number|id|num\.?|numero|número|n[º°o]\.?|号|编号)?\s*[:：#]?\s*"
    r"(?P<ref>[A-Za-z]{0,4}-?\d[A-Za-z0-9-]{3,39})(?![A-Za-z0-9])"
    r"|(?<![\w#])#(?P<hash_ref>\d{4,20})\b",
    re.IGNORECASE,
)
# Keys come in dash-separated groups ("XXXXX-XXXXX-ABCDE") or as one long run of capitals and digits.
_GROUPED_KEY = re.compile(r"(?<![A-Za-z0-9-])(?:[A-Za-z0-9]{3,7}-){1,7}[A-Za-z0-9]{3,7}(?![A-Za-z0-9-])")
_SOLID_KEY = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{10,40}(?![A-Za-z0-9])")

_NUMBER = r"\d{1,3}(?:[,.]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_CURRENCY_WORDS = {
    "usd": (
        "us$",
        "usd",
        "$",
        "dollar",
        "dollars",
        "bucks",
        "dolar",
        "dolares",
        "dólar",
        "dólares",
        "美元",
        "美金",
        "刀",
    ),
    "cny": ("¥", "rmb", "cny", "元", "块", "块钱", "人民币", "圆"),
    "hkd": ("hk$", "hkd", "港币", "港元"),
    "eur": ("€", "eur", "euro", "euros", "欧元"),
    "gbp": ("£", "gbp", "pound", "pounds", "英镑"),
    "jpy": ("jpy", "yen", "円", "日元"),
    "mxn": ("mx$", "mxn", "peso", "pesos"),
    "cad": ("ca$", "c$", "cad"),
    "aud": ("au$", "a$", "aud"),
    "brl": ("r$", "brl", "reais"),
}
_CURRENCY = {word: code for code, words in _CURRENCY_WORDS.items() for word in words}
_ZERO_DECIMAL = frozenset({"jpy", "krw"})
_SYMBOLS = sorted((w for w in _CURRENCY if not w.isalpha() or not w.isascii()), key=len, reverse=True)
_CODES = sorted((w for w in _CURRENCY if w.isascii() and w.isalpha()), key=len, reverse=True)
_PREFIX = "|".join(re.escape(w) for w in _SYMBOLS if not w[0].isalpha() or "$" in w) + "|" + "|".join(_CODES)
_SUFFIX_LATIN = "|".join(_CODES)
_SUFFIX_OTHER = "|".join(re.escape(w) for w in _SYMBOLS)
_AMOUNT = re.compile(
    rf"(?<![A-Za-z0-9])(?P<pre>{_PREFIX})\s?(?P<num1>{_NUMBER})(?![\d])"
    rf"|(?<![A-Za-z\d.,])(?P<num2>{_NUMBER})\s?(?:(?P<post_latin>{_SUFFIX_LATIN})(?![A-Za-z])|(?P<post>{_SUFFIX_OTHER}))",
    re.IGNORECASE,
)

_PLATFORM_WORDS = {
    "steam": ("steam", "蒸汽平台"),
    "psn": ("psn", "playstation", "ps3", "ps4", "ps5", "ps 4", "ps 5", "ps plus", "索尼"),
    "xbox": ("xbox", "gamepass", "game pass", "微软"),
    "nintendo": ("nintendo", "eshop", "e shop", "任天堂", "ns"),
    "apple": ("apple", "appstore", "app store", "itunes", "icloud", "苹果", "iphone", "ipad"),
    "google_play": ("google play", "googleplay", "play store", "playstore", "谷歌"),
}
_PLATFORMS = Vocabulary({word: name for name, words in _PLATFORM_WORDS.items() for word in words})
# "Switch" is also a verb: "switch it to HK" names no console.
_SWITCH = re.compile(r"\bswitch\b(?! (?:to|my|the|it|account|region|cuenta|de|a)\b)", re.IGNORECASE)

# Region words → ISO-like codes, matched lower-case and accent-free.
_REGION_WORDS = {
    "US": ("美区", "美服", "美国", "united states", "estados unidos", "eeuu", "ee.uu", "american"),
    "HK": ("港区", "港服", "香港", "hong kong", "hongkong"),
    "CN": ("国区", "国服", "大陆", "中国区", "陆区", "china", "mainland"),
    "EU": ("欧区", "欧服", "欧洲", "europe", "european", "europa", "europeo", "europea"),
    "JP": ("日区", "日服", "日本", "japan", "japon"),
    "GB": ("英区", "英服", "英国", "united kingdom", "reino unido"),
    "TW": ("台区", "台服", "台湾", "taiwan"),
    "KR": ("韩区", "韩服", "韩国", "korea", "corea"),
    "TR": ("土区", "土耳其", "turkey", "turquia"),
    "AR": ("阿区", "阿根廷", "argentina"),
    "MX": ("墨区", "墨西哥", "mexico", "mexicana", "mexicano"),
    "ES": ("西班牙", "spain", "espana"),
    "BR": ("巴西", "brazil", "brasil"),
    "RU": ("俄区", "俄罗斯", "russia", "rusia"),
    "LATAM": ("拉美", "latam", "latinoamerica"),
    "GLOBAL": ("全球", "全区", "global", "worldwide", "mundial"),
}
_REGIONS = Vocabulary({word: code for code, words in _REGION_WORDS.items() for word in words})
# Two-letter codes count only in capitals: "us" and "es" are everyday words.
_REGION_CODE = re.compile(r"(?<![A-Za-z])(USA|US|U\.S\.|HK|CN|EU|JP|UK|GB|MX)(?![A-Za-z])")
_CODE_REGION = {"USA": "US", "U.S.": "US", "UK": "GB"}
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Extraction:
    entities: dict[str, Any]
    redacted: str  # the message with placeholders where entities were; never holds a key


def _looks_like_key(candidate: str, grouped: bool) -> bool:
    digits = sum(c.isdigit() for c in candidate)
    letters = sum(c.isalpha() for c in candidate)
    if grouped:
        # "follow-up" and "non-working" are words; keys carry digits or are written in capitals.
        return digits > 0 or (candidate.isupper() and letters >= 8)
    # A solid run needs both digits and letters, enough of each that it is not a word or a phone number.
    if candidate.isupper() or candidate.isdigit():
        return letters >= 2 and digits >= 2
    return letters >= 3 and digits >= 3


def _minor_units(number: str, currency: str | None) -> int | None:
    # "1,000.50", "1.000,50" and "20,5": the last separator followed by one or two digits is the decimal mark.
    match = re.fullmatch(r"(?P<whole>[\d.,]*?)(?:[.,](?P<frac>\d{1,2}))?", number)
    if not match:
        return None
    whole = re.sub(r"[.,]", "", match["whole"]) or "0"
    try:
        value = Decimal(f"{whole}.{match['frac'] or '0'}")
    except InvalidOperation:
        return None
    exponent = 0 if currency in _ZERO_DECIMAL else 2
    return int(value.scaleb(exponent).to_integral_value())


def _amounts(text: str) -> tuple[list[dict[str, Any]], str]:
    found: list[dict[str, Any]] = []

    def replace(match: re.Match[str]) -> str:
        word = (match["pre"] or match["post_latin"] or match["post"] or "").lower()
        number = match["num1"] or match["num2"]
        currency = _CURRENCY.get(word)
        found.append({"text": match.group(0).strip(), "minor": _minor_units(number, currency), "currency": currency})
        return AMOUNT_PLACEHOLDER

    return found, _AMOUNT.sub(replace, text)


def extract(text: str) -> Extraction:
    folded = fold(text)
    emails: list[str] = []
    order_ids: list[str] = []
    keys: list[str] = []

    def email(match: re.Match[str]) -> str:
        emails.append(match.group(0).lower())
        return EMAIL_PLACEHOLDER

    def order_id(match: re.Match[str]) -> str:
        order_ids.append(match.group(0).replace("-", "").lower())
        return ORDER_PLACEHOLDER

    def key(grouped: bool) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            if not _looks_like_key(match.group(0), grouped):
                return match.group(0)
            keys.append(mask_code(match.group(0)))
            return KEY_PLACEHOLDER

        return replace

    def reference(match: re.Match[str]) -> str:
        ref = match["ref"] or match["hash_ref"]
        order_ids.append(ref)
        return match.group(0)[: match.start("ref" if match["ref"] else "hash_ref") - match.start()] + ORDER_PLACEHOLDER

    redacted = _EMAIL.sub(email, folded) if "@" in folded else folded
    redacted = _ORDER_ID.sub(order_id, redacted)
    has_digits = bool(_DIGIT.search(redacted))
    if has_digits:
        # References before keys: "order A-55213" is an order, not a key; before amounts: "#2000" is no sum.
        redacted = _ORDER_REFERENCE.sub(reference, redacted)
    redacted = _GROUPED_KEY.sub(key(grouped=True), redacted)
    redacted = _SOLID_KEY.sub(key(grouped=False), redacted)
    amounts, redacted = _amounts(redacted) if has_digits else ([], redacted)

    # The ticket acts on one order, one platform and one region; when a message names two, the first wins.
    entities: dict[str, Any] = {}
    for name, values in (("order_id", order_ids), ("email", emails), ("amount", amounts)):
        if values:
            entities[name] = values[0]
    if keys:
        entities["key_fragments"] = keys
    lowered = fold_case(redacted)
    platforms = _PLATFORMS.find(lowered)
    platforms += [(m.start(), "nintendo") for m in _SWITCH.finditer(redacted)]
    if platforms:
        entities["platform"] = min(platforms)[1]
    regions = _REGIONS.find(lowered)
    regions += [(m.start(), _CODE_REGION.get(m[0], m[0])) for m in _REGION_CODE.finditer(redacted)]
    if regions:
        entities["region"] = min(regions)[1]
    return Extraction(entities, redacted)
