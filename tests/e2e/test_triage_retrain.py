"""The learning loop through faka local: an operator corrects a ticket's intent over the API, `faka triage retrain`
pulls the correction through the running stack's operator API, and the retrained model answers that wording as
corrected.

The model trained here lives in a temporary copy, never the committed file. The real public utterances are kept
away (FAKA_TRIAGE_REAL_DATA pointed at nothing) so training takes seconds; a model trained without them is promoted
over the shipped one only when forced, which the output must say.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from faka.triage.model import MODEL_PATH, load
from faka.triage.retrain import answer
from tests.e2e.conftest import ADMIN_TOKEN, FAKA, LocalFaka

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
WORDS = "this voucher thingy is dead on arrival"


def test_a_correction_made_in_faka_local_changes_the_retrained_models_answer(
    local_faka: LocalFaka, tmp_path: Path
) -> None:
    opened = local_faka.post("/v1/tickets", json={"email": "buyer@example.com", "message": WORDS}).json()
    assert opened["intent"] != "invalid_key"  # the shipped model misreads it
    corrected = local_faka.post(
        f"/v1/admin/tickets/{opened['ticket_id']}/correction", json={"intent": "invalid_key"}, headers=ADMIN
    )
    assert corrected.status_code == 200, corrected.text
    model = tmp_path / "model.json.gz"
    shutil.copyfile(MODEL_PATH, model)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env |= {"FAKA_ENDPOINT": local_faka.api_url, "FAKA_ADMIN_TOKEN": ADMIN_TOKEN}
    env["FAKA_TRIAGE_REAL_DATA"] = "/nonexistent"
    paths = ["--corrections", str(tmp_path / "corrections.jsonl"), "--models", str(tmp_path / "models")]

    retrained = subprocess.run(  # noqa: S603 - our own console script
        [str(FAKA), "triage", "retrain", *paths, "--model", str(model), "--force"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )

    assert retrained.returncode == 0, retrained.stderr
    assert "corrections pulled from the operator API" in retrained.stdout
    assert "v2 promoted" in retrained.stdout
    assert "forced past: trained without the real public utterances" in retrained.stdout
    assert WORDS in (tmp_path / "corrections.jsonl").read_text(encoding="utf-8")
    assert answer(load(model), WORDS) == "invalid_key"
