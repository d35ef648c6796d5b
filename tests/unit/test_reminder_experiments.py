"""Reminder experiments: the arm an order gets, the significance rule, and the hour a variant is sent at."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from faka.activation.experiments import (
    Arm,
    assign,
    reminder_templates,
    significance_verdict,
    two_proportion_p_value,
)
from faka.activation.outreach import OutreachPolicy, QuietHours

ROOT = Path(__file__).resolve().parents[2]


def test_an_order_gets_the_same_arm_every_time_and_arms_share_orders_evenly() -> None:
    orders = [f"order-{n:05d}" for n in range(12_000)]
    first = [assign("exp_a", order, 3) for order in orders]

    assert first == [assign("exp_a", order, 3) for order in orders]
    shares = Counter(first)
    assert set(shares) == {0, 1, 2}
    assert all(abs(count - 4_000) < 4_000 * 0.05 for count in shares.values()), shares
    # Another experiment splits the same orders independently (two in three land elsewhere), not by the order alone.
    other = [assign("exp_b", order, 3) for order in orders]
    assert 0.63 < sum(a != b for a, b in zip(first, other, strict=True)) / len(orders) < 0.70


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((200, 1000), (250, 1000), 0.007418),  # z = -2.677
        ((45, 100), (55, 100), 0.157299),  # z = -1.414
        ((120, 400), (120, 400), 1.0),
    ],
)
def test_the_two_proportion_z_test_gives_the_textbook_p_values(
    a: tuple[int, int], b: tuple[int, int], expected: float
) -> None:
    assert two_proportion_p_value(a[0], a[1], b[0], b[1]) == pytest.approx(expected, abs=1e-5)


def test_nothing_differs_when_every_order_or_none_activated() -> None:
    assert two_proportion_p_value(100, 100, 100, 100) == 1.0
    assert two_proportion_p_value(0, 100, 0, 100) == 1.0


def test_the_best_activation_rate_is_promoted_when_it_beats_the_next_best_significantly() -> None:
    arms = [Arm("control", 1000, 200, 90), Arm("two_minutes", 1000, 250, 60), Arm("evening", 1000, 210, 80)]

    verdict = significance_verdict(arms, min_per_arm=100)

    assert (verdict.winner, verdict.reason, verdict.leader, verdict.runner_up) == (
        "two_minutes",
        "significant",
        "two_minutes",
        "evening",
    )
    assert verdict.p_value == pytest.approx(two_proportion_p_value(250, 1000, 210, 1000))
    assert verdict.p_value is not None
    assert verdict.p_value < 0.05


def test_a_lead_within_chance_promotes_nothing() -> None:
    verdict = significance_verdict([Arm("control", 100, 45, 5), Arm("two_minutes", 100, 55, 5)], min_per_arm=100)

    assert (verdict.winner, verdict.reason) == (None, "not_significant")
    assert verdict.p_value == pytest.approx(0.157299, abs=1e-5)


def test_no_promotion_below_the_minimum_sample_however_large_the_lead() -> None:
    arms = [Arm("control", 99, 0, 0), Arm("two_minutes", 500, 500, 0)]

    verdict = significance_verdict(arms, min_per_arm=100)

    assert (verdict.winner, verdict.reason, verdict.p_value) == (None, "below_minimum_sample", None)
    assert significance_verdict([Arm("control", 100, 0, 0), arms[1]], min_per_arm=100).winner == "two_minutes"


def test_the_reminder_templates_an_experiment_may_name_are_those_of_every_locale() -> None:
    templates = reminder_templates(ROOT / "templates")

    assert {"activation_reminder", "activation_reminder_two_minutes"} <= templates
    assert all(name.startswith("activation_reminder") for name in templates)


class _NoCounters:
    pass


def _policy(quiet: str) -> OutreachPolicy:
    return OutreachPolicy(_NoCounters(), None, QuietHours.parse(quiet), daily_cap=3)  # type: ignore[arg-type]


def test_a_variant_waits_for_its_hour_of_the_buyers_day() -> None:
    policy = _policy("22-8")
    now = datetime(2026, 12, 6, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai

    assert policy.wait_for_hour("CN", now, 19) == datetime(2026, 12, 6, 11, 0, tzinfo=UTC)  # 19:00 the same day
    assert policy.wait_for_hour("CN", now, 9) is None  # the hour runs: sent now
    assert policy.wait_for_hour("CN", now, 8) == datetime(2026, 12, 7, 0, 0, tzinfo=UTC)  # 08:00 the next day


def test_quiet_hours_win_over_a_variants_send_hour() -> None:
    policy = _policy("22-8")
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai

    # 23:00 is quiet: the variant goes out when the quiet hours end, 08:00, and is not held again then.
    due = policy.wait_for_hour("CN", now, 23)
    assert due == datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
    assert policy.wait_for_hour("CN", due, 23) is None
