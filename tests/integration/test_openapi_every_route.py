"""Every operation of the OpenAPI document says what it answers and what it reads, so a generated client is typed.

The document is walked as the api function builds it (``api.handler.openapi_document``); a route added without a
typed success body, or reading a body the document does not describe, fails here with its method and path.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from types import FunctionType
from typing import Any

import pytest

JSON = "application/json"
TEXT_MEDIA_TYPES = {"text/csv", "text/html", "text/plain"}
# The ways a route reads its request body itself, instead of through a Body() parameter Powertools documents.
READS_THE_BODY = ("decoded_body", "json_body", "current_event.body")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    from api import handler

    return handler.openapi_document()


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _typed(schema: dict[str, Any], document: dict[str, Any]) -> bool:
    """An object with named properties, an array of such, or a choice between them: something a generator can type.

    Powertools' defaults for an unannotated answer are not: ``{"type": "string", "title": "Return"}`` for a
    ``Response[str]``, ``{"additionalProperties": true}`` for a ``dict[str, Any]``, ``{}`` for nothing.
    """
    schema = _resolve(schema, document)
    if choices := schema.get("anyOf") or schema.get("oneOf"):
        return all(_typed(choice, document) for choice in choices)
    if schema.get("type") == "array":
        return _typed(schema.get("items", {}), document)
    return bool(schema.get("properties"))


def _success_problems(operation: dict[str, Any], document: dict[str, Any]) -> list[str]:
    successes = {status: r for status, r in operation["responses"].items() if status.startswith(("2", "3"))}
    if not successes:
        return ["no 2xx response"]
    problems = []
    for status, response in successes.items():
        if not response.get("description"):
            problems.append(f"{status} has no description")
        content = response.get("content") or {}
        if status == "204" or status.startswith("3"):
            if content:
                problems.append(f"{status} declares a body")
            continue
        if not content:
            problems.append(f"{status} declares no body")
        for media_type, media in content.items():
            if media_type == JSON and not _typed(media.get("schema", {}), document):
                problems.append(f"{status} {media_type} is untyped: {media.get('schema')}")
            elif media_type in TEXT_MEDIA_TYPES and media.get("schema", {}).get("type") != "string":
                problems.append(f"{status} {media_type} has no string schema")
            elif media_type != JSON and media_type not in TEXT_MEDIA_TYPES:
                problems.append(f"{status} answers {media_type}, which no route does")
    return problems


def _module_functions(function: Callable[..., Any]) -> Iterator[FunctionType]:
    """The function and every function of its module it calls, however deep: where a route reads its body."""
    module = inspect.getmodule(function)
    seen: set[str] = set()
    pending = [function]
    while pending:
        current = pending.pop()
        if not isinstance(current, FunctionType) or current.__name__ in seen:
            continue
        seen.add(current.__name__)
        yield current
        pending.extend(getattr(module, name, None) for name in current.__code__.co_names)


def _reads_its_body(route_function: Callable[..., Any]) -> bool:
    return any(
        marker in inspect.getsource(function)
        for function in _module_functions(route_function)
        for marker in READS_THE_BODY
    )


def test_every_operation_answers_a_typed_success_body(document: dict[str, Any]) -> None:
    untyped = {
        operation_name: problems
        for operation_name, operation in _operations(document)
        if (problems := _success_problems(operation, document))
    }

    assert untyped == {}


def test_every_request_body_is_typed(document: dict[str, Any]) -> None:
    untyped = {
        f"{name} {media_type}": media.get("schema")
        for name, operation in _operations(document)
        for media_type, media in operation.get("requestBody", {}).get("content", {}).items()
        if not (_typed(media.get("schema", {}), document) or media_type in TEXT_MEDIA_TYPES)
    }

    assert untyped == {}


def test_every_route_reading_its_own_body_documents_it(document: dict[str, Any]) -> None:
    from api import handler

    # Every route of the API, the payment notifications' (served by their own function) included.
    documented = handler.documented()
    routes = [*documented._static_routes, *documented._dynamic_routes]
    operations = dict(_operations(document))
    undocumented = [
        name
        for route in routes
        if route.include_in_schema
        and _reads_its_body(route.func)
        and "requestBody" not in operations[(name := f"{route.method} {route.openapi_path}")]
    ]

    assert routes
    assert undocumented == []


def test_no_operation_documents_a_422_the_api_never_answers(document: dict[str, Any]) -> None:
    with_422 = [name for name, operation in _operations(document) if "422" in operation["responses"]]

    assert with_422 == []
    assert not {"HTTPValidationError", "ValidationError"} & set(document["components"]["schemas"])


def test_every_reference_names_a_schema_of_the_document(document: dict[str, Any]) -> None:
    def references(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                yield node["$ref"]
            for value in node.values():
                yield from references(value)
        elif isinstance(node, list):
            for value in node:
                yield from references(value)

    schemas = document["components"]["schemas"]
    dangling = {ref for ref in references(document) if ref.removeprefix("#/components/schemas/") not in schemas}

    assert dangling == set()
