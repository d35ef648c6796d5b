"""The help desk's pure parts: SLA settings, queue order keys, canned replies, ETA and the phrase counter."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from faka.errors import InvalidRequest
from faka.insight.ticket_report import phrases
from faka.support.canned_replies import CannedReplies
from faka.support.help_desk import _eta, _queue_key
from faka.support.sla_clocks import SlaBudget


def test_sla_settings_are_validated() -> None:
    assert SlaBudget.parse("300,1800") == SlaBudget(300, 1800)
    for bad in ("0,10", "20,10"):
        with pytest.raises(ValueError, match="SLA seconds"):
            SlaBudget.parse(bad)


def test_queue_keys_sort_by_priority_then_arrival() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    keys = [
        _queue_key(3, at + timedelta(microseconds=1), "b"),
        _queue_key(5, at + timedelta(hours=1), "c"),
        _queue_key(3, at, "a"),
        _queue_key(1, at - timedelta(days=1), "d"),
    ]
    assert [k.rsplit("#", 1)[1] for k in sorted(keys)] == ["c", "a", "b", "d"]


def test_eta_grows_with_the_position() -> None:
    assert [_eta(position, 150) for position in (0, 1, 2, 4)] == [0, 3, 5, 10]


def test_canned_replies_render_in_the_tickets_locale() -> None:
    canned = CannedReplies.load()
    assert "order 1a2b3c4d" in canned.render("looking_into_it", "en", ticket_ref="T1", order_ref="1a2b3c4d")
    assert "订单" in canned.render("looking_into_it", "zh-CN", ticket_ref="T1", order_ref="1a2b3c4d")
    with pytest.raises(InvalidRequest):
        canned.render("no_such_reply", "en", ticket_ref="T1", order_ref="")


def test_a_canned_reply_missing_a_locale_is_refused_at_load(tmp_path: Path) -> None:
    rules = tmp_path / "canned.json"
    rules.write_text(json.dumps({"replies": {"hello": {"en": "Hi", "es": "Hola"}}}))
    with pytest.raises(ValueError, match=r"hello.*zh-CN"):
        CannedReplies.load(rules)


def test_phrases_count_words_pairs_and_chinese_character_pairs_but_not_masked_keys() -> None:
    found = phrases("My Steam wallet code ABCD-*****-12 says region locked; 卡密无效")
    assert {"steam", "wallet", "steam wallet", "region locked", "卡密", "无效"} <= set(found)
    assert not any("*" in p or any(c.isdigit() for c in p) for p in found)
