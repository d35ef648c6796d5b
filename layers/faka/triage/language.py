"""Which language a buyer wrote in — zh, en, es, or mixed — from script and function words.

Rules rather than a model: the three languages differ in script (Chinese) or in their most frequent words
(English and Spanish), and a rule explains itself when a reply goes out in the wrong language.
"""

from __future__ import annotations

import re

from faka.triage.entities import PLACEHOLDERS
from faka.triage.text import CJK

_CJK_CHAR = re.compile(f"[{CJK}]")
_LATIN_WORD = re.compile(r"[a-záéíóúüñ]+")
_SPANISH_MARKS = re.compile(r"[ñ¿¡áéíóú]")

# Words Chinese buyers write in Latin letters without switching language: brands, "key", "code", currencies.
_LOANWORDS = frozenset(
    "key keys cdkey cd code codes pin steam psn ps ps4 ps5 playstation xbox switch eshop nintendo ns apple itunes "
    "app store icloud google play gift card id ok okay vpn dlc game gamepass pass live gold plus ultimate wallet "
    "usd eur rmb cny hkd us eu hk jp uk cn email mail paypal visa mastercard alipay wechat qq bug sorry hi hello "
    "bro sir vip gta fifa cod netflix spotify roblox apex epic riot lol nba pubg".split()
)
_ENGLISH = frozenset(
    "i my me the an is it its not didnt doesnt dont cant wont isnt wasnt and to of for you your have has was were this "
    "that what how why where when with please pls plz hi hello thanks thank still just get got work working works "
    "received receive bought buy want need help money back does do did can will would but from still yet any "
    "someone there they he she we our us be been am are after before about all been into if or so than then "
    "already never ever again right now today yesterday hours days week".split()
)
_SPANISH = frozenset(
    "el la los las una mi mis es que qué del en y por para con se lo le pero cómo como hola gracias funciona "
    "recibí recibi compré compre quiero código codigo pedido dinero ya todavía todavia aún aun hace está esta estoy "
    "nada muy porfa favor ayuda cuenta tarjeta llegó llego llega cuando cuándo donde dónde porque pq xq tengo "
    "puedo hacer sale dice mío mio su sus al fue son hay ni sin pagué pague tiene este esto eso sí también "
    "ahora hoy ayer horas días dias semana nunca otra vez necesito".split()
)
# Latin text counts as a language switch inside Chinese once it is a fair share of the message; a CJK
# character carries about as much as two Latin letters.
_MIXED_SHARE = 0.3


def detect_language(redacted: str) -> str:
    """``redacted`` is the message with entities replaced by placeholders (see ``entities.extract``)."""
    lowered = redacted.lower()
    han = len(_CJK_CHAR.findall(lowered))
    words = [w for w in _LATIN_WORD.findall(lowered) if w not in PLACEHOLDERS and w.strip("_") == w]
    content = [w for w in words if w not in _LOANWORDS and len(w) > 1]
    if han:
        letters = sum(len(w) for w in content)
        return "mixed" if letters / (letters + 2 * han) >= _MIXED_SHARE else "zh"
    english = sum(w in _ENGLISH for w in words)
    spanish = sum(w in _SPANISH for w in words) + (2 if _SPANISH_MARKS.search(lowered) else 0)
    if english >= 2 and spanish >= 2 and min(english, spanish) / max(english, spanish) >= 0.5:
        return "mixed"
    # With no evidence either way the reply goes out in English, the shop's lingua franca.
    return "es" if spanish > english else "en"
