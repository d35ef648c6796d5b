"""Operators' corrections as training rows for `make train-triage`: deduplicated, masked, conflicts reported and
left out, and a retrain on one correction reads that wording as corrected without losing the holdout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from faka.support.correction_export import masked, merged
from faka.triage import message_features
from faka.triage.corrections import training_rows
from faka.triage.model import LinearModel, load


def _features(text: str) -> frozenset[str]:
    return frozenset(message_features(text))


def _rows(name: str) -> list[dict[str, str]]:
    path = Path(__file__).resolve().parents[2] / "data" / "triage" / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


CURATED = [{"text": "my steam key says invalid", "intent": "invalid_key"}]
EVALUATED = [{"text": "where is my order, it has been hours", "intent": "order_status"}]


def test_repeated_corrections_train_once_and_in_a_fixed_order() -> None:
    corrections = [
        {"text": "the voucher thingy is dead", "intent": "invalid_key", "shop": "b", "ticket": "2"},
        {"text": "码不灵啊", "intent": "invalid_key", "shop": "a", "ticket": "1"},
        {"text": "the voucher thingy is dead", "intent": "invalid_key", "shop": "a", "ticket": "3"},
    ]

    kept = training_rows(corrections, CURATED + EVALUATED, EVALUATED, _features)
    shuffled = training_rows(corrections[::-1], CURATED + EVALUATED, EVALUATED, _features)

    assert [row["text"] for row in kept.rows] == ["the voucher thingy is dead", "码不灵啊"]
    assert kept == shuffled
    assert kept.conflicts == []


def test_a_correction_contradicting_the_curated_data_is_reported_and_left_out() -> None:
    corrections = [
        {"text": "My Steam key says INVALID!", "intent": "wrong_region", "shop": "a", "ticket": "1"},
        {"text": "where is my order, it has been hours", "intent": "order_status", "shop": "a", "ticket": "2"},
        {"text": "nothing works at all here", "intent": "invalid_key", "shop": "a", "ticket": "3"},
        {"text": "nothing works at all here", "intent": "not_received", "shop": "b", "ticket": "4"},
        {"text": "the code is for another country", "intent": "wrong_region", "shop": "a", "ticket": "5"},
    ]

    result = training_rows(corrections, CURATED + EVALUATED, EVALUATED, _features)

    assert [row["text"] for row in result.rows] == ["the code is for another country"]
    reasons = {conflict.text: conflict.reason for conflict in result.conflicts}
    assert reasons == {
        "My Steam key says INVALID!": "curated as invalid_key: 'my steam key says invalid'",
        "where is my order, it has been hours": "worded as an evaluation message",
        "nothing works at all here": "corrected to different intents",
    }


def test_the_export_masks_the_buyer_text_and_keeps_each_tickets_latest_correction() -> None:
    earlier = {"text": "key ABCD-EFGH-IJKL-MNOP bad", "intent": "wrong_region", "shop": "a", "ticket": "1"}
    later = {**earlier, "intent": "invalid_key", "corrected_at": "2026-12-06T10:00:00+00:00"}
    mail = {"text": "send it to bob@example.com please", "intent": "not_received", "shop": "a", "ticket": "2"}

    rows = merged([{**earlier, "corrected_at": "2026-12-06T09:00:00+00:00"}], [later, mail])

    assert [(row["text"], row["intent"]) for row in rows] == [
        ("key _key_ bad", "invalid_key"),
        ("send it to _email_ please", "not_received"),
    ]
    assert masked("order 3f2a9c1e-1234 paid 50 usd") == "order _order_ paid _amount_"


def _accuracy(model: LinearModel, rows: list[dict[str, str]]) -> float:
    def read(text: str) -> str:
        probabilities = model.probabilities(message_features(text))
        return model.classes[max(range(len(probabilities)), key=probabilities.__getitem__)]

    return sum(read(row["text"]) == row["intent"] for row in rows) / len(rows)


def test_a_correction_changes_the_retrained_models_answer_and_the_holdout_stays(tmp_path: Path) -> None:
    from faka.triage import corpus, train

    if not corpus.available():
        pytest.skip("the real support utterances are not on this machine: see data/triage/real/README.md")
    words = "this voucher thingy is dead on arrival"
    shipped = load()
    assert _accuracy(shipped, [{"text": words, "intent": "invalid_key"}]) == 0.0  # the shipped model misreads it
    corrections = tmp_path / "corrections.jsonl"
    corrections.write_text(json.dumps({"text": words, "intent": "invalid_key", "shop": "a", "ticket": "1"}) + "\n")

    retrained = train.train(train.training_examples(corrections))

    resent = [
        {"text": text, "intent": "invalid_key"} for text in (words, f"hi {words} thanks", "the voucher thingy is dead")
    ]
    assert _accuracy(retrained, resent) == 1.0
    holdout = _rows("holdout.jsonl")
    assert _accuracy(retrained, holdout) >= _accuracy(shipped, holdout)
