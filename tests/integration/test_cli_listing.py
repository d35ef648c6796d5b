"""``faka products delist|relist``: the storefront hides the product and shows it again."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from faka.cli import cli
from tests.integration.conftest import Stack
from tests.integration.helpers import add_product, open_shop
from tests.integration.test_cli import TOKEN, _in_process


@pytest.fixture
def faka(stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("HOME", str(tmp_path))
    open_shop(stack)
    add_product(stack, keys=["CLI-LIST-0001"])
    return CliRunner()


def storefront_skus(stack: Stack) -> list[str]:
    return [p["sku"] for p in stack.api("GET", "/v1/products").body["products"]]


def test_products_delist_and_relist(faka: CliRunner, stack: Stack) -> None:
    delisted = faka.invoke(cli, ["--token", TOKEN, "products", "delist", "steam-20-us"], obj=_in_process)
    assert delisted.exit_code == 0, delisted.output
    assert storefront_skus(stack) == []
    listed = faka.invoke(cli, ["--token", TOKEN, "products", "list"], obj=_in_process)
    assert "False" in listed.output, "the list says which products buyers do not see"

    relisted = faka.invoke(cli, ["--token", TOKEN, "products", "relist", "steam-20-us"], obj=_in_process)
    assert relisted.exit_code == 0, relisted.output
    assert storefront_skus(stack) == ["steam-20-us"]

    unknown = faka.invoke(cli, ["--token", TOKEN, "products", "delist", "no-such-sku"], obj=_in_process)
    assert unknown.exit_code != 0
    assert "404 unknown_sku" in unknown.output
