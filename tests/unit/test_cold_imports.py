"""What no function imports at cold start (issue 16): each of these costs a tenth of ``import boto3`` or more and serves
no request, and a reordered import or a module-level use brings it back without a failing test otherwise.
``benchmarks/cold_start.py`` measures the costs; this only says which modules a fresh handler import loaded.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from faka import resources
from faka.resources import FunctionSpec

ROOT = Path(__file__).resolve().parents[2]
# Powertools' OpenAPI models (~100 pydantic classes): the api writes its document with them, on request only.
OPENAPI_MODELS = "aws_lambda_powertools.event_handler.openapi.models"
# Powertools' pydantic parser models: its batch types build them when pydantic was imported first; faka parses no
# record with them.
PARSER_MODELS = "aws_lambda_powertools.utilities.parser.models"
BATCH = "aws_lambda_powertools.utilities.batch"
# pydantic alone costs about a third of ``import boto3``. Every function reads its settings and services through
# faka.config and faka.wiring, so those never load it; these functions' own code needs none of its models either.
WITHOUT_PYDANTIC = frozenset(
    {
        "restock",
        "escalation",
        "reconcile",
        "mail_events",
        "ticket_sla",
        "kpis",
        "webhook_fanout",
        "webhook_delivery",
        "notifier",
        "refunds",
        "rating_aggregates",
        "inbound_email",
    }
)
# What the common events of some of them build, beyond the handler's imports (faka.wiring imports a service's modules
# when it is first built): pydantic there would only move the cost from the cold import to the first event. The rules
# files these read (refund risk, rating templates, activation guides, playbooks) are read by faka.shared.rules_file.
EVENT_MODULES = {
    "refunds": ("faka.money.refunds", "faka.money.refund_review", "faka.platform.alert_channels"),
    "rating_aggregates": ("faka.insight.ratings", "faka.platform.alert_channels"),
    "notifier": (
        "faka.sales.notifications",
        "faka.money.refund_notices",
        "faka.money.refund_records",
        "faka.activation.reminders",
    ),
    "inbound_email": ("faka.support.playbooks", "faka.support.help_desk", "faka.support.canned_replies"),
}


@cache
def _cold_start() -> ModuleType:
    """benchmarks/cold_start.py, for the environment CDK gives each function."""
    spec = importlib.util.spec_from_file_location("cold_start", ROOT / "benchmarks" / "cold_start.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered first: its dataclasses look their module up while being built.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _loaded_by_import(function: FunctionSpec, *also: str) -> set[str]:
    script = f"import json, sys, {', '.join((function.module, *also))}; print(json.dumps(sorted(sys.modules)))"
    return set(_printed_by(function, script))


def _printed_by(function: FunctionSpec, script: str) -> Any:
    """What ``script`` prints as JSON, run in a fresh process with the function's environment."""
    env = _cold_start().lambda_environment(function)
    output = subprocess.run(  # noqa: S603 - this interpreter importing a handler named by faka.resources
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(output.stdout.splitlines()[-1])


@pytest.fixture(scope="module", params=resources.FUNCTIONS, ids=lambda function: function.name)
def loaded(request: pytest.FixtureRequest) -> set[str]:
    return _loaded_by_import(request.param)


def test_no_function_builds_powertools_pydantic_models_at_import(loaded: set[str]) -> None:
    assert OPENAPI_MODELS not in loaded
    assert PARSER_MODELS not in loaded


def test_only_queue_and_stream_consumers_import_the_batch_utilities(loaded: set[str]) -> None:
    assert (BATCH in loaded) == ("faka.consumers" in loaded)


@pytest.mark.parametrize(
    "function",
    [function for function in resources.FUNCTIONS if function.name in WITHOUT_PYDANTIC],
    ids=lambda function: function.name,
)
def test_the_lightest_functions_load_no_pydantic(function: FunctionSpec) -> None:
    assert "pydantic" not in _loaded_by_import(function)


@pytest.mark.parametrize("name", sorted(EVENT_MODULES))
def test_what_a_common_event_builds_loads_no_pydantic(name: str) -> None:
    function = next(function for function in resources.FUNCTIONS if function.name == name)

    assert "pydantic" not in _loaded_by_import(function, *EVENT_MODULES[name])


@pytest.mark.parametrize("function", resources.FUNCTIONS, ids=lambda function: function.name)
def test_no_function_opens_a_connection_at_import(function: FunctionSpec) -> None:
    """What SnapStart relies on (``-c snapStart=true``): a snapshot taken after the imports holds no connection that
    would be stale once resumed, and no secret fetched before the first request."""
    script = (
        "import json, socket\n"
        "tried = []\n"
        "def refuse(*args, **kwargs):\n"
        "    tried.append(repr(args[1:] or args)[:80])\n"
        "    raise OSError('no network at import')\n"
        "socket.socket.connect = socket.socket.connect_ex = refuse\n"
        "socket.getaddrinfo = socket.create_connection = refuse\n"
        f"import {function.module}\n"
        "print(json.dumps(tried))"
    )
    assert _printed_by(function, script) == []


def test_the_notifier_loads_the_refunds_table_with_its_first_refund_email() -> None:
    """Most of its events are deliveries and reminders; the refunds table's model waits for a refund's email."""
    assert "faka.money.refund_records" not in _loaded_by_import(resources.NOTIFIER_FUNCTION)


# The route modules of the api package (functions/api/*.py with a router), each served by the function API Gateway
# sends its paths to (resources.API_ROUTES).
_ROUTE_MODULES = frozenset(
    f"api.{path.stem}" for path in (ROOT / "functions" / "api").glob("*.py") if "router = " in path.read_text()
)


def test_the_payment_notifications_import_only_their_routes_and_bodies() -> None:
    """A provider's first notification after idle waits for these routes only: no storefront or admin router, and no
    request or answer model but the notifications' own."""
    loaded = _loaded_by_import(resources.PAYMENT_NOTIFICATIONS_FUNCTION)

    assert loaded & _ROUTE_MODULES == {"api.payments"}
    assert {module for module in loaded if module.startswith("api.schemas.")} == {
        "api.schemas.common",
        "api.schemas.payments",
    }


def test_the_api_function_imports_the_payment_notifications_only_to_document_them() -> None:
    loaded = _loaded_by_import(resources.API_FUNCTION)

    assert "api.payments" not in loaded
    assert "api.schemas.payments" not in loaded


OPERATOR_PREFIX = "/v1/admin/"
# Each about a tenth of ``import boto3`` or more with what it imports, and used by a few of the api's routes only: the
# triage (a buyer's chat message, the help desk), jinja2 (a link's page, an order's activation guide), the Stripe event
# models (a supplier's activation callback) and the help desk's ticket report.
API_LOADS_WHEN_USED = ("faka.triage", "jinja2", "faka.payments.stripe_webhook", "faka.insight.ticket_report")


@cache
def _paths_of_route_modules() -> dict[str, list[str]]:
    """Each route module's paths, read from its router (Powertools keeps its routes keyed by path first)."""
    modules = sorted(_ROUTE_MODULES)
    script = (
        "import importlib, json; print(json.dumps({module: sorted({route[0] for route in "
        f"importlib.import_module(module).router._routes}}) for module in {modules!r}}}))"
    )
    return dict(_printed_by(resources.API_FUNCTION, script))


def test_a_buyers_first_request_waits_for_no_operator_routes() -> None:
    """The api function imports at cold start only the route modules serving a path outside /v1/admin/; the operator
    console's own (the help desk, products and keys, the ledger, reports…) load with the first operator request."""
    serving_buyers = {
        module
        for module, paths in _paths_of_route_modules().items()
        if not all(path.startswith(OPERATOR_PREFIX) for path in paths)
    }

    assert _loaded_by_import(resources.API_FUNCTION) & _ROUTE_MODULES == serving_buyers - {"api.payments"}


def test_the_api_function_loads_what_few_routes_use_only_with_them() -> None:
    assert _loaded_by_import(resources.API_FUNCTION).isdisjoint(API_LOADS_WHEN_USED)
