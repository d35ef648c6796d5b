"""Rules files operators edit (``faka/rules/*.json``) read into frozen dataclasses, checked as they are read.

A stdlib reader rather than pydantic models: the functions that read a rules file on their common event (a refund's
risk check) would otherwise load pydantic for it alone, about a third of ``import boto3`` at every cold start. The
checks are the same kind: every field typed (``str``, ``int``, ``float``, ``bool``, a ``Literal``, a ``StrEnum``,
``tuple[X, ...]``, ``dict[str, X]``, ``X | None``, a nested dataclass), no field unknown or missing, and the limits
a field declares with :class:`Limits` in its ``Annotated`` type. A dataclass's ``__post_init__`` may refuse a
combination with a ``ValueError``. Every refusal names where in the file it is (``refund_rules[2].when``).
"""

from __future__ import annotations

import dataclasses
import re
import types
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

T = TypeVar("T")


class InvalidRulesFile(ValueError):
    pass


@dataclass(frozen=True)
class Limits:
    """What a value must also be: in range, long enough, matching, or passing ``check`` (a ``ValueError`` names why)."""

    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    min_length: int | None = None
    pattern: str | None = None
    check: Callable[[Any], object] | None = None

    def refusal(self, value: Any) -> str | None:
        if self.ge is not None and value < self.ge:
            return f"must be at least {self.ge}"
        if self.gt is not None and value <= self.gt:
            return f"must be greater than {self.gt}"
        if self.le is not None and value > self.le:
            return f"must be at most {self.le}"
        if self.min_length is not None and len(value) < self.min_length:
            return f"needs at least {self.min_length} item(s)"
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            return f"{value!r} does not match {self.pattern}"
        if self.check is not None:
            try:
                self.check(value)
            except ValueError as error:
                return str(error)
        return None


def read(kind: type[T], data: Any) -> T:
    """``data`` (parsed JSON) as a ``kind``, or :class:`InvalidRulesFile` naming the first problem and where it is."""
    value: T = _value(kind, data, "")
    return value


def _value(kind: Any, data: Any, where: str) -> Any:
    origin, args = get_origin(kind), get_args(kind)
    if origin is Annotated:
        value = _value(args[0], data, where)
        for limits in (meta for meta in args[1:] if isinstance(meta, Limits)):
            if problem := limits.refusal(value):
                raise InvalidRulesFile(f"{where or 'the file'}: {problem}")
        return value
    if origin in (Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        (inner,) = (arg for arg in args if arg is not type(None))
        return _value(inner, data, where)
    if origin is Literal:
        if data not in args or isinstance(data, bool) != isinstance(args[0], bool):
            raise InvalidRulesFile(f"{where}: {data!r} is not one of {list(args)}")
        return data
    if origin is tuple:
        items = _expect(data, list, where)
        return tuple(_value(args[0], item, f"{where}[{n}]") for n, item in enumerate(items))
    if origin is dict:
        entries = _expect(data, dict, where)
        return {_value(args[0], k, f"{where}.{k}"): _value(args[1], v, f"{where}.{k}") for k, v in entries.items()}
    if dataclasses.is_dataclass(kind):
        return _dataclass(kind, _expect(data, dict, where), where)
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        try:
            return kind(data)
        except ValueError:
            raise InvalidRulesFile(f"{where}: {data!r} is not one of {[member.value for member in kind]}") from None
    if kind is float and isinstance(data, int) and not isinstance(data, bool):
        return float(data)
    if kind in (str, int, float, bool) and isinstance(data, kind) and (kind is bool or not isinstance(data, bool)):
        return data
    raise InvalidRulesFile(f"{where}: expected {getattr(kind, '__name__', kind)}, got {data!r}")


def _expect(data: Any, kind: type, where: str) -> Any:
    if not isinstance(data, kind):
        raise InvalidRulesFile(f"{where or 'the file'}: expected {'an object' if kind is dict else 'a list'}")
    return data


def _dataclass(kind: Any, data: dict[str, Any], where: str) -> Any:
    hints = get_type_hints(kind, include_extras=True)
    declared = {field.name: field for field in dataclasses.fields(kind)}
    prefix = f"{where}." if where else ""
    if unknown := sorted(set(data) - set(declared)):
        raise InvalidRulesFile(f"{where or 'the file'}: unknown field(s) {unknown}")
    values = {}
    for name, field in declared.items():
        if name in data:
            values[name] = _value(hints[name], data[name], prefix + name)
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise InvalidRulesFile(f"{prefix}{name}: missing")
    try:
        return kind(**values)
    except ValueError as error:
        raise InvalidRulesFile(f"{where or 'the file'}: {error}") from None
