"""Pure rules of refunds and risk: the rules file, line amounts, Stripe disputes, refund emails, ASL error names."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from faka import resources
from faka.money import refund_settlement
from faka.money.refunds import line_amounts
from faka.payments.stripe_signing import stripe_signature
from faka.payments.stripe_webhook import DisputeNotice, verify_stripe_event
from faka.shared.templating import MessageTemplates
from faka.trust.risk import RULES_FILE, Buyer, Counted, Facts, InvalidRules, RiskRules

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "stripe"
TEMPLATES = MessageTemplates(REPO / "templates")
RULES = RiskRules.load()


def _rules_with(tmp_path: Path, **changes: Any) -> Path:
    data = json.loads(RULES_FILE.read_text())
    data.update(changes)
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(data))
    return path


def _facts(counts: dict[Counted, int] | None = None, **flags: Any) -> Facts:
    return Facts(lambda counted, minutes: (counts or {}).get(counted, 0), **flags)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"refund_rules": [{"name": "x", "when": {"refund_count": 3}}]}, "refund_count"),
        ({"refund_rules": [{"name": "x", "when": {}}]}, "at least one condition"),
        ({"checkout_rules": [{"name": "early", "when": {"key_activated": True}}]}, "'early' uses ['key_activated']"),
        ({"refund_rules": [{"name": "burst", "when": {"orders_from_ip_over": {"count": 1, "minutes": 5}}}]}, "burst"),
        (
            {"refund_rules": [{"name": "device", "when": {"orders_from_device_over": {"count": 1, "minutes": 5}}}]},
            "'device' uses ['orders_from_device_over']",
        ),
        ({"blacklists": {"ips": ["300.1.2.3"]}}, "300.1.2.3"),
        ({"blacklists": {"countries": ["germany"]}}, "countries"),
        (
            {"refund_defaults": {"auto_approve_limits": {}, "review_sla_seconds": 0, "sla_policy": "auto_approve"}},
            "sla",
        ),
        ({"refund_defaults": {"auto_approve_limits": {}, "review_sla_seconds": 60, "sla_policy": "ignore"}}, "policy"),
        (
            {
                "refund_rules": [
                    {"name": "a", "when": {"buyer_frozen": True}},
                    {"name": "a", "when": {"key_activated": True}},
                ]
            },
            "repeats",
        ),
    ],
)
def test_a_bad_rules_file_fails_at_load_naming_the_problem(
    tmp_path: Path, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidRules, match=message.replace("[", r"\[").replace("]", r"\]")):
        RiskRules.load(_rules_with(tmp_path, **changes))


def test_nothing_fires_for_an_ordinary_refund() -> None:
    assert RULES.refund_rules_fired(_facts({Counted.REFUNDS: 3})) == []


def test_each_refund_rule_fires_on_its_own_fact_and_all_are_recorded() -> None:
    facts = _facts(
        {Counted.REFUNDS: 4},
        key_activated=True,
        over_shop_limit=True,
        buyer_frozen=True,
        blacklist_hits=frozenset({"country"}),
    )
    assert RULES.refund_rules_fired(facts) == [
        "refund_velocity",
        "key_activated",
        "over_shop_limit",
        "buyer_frozen",
        "blacklisted",
    ]


def test_checkout_bursts_count_more_than_the_threshold() -> None:
    at_limit = {Counted.ORDERS_FROM_EMAIL: 10, Counted.ORDERS_FROM_IP: 20, Counted.ORDERS_FROM_DEVICE: 10}
    assert RULES.checkout_rules_fired(_facts(at_limit)) == []
    over = {Counted.ORDERS_FROM_EMAIL: 11, Counted.ORDERS_FROM_IP: 21, Counted.ORDERS_FROM_DEVICE: 11}
    assert RULES.checkout_rules_fired(_facts(over)) == ["ip_burst", "email_burst", "device_burst"]
    assert RULES.checkout_rules_fired(_facts({Counted.ORDERS_FROM_DEVICE: 11})) == ["device_burst"]


def test_blacklists_match_email_domain_ip_and_country(tmp_path: Path) -> None:
    rules = RiskRules.load(
        _rules_with(
            tmp_path,
            blacklists={
                "emails": ["Bad@Example.net"],
                "email_domains": ["spam.test"],
                "ips": ["192.0.2.0/28"],
                "countries": ["KP"],
            },
        )
    )
    assert rules.blacklist_hits(Buyer("bad@example.NET", "192.0.2.3", "kp")) == {"email", "ip", "country"}
    assert rules.blacklist_hits(Buyer("x@spam.test", "192.0.2.99")) == {"email_domain"}
    assert rules.blacklist_hits(Buyer("ok@example.net", "not an ip")) == frozenset()


def test_loopback_and_documentation_buyers_are_never_counted_in_bursts() -> None:
    assert not RULES.counts_ip("127.0.0.1")
    assert not RULES.counts_ip("203.0.113.7")
    assert RULES.counts_ip("198.51.100.7")
    assert not RULES.counts_ip(None)
    assert not RULES.counts_email(Buyer("buyer@example.com"))
    assert RULES.counts_email(Buyer("buyer@example.net"))


def test_a_buyer_is_known_by_a_hash_of_the_address_not_the_address() -> None:
    assert Buyer(" Buyer@Example.com ").ref == Buyer("buyer@example.com").ref
    assert "buyer" not in Buyer("buyer@example.com").ref


@given(amount=st.integers(min_value=0, max_value=10**9), quantity=st.integers(min_value=1, max_value=50))
def test_line_amounts_add_up_to_what_was_paid(amount: int, quantity: int) -> None:
    shares = line_amounts(amount, quantity)
    assert sorted(shares) == list(range(1, quantity + 1))
    assert sum(shares.values()) == amount
    assert max(shares.values()) - min(shares.values()) <= 1


@given(
    amount=st.integers(min_value=0, max_value=10**9),
    quantity=st.integers(min_value=1, max_value=50),
    data=st.data(),
)
def test_any_partial_refunds_never_exceed_what_was_paid(amount: int, quantity: int, data: st.DataObject) -> None:
    shares = line_amounts(amount, quantity)
    # Each line belongs to at most one refund, so partial refunds are a partition of some of the lines.
    owner = data.draw(st.lists(st.integers(min_value=0, max_value=3), min_size=quantity, max_size=quantity))
    refunds_by_id = [sum(shares[n] for n in shares if owner[n - 1] == refund) for refund in range(1, 4)]
    assert sum(refunds_by_id) <= amount


def test_stripes_example_dispute_parses_as_it_is() -> None:
    event = json.loads((FIXTURES / "event.json").read_text())
    event.update(type="charge.dispute.created", data={"object": json.loads((FIXTURES / "dispute.json").read_text())})
    body = json.dumps(event)

    notice = verify_stripe_event(body, stripe_signature(body, "whsec_unit"), "whsec_unit").notice

    assert notice == DisputeNotice(
        dispute_id="dp_1Pgc71B7WZ01zgkWMevJiAUx",
        charge="ch_1PgafuB7WZ01zgkWXYmPNZs8",
        payment_ref=None,
        order_id=None,
        amount=1000,
        currency="usd",
        reason="general",
        status="warning_needs_response",
        closed=False,
    )


def _refund_context(locale: str, reason: str | None = None) -> dict[str, Any]:
    return {
        "order": SimpleNamespace(order_id="0123456789abcdef", quantity=2, email="b@x.io", locale=locale),
        "product": SimpleNamespace(name="<b>Steam</b> $20"),
        "refund": SimpleNamespace(
            amount=2000, currency="usd", lines=(1,), provider_ref="re_123", decision_reason=reason
        ),
        "shop_name": "Demo",
        "order_url": "https://shop.example/o/1",
    }


@pytest.mark.parametrize("locale", ["en", "zh-CN", "es"])
def test_refund_emails_render_in_every_locale(locale: str) -> None:
    completed = TEMPLATES.render("refund_completed", locale, _refund_context(locale))
    rejected = TEMPLATES.render("refund_rejected", locale, _refund_context(locale, "key_activated"))

    assert "20.00 USD" in completed.subject
    assert "re_123" in completed.text
    assert "re_123" in completed.html
    assert "&lt;b&gt;Steam&lt;/b&gt;" in completed.html
    assert "key_activated" not in rejected.text  # the code is explained in the buyer's language
    assert "\n" not in completed.subject + rejected.subject


def test_an_operators_reason_reaches_the_buyer_escaped_in_html() -> None:
    message = TEMPLATES.render("refund_rejected", "en", _refund_context("en", "Used <already>"))
    assert "Used <already>" in message.text
    assert "Used &lt;already&gt;" in message.html


def test_the_state_machine_catches_the_errors_the_refunds_domain_raises() -> None:
    definition = json.loads((REPO / resources.REFUND_REVIEW.definition_file).read_text())
    caught = {
        error
        for state in definition["States"].values()
        for catcher in state.get("Catch", [])
        for error in catcher["ErrorEquals"]
        if not error.startswith("States.")
    }
    assert caught == {refund_settlement.KeyActivated.__name__, refund_settlement.NotDecided.__name__}
