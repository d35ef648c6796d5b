"""The buyer's answer to "did this help?": yes, no, or (a longer or other message) neither.

Words, not the triage model: the answer is short and idiomatic ("没用", "nope", "no me sirvió"), and a message
that is not plainly one of them is read as a new question instead.
"""

from __future__ import annotations

import re
import unicodedata

# An answer to a yes/no question is short; anything longer is taken for a new question.
MAX_ANSWER_CHARS = 40
_NO = (
    r"^(no|nope|nah|not really)\b|not helpful|didn'?t help|did not help|doesn'?t help|does not help|useless"
    r"|no me (sirvi|ayud)|no sirve|no ayud|no funcion"
    r"|没用|沒用|没有用|沒有用|没有帮助|沒有幫助|没帮助|沒幫助|没帮到|沒幫到|无用|無用|不行|不对|不對|不是"
)
_YES = (
    r"^(yes|yep|yeah|yup|ok|okay|sí|si|vale)\b|helpful|it helped|that helped|solved|thanks|thank you|gracias"
    r"|me sirvi|me ayud|funcion"
    r"|有用|有帮助|有幫助|帮到|幫到|解决了|解決了|谢谢|謝謝|多谢|多謝|好的|明白了|懂了"
)
_NO_PATTERN = re.compile(_NO)
_YES_PATTERN = re.compile(_YES)


def helpful_verdict(message: str) -> bool | None:
    """True for "yes, it helped", False for "no", None for anything else (a new question)."""
    text = unicodedata.normalize("NFKC", message).strip().lower()
    if not text or len(text) > MAX_ANSWER_CHARS:
        return None
    if _NO_PATTERN.search(text):
        return False
    return True if _YES_PATTERN.search(text) else None


# Thanks or praise, said anywhere in a message (not only as a short answer).
_THANKS_PATTERN = re.compile(
    r"thank|thx|cheers|appreciat|excellent|gracias|se agradece|felicit|谢|謝|感激|好评|好評|不错|不錯|搞定了"
)


def thanks(message: str) -> bool:
    """Whether the message thanks or praises the shop (a question, with a "?", is not taken for one)."""
    text = unicodedata.normalize("NFKC", message).lower()
    return "?" not in text and _THANKS_PATTERN.search(text) is not None
