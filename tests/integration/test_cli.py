"""The operator CLI, driven by click's CliRunner against the API handler in-process (moto behind it)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from faka import resources
from faka.cli import Reply, cli
from faka_local.apigateway import rest_event
from faka_local.event_sources import load_handler
from faka_local.lambda_context import LocalLambdaContext
from tests.integration.conftest import Stack
from tests.integration.helpers import add_product, open_shop, place_order
from tests.integration.test_admin_orders import _seed

TOKEN = "test-admin-token"


def _in_process(method: str, path: str, headers: dict[str, str], body: bytes | None) -> Reply:
    route, _, query = path.partition("?")
    event = rest_event(method, route, body=body, headers=headers, query=query)
    result = load_handler(resources.API_FUNCTION)(event, LocalLambdaContext("faka-api"))
    every = {**(result.get("headers") or {}), **{k: v[0] for k, v in (result.get("multiValueHeaders") or {}).items()}}
    return Reply(result["statusCode"], every.get("Content-Type", ""), result.get("body") or "")


@pytest.fixture
def faka(stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("HOME", str(tmp_path))  # no operator's own config file leaks in
    open_shop(stack)
    return CliRunner()


def _run(runner: CliRunner, *args: str, token: str = TOKEN) -> Result:
    return runner.invoke(cli, ["--token", token, *args], obj=_in_process)


def test_keys_import_reports_imported_duplicate_and_rejected_lines(
    faka: CliRunner, stack: Stack, tmp_path: Path
) -> None:
    add_product(stack)
    keys = tmp_path / "supplier.csv"
    keys.write_text("code,pin\nAAAA-BBBB-CCCC-0001,1111\nAAAA-BBBB-CCCC-0002,2222\nAAAA-BBBB-CCCC-0001,1111\n")

    result = _run(faka, "keys", "import", "steam-20-us", str(keys), "--batch", "B1")

    assert result.exit_code == 0, result.output
    assert "2 imported, 1 duplicate, 0 rejected" in result.output
    assert "duplicate lines: 4" in result.output
    products = _run(faka, "products", "list")
    assert "steam-20-us" in products.output
    assert "│ 2 " in products.output or " 2 │" in products.output  # the stock column, not the PINs


def test_a_text_file_is_one_code_per_line(faka: CliRunner, stack: Stack, tmp_path: Path) -> None:
    add_product(stack)
    keys = tmp_path / "codes.txt"
    keys.write_text("AAAA-BBBB-CCCC-0001\n\nAAAA-BBBB-CCCC-0002\n")
    result = _run(faka, "keys", "import", "steam-20-us", str(keys), "--batch", "B1")
    assert "2 imported, 0 duplicate, 0 rejected" in result.output


def test_orders_list_all_pages_and_export(faka: CliRunner, tmp_path: Path) -> None:
    seeded = _seed("main", 120)
    listed = _run(faka, "orders", "list", "--limit", "50", "--all")
    assert listed.exit_code == 0, listed.output
    assert all(order_id in listed.output for order_id in seeded)

    out = tmp_path / "orders.csv"
    exported = _run(faka, "orders", "export", "--from", "2026-11-01", "--to", "2026-11-02", "-o", str(out))
    assert exported.exit_code == 0, exported.output
    assert len(list(csv.DictReader(io.StringIO(out.read_text())))) == 120


def test_orders_show_and_shops_list(faka: CliRunner, stack: Stack) -> None:
    add_product(stack, keys=["AAAA-BBBB-CCCC-0001"])
    placed = place_order(stack)
    shown = _run(faka, "orders", "show", placed["order_id"])
    assert placed["order_id"] in shown.output
    assert "main" in _run(faka, "shops", "list").output


def test_secrets_rotate_issues_a_supplier_secret(faka: CliRunner) -> None:
    result = _run(faka, "secrets", "rotate", "--supplier", "acme")
    assert result.exit_code == 0, result.output
    assert "secret" in result.output


def test_errors_are_one_line_and_non_zero_never_a_traceback(faka: CliRunner, tmp_path: Path) -> None:
    refused = _run(faka, "orders", "list", "--status", "lost")
    assert refused.exit_code != 0
    assert refused.output.strip().splitlines() == [refused.output.strip()]
    assert "invalid_filter" in refused.output
    assert refused.exception is None or isinstance(refused.exception, SystemExit)

    wrong_token = _run(faka, "shops", "list", token="not-a-token")
    assert wrong_token.exit_code != 0
    assert "403" in wrong_token.output or "401" in wrong_token.output

    headerless = tmp_path / "keys.csv"
    headerless.write_text("AAAA,1111\n")
    bad_file = _run(faka, "keys", "import", "steam-20-us", str(headerless), "--batch", "B1")
    assert bad_file.exit_code != 0
    assert "no 'code' column" in bad_file.output

    unknown_refund = _run(faka, "refunds", "approve", "rf_missing")
    assert unknown_refund.exit_code != 0
    assert "Traceback" not in unknown_refund.output


def test_no_token_is_a_clear_error(faka: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FAKA_ADMIN_TOKEN", raising=False)
    result = faka.invoke(cli, ["shops", "list"], obj=_in_process)
    assert result.exit_code != 0
    assert "no operator token" in result.output


def test_the_token_and_shop_can_come_from_the_config_file(
    faka: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FAKA_ADMIN_TOKEN", raising=False)
    config = tmp_path / ".config" / "faka" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'token = "{TOKEN}"\nshop = "main"\n')
    result = faka.invoke(cli, ["shops", "list"], obj=_in_process)
    assert result.exit_code == 0, result.output
    assert "main" in result.output
