"""Batch-health rules as data, and the suggestions' wording and evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from faka.insight.batch_health import RULES_FILE, BatchFigures, HealthRules
from faka.insight.suggestions import suggestions


def figures(**counts: int) -> BatchFigures:
    base = {"imported": 100, "issued": 0, "activated": 0, "activation_failures": 0, "invalid_claims": 0}
    return BatchFigures("main", "p", "B-17", "X", "active", **(base | counts))


@pytest.mark.parametrize(
    ("counts", "fired"),
    [
        ({"issued": 19, "activation_failures": 5}, None),  # below the minimum sample
        ({"issued": 20, "activation_failures": 1}, "defect_rate"),
        ({"issued": 40, "invalid_claims": 1, "activation_failures": 0}, None),
        ({"issued": 100, "activated": 40, "invalid_claims": 3}, "claims_in_activations"),
        ({"issued": 100, "activated": 41, "invalid_claims": 3}, None),
        ({"issued": 10, "activated": 0, "invalid_claims": 2}, None),
    ],
)
def test_the_shipped_rules_fire_past_their_threshold_with_enough_sample(counts: dict, fired: str | None) -> None:
    rule = HealthRules.load().first_fired(figures(**counts))
    assert (rule.name if rule else None) == fired


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"at_least": 0}, "greater than 0"),
        ({"per": "imported"}, "per"),
        ({"defects": []}, "defects"),
        ({"min_defects": 0}, "min_defects"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_problem(tmp_path: Path, change: dict, problem: str) -> None:
    rules = json.loads(RULES_FILE.read_text())
    rules["rules"][0] |= change
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(rules))
    with pytest.raises(ValidationError, match=problem):
        HealthRules.load(path)


def test_rule_names_are_unique(tmp_path: Path) -> None:
    rules = json.loads(RULES_FILE.read_text())
    rules["rules"].append(rules["rules"][0])
    (tmp_path / "r.json").write_text(json.dumps(rules))
    with pytest.raises(ValidationError, match="unique"):
        HealthRules.load(tmp_path / "r.json")


def test_suggestions_name_their_evidence() -> None:
    quarantined = BatchFigures("main", "p", "B-17", "X", "suspended", 100, 60, 40, 0, 6, "claims_in_activations")
    healthy = figures(issued=50, activated=50)
    complaints = {
        "SKU#p": {"tickets": 5, "intent:wrong_region": 3, "intent:invalid_key": 2, "phrase:地区": 2, "phrase:us": 1},
        "SKU#q": {"tickets": 2, "intent:not_received": 2},  # too few tickets to say anything
        "BATCH#p#B-17": {"tickets": 2, "intent:invalid_key": 2},
    }
    found = suggestions([quarantined, healthy], complaints)
    assert [s.text for s in found] == [
        "batch B-17 of supplier X: 6 invalid-key claims and 0 activation failures in 40 activations (60 keys sold) "
        "— quarantined",
        "product p: 'wrong region' is the top complaint (3 of 5: 5 tickets, 0 reviews) — make the region clearer in "
        "its name and description",
    ]
    assert found[0].evidence["tickets_by_intent"] == {"invalid_key": 2}
    assert found[0].evidence["defect_rate"] == 0.1
    assert found[1].evidence["top_phrases"] == [{"phrase": "地区", "tickets": 2}]
