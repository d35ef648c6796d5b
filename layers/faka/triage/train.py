"""Train the triage intent model from data/triage/train.jsonl and write layers/faka/triage/model.json.gz.

    .venv/bin/python -m faka.triage.train              # retrain and write the shipped model
    .venv/bin/python -m faka.triage.train --check      # exit 1 if the committed model differs from a retrain
    .venv/bin/python -m faka.triage.train --compare    # the technique comparison in docs/triage.md

Operators' intent corrections join the training data from ``data/triage/corrections.jsonl`` when it exists
(``make triage-corrections`` writes it from ``make local``'s stack or an export file): deduplicated, and never
one that contradicts the curated data or repeats an evaluation message (those are printed and left out).

Development only: needs scikit-learn (the dev extra), which the Lambda never imports. Deterministic:
fixed splits (by hand-written source sentence, so a sentence and its noisy copies never straddle a split),
deterministic solvers, sorted vocabularies and a timestamp-free gzip, so a retrain writes the same bytes
on the same library versions.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import random
import statistics
import sys
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from faka.triage import INTENTS, corpus, message_features
from faka.triage.corrections import CorrectionRows
from faka.triage.corrections import training_rows as correction_rows
from faka.triage.model import MODEL_PATH, LinearModel, dump, load, softmax

REPO_ROOT = Path(__file__).resolve().parents[3]
TRAIN_PATH = REPO_ROOT / "data" / "triage" / "train.jsonl"
EVAL_PATH = REPO_ROOT / "data" / "triage" / "eval.jsonl"
HOLDOUT_PATH = REPO_ROOT / "data" / "triage" / "holdout.jsonl"
CORRECTIONS_PATH = REPO_ROOT / "data" / "triage" / "corrections.jsonl"

# The shipped configuration, chosen by grouped cross-validation on the training set (see --compare).
TECHNIQUE = "svm"
C_SHIPPED = 1.0
MIN_DOCUMENT_FREQUENCY = 2
# Weights are stored as integers of 1/1000 (the rounding moves no probability by more than ~1e-4).
SCALE = 0.001
CALIBRATION_FOLD = 5  # one source sentence in five is held out to fit the temperature
CV_FOLDS = 5
# A real row's weight in the loss relative to a generated one's: chosen by accuracy on the generated
# holdout and the real test set together (data/triage/real/README.md has the sweep).
REAL_WEIGHT = 0.3
# An operator's correction is one message against hundreds of generated rows per intent: it counts this many
# rows' worth, and comes with CORRECTION_COPIES noisy copies (as the generated sentences do), so the corrected
# wording is learned, and, at one shop's scale, the holdout does not move (tests/unit/test_triage_corrections.py).
CORRECTION_WEIGHT = 2.0
CORRECTION_COPIES = 4


@dataclass(frozen=True)
class Example:
    features: frozenset[str]
    intent: str
    group: int  # which hand-written source sentence the row comes from
    weight: float = 1.0  # in the loss; real rows count REAL_WEIGHT each (see training_examples)


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as stream:
        return [json.loads(line) for line in stream if line.strip()]


def examples(rows: Iterable[dict[str, str]], weight: float = 1.0) -> list[Example]:
    return [
        Example(
            frozenset(message_features(row["text"])),
            row["intent"],
            zlib.crc32(row.get("source", row["text"]).encode()),
            weight,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Datasets:
    """Where training and evaluation read their rows. The shipped model uses the defaults; a test points ``train``
    at a smaller file and leaves ``real`` off, so a retrain takes seconds."""

    train: Path = TRAIN_PATH
    eval: Path = EVAL_PATH
    holdout: Path = HOLDOUT_PATH
    real: bool = True  # the training part of the real, public utterances (faka.triage.corpus) joins


SHIPPED_DATA = Datasets()


def training_examples(corrections: Path = CORRECTIONS_PATH, data: Datasets = SHIPPED_DATA) -> list[Example]:
    """The generated sentences, the training part of the real, public utterances (faka.triage.corpus) and the
    operators' corrections that contradict none of them (``corrections`` when the file exists)."""
    return examples_with(corrected(corrections, data).rows, data)


def examples_with(kept_corrections: Sequence[dict[str, str]], data: Datasets = SHIPPED_DATA) -> list[Example]:
    """``data``'s training rows and ``kept_corrections`` (already checked: see ``checked``), weighted."""
    return (
        examples(read_rows(data.train))
        + (examples(corpus.training_rows(), REAL_WEIGHT) if data.real else [])
        + examples(_with_noisy_copies(kept_corrections), CORRECTION_WEIGHT)
    )


def corrected(path: Path = CORRECTIONS_PATH, data: Datasets = SHIPPED_DATA) -> CorrectionRows:
    """The corrections in ``path`` checked against the curated data (none when there is no file)."""
    return checked(read_rows(path) if path.exists() else [], data)


def checked(corrections: Sequence[dict[str, str]], data: Datasets = SHIPPED_DATA) -> CorrectionRows:
    """``corrections`` deduplicated, those contradicting ``data``'s curated rows or repeating an evaluation message
    set aside as conflicts (faka.triage.corrections.training_rows)."""
    evaluated = read_rows(data.eval) + read_rows(data.holdout)
    return correction_rows(corrections, read_rows(data.train) + evaluated, evaluated, _features)


def _features(text: str) -> frozenset[str]:
    return frozenset(message_features(text))


def _with_noisy_copies(rows: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    """Each row and CORRECTION_COPIES chat-noise copies of it, seeded by its text (the same file, the same rows)."""
    copies: list[dict[str, str]] = []
    for row in rows:
        rng = random.Random(zlib.crc32(row["text"].encode()))  # noqa: S311 - noise for training data
        copies.append({**row, "source": row["text"]})
        copies += [
            {**row, "text": corpus.noisy(row["text"], rng), "source": row["text"]} for _ in range(CORRECTION_COPIES)
        ]
    return copies


def _vocabulary(data: Sequence[Example], min_df: int, keep: Callable[[str], bool]) -> dict[str, int]:
    frequency = Counter(feature for example in data for feature in example.features if keep(feature))
    return {feature: i for i, feature in enumerate(sorted(f for f, n in frequency.items() if n >= min_df))}


def _matrix(data: Sequence[Example], vocabulary: dict[str, int], keep: Callable[[str], bool]) -> Any:
    from scipy.sparse import csr_matrix

    rows: list[int] = []
    columns: list[int] = []
    values: list[float] = []
    for row, example in enumerate(data):
        kept = [f for f in example.features if keep(f)]
        # Normalised by all the message's features, known or not, as the runtime scorer (which keeps no
        # list of the features dropped here) does.
        weight = 1.0 / math.sqrt(len(kept)) if kept else 0.0
        for feature in sorted(kept):
            column = vocabulary.get(feature)
            if column is not None:
                rows.append(row)
                columns.append(column)
                values.append(weight)
    return csr_matrix((values, (rows, columns)), shape=(len(data), len(vocabulary)))


def _everything(_: str) -> bool:
    return True


def fit_linear(
    data: Sequence[Example],
    technique: str = TECHNIQUE,
    c: float = C_SHIPPED,
    keep: Callable[[str], bool] = _everything,
) -> LinearModel:
    """A linear model over ``data`` with temperature 1; ``technique`` is "logistic" or "svm"."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    vocabulary = _vocabulary(data, MIN_DOCUMENT_FREQUENCY, keep)
    x = _matrix(data, vocabulary, keep)
    y = [INTENTS.index(example.intent) for example in data]
    if technique == "logistic":
        estimator: Any = LogisticRegression(C=c, max_iter=1000)
    else:
        estimator = LinearSVC(C=c, max_iter=20000, random_state=0)
    estimator.fit(x, y, sample_weight=[example.weight for example in data])
    classes = tuple(INTENTS[i] for i in estimator.classes_)
    weights: dict[str, list[int]] = {}
    for feature, column in vocabulary.items():
        row = [round(float(w) / SCALE) for w in estimator.coef_[:, column]]
        if any(row):  # a feature whose weights all round to zero adds nothing
            weights[feature] = row
    bias = tuple(round(float(b), 6) for b in estimator.intercept_)
    return LinearModel(classes=classes, weights=weights, bias=bias, scale=SCALE, temperature=1.0)


def fit_temperature(scores: Sequence[Sequence[float]], labels: Sequence[int]) -> float:
    """The temperature minimising the negative log-likelihood: golden-section search over log T."""

    def nll(log_t: float) -> float:
        total = 0.0
        for row, label in zip(scores, labels, strict=True):
            total -= math.log(max(softmax(list(row), math.exp(log_t))[label], 1e-12))
        return total

    low, high = math.log(0.05), math.log(20.0)
    ratio = (math.sqrt(5) - 1) / 2
    for _ in range(60):
        a = high - ratio * (high - low)
        b = low + ratio * (high - low)
        if nll(a) < nll(b):
            high = b
        else:
            low = a
    return round(math.exp((low + high) / 2), 4)


def train(data: Sequence[Example]) -> LinearModel:
    """The shipped pipeline: temperature from a held-out fifth of the sources, weights from all of them."""
    fitting = [e for e in data if e.group % CALIBRATION_FOLD]
    held_out = [e for e in data if not e.group % CALIBRATION_FOLD]
    probe = fit_linear(fitting)
    temperature = fit_temperature(
        [probe.scores(e.features) for e in held_out], [probe.classes.index(e.intent) for e in held_out]
    )
    final = fit_linear(data)
    return LinearModel(final.classes, final.weights, final.bias, final.scale, temperature)


# --- measurement -------------------------------------------------------------------------------------


def macro_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    scores = []
    for intent in INTENTS:
        tp = sum(t == p == intent for t, p in zip(truth, predicted, strict=True))
        fp = sum(p == intent != t for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == intent != p for t, p in zip(truth, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def expected_calibration_error(confidences: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    total = 0.0
    for b in range(bins):
        members = [i for i, c in enumerate(confidences) if b / bins < c <= (b + 1) / bins or (b == 0 and c == 0)]
        if members:
            accuracy = sum(correct[i] for i in members) / len(members)
            confidence = sum(confidences[i] for i in members) / len(members)
            total += len(members) / len(confidences) * abs(accuracy - confidence)
    return total


class NaiveBayes:
    """Multinomial naive Bayes over the same binary features, in pure Python (technique b)."""

    def __init__(self, data: Sequence[Example], alpha: float = 0.1) -> None:
        counts = {intent: Counter[str]() for intent in INTENTS}
        for example in data:
            counts[example.intent].update(example.features)
        vocabulary = sorted({f for c in counts.values() for f in c})
        documents = Counter(e.intent for e in data)
        self.prior = [math.log(documents[i] / len(data)) for i in INTENTS]
        totals = [sum(counts[i].values()) + alpha * len(vocabulary) for i in INTENTS]
        self.log_likelihood = {
            f: [math.log((counts[i][f] + alpha) / totals[k]) for k, i in enumerate(INTENTS)] for f in vocabulary
        }
        self.temperature = 1.0

    def scores(self, features: Iterable[str]) -> list[float]:
        totals = list(self.prior)
        for feature in features:
            row = self.log_likelihood.get(feature)
            if row is not None:
                totals = [t + w for t, w in zip(totals, row, strict=True)]
        return totals

    def probabilities(self, features: Iterable[str]) -> list[float]:
        return softmax(self.scores(features), self.temperature)


def evaluate(scorer: Any, rows: Sequence[dict[str, str]], classes: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1, ECE and per-message latency (features + scoring, pure Python) on ``rows``."""
    truth, predicted, confidences, timings = [], [], [], []
    for row in rows:
        began = time.perf_counter_ns()
        probabilities = scorer.probabilities(message_features(row["text"]))
        timings.append((time.perf_counter_ns() - began) / 1000)
        best = max(range(len(probabilities)), key=probabilities.__getitem__)
        truth.append(row["intent"])
        predicted.append(classes[best])
        confidences.append(probabilities[best])
    correct = [t == p for t, p in zip(truth, predicted, strict=True)]
    timings.sort()
    return {
        "accuracy": sum(correct) / len(correct),
        "macro_f1": macro_f1(truth, predicted),
        "ece": expected_calibration_error(confidences, correct),
        "median_us": statistics.median(timings),
        "p99_us": timings[min(len(timings) - 1, int(len(timings) * 0.99))],
        "predicted": predicted,
    }


def _grouped_cv(data: Sequence[Example], fit: Callable[[Sequence[Example]], Any], classes: Sequence[str]) -> float:
    """Macro-F1 over CV_FOLDS folds split by source sentence (noisy copies stay together)."""
    truth: list[str] = []
    predicted: list[str] = []
    for fold in range(CV_FOLDS):
        model = fit([e for e in data if e.group % CV_FOLDS != fold])
        for example in (e for e in data if e.group % CV_FOLDS == fold):
            probabilities = model.probabilities(example.features)
            truth.append(example.intent)
            predicted.append(classes[max(range(len(probabilities)), key=probabilities.__getitem__)])
    return macro_f1(truth, predicted)


def _size_kb(model: LinearModel) -> float:
    text = json.dumps(model.to_json(), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return len(zlib.compress(text.encode("utf-8"), 9)) / 1024


def _with_temperature(model: Any, temperature: float) -> Any:
    if isinstance(model, LinearModel):
        return dataclasses.replace(model, temperature=temperature)
    model.temperature = temperature
    return model


def _calibrated(fit: Callable[[Sequence[Example]], Any], data: Sequence[Example], classes: Sequence[str]) -> Any:
    """``fit`` on all of ``data``, with the temperature fitted as the shipped model's is (see ``train``)."""
    probe = fit([e for e in data if e.group % CALIBRATION_FOLD])
    held_out = [e for e in data if not e.group % CALIBRATION_FOLD]
    temperature = fit_temperature(
        [probe.scores(e.features) for e in held_out], [classes.index(e.intent) for e in held_out]
    )
    return _with_temperature(fit(data), temperature)


def _min_recall(truth: Sequence[str], predicted: Sequence[str]) -> float:
    return min(
        sum(t == p == intent for t, p in zip(truth, predicted, strict=True)) / truth.count(intent) for intent in INTENTS
    )


def compare() -> None:
    """Every technique on the same features and splits; the shipped one is picked by the CV column."""
    data = training_examples()
    eval_rows = read_rows(EVAL_PATH)
    holdout_rows = read_rows(HOLDOUT_PATH)

    def words_only(feature: str) -> bool:
        return feature[0] in "wbh"

    def ngrams_only(feature: str) -> bool:
        return feature[0] in "ch"

    candidates: list[tuple[str, Callable[[Sequence[Example]], Any]]] = [
        ("naive Bayes (pure Python), alpha=0.1", partial(NaiveBayes, alpha=0.1)),
        ("naive Bayes (pure Python), alpha=0.5", partial(NaiveBayes, alpha=0.5)),
        *((f"linear SVM, C={c}", partial(fit_linear, technique="svm", c=c)) for c in (0.2, 0.5, 1.0, 2.0)),
        *((f"logistic regression, C={c}", partial(fit_linear, technique="logistic", c=c)) for c in (5.0, 20.0, 50.0)),
        ("linear SVM C=1, words and CJK n-grams only", partial(fit_linear, technique="svm", c=1.0, keep=words_only)),
        ("linear SVM C=1, character n-grams only", partial(fit_linear, technique="svm", c=1.0, keep=ngrams_only)),
    ]
    print(
        "| technique | grouped 5-fold CV macro-F1 (train) | eval accuracy | eval macro-F1 | eval min recall "
        "| holdout accuracy | eval ECE, T=1 | eval ECE, fitted T | median µs | p99 µs | size (gzip KB) | fit s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, fit in candidates:
        cv = _grouped_cv(data, fit, INTENTS)
        began = time.perf_counter()
        model = fit(data)
        fit_seconds = time.perf_counter() - began
        classes = model.classes if isinstance(model, LinearModel) else INTENTS
        raw = evaluate(model, eval_rows, classes)
        calibrated = _calibrated(fit, data, classes)
        result = evaluate(calibrated, eval_rows, classes)
        holdout = evaluate(calibrated, holdout_rows, classes)
        truth = [row["intent"] for row in eval_rows]
        size = f"{_size_kb(model):.0f}" if isinstance(model, LinearModel) else "—"
        print(
            f"| {name} | {cv:.3f} | {result['accuracy']:.3f} | {result['macro_f1']:.3f} "
            f"| {_min_recall(truth, result['predicted']):.3f} | {holdout['accuracy']:.3f} | {raw['ece']:.3f} "
            f"| {result['ece']:.3f} | {result['median_us']:.0f} | {result['p99_us']:.0f} | {size} | {fit_seconds:.1f} |"
        )
        sys.stdout.flush()


def same_predictions(a: LinearModel, b: LinearModel, rows: Iterable[dict[str, str]], tolerance: float = 1e-3) -> bool:
    """Whether two models agree on every row: the same intent, probabilities within ``tolerance``.

    Not a byte comparison: a solver on another CPU may round the last digit of a weight differently.
    """
    if a.classes != b.classes:
        return False
    for row in rows:
        features = message_features(row["text"])
        ours, theirs = a.probabilities(features), b.probabilities(features)
        if max(range(len(ours)), key=ours.__getitem__) != max(range(len(theirs)), key=theirs.__getitem__):
            return False
        if max(abs(x - y) for x, y in zip(ours, theirs, strict=True)) > tolerance:
            return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m faka.triage.train", description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="verify the committed model instead of writing it")
    mode.add_argument("--compare", action="store_true", help="print the technique comparison table")
    args = parser.parse_args(argv)
    if not corpus.available():
        print(f"cannot train: {corpus.RealDataMissing.__doc__} Looked in {corpus.data_dir_wanted()}.", file=sys.stderr)
        return 2
    if args.compare:
        compare()
        return 0
    corrections = corrected()
    for conflict in corrections.conflicts:
        print(f"correction left out ({conflict.reason}): {conflict.intent} {conflict.text!r}", file=sys.stderr)
    if corrections.rows:
        print(f"training on {len(corrections.rows)} operators' corrections from {CORRECTIONS_PATH}")
    model = train(training_examples())
    if args.check:
        shipped = load(MODEL_PATH)
        if shipped == model:
            print("model.json.gz is identical to a retrain")
            return 0
        agrees = same_predictions(shipped, model, read_rows(EVAL_PATH) + read_rows(HOLDOUT_PATH))
        print("model.json.gz agrees with a retrain" if agrees else "model.json.gz differs from a retrain: retrain it")
        return 0 if agrees else 1
    dump(model, MODEL_PATH)
    print(
        f"wrote {MODEL_PATH} ({MODEL_PATH.stat().st_size // 1024} KB, {len(model.weights)} features, "
        f"temperature {model.temperature})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
