"""Rating templates as data, and when an order may be rated."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from faka.errors import InvalidRequest
from faka.insight.ratings import RULES_FILE, InvalidRatingRules, RatingRules, eligibility
from faka.shared.model import Order, OrderLine, OrderStatus

LOCALES = ("en", "zh-CN", "es")
DELIVERED_AT = datetime(2026, 11, 1, 12, tzinfo=UTC)
ORDER = Order(
    order_id="o1",
    shop_id="main",
    sku="steam-20-us",
    quantity=1,
    amount=2000,
    currency="usd",
    email="buyer@example.com",
    locale="en",
    stored_status=OrderStatus.DELIVERED,
    created_at=DELIVERED_AT - timedelta(minutes=1),
    expires_at=DELIVERED_AT + timedelta(minutes=29),
    access_token_sha256="x",
    delivered_at=DELIVERED_AT,
    lines=(OrderLine(1, code_hash="h"),),
)


@pytest.fixture
def rules() -> RatingRules:
    return RatingRules.load(LOCALES)


def write(tmp_path: Path, change: dict) -> Path:
    data = json.loads(RULES_FILE.read_text())
    data.update(change)
    path = tmp_path / "rating_templates.json"
    path.write_text(json.dumps(data))
    return path


def test_the_shipped_templates_load_and_map_platforms_to_categories(rules: RatingRules) -> None:
    assert rules.category_for("steam") == "game_card"
    assert rules.category_for("apple") == "gift_card"
    assert rules.category_for("a-new-platform") == "activation_code"


def test_a_template_must_ask_the_contracts_dimensions(tmp_path: Path) -> None:
    data = json.loads(RULES_FILE.read_text())
    data["categories"]["gift_card"]["dimensions"] = [
        d for d in data["categories"]["gift_card"]["dimensions"] if d["key"] != "service"
    ]
    path = write(tmp_path, {"categories": data["categories"]})

    with pytest.raises(InvalidRatingRules, match=r"gift_card: must ask \['service'\]"):
        RatingRules.load(LOCALES, path)


def test_a_label_missing_in_a_locale_is_named(tmp_path: Path) -> None:
    data = json.loads(RULES_FILE.read_text())
    del data["categories"]["game_card"]["dimensions"][3]["label"]["es"]
    path = write(tmp_path, {"categories": data["categories"]})

    with pytest.raises(InvalidRatingRules, match=r"'game_card', dimension 'region_fit': no text for \['es'\]"):
        RatingRules.load(LOCALES, path)


def test_a_platform_mapped_to_a_category_without_template_fails(tmp_path: Path) -> None:
    path = write(tmp_path, {"platform_categories": {"steam": "board_game"}})

    with pytest.raises(InvalidRatingRules, match="board_game"):
        RatingRules.load(LOCALES, path)


def test_scores_must_name_exactly_the_templates_dimensions(rules: RatingRules) -> None:
    rules.check_scores("game_card", {"delivery": 5, "key_quality": 4, "service": 3})
    rules.check_scores("game_card", {"delivery": 5, "key_quality": 4, "service": 3, "region_fit": 2})

    with pytest.raises(InvalidRequest) as unknown:
        rules.check_scores("activation_code", {"delivery": 5, "key_quality": 4, "service": 3, "region_fit": 2})
    with pytest.raises(InvalidRequest) as missing:
        rules.check_scores("gift_card", {"delivery": 5, "value": 4})

    assert (unknown.value.code, unknown.value.details["unknown"]) == ("unknown_dimension", ["region_fit"])
    assert (missing.value.code, missing.value.details["missing"]) == ("missing_dimension", ["key_quality", "service"])


def test_a_score_of_two_or_less_anywhere_is_low(rules: RatingRules) -> None:
    assert rules.is_low({"delivery": 5, "key_quality": 2, "service": 5})
    assert not rules.is_low({"delivery": 3, "key_quality": 3, "service": 3})


@pytest.mark.parametrize(
    ("order", "hours_after_delivery", "expected"),
    [
        (ORDER, 71.9, (False, "rating_not_open")),
        (ORDER, 72, (True, None)),
        (replace(ORDER, lines=(OrderLine(1, code_hash="h", activation_status="activated"),)), 1, (True, None)),
        (
            replace(ORDER, lines=(OrderLine(1, code_hash="h", activation_status="failed"),)),
            1,
            (False, "rating_not_open"),
        ),
        (replace(ORDER, stored_status=OrderStatus.PENDING_PAYMENT, delivered_at=None), 100, (False, "not_paid")),
        (replace(ORDER, stored_status=OrderStatus.REFUNDED), 100, (False, "refunded")),
        (replace(ORDER, stored_status=OrderStatus.REFUND_PENDING), 100, (False, "refunded")),
        (replace(ORDER, stored_status=OrderStatus.AWAITING_STOCK, delivered_at=None), 100, (False, "not_delivered")),
    ],
)
def test_eligibility(order: Order, hours_after_delivery: float, expected: tuple[bool, str | None]) -> None:
    gate = eligibility(order, DELIVERED_AT + timedelta(hours=hours_after_delivery), 72)

    assert (gate.open, gate.code) == expected


def test_too_early_says_from_when(rules: RatingRules) -> None:
    gate = eligibility(ORDER, DELIVERED_AT + timedelta(hours=1), rules.eligible_hours_after_delivery)

    assert gate.eligible_at == DELIVERED_AT + timedelta(hours=72)
