"""`faka triage retrain`: a correction retrained is answered as corrected and promoted; a retrain that lowers the
holdout is not; versions keep their accuracy and a rollback restores one. Every run works on a copy of the model
file and a temporary versions directory, never on the committed model.

Without the real public utterances (FAKA_TRIAGE_REAL_DATA pointed at nothing) training takes seconds: the first
retrain, forced, makes a live model trained on the generated sentences alone, which the others compare against.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from faka.cli import cli
from faka.triage import corpus
from faka.triage.model import MODEL_PATH, dump, load
from faka.triage.retrain import MANIFEST, answer
from faka.triage.train import TRAIN_PATH

MISREAD = "this voucher thingy is dead on arrival"  # the shipped model reads it as something else


def _retrain(directory: Path, *options: str, real_data: Path | None = None) -> Result:
    env = {corpus.DATA_ENV: str(real_data or directory / "no-real-data")}
    paths = ["--corrections", str(directory / "corrections.jsonl"), "--models", str(directory / "models")]
    result = CliRunner().invoke(
        cli, ["triage", "retrain", *paths, "--model", str(directory / "model.json.gz"), *options], env=env
    )
    assert result.exit_code == 0, result.output
    return result


def _shipped_copy(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(MODEL_PATH, directory / "model.json.gz")
    return directory


def _manifest(directory: Path) -> dict[str, Any]:
    return json.loads((directory / "models" / MANIFEST).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def generated_only(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """A model directory whose live model (v2) was trained, forced, on the generated sentences alone."""
    directory = _shipped_copy(tmp_path_factory.mktemp("generated-only"))
    return directory, _retrain(directory, "--no-pull", "--force")


@pytest.fixture
def model_dir(generated_only: tuple[Path, Result], tmp_path: Path) -> Path:
    return Path(shutil.copytree(generated_only[0], tmp_path / "models-copy"))


def test_without_the_real_data_a_retrain_says_so_and_only_force_promotes_it(
    generated_only: tuple[Path, Result], tmp_path: Path
) -> None:
    directory = _shipped_copy(tmp_path)

    refused = _retrain(directory, "--no-pull")

    assert "note: the real public test set is absent here" in refused.output
    assert "v2 not promoted (v1 stays live)" in refused.output
    assert "trained without the real public utterances" in refused.output
    assert (directory / "model.json.gz").read_bytes() == MODEL_PATH.read_bytes()
    forced = generated_only[1].output
    assert "v2 promoted" in forced
    assert "forced past: trained without the real public utterances" in forced


def test_a_correction_retrained_is_answered_as_corrected_and_promoted(model_dir: Path) -> None:
    assert answer(load(model_dir / "model.json.gz"), MISREAD) != "invalid_key"
    export = model_dir / "export.jsonl"
    export.write_text(json.dumps({"text": MISREAD, "intent": "invalid_key", "shop": "a", "ticket": "1"}) + "\n")

    result = _retrain(model_dir, "--from", str(export))

    assert "1 corrections pulled" in result.output
    assert "v3 promoted" in result.output
    assert "reads 1 correction(s) the live model misread" in result.output
    assert answer(load(model_dir / "model.json.gz"), MISREAD) == "invalid_key"
    assert _manifest(model_dir)["live"] == "v3"
    # Pulled corrections are kept: the next retrain (or make train-triage on this file) trains on them again.
    assert [row["intent"] for row in map(json.loads, (model_dir / "corrections.jsonl").open())] == ["invalid_key"]


def test_a_retrain_that_lowers_the_holdout_is_not_promoted_unless_forced_and_then_says_so(model_dir: Path) -> None:
    live = (model_dir / "model.json.gz").read_bytes()
    rows = TRAIN_PATH.read_text(encoding="utf-8").splitlines()
    fewer = model_dir / "fewer.jsonl"
    fewer.write_text("\n".join(rows[::12]) + "\n", encoding="utf-8")  # a twelfth of the generated sentences

    refused = _retrain(model_dir, "--no-pull", "--train-data", str(fewer))

    assert "v3 not promoted (v2 stays live)" in refused.output
    assert "holdout accuracy would fall" in refused.output
    assert (model_dir / "model.json.gz").read_bytes() == live
    forced = _retrain(model_dir, "--no-pull", "--train-data", str(fewer), "--force")
    assert "v4 promoted" in forced.output
    assert "forced past: holdout accuracy would fall" in forced.output


def test_versions_list_accuracy_per_version_and_a_rollback_restores_one(model_dir: Path) -> None:
    models = ["--models", str(model_dir / "models"), "--model", str(model_dir / "model.json.gz")]
    versions = _manifest(model_dir)["versions"]

    listed = CliRunner().invoke(cli, ["triage", "versions", *models])

    assert listed.exit_code == 0, listed.output
    for version in versions:
        assert f"{version['accuracy']['holdout']:.4f}" in listed.output
    assert "v2 (live)" in listed.output
    assert versions[1]["real_data"] is False
    assert versions[1]["data_hash"]
    live = model_dir / "model.json.gz"
    dump(dataclasses.replace(load(live), temperature=2.0), live)  # as if make train-triage had rewritten it
    rolled = CliRunner().invoke(cli, ["triage", "rollback", "v1", *models])
    assert rolled.exit_code == 0, rolled.output
    assert live.read_bytes() == MODEL_PATH.read_bytes()
    found = _manifest(model_dir)["versions"][-1]  # the rewritten model, kept as a version before the rollback
    assert found["version"] == "v3"
    assert found["reasons"] == [f"found at {live}, not trained by faka triage retrain"]
    assert "v1 (live)" in CliRunner().invoke(cli, ["triage", "versions", *models]).output
    unknown = CliRunner().invoke(cli, ["triage", "rollback", "v9", *models])
    assert unknown.exit_code != 0
    assert "no model version 'v9'" in unknown.output


def test_with_the_real_data_a_correction_changes_the_shipped_models_answer(tmp_path: Path) -> None:
    if not corpus.available():
        pytest.skip("the real support utterances are not on this machine: see data/triage/real/README.md")
    directory = _shipped_copy(tmp_path)
    export = directory / "export.jsonl"
    export.write_text(json.dumps({"text": MISREAD, "intent": "invalid_key", "shop": "a", "ticket": "1"}) + "\n")

    result = _retrain(directory, "--from", str(export), real_data=corpus.data_dir())

    assert "real_test" in result.output
    assert "v2 promoted" in result.output
    assert answer(load(directory / "model.json.gz"), MISREAD) == "invalid_key"
