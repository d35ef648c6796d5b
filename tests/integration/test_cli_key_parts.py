"""``faka keys import`` with keys' secret parts: a PIN column, the 账号----密码 line format, a multi-line card."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from faka.cli import cli
from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import add_product, open_shop, pay, place_order
from tests.integration.test_cli import TOKEN, _in_process

SKU = "steam-20-us"


@pytest.fixture
def faka(stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("HOME", str(tmp_path))
    open_shop(stack)
    add_product(stack)
    return CliRunner()


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(cli, ["--token", TOKEN, *args], obj=_in_process)


def delivered_parts(stack: Stack) -> tuple[str, list[tuple[str, str]]]:
    order = place_order(stack)
    assert pay(stack, order["order_id"], order["amount"]).body["result"] == "delivered"
    buyer = {"Authorization": f"Bearer {order['access_token']}"}
    [key] = stack.api("GET", f"/v1/orders/{order['order_id']}", headers=buyer).body["keys"]
    return key["code"], [(part["name"], part["value"]) for part in key["parts"]]


def test_a_csv_with_a_pin_column_and_a_multi_line_card_imports_one_key_a_row(
    faka: CliRunner, stack: Stack, tmp_path: Path
) -> None:
    keys = tmp_path / "supplier.csv"
    keys.write_text(
        'Code,PIN\nCLI-AAAA-0001,4321\n"CLI-AAAA-0002\nserial 7",8765\nCLI-AAAA-0001,9999\n,5555\n', encoding="utf-8"
    )

    result = run(faka, "keys", "import", SKU, str(keys), "--batch", "B1")

    assert result.exit_code == 0, result.output
    assert "2 imported, 1 duplicate, 1 rejected" in result.output
    assert "duplicate lines: 5" in result.output
    assert "rejected lines: 6" in result.output
    stock = stack.api("GET", "/v1/admin/products", headers=ADMIN).body["products"][0]["stock"]
    assert stock == 2, "PINs and a card's further lines are never keys of their own"
    sold = sorted(delivered_parts(stack) for _ in range(2))
    assert sold == [
        ("CLI-AAAA-0001", [("PIN", "4321")]),
        ("CLI-AAAA-0002", [("", "serial 7"), ("PIN", "8765")]),
    ]


def test_a_text_file_in_the_account_password_line_format(faka: CliRunner, stack: Stack, tmp_path: Path) -> None:
    keys = tmp_path / "accounts.txt"
    keys.write_text("player-0001----pass-word-1\n\nplayer-0002----pass-word-2\n", encoding="utf-8")

    result = run(faka, "keys", "import", SKU, str(keys), "--batch", "B1")

    assert result.exit_code == 0, result.output
    assert "2 imported, 0 duplicate, 0 rejected" in result.output
    assert delivered_parts(stack) in [("player-0001", [("", "pass-word-1")]), ("player-0002", [("", "pass-word-2")])]
