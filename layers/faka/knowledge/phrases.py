"""What a buyer's text is about, as countable phrases: the help desk's gaps and the complaint analysis read these."""

from __future__ import annotations

import re
from itertools import pairwise

# Words that say nothing about what a buyer needs; key fragments and numbers are dropped by the tokenizer.
_STOPWORD_TEXT = """a an and are as at be been but by can could did do does for from get got have i i'm im in is it it's
    its just me my no not of on or our please so that the their them then there this to too was we were
    what when where which why will with would you your hi hello thanks thank order code"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_LATIN_WORD = re.compile(r"[a-z][a-z']+")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
# Chinese particles and pronouns that make frequent but empty character pairs.
_CJK_FILLER = frozenset("的了吗呢吧啊我你您是在有就也都和")


def phrases(text: str) -> list[str]:
    """Words and word pairs of English text, character pairs of Chinese text; masked keys and numbers are skipped."""
    lowered = text.lower()
    words = [w for w in _LATIN_WORD.findall(lowered) if w not in _STOPWORDS]
    found = words + [f"{a} {b}" for a, b in pairwise(words)]
    for run in _CJK_RUN.findall(text):
        found += [run[i : i + 2] for i in range(len(run) - 1) if not set(run[i : i + 2]) & _CJK_FILLER]
    return found
