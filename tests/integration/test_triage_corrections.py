"""``GET /v1/admin/triage/corrections``: operators' corrections as masked training rows, a shop's operator seeing
its own and the platform operator every shop's, page by page; ``faka triage pull`` and ``retrain`` read them
through it."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner

from faka.cli import cli
from faka.support.correction_export import read_jsonl
from faka.triage import corpus
from faka.triage.model import MODEL_PATH
from faka.triage.retrain import ModelStore
from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import add_product, open_shop, pay, place_order
from tests.integration.test_cli import TOKEN, _in_process

CORRECTIONS = "/v1/admin/triage/corrections"


@pytest.fixture
def other(stack: Stack) -> dict[str, str]:
    """The second shop's operator headers."""
    opened = stack.api("POST", "/v1/admin/shops", {"shop_id": "other", "name": "O", "support_email": "o@x.io"}, ADMIN)
    assert opened.status == 201, opened.body
    return {"Authorization": f"Bearer {opened.body['operator_token']}", "X-Faka-Shop": "other"}


def corrected(stack: Stack, message: str, intent: str, headers: dict[str, str] = ADMIN) -> str:
    """A ticket of the headers' shop opened with ``message`` and corrected to ``intent``: its id."""
    shop = {"X-Faka-Shop": headers["X-Faka-Shop"]} if "X-Faka-Shop" in headers else {}
    opened = stack.api("POST", "/v1/tickets", {"email": "buyer@example.com", "message": message}, shop)
    assert opened.status == 201, opened.body
    ticket = str(opened.body["ticket_id"])
    response = stack.api("POST", f"/v1/admin/tickets/{ticket}/correction", {"intent": intent}, headers)
    assert response.status == 200, response.body
    return ticket


def listed(stack: Stack, headers: dict[str, str] = ADMIN, **query: object) -> dict:
    response = stack.api("GET", CORRECTIONS, headers=headers, query=urlencode(query))
    assert response.status == 200, response.body
    return response.body


def test_a_correction_is_listed_as_a_masked_training_row_once_per_ticket(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack, keys=["AST-AAAA-0001"])
    order = place_order(stack)
    pay(stack, order["order_id"], order["amount"])
    words = f"order {order['order_id']}: this voucher thingy AST-AAAA-0001 is dead on arrival, mail me at a@b.co"
    opened = stack.api(
        "POST", "/v1/tickets", {"order_id": order["order_id"], "access_token": order["access_token"], "message": words}
    )
    ticket = opened.body["ticket_id"]
    stack.api("POST", f"/v1/admin/tickets/{ticket}/correction", {"intent": "wrong_region"}, ADMIN)
    stack.api("POST", f"/v1/admin/tickets/{ticket}/correction", {"intent": "invalid_key"}, ADMIN)

    rows = listed(stack)["corrections"]

    assert [(row["shop"], row["ticket"], row["intent"]) for row in rows] == [("main", ticket, "invalid_key")]
    # The key was masked when the ticket stored it; the order id and the address are masked by the listing.
    assert rows[0]["text"] == "order _order_ : this voucher thingy *********0001 is dead on arrival, mail me at _email_"
    assert rows[0]["corrected_at"].startswith("20")


def test_a_shop_operator_sees_its_own_corrections_and_the_platform_operator_every_shops(
    stack: Stack, other: dict[str, str]
) -> None:
    open_shop(stack)
    mine = corrected(stack, "the code says already used", "invalid_key")
    theirs = corrected(stack, "wrong country on my card", "wrong_region", other)

    own = listed(stack, other)
    every = listed(stack)

    assert [(r["shop"], r["ticket"]) for r in own["corrections"]] == [("other", theirs)]
    assert [(r["shop"], r["ticket"]) for r in every["corrections"]] == [("main", mine), ("other", theirs)]
    refused = stack.api("GET", CORRECTIONS, headers={**other, "X-Faka-Shop": "main"})
    assert refused.status == 403, refused.body


def test_the_list_pages_with_a_cursor_across_shops_and_refuses_another_lists_cursor(
    stack: Stack, other: dict[str, str]
) -> None:
    open_shop(stack)
    tickets = {
        ("main", corrected(stack, "my key does not work", "invalid_key")),
        ("main", corrected(stack, "never got the email", "not_received")),
        ("other", corrected(stack, "wrong country on my card", "wrong_region", other)),
    }

    first = listed(stack, limit=2)
    second = listed(stack, limit=2, cursor=first["next_cursor"])

    assert len(first["corrections"]) == 2
    assert second["next_cursor"] is None
    paged = [(r["shop"], r["ticket"]) for r in first["corrections"] + second["corrections"]]
    assert sorted(paged) == paged
    assert set(paged) == tickets
    foreign = stack.api("GET", CORRECTIONS, headers=other, query=urlencode({"cursor": first["next_cursor"]}))
    assert (foreign.status, foreign.body["code"]) == (400, "invalid_cursor")


def test_faka_triage_pull_writes_every_page_through_the_api(
    stack: Stack, other: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # no operator's own config file leaks in
    monkeypatch.setattr("faka.cli._CORRECTIONS_PAGE", 1)
    open_shop(stack)
    corrected(stack, "my key does not work", "invalid_key")
    corrected(stack, "wrong country on my card", "wrong_region", other)
    out = tmp_path / "corrections.jsonl"

    pulled = CliRunner().invoke(cli, ["--token", TOKEN, "triage", "pull", "--corrections", str(out)], obj=_in_process)

    assert pulled.exit_code == 0, pulled.output
    assert "2 corrections pulled from the operator API" in pulled.output
    assert sorted((row["shop"], row["intent"]) for row in read_jsonl(out)) == [
        ("main", "invalid_key"),
        ("other", "wrong_region"),
    ]


def test_faka_triage_retrain_asks_for_a_token_only_when_it_pulls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("FAKA_ADMIN_TOKEN", raising=False)

    refused = CliRunner().invoke(cli, ["triage", "retrain", "--corrections", str(tmp_path / "c.jsonl")])

    assert refused.exit_code != 0
    assert "no operator token" in refused.output


def test_faka_triage_retrain_trains_on_the_corrections_it_pulls_through_the_api(
    stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv(corpus.DATA_ENV, str(tmp_path / "no-real-data"))  # trains in seconds
    shutil.copyfile(MODEL_PATH, tmp_path / "model.json.gz")
    open_shop(stack)
    corrected(stack, "my key does not work", "invalid_key")
    paths = ["--corrections", str(tmp_path / "c.jsonl"), "--models", str(tmp_path / "models")]

    retrained = CliRunner().invoke(
        cli,
        ["--token", TOKEN, "triage", "retrain", *paths, "--model", str(tmp_path / "model.json.gz"), "--force"],
        obj=_in_process,
    )

    assert retrained.exit_code == 0, retrained.output
    assert "1 corrections pulled from the operator API" in retrained.output
    assert "corrections read right" in retrained.output
    assert ModelStore.open(tmp_path / "models", tmp_path / "model.json.gz").versions[-1].corrections == 1
