"""Pure rules of the after-sales side: quiet hours, guide rules, signed links, escalation schedule."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from faka.activation.escalation import DueTarget, EscalationScheduler, parse_offsets
from faka.activation.guide_rules import RULES_FILE, GuideChooser, InvalidRules
from faka.activation.outreach import QuietHours
from faka.errors import InvalidRequest
from faka.shared.links import LinkAction, LinkSigner
from faka.shared.model import Order, OrderLine, OrderStatus, Product
from faka.shared.templating import MessageTemplates

GUIDES = MessageTemplates(Path(__file__).resolve().parents[2] / "templates").guides()
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def order(country: str | None = None, account_region: str | None = None) -> Order:
    return Order(
        "o1",
        "main",
        "sku",
        1,
        100,
        "usd",
        "b@example.com",
        "en",
        OrderStatus.DELIVERED,
        NOW,
        NOW,
        "digest",
        buyer_country=country,
        lines=(OrderLine(1, "h", "b", None, account_region),),
    )


def product(region: str = "US", platform: str = "steam") -> Product:
    return Product("main", "sku", "Steam $20", 2000, "usd", region, platform)


@pytest.mark.parametrize(
    ("setting", "hour", "quiet_until"),
    [("22-08", 23, 8), ("22-08", 3, 8), ("22-08", 8, None), ("22-08", 21, None), ("01-05", 2, 5), ("01-05", 5, None)],
)
def test_quiet_hours_wrap_around_midnight(setting: str, hour: int, quiet_until: int | None) -> None:
    quiet = QuietHours.parse(setting)
    assert quiet is not None
    end = quiet.ends_after(NOW.replace(hour=hour))
    assert (end.hour if end else None) == quiet_until
    if end:
        assert end > NOW.replace(hour=hour)


def test_quiet_hours_can_be_switched_off() -> None:
    assert QuietHours.parse("off") is None


def test_the_shipped_rules_follow_the_seed_decision_tree() -> None:
    chooser = GuideChooser.load(RULES_FILE, GUIDES)
    assert chooser.choose(1, product=product(), order=order("US"), hours=24)[0] == "steam"
    assert chooser.choose(2, product=product(), order=order("CN"), hours=48)[0] == "cross_border"
    assert chooser.choose(1, product=product(), order=order("CN"), hours=24)[0] == "steam"
    assert chooser.choose(2, product=product("GLOBAL"), order=order("CN"), hours=48)[0] == "steam"
    assert chooser.choose(1, product=product(), order=order("US", account_region="HK"), hours=24)[0] == "cross_border"


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"rules": []}, "rules"),
        ({"rules": [{"name": "x", "levels": [4], "when": {}, "guide": "steam"}]}, "levels"),
        ({"rules": [{"name": "x", "levels": [1], "when": {"weather": "rain"}, "guide": "steam"}]}, "weather"),
        ({"rules": [{"name": "typo", "levels": [1], "when": {}, "guide": "stem"}]}, "'typo' names guide 'stem'"),
    ],
)
def test_a_broken_rules_file_fails_at_load_with_a_clear_message(tmp_path: Path, rules: dict, message: str) -> None:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(rules))
    with pytest.raises(InvalidRules, match=message):
        GuideChooser.load(path, GUIDES)


def test_signed_links_refuse_tampering_and_expiry() -> None:
    signer = LinkSigner("secret", "https://api.example")
    link = signer.link(LinkAction.WORKED, {"o": "order-1"}, now=NOW.timestamp())
    query = dict(pair.split("=") for pair in link.split("?")[1].split("&"))
    assert signer.verify("worked", query, now=NOW.timestamp())["o"] == "order-1"
    for bad_query, when, code in [
        ({**query, "o": "order-2"}, NOW.timestamp(), "invalid_link"),
        (query, NOW.timestamp() + 31 * 86400, "expired_link"),
    ]:
        with pytest.raises(InvalidRequest) as refused:
            signer.verify("worked", bad_query, now=when)
        assert refused.value.code == code
    with pytest.raises(InvalidRequest):
        signer.verify("failed", query, now=NOW.timestamp())  # a "worked" link cannot be replayed as "failed"


def test_the_schedule_is_absolute_from_delivery() -> None:
    scheduler = EscalationScheduler(None, None, "arn", DueTarget("", "", "", ""), parse_offsets("86400,172800,259200"))
    assert scheduler.schedule(NOW) == {
        "level1": "2026-12-01T12:00:00Z",
        "level2": "2026-12-02T12:00:00Z",
        "level3": "2026-12-03T12:00:00Z",
    }
    with pytest.raises(ValueError, match="increase"):
        parse_offsets("10,5,20")
