"""Real customers' words for the triage: the mapping file, how the published files are read, capped and
augmented, and (where the published files are on the machine) accuracy on the test part never trained on."""

from __future__ import annotations

import csv
import json
import random
from collections import Counter
from pathlib import Path

import pytest

from faka.triage import INTENTS, classify, corpus


def _mapping() -> dict[str, dict[str, object]]:
    return json.loads(corpus.MAPPING_PATH.read_text(encoding="utf-8"))["sources"]


def test_every_mapped_intent_is_one_of_ours_or_left_out() -> None:
    for source in _mapping().values():
        assert source["default"] in (*INTENTS, None)
        targets = source["intents"]
        assert isinstance(targets, dict)
        assert set(targets.values()) <= {*INTENTS, None}


@pytest.fixture
def published(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Made-up rows in the two published layouts: banking77's CSV and CLINC150's JSON."""
    (tmp_path / "banking77").mkdir()
    (tmp_path / "clinc150").mkdir()
    for split, texts in {"train": ["my card has not arrived yet", "card still not here"], "test": ["no card"]}.items():
        with (tmp_path / "banking77" / f"{split}.csv").open("w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(["text", "category"])
            writer.writerows([text, "card_arrival"] for text in texts)
            writer.writerow(["what is the age limit", "age_limit"])  # not in the mapping: left out
    weather = [[f"weather in city {n}", "weather"] for n in range(10)]
    clinc = {
        "train": [["someone stole my card and bought things", "report_fraud"], *weather],
        "oos_train": [["how tall is a giraffe", "oos"]],
        "test": [["report a fraudulent charge", "report_fraud"], ["am i talking to a robot", "are_you_a_bot"]],
        "oos_test": [["sing me a song", "oos"]],
    }
    (tmp_path / "clinc150" / "data_full.json").write_text(json.dumps(clinc), encoding="utf-8")
    monkeypatch.setenv(corpus.DATA_ENV, str(tmp_path))
    return tmp_path


def test_published_rows_are_mapped_capped_and_left_out_as_the_mapping_says(published: Path) -> None:
    train = Counter((row["source_intent"], row["intent"]) for row in corpus.real_rows("train"))
    test = Counter((row["source_intent"], row["intent"]) for row in corpus.real_rows("test"))
    assert train == {
        ("card_arrival", "not_received"): 2,
        ("report_fraud", "fraud_report"): 1,
        ("weather", "other"): corpus.DEFAULT_ROWS_PER_SOURCE_INTENT["train"],
        ("oos", "other"): 1,
    }
    assert test == {("card_arrival", "not_received"): 1, ("report_fraud", "fraud_report"): 1, ("oos", "other"): 1}


def test_training_rows_keep_each_original_and_add_copies_from_the_same_source(published: Path) -> None:
    originals = corpus.real_rows("train")
    rows = corpus.training_rows()
    assert {row["text"] for row in originals} <= {row["text"] for row in rows}
    assert len(rows) > len(originals)
    assert {row["source"] for row in rows} == {row["source"] for row in originals}  # copies stay in their group
    assert corpus.training_rows() == rows  # deterministic


def test_missing_published_files_are_named_not_guessed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(corpus.DATA_ENV, str(tmp_path / "absent"))
    assert not corpus.available()
    with pytest.raises(corpus.RealDataMissing, match="README"):
        corpus.real_rows("test")


def test_bank_words_become_a_key_shops_and_the_complaint_stays() -> None:
    variants = {corpus.in_our_domain("my card has not arrived", random.Random(seed)) for seed in range(30)}
    assert {"my code has not arrived", "my key has not arrived", "my gift card has not arrived"} <= variants


def test_mixed_chinese_copies_put_the_nouns_in_chinese() -> None:
    assert corpus.mixed_chinese("I want a refund for my order", random.Random(0)) == "I want a 退款 for my 订单"


def test_typo_changes_one_word_by_one_letter() -> None:
    text = "my voucher never arrived"
    changed = corpus.typo(text, random.Random(3))
    differing = [(a, b) for a, b in zip(text.split(), changed.split(), strict=True) if a != b]
    assert len(differing) == 1
    assert abs(len(differing[0][0]) - len(differing[0][1])) <= 1


def test_test_part_is_never_in_training_and_is_mostly_recognised() -> None:
    if not corpus.available():
        pytest.skip("the real support utterances are not on this machine: see data/triage/real/README.md")
    test = corpus.real_rows("test")
    assert not {row["text"] for row in test} & {row["text"] for row in corpus.training_rows()}
    correct = sum(classify(row["text"]).intent == row["intent"] for row in test)
    assert correct / len(test) >= 0.88
