"""The playbook limits and claim-guard thresholds are data: the shipped file loads, a broken one is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from faka.support.playbooks import RULES_FILE, PlaybookRules
from faka.triage import INTENTS


def test_the_shipped_rules_load_and_name_only_known_intents() -> None:
    rules = PlaybookRules.load()
    assert set(rules.to_person) <= set(INTENTS)
    assert rules.claim_guard.prior_claims_by_email == 2  # the third claim in a row is held
    assert rules.replacements_per_order >= 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"replacements_per_order": -1}, "replacements_per_order"),
        ({"claim_guard": {"window_days": 0}}, "window_days"),
        ({"unknown_limit": 3}, "unknown_limit"),
        ({"to_person": ["complaint"]}, "unknown intent 'complaint'"),
    ],
    ids=["negative limit", "empty window", "unknown key", "unknown intent"],
)
def test_a_broken_rules_file_is_refused_with_the_field_named(tmp_path: Path, change: dict, message: str) -> None:
    rules = json.loads(RULES_FILE.read_text())
    for key, value in change.items():
        rules[key] = {**rules[key], **value} if isinstance(value, dict) and key in rules else value
    path = tmp_path / "playbooks.json"
    path.write_text(json.dumps(rules))

    with pytest.raises(ValueError, match=message):
        PlaybookRules.load(path)
