"""Public, human-written support utterances, mapped onto faka's intents: training rows and an unseen test set.

Development only (``faka.triage.train`` and ``benchmarks/triage.py``); the Lambda never imports it.
The published files are read as they are from ``$FAKA_TRIAGE_REAL_DATA`` or, by default, the steering
repository's ``shared/datasets/triage-real/`` next to this checkout: fetched third-party data is not
committed here. ``data/triage/real/README.md`` names the sources, licences and the layout;
``data/triage/real/mapping.json`` says which source intent becomes which of ours.

Each source's own train/test split is kept: its training part (capped per intent, then augmented) is
used to train, its test part never is, and is what "the unseen real set" means in the benchmark.
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Literal

REPO_ROOT = Path(__file__).resolve().parents[3]
MAPPING_PATH = REPO_ROOT / "data" / "triage" / "real" / "mapping.json"
DATA_ENV = "FAKA_TRIAGE_REAL_DATA"
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "datasets" / "triage-real"

Split = Literal["train", "test"]
# Real rows per faka intent in training (the generated set has 420 per intent); enough to teach the
# phrasing without letting one source's eight payment intents outweigh the rest.
TRAIN_ROWS_PER_INTENT = 250
# A default-mapped source intent ("other": weather, recipes, small talk) contributes this many rows per
# split, so 130 off-topic intents do not turn the sets into an "other" detector.
DEFAULT_ROWS_PER_SOURCE_INTENT = {"train": 3, "test": 2}
SEED = 20261206


class RealDataMissing(FileNotFoundError):
    """The published files are not on this machine (see data/triage/real/README.md)."""


def data_dir_wanted() -> Path:
    """Where the published files are looked for: ``$FAKA_TRIAGE_REAL_DATA``, else shared/datasets/triage-real."""
    configured = os.environ.get(DATA_ENV)
    return Path(configured) if configured else DEFAULT_DATA_DIR


def data_dir() -> Path:
    """Where the published files are; raises RealDataMissing when they are not there."""
    directory = data_dir_wanted()
    if not directory.is_dir():
        raise RealDataMissing(f"no real support data at {directory} (set {DATA_ENV}; see data/triage/real/README.md)")
    return directory


def available() -> bool:
    try:
        data_dir()
    except RealDataMissing:
        return False
    return True


def _published(directory: Path, spec: str) -> Iterator[tuple[str, str]]:
    """(text, source intent) from a CSV with text,category columns or a CLINC-style JSON ``file#key,key``."""
    name, _, keys = spec.partition("#")
    path = directory / name
    if not keys:
        with path.open(encoding="utf-8", newline="") as stream:
            for row in csv.DictReader(stream):
                yield row["text"], row["category"]
        return
    document = json.loads(path.read_text(encoding="utf-8"))
    for key in keys.split(","):
        yield from ((text, intent) for text, intent in document[key])


def _rank(text: str) -> int:
    """A stable, content-derived order, so the capped subsets do not depend on file order or Python's hash."""
    return zlib.crc32(text.encode("utf-8"))


def real_rows(split: Split) -> list[dict[str, str]]:
    """The mapped rows of ``split`` from every source: text, intent, language "en", source, source_intent."""
    directory = data_dir()
    mapping = json.loads(MAPPING_PATH.read_text(encoding="utf-8"))
    rows: list[dict[str, str]] = []
    for source, spec in mapping["sources"].items():
        by_source_intent: defaultdict[str, list[str]] = defaultdict(list)
        for text, source_intent in _published(directory, spec["files"][split]):
            by_source_intent[source_intent].append(" ".join(text.split()))
        for source_intent, texts in sorted(by_source_intent.items()):
            explicit = source_intent in spec["intents"]
            intent = spec["intents"][source_intent] if explicit else spec["default"]
            if intent is None:
                continue
            chosen = sorted(set(texts), key=_rank)
            if not explicit:
                chosen = chosen[: DEFAULT_ROWS_PER_SOURCE_INTENT[split]]
            rows.extend(
                {
                    "text": text,
                    "intent": intent,
                    "language": "en",
                    "source": f"{source}/{source_intent}/{_rank(text):08x}",
                    "source_intent": source_intent,
                }
                for text in chosen
            )
    return rows


def training_rows() -> list[dict[str, str]]:
    """The training part: at most TRAIN_ROWS_PER_INTENT real rows per intent, each with augmented copies."""
    # A sentence both sources' splits happen to contain stays on the test side: it is never trained on.
    tested = {row["text"] for row in real_rows("test")}
    by_intent: defaultdict[str, list[dict[str, str]]] = defaultdict(list)
    for row in real_rows("train"):
        if row["text"] not in tested:
            by_intent[row["intent"]].append(row)
    rng = random.Random(SEED)  # noqa: S311 - noise for training data, not security
    augmented: list[dict[str, str]] = []
    for intent in sorted(by_intent):
        # Spread the cap over the source intents (round robin) so each contributes its phrasing.
        kept = _round_robin(by_intent[intent])[:TRAIN_ROWS_PER_INTENT]
        for row in kept:
            augmented.append(row)
            for make in AUGMENTATIONS:
                text = make(row["text"], rng)
                if text != row["text"] and text not in tested:
                    augmented.append({**row, "text": text, "language": _language(text)})
    return augmented


def _round_robin(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    queues: defaultdict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        queues[row["source_intent"]].append(row)
    ordered: list[dict[str, str]] = []
    while any(queues.values()):
        for name in sorted(queues):
            if queues[name]:
                ordered.append(queues[name].pop(0))
    return ordered


# --- augmentation ------------------------------------------------------------------------------------

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def _language(text: str) -> str:
    return "mixed" if _CJK.search(text) and _LATIN.search(text) else "zh" if _CJK.search(text) else "en"


def typo(text: str, rng: random.Random) -> str:
    """One dropped, swapped or doubled letter inside an ASCII word longer than three letters."""
    words = text.split(" ")
    candidates = [i for i, word in enumerate(words) if word.isalpha() and word.isascii() and len(word) > 3]
    if not candidates:
        return text
    i = rng.choice(candidates)
    word = words[i]
    j = rng.randrange(1, len(word) - 1)
    operation = rng.choice(["drop", "swap", "double"])
    if operation == "drop":
        word = word[:j] + word[j + 1 :]
    elif operation == "swap":
        word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    else:
        word = word[:j] + word[j] + word[j:]
    words[i] = word
    return " ".join(words)


# A bank's card is a shop's gift card, code or key; the rest of the sentence (not arrived, not working,
# charged twice) is what carries the intent, and is what the real rows teach.
_DOMAIN = {
    r"\b(?:debit |credit |virtual |new )?cards?\b": ["code", "key", "gift card", "card", "voucher"],
    r"\btop[- ]?ups?\b": ["recharge", "top up", "purchase"],
    r"\bbank transfer\b": ["payment", "bank transfer"],
    r"\bapp\b": ["site", "store", "app"],
}
# Mixed Chinese-English as buyers write it: the nouns in Chinese, the rest as typed.
_TO_CHINESE = {
    r"\bcards?\b": "卡",
    r"\bcodes?\b": "卡密",
    r"\bkeys?\b": "激活码",
    r"\brefund\b": "退款",
    r"\bmoney\b": "钱",
    r"\bpayment\b": "付款",
    r"\baccount\b": "账号",
    r"\border\b": "订单",
    r"\bcharged\b": "扣款了",
    r"\bpassword\b": "密码",
}
_OPENERS = ["hi", "hello", "hey", "excuse me,", "你好，", "在吗", "hola,"]
_CLOSERS = ["please help", "thanks", "asap", "??", "谢谢", "急"]


def _pick(rng: random.Random, choices: list[str], _: re.Match[str]) -> str:
    return rng.choice(choices)


def in_our_domain(text: str, rng: random.Random) -> str:
    for pattern, choices in _DOMAIN.items():
        text = re.sub(pattern, partial(_pick, rng, choices), text, flags=re.IGNORECASE)
    return text


def noisy(text: str, rng: random.Random) -> str:
    """Chat noise: lower case, no final punctuation, a greeting or sign-off, a typo."""
    text = typo(text.lower().rstrip(".?!"), rng)
    if rng.random() < 0.5:
        text = f"{rng.choice(_OPENERS)} {text}"
    if rng.random() < 0.5:
        text = f"{text} {rng.choice(_CLOSERS)}"
    return text


def mixed_chinese(text: str, rng: random.Random) -> str:
    text = in_our_domain(text, rng)
    for pattern, chinese in _TO_CHINESE.items():
        text = re.sub(pattern, chinese, text, flags=re.IGNORECASE)
    return text


def noisy_in_our_domain(text: str, rng: random.Random) -> str:
    return noisy(in_our_domain(text, rng), rng)


AUGMENTATIONS: tuple[Callable[[str, random.Random], str], ...] = (in_our_domain, noisy_in_our_domain, mixed_chinese)
