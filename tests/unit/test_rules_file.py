"""faka.shared.rules_file: a rules file read into frozen dataclasses refuses what pydantic's strict models refused,
naming where in the file (the refund risk, rating template and activation guide tests check each file's own rules)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal

import pytest

from faka.shared.rules_file import InvalidRulesFile, Limits, read


class Mode(StrEnum):
    ON = "on"
    OFF = "off"


@dataclass(frozen=True, kw_only=True)
class Part:
    level: Literal[1, 2]
    weight: Annotated[float, Limits(ge=0, le=1)] = 0.5

    def __post_init__(self) -> None:
        if self.level == 2 and self.weight == 0:
            raise ValueError("a level 2 part needs a weight")


@dataclass(frozen=True, kw_only=True)
class File:
    comment: str = ""
    mode: Mode
    count: int
    names: Annotated[tuple[Annotated[str, Limits(pattern=r"[a-z]+")], ...], Limits(min_length=1)]
    parts: dict[str, Part]
    maybe: bool | None = None


GOOD = {"mode": "on", "count": 2, "names": ["a", "b"], "parts": {"x": {"level": 1, "weight": 1}}}


def test_a_good_file_is_read_into_the_dataclasses_with_their_defaults() -> None:
    assert read(File, GOOD) == File(mode=Mode.ON, count=2, names=("a", "b"), parts={"x": Part(level=1, weight=1.0)})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"extra": 1}, r"the file: unknown field\(s\) \['extra'\]"),
        ({"count": None}, "count: expected int, got None"),
        ({"count": True}, "count: expected int, got True"),
        ({"count": 2.5}, "count: expected int, got 2.5"),
        ({"maybe": 0}, "maybe: expected bool, got 0"),
        ({"mode": "auto"}, r"mode: 'auto' is not one of \['on', 'off'\]"),
        ({"names": []}, r"names: needs at least 1 item\(s\)"),
        ({"names": ["a", "B"]}, r"names\[1\]: 'B' does not match"),
        ({"names": "ab"}, "names: expected a list"),
        ({"parts": {"x": {"level": 3}}}, r"parts.x.level: 3 is not one of \[1, 2\]"),
        ({"parts": {"x": {"level": True}}}, r"parts.x.level: True is not one of"),
        ({"parts": {"x": {"level": 1, "weight": 2}}}, "parts.x.weight: must be at most 1"),
        ({"parts": {"x": {}}}, "parts.x.level: missing"),
        ({"parts": {"x": {"level": 2, "weight": 0}}}, "parts.x: a level 2 part needs a weight"),
    ],
)
def test_each_refusal_names_where_it_is(change: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRulesFile, match=message):
        read(File, {**GOOD, **change})


def test_a_missing_field_without_default_is_refused() -> None:
    with pytest.raises(InvalidRulesFile, match="mode: missing"):
        read(File, {key: value for key, value in GOOD.items() if key != "mode"})
