"""What a function's code can reach, read from the source: the tables, secrets and KMS keys it may touch.

A function reaches the handler modules under ``functions/<name>/``; from there every ``services().<x>`` (the
wiring's service ``x``, and every service that one is built from), and every faka class or function they
name, transitively. A name is followed wherever it appears (annotations included), so the result is an
over-approximation at the level of classes: what a class could do on any path, not what one request does. A module of
routes whose paths API Gateway sends to another function (``resources.API_ROUTES``) is not followed: the api function
imports the payment notifications' routes to document them, never to run them.

Leaves are the resources named in code: a pynamodb model (its table), ``resources.<NAME>`` for a table,
secret or KMS key alias, and ``self.settings.<x>_secret_id`` in the wiring (the secret that variable names).
"""

from __future__ import annotations

import ast
import importlib
import inspect
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pynamodb.models import Model

from faka import resources, wiring
from faka.config import SECRET_ID_SETTINGS
from faka.resources import FunctionSpec

REPO_ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS_DIR = REPO_ROOT / "functions"
_NAMED_RESOURCES = {
    value
    for name, value in vars(resources).items()
    if name.endswith(("_TABLE", "_SECRET", "_KEY_ALIAS")) and isinstance(value, str)
}
_SERVICES = "services"


@dataclass
class Reach:
    tables: set[str] = field(default_factory=set)
    secrets: set[str] = field(default_factory=set)
    kms_keys: set[str] = field(default_factory=set)
    services: set[str] = field(default_factory=set)
    # Every faka class or function named on the way, as ``module.name``.
    definitions: set[str] = field(default_factory=set)

    def note(self, named: str) -> None:
        if named.endswith("_KEY_ALIAS") or named.startswith("alias/"):
            self.kms_keys.add(named)
        elif named in _table_names():
            self.tables.add(named)
        else:
            self.secrets.add(named)


@cache
def _table_names() -> frozenset[str]:
    return frozenset(value for name, value in vars(resources).items() if name.endswith("_TABLE"))


def _source(module_name: str) -> Path:
    """A module's file, found without importing it: handler modules build AWS clients when imported."""
    parts = module_name.split(".")
    base = REPO_ROOT / "layers" if parts[0] == "faka" else FUNCTIONS_DIR
    path = base.joinpath(*parts)
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


@cache
def _module_tree(module_name: str) -> ast.Module:
    return ast.parse(_source(module_name).read_text(encoding="utf-8"))


@cache
def _top_level(module_name: str) -> dict[str, ast.AST]:
    return {
        node.name: node
        for node in _module_tree(module_name).body
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
    }


@cache
def _faka_imports(module_name: str) -> dict[str, str]:
    """Local name → the faka module it was imported from, for ``from faka.x import y``."""
    imported: dict[str, str] = {}
    for node in ast.walk(_module_tree(module_name)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in {"faka", "api"}:
            for alias in node.names:
                imported[alias.asname or alias.name] = node.module
    return imported


def _services_used(tree: ast.AST) -> Iterator[str]:
    """``services().x`` in a handler module."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id == _SERVICES
        ):
            yield node.attr


def _is_settings(node: ast.expr) -> bool:
    """``self.settings``, or a local named ``settings`` (a service's shorthand for it)."""
    if isinstance(node, ast.Attribute):
        return node.attr == "settings"
    return isinstance(node, ast.Name) and node.id == "settings"


@cache
def _route_paths(module_name: str) -> tuple[str, ...]:
    """The paths of a module's routes: the first argument of each ``@router.<method>("<path>", ...)``."""
    return tuple(
        decorator.args[0].value
        for node in _module_tree(module_name).body
        if isinstance(node, ast.FunctionDef)
        for decorator in node.decorator_list
        if isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and isinstance(decorator.func.value, ast.Name)
        and decorator.func.value.id == "router"
        and decorator.args
        and isinstance(decorator.args[0], ast.Constant)
        and isinstance(decorator.args[0].value, str)
    )


class _Walker:
    def __init__(self, spec: FunctionSpec) -> None:
        self.reach = Reach()
        self._spec = spec
        self._seen: set[tuple[str, str]] = set()

    def handler_module(self, module_name: str) -> None:
        if (module_name, "") in self._seen:
            return
        self._seen.add((module_name, ""))
        paths = _route_paths(module_name)
        if paths and all(resources.function_serving(path) != self._spec for path in paths):
            return
        tree = _module_tree(module_name)
        for service in _services_used(tree):
            self.service(service)
        self._names(module_name, tree)

    def service(self, name: str) -> None:
        if name in self.reach.services:
            return
        self.reach.services.add(name)
        definition = _top_level(wiring.__name__)["Services"]
        assert isinstance(definition, ast.ClassDef)
        [body] = [n for n in definition.body if isinstance(n, ast.FunctionDef) and n.name == name] or [None]
        if body is None:  # a plain attribute such as ``settings``
            return
        for node in ast.walk(body):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
                self.service(node.attr)
            if isinstance(node, ast.Attribute) and _is_settings(node.value) and node.attr in SECRET_ID_SETTINGS:
                self.reach.secrets.add(SECRET_ID_SETTINGS[node.attr])
        self._names(wiring.__name__, body)

    def _names(self, module_name: str, tree: ast.AST) -> None:
        local = _top_level(module_name)
        imported = _faka_imports(module_name)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "resources":
                value = getattr(resources, node.attr, None)
                if isinstance(value, str) and value in _NAMED_RESOURCES:
                    self.reach.note(value)
            if not isinstance(node, ast.Name):
                continue
            if node.id in local and module_name != wiring.__name__:
                self._definition(module_name, node.id)
            elif node.id in imported:
                self._definition(imported[node.id], node.id)

    def _definition(self, module_name: str, name: str) -> None:
        if (module_name, name) in self._seen:
            return
        self._seen.add((module_name, name))
        if module_name.split(".")[0] != "faka":
            # A handler package's own module (``from api import tickets``) or one of its definitions.
            if _source(f"{module_name}.{name}").exists():
                self.handler_module(f"{module_name}.{name}")
            elif name in _top_level(module_name):
                self._names(module_name, _top_level(module_name)[name])
            return
        obj: Any = getattr(importlib.import_module(module_name), name, None)
        if obj is not None and not inspect.ismodule(obj):
            self.reach.definitions.add(f"{getattr(obj, '__module__', module_name)}.{getattr(obj, '__name__', name)}")
        if inspect.isclass(obj) and issubclass(obj, Model):
            self.reach.tables.add(obj.Meta.table_name)
            return
        if obj is None or inspect.ismodule(obj):  # resources are noted where they are named
            return
        home = getattr(obj, "__module__", module_name)
        definition = _top_level(home).get(getattr(obj, "__name__", name)) if home.startswith("faka.") else None
        if definition is not None:
            self._names(home, definition)


def reach_of(spec: FunctionSpec) -> Reach:
    walker = _Walker(spec)
    for path in sorted((FUNCTIONS_DIR / spec.name).rglob("*.py")):
        relative = path.relative_to(FUNCTIONS_DIR).with_suffix("")
        walker.handler_module(".".join(relative.parts))
    return walker.reach
