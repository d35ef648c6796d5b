"""Knowledge-base retrieval on held-out questions: right answers, wrong answers, order problems answered.

    .venv/bin/python benchmarks/knowledge.py

``data/knowledge/heldout.jsonl`` holds questions written apart from the articles' own example questions
(10 per article across zh-CN, zh-TW, en and es) and order problems that must NOT be answered from the
knowledge base (``"article": null``). Prints, for what each article is indexed by and for a range of
confidence bars: accuracy (answered with the right article), wrong answers, questions handed off, and the
false-answer rate on order problems; then per locale and the latency of ``answer``. Asserts nothing.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "layers"))

from faka.knowledge import (  # noqa: E402
    CONFIDENCE_BAR,
    LOCALES,
    Article,
    KnowledgeBase,
    answer,
    default_knowledge_base,
    load_articles,
)

HELDOUT = ROOT / "data" / "knowledge" / "heldout.jsonl"
BARS = (0.1, 0.15, 0.2, 0.25, 0.3)


def _variant(keep: Callable[[Article], Article]) -> KnowledgeBase:
    return KnowledgeBase(tuple(keep(article) for article in load_articles()), default_knowledge_base().order_problems)


def _shipped(closest_text_weight: float | None = None, margin: float | None = None) -> Callable[[], KnowledgeBase]:
    shipped = default_knowledge_base()
    return lambda: KnowledgeBase(
        shipped.articles,
        shipped.order_problems,
        shipped.closest_text_weight if closest_text_weight is None else closest_text_weight,
        shipped.order_problem_margin if margin is None else margin,
    )


VARIANTS: dict[str, Callable[[], KnowledgeBase]] = {
    "shipped: closest text 0.3 + whole article 0.7, order-problem margin 0.8": default_knowledge_base,
    "closest text only": _shipped(closest_text_weight=1.0),
    "whole article only": _shipped(closest_text_weight=0.0),
    "closest text 0.5 + whole article 0.5": _shipped(closest_text_weight=0.5),
    "order-problem margin 1.0": _shipped(margin=1.0),
    "order-problem margin 0.6": _shipped(margin=0.6),
    "no order-problem examples": lambda: KnowledgeBase(load_articles()),
    "articles without body": lambda: _variant(lambda a: dataclasses.replace(a, body="")),
    "articles without example questions": lambda: _variant(lambda a: dataclasses.replace(a, questions=())),
}


def _measure(base: KnowledgeBase, rows: Sequence[dict[str, str | None]], bar: float) -> dict[str, float]:
    right = wrong = handed_off = false_answers = 0
    faq = [row for row in rows if row["article"]]
    problems = [row for row in rows if not row["article"]]
    for row in faq:
        found = answer(str(row["text"]), str(row["locale"]), base, bar)
        if found is None:
            handed_off += 1
        elif found[0].id == row["article"]:
            right += 1
        else:
            wrong += 1
    for row in problems:
        false_answers += answer(str(row["text"]), str(row["locale"]), base, bar) is not None
    return {
        "accuracy": right / len(faq),
        "wrong": wrong / len(faq),
        "handed_off": handed_off / len(faq),
        "false_answers": false_answers / len(problems),
    }


def main() -> int:
    rows = [json.loads(line) for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    faq = [row for row in rows if row["article"]]
    print(
        f"{HELDOUT.relative_to(ROOT)}: {len(faq)} FAQ questions over {len({r['article'] for r in faq})} articles, "
        f"{len(rows) - len(faq)} order problems; shipped bar {CONFIDENCE_BAR}"
    )
    print("\n| indexed by | bar | accuracy | wrong article | handed off | order problems answered |")
    print("|---|---|---|---|---|---|")
    for name, build in VARIANTS.items():
        base = build()
        for bar in BARS:
            m = _measure(base, rows, bar)
            marker = " ←" if bar == CONFIDENCE_BAR and build is default_knowledge_base else ""
            print(
                f"| {name} | {bar}{marker} | {m['accuracy']:.3f} | {m['wrong']:.3f} | {m['handed_off']:.3f} "
                f"| {m['false_answers']:.3f} |"
            )

    base = default_knowledge_base()
    print("\nshipped, by locale (accuracy on FAQ questions; order problems answered):")
    for locale in LOCALES:
        m = _measure(base, [row for row in rows if row["locale"] == locale], CONFIDENCE_BAR)
        print(f"  {locale:6s} accuracy {m['accuracy']:.3f}   order problems answered {m['false_answers']:.3f}")

    misses = Counter[str]()
    for row in faq:
        found = answer(row["text"], row["locale"], base)
        if found is None or found[0].id != row["article"]:
            misses[row["article"]] += 1
            got = f"{found[0].id} ({found[1]:.2f})" if found else "handed off"
            print(f"  miss [{row['locale']}] {row['text']!r}: {row['article']} -> {got}")

    timings: list[float] = []
    gc.disable()
    for _ in range(3):
        for row in rows:
            start = time.perf_counter_ns()
            answer(row["text"], row["locale"], base)
            timings.append((time.perf_counter_ns() - start) / 1000)
    gc.enable()
    timings.sort()
    print(
        f"\nlatency of answer: median {statistics.median(timings):.0f} µs, "
        f"p99 {timings[int(len(timings) * 0.99)]:.0f} µs ({len(timings)} calls)"
    )
    cold = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, time; sys.path.insert(0, 'layers'); t = time.perf_counter(); import faka.knowledge as k; "
            "i = time.perf_counter(); k.default_knowledge_base(); b = time.perf_counter(); "
            "print(f'{(i - t) * 1000:.0f} {(b - i) * 1000:.0f}')",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    print(f"cold start: import {cold[0]} ms (the triage's text and entities included), index {cold[1]} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
