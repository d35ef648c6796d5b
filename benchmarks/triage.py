"""Ticket triage on the evaluation set: quality and per-message latency. Prints figures, asserts nothing.

    .venv/bin/python benchmarks/triage.py                                   # data/triage/eval.jsonl
    .venv/bin/python benchmarks/triage.py --data data/triage/holdout.jsonl
    .venv/bin/python benchmarks/triage.py --real    # the public, human-written test set (data/triage/real/)

Accuracy, macro-F1, per-intent precision/recall, the confusion matrix, calibration (ECE, and what the
LOW_CONFIDENCE threshold sends back), language and tone accuracy, and the latency of ``classify`` per
message (entities, features, scoring, language, tone and severity; the model already loaded) — pure
Python, as in the Lambda.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "layers"))

from faka.triage import INTENTS, LOW_CONFIDENCE, classify, corpus  # noqa: E402
from faka.triage.model import MODEL_PATH, load  # noqa: E402

SHORT = {
    "not_received": "n_rec",
    "invalid_key": "inval",
    "wrong_region": "regio",
    "activation_help": "activ",
    "refund_request": "refnd",
    "payment_issue": "paymt",
    "order_status": "stat",
    "description_mismatch": "descr",
    "account_security": "secur",
    "fraud_report": "fraud",
    "talk_to_human": "human",
    "other": "other",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "triage" / "eval.jsonl")
    parser.add_argument(
        "--real", action="store_true", help="the real set's test part, never trained on (instead of --data)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the set (latency only)")
    args = parser.parse_args()
    if args.real:
        try:
            rows = corpus.real_rows("test")
        except corpus.RealDataMissing as missing:
            print(f"real support utterances: not measured: {missing}")
            return 0
        name = f"real support utterances, test part ({corpus.data_dir()})"
    else:
        data = args.data.resolve()
        rows = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines() if line.strip()]
        name = str(data.relative_to(ROOT))

    began = time.perf_counter()
    model = load()
    load_ms = (time.perf_counter() - began) * 1000
    classify("warm-up")  # the module-level singleton loads here, outside the timings

    results = [classify(row["text"]) for row in rows]
    timings: list[float] = []
    gc.disable()  # a collection landing in one call says nothing about classify
    for _ in range(args.repeat):
        for row in rows:
            start = time.perf_counter_ns()
            classify(row["text"])
            timings.append((time.perf_counter_ns() - start) / 1000)
    gc.enable()
    timings.sort()

    truth = [row["intent"] for row in rows]
    predicted = [result.intent for result in results]
    correct = [t == p for t, p in zip(truth, predicted, strict=True)]
    print(
        f"{name}: {len(rows)} messages; model {MODEL_PATH.name} "
        f"{MODEL_PATH.stat().st_size / 1024:.0f} KB gzip, {len(model.weights)} features, loads in {load_ms:.0f} ms"
    )
    print(f"accuracy {sum(correct) / len(rows):.3f}   macro-F1 {_macro_f1(truth, predicted):.3f}")
    print(
        f"latency per message: median {statistics.median(timings):.0f} µs, "
        f"p99 {timings[int(len(timings) * 0.99)]:.0f} µs, max {timings[-1]:.0f} µs ({len(timings)} calls)"
    )

    print("\nintent                 precision recall  f1    support")
    for intent in (i for i in INTENTS if i in truth):  # a set may leave intents out (the real one has no talk_to_human)
        tp = sum(t == p == intent for t, p in zip(truth, predicted, strict=True))
        precision = tp / max(1, predicted.count(intent))
        recall = tp / max(1, truth.count(intent))
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        print(f"{intent:22s} {precision:9.3f} {recall:6.3f} {f1:5.3f} {truth.count(intent):6d}")

    print("\nconfusion matrix (rows: truth, columns: predicted)")
    pairs = Counter(zip(truth, predicted, strict=True))
    print(" " * 7 + "".join(f"{SHORT[i]:>6s}" for i in INTENTS))
    for actual in INTENTS:
        print(f"{SHORT[actual]:7s}" + "".join(f"{pairs[(actual, p)] or '.':>6}" for p in INTENTS))

    confidences = [result.confidence for result in results]
    kept = [c for c, conf in zip(correct, confidences, strict=True) if conf >= LOW_CONFIDENCE]
    print(
        f"\ncalibration: ECE {_ece(confidences, correct):.3f} (10 bins); mean confidence "
        f"{statistics.mean(confidences):.3f} vs accuracy {sum(correct) / len(rows):.3f}"
    )
    print(
        f"below LOW_CONFIDENCE={LOW_CONFIDENCE}: {len(rows) - len(kept)} messages sent back to rephrase; "
        f"accuracy of the rest {sum(kept) / max(1, len(kept)):.3f}"
    )

    for label in ("language", "sentiment"):
        labelled = [(result, row) for result, row in zip(results, rows, strict=True) if label in row]
        if labelled:
            hits = sum(getattr(result, label) == row[label] for result, row in labelled)
            print(f"{label} accuracy {hits / len(labelled):.3f}", end="   ")
    print()
    _accuracy_by("language", [row["language"] for row in rows], correct)
    if args.real:
        _accuracy_by("source", [row["source"].split("/")[0] for row in rows], correct)
    return 0


def _accuracy_by(name: str, groups: list[str], correct: list[bool]) -> None:
    sizes = Counter(groups)
    right = Counter(group for group, ok in zip(groups, correct, strict=True) if ok)
    print(f"intent accuracy by {name}: " + ", ".join(f"{g} {right[g] / n:.3f} ({n})" for g, n in sorted(sizes.items())))


def _macro_f1(truth: list[str], predicted: list[str]) -> float:
    scores = []
    for intent in (i for i in INTENTS if i in truth):
        tp = sum(t == p == intent for t, p in zip(truth, predicted, strict=True))
        fp = predicted.count(intent) - tp
        fn = truth.count(intent) - tp
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def _ece(confidences: list[float], correct: list[bool], bins: int = 10) -> float:
    total = 0.0
    for b in range(bins):
        members = [i for i, c in enumerate(confidences) if b / bins < c <= (b + 1) / bins]
        if members:
            accuracy = sum(correct[i] for i in members) / len(members)
            confidence = sum(confidences[i] for i in members) / len(members)
            total += len(members) / len(confidences) * abs(accuracy - confidence)
    return total


if __name__ == "__main__":
    raise SystemExit(main())
