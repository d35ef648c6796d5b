"""``faka triage retrain``: train on the base data plus operators' corrections, measure on the held-out sets, and
promote the new model only when it is better; every model trained is kept as a version.

Development only (scikit-learn, like ``faka.triage.train``); the Lambda reads only the promoted file at
``faka.triage.model.MODEL_PATH``. Versions live under ``data/triage/models/``: ``vN/model.json.gz`` and
``manifest.json``, which lists each version's accuracy per held-out set, the hash of the data it was trained on,
its corrections count, whether it was promoted and why. A model found at the runtime path that no version holds
(``make train-triage`` wrote it, or a checkout brought it) is recorded as a version of its own before it is
compared, so a rollback can always return to it.

The promotion rule (``Comparison.refusals``): the candidate answers every correction it was trained on with the
corrected intent; on the holdout, the eval set and the real public test set (when present) it is not less
accurate than the live model; it was trained on the real public utterances unless the live model was not either;
and it is better somewhere (a correction the live model misreads, or a set more accurate). ``force`` promotes
past failed checks, each printed as forced, never silently.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from faka.triage import corpus, message_features
from faka.triage.model import MODEL_PATH, LinearModel, dump, load
from faka.triage.train import REPO_ROOT, SHIPPED_DATA, Datasets, checked, examples_with, read_rows, train

MODELS_DIR = REPO_ROOT / "data" / "triage" / "models"
MANIFEST = "manifest.json"
MODEL_FILE = "model.json.gz"
# The held-out sets, in the order they are reported; "real_test" only where the real public set is on the machine.
SETS = ("holdout", "eval", "real_test")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def heldout_sets(data: Datasets) -> dict[str, list[dict[str, str]]]:
    """Each held-out set by name: never trained on (the real test split is the public sources' own test part)."""
    sets = {"holdout": read_rows(data.holdout), "eval": read_rows(data.eval)}
    if corpus.available():
        sets["real_test"] = corpus.real_rows("test")
    return sets


def answer(model: LinearModel, text: str) -> str:
    probabilities = model.probabilities(message_features(text))
    return model.classes[max(range(len(probabilities)), key=probabilities.__getitem__)]


def accuracy(model: LinearModel, rows: Sequence[dict[str, str]]) -> float:
    return round(sum(answer(model, row["text"]) == row["intent"] for row in rows) / len(rows), 4)


@dataclass(frozen=True)
class Version:
    """One trained model as the manifest lists it."""

    version: str
    created_at: str
    accuracy: dict[str, float | None]  # per held-out set; None where the set was absent
    corrections: int
    real_data: bool | None  # trained on the real public utterances (None: unknown, a model found, not trained here)
    data_hash: str | None  # of the rows trained on (None: unknown)
    model_sha256: str
    promoted: bool
    reasons: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Version:
        return cls(**{**data, "reasons": tuple(data.get("reasons", ()))})


@dataclass
class ModelStore:
    """The versions under ``root`` and the runtime model file ``live`` the promoted one is copied to."""

    root: Path = MODELS_DIR
    live: Path = MODEL_PATH
    versions: list[Version] = field(default_factory=list)
    live_version: str | None = None

    @classmethod
    def open(cls, root: Path = MODELS_DIR, live: Path = MODEL_PATH) -> ModelStore:
        path = root / MANIFEST
        if not path.exists():
            return cls(root, live)
        manifest = json.loads(path.read_text(encoding="utf-8"))
        return cls(root, live, [Version.from_json(v) for v in manifest["versions"]], manifest["live"])

    def save(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        manifest = {"live": self.live_version, "versions": [v.to_json() for v in self.versions]}
        (self.root / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8")

    def path(self, version: str) -> Path:
        return self.root / version / MODEL_FILE

    def get(self, version: str) -> Version:
        found = next((v for v in self.versions if v.version == version), None)
        if found is None:
            known = ", ".join(v.version for v in self.versions) or "none"
            raise KeyError(f"no model version {version!r} (known: {known})")
        return found

    def add(self, model: LinearModel, **details: Any) -> Version:
        name = f"v{len(self.versions) + 1}"
        self.path(name).parent.mkdir(parents=True, exist_ok=True)
        dump(model, self.path(name))
        version = Version(
            version=name,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            model_sha256=_sha256(self.path(name)),
            **details,
        )
        self.versions.append(version)
        return version

    def current(self, sets: dict[str, list[dict[str, str]]]) -> Version:
        """The version the runtime file holds; a file no version holds becomes one (measured on ``sets`` now)."""
        digest = _sha256(self.live)
        held = next((v for v in self.versions if v.model_sha256 == digest), None)
        if held is None:
            model = load(self.live)
            held = self.add(
                model,
                accuracy=_measured(model, sets),
                corrections=0,
                real_data=None,
                data_hash=None,
                promoted=True,
                reasons=(f"found at {self.live}, not trained by faka triage retrain",),
            )
        self.live_version = held.version
        return held

    def promote(self, version: str) -> None:
        """Copy ``version``'s model to the runtime path (also the rollback)."""
        shutil.copyfile(self.path(self.get(version).version), self.live)
        self.live_version = version


def _measured(model: LinearModel, sets: dict[str, list[dict[str, str]]]) -> dict[str, float | None]:
    return {name: accuracy(model, sets[name]) if name in sets else None for name in SETS}


def data_hash(data: Datasets, corrections: Sequence[dict[str, str]]) -> str:
    """Of the rows a model is trained on: the generated file, the real training rows when used, the corrections."""
    digest = hashlib.sha256(data.train.read_bytes())
    trained = [*(corpus.training_rows() if data.real else []), *corrections]
    for row in trained:
        digest.update(f"\n{row['intent']}\t{row['text']}".encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Comparison:
    """The candidate against the live model on the same held-out sets and corrections."""

    live: Version
    live_accuracy: dict[str, float | None]  # the live model measured now, on the same sets as the candidate
    candidate_accuracy: dict[str, float | None]
    corrections: list[dict[str, str]]
    candidate_misreads: list[dict[str, str]]  # corrections the candidate still answers otherwise
    live_misreads: list[dict[str, str]]
    real_data: bool

    def _measured_on_both(self) -> list[tuple[str, float, float]]:
        """(set, live accuracy, candidate accuracy) for every set both were measured on."""
        pairs = ((name, self.live_accuracy[name], self.candidate_accuracy[name]) for name in SETS)
        return [(name, before, after) for name, before, after in pairs if before is not None and after is not None]

    def refusals(self) -> list[str]:
        """Why the candidate may not replace the live model: empty when it may."""
        reasons = [
            f"still misreads the correction {row['text']!r} (corrected to {row['intent']})"
            for row in self.candidate_misreads
        ]
        reasons += [
            f"{name} accuracy would fall: {before:.4f} -> {after:.4f}"
            for name, before, after in self._measured_on_both()
            if after < before
        ]
        if not self.real_data and self.live.real_data is not False:
            reasons.append(
                f"trained without the real public utterances ({corpus.DATA_ENV} is not set, or its directory is "
                f"absent), which {self.live.version} may have been trained on: its accuracy on real customers' "
                "words is not measured"
            )
        return reasons

    def gains(self) -> list[str]:
        """What the candidate does better than the live model."""
        newly_read = len(self.live_misreads) - len(self.candidate_misreads)
        found = [f"reads {newly_read} correction(s) the live model misread"] if newly_read > 0 else []
        return found + [
            f"{name} accuracy rises: {before:.4f} -> {after:.4f}"
            for name, before, after in self._measured_on_both()
            if after > before
        ]


@dataclass(frozen=True)
class Outcome:
    version: Version
    comparison: Comparison
    conflicts: list[str]  # corrections left out of training, with why
    notes: list[str]  # what was not measured


def retrain(
    store: ModelStore,
    corrections: Sequence[dict[str, str]],
    data: Datasets = SHIPPED_DATA,
    *,
    force: bool = False,
) -> Outcome:
    """Train on ``data`` and ``corrections``, keep the model as a new version, and promote it when it is better
    than the live one (or ``force``: past the failed checks, which are still recorded and reported)."""
    real = data.real and corpus.available()
    data = dataclasses.replace(data, real=real)
    notes = (
        []
        if real
        else [
            f"the real public test set is absent here (looked in {corpus.data_dir_wanted()}): accuracy on real "
            "customers' words is not measured, and the candidate is trained without the real utterances"
        ]
    )
    sets = heldout_sets(data)
    live = store.current(sets)
    live_model = load(store.live)
    kept = checked(corrections, data)
    candidate = train(examples_with(kept.rows, data))

    def misread(model: LinearModel) -> list[dict[str, str]]:
        return [row for row in kept.rows if answer(model, row["text"]) != row["intent"]]

    comparison = Comparison(
        live=live,
        live_accuracy=_measured(live_model, sets),
        candidate_accuracy=_measured(candidate, sets),
        corrections=list(kept.rows),
        candidate_misreads=misread(candidate),
        live_misreads=misread(live_model),
        real_data=real,
    )
    refusals = comparison.refusals()
    gains = comparison.gains()
    if not refusals and not gains:
        refusals = [f"no better than {live.version}: the same accuracy and no correction newly read right"]
    promoted = force or not refusals
    reasons = [f"forced past: {r}" for r in refusals] if force else refusals
    version = store.add(
        candidate,
        accuracy=comparison.candidate_accuracy,
        corrections=len(kept.rows),
        real_data=real,
        data_hash=data_hash(data, kept.rows),
        promoted=promoted,
        reasons=tuple(reasons + gains if promoted else reasons),
    )
    if promoted:
        store.promote(version.version)
    store.save()
    conflicts = [f"{c.intent} {c.text!r}: {c.reason}" for c in kept.conflicts]
    return Outcome(version, comparison, conflicts, notes)


def rollback(store: ModelStore, version: str, data: Datasets = SHIPPED_DATA) -> Version:
    """Make ``version`` the runtime model again; a runtime model no version holds is kept as one first."""
    store.get(version)
    store.current(heldout_sets(data))
    store.promote(version)
    store.save()
    return store.get(version)
