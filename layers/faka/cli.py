"""The ``faka`` command.

``faka local`` runs the whole system on this machine, ``faka classify`` triages buyers' messages and ``faka triage``
retrains the triage model on operators' corrections (development: scikit-learn, the dev extra); the other
groups (shops, products, keys, orders, tickets, refunds, secrets) and ``faka triage pull`` (``retrain``'s pull)
call a running faka's operator API, ``faka local`` or a deployed stack. The endpoint, token and shop come from
flags, else FAKA_ENDPOINT / FAKA_ADMIN_TOKEN / FAKA_SHOP, else ``~/.config/faka/config.toml`` (keys ``endpoint``,
``token``, ``shop``).
"""

from __future__ import annotations

import csv
import io
import json
import sys
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import click
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from faka.catalog.codes import CODE_COLUMNS, split_card

if TYPE_CHECKING:
    from faka.triage.retrain import ModelStore

CONFIG_FILE = Path("~/.config/faka/config.toml")
# faka local's default address (faka_local.runtime.DEFAULT_API_PORT; faka_local is not shipped with faka).
LOCAL_ENDPOINT = "http://127.0.0.1:3000"
IMPORT_CHUNK = 1000
_CORRECTIONS_PAGE = 100  # the API's largest page
TIMEOUT_SECONDS = 60
WIDE_OUTPUT = 1000


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    text: str


# method, path with query, headers, body -> reply: HTTP by default, the API handler in-process in tests.
Send = Callable[[str, str, dict[str, str], bytes | None], Reply]


def _http(endpoint: str) -> Send:
    if not endpoint.startswith(("http://", "https://")):
        raise click.ClickException(f"the endpoint must be an http(s) URL, not {endpoint!r}")
    base = endpoint.rstrip("/")

    def send(method: str, path: str, headers: dict[str, str], body: bytes | None) -> Reply:
        # The scheme is checked above: only http(s) is ever opened.
        request = urllib.request.Request(base + path, data=body, headers=headers, method=method)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
                return Reply(answer.status, answer.headers.get("Content-Type", ""), answer.read().decode())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.headers.get("Content-Type", ""), error.read().decode(errors="replace"))
        except (urllib.error.URLError, OSError) as error:
            raise click.ClickException(f"cannot reach {endpoint}: {getattr(error, 'reason', error)}") from None

    return send


@dataclass(frozen=True)
class OperatorApi:
    """The operator API as the CLI calls it: every answer that is not a 2xx becomes one clear error line."""

    send: Send
    token: str
    shop: str | None

    def call(self, method: str, path: str, *, query: dict[str, Any] | None = None, body: Any = None) -> Any:
        reply = self.raw(method, path, query=query, body=body)
        return json.loads(reply.text) if reply.text else None

    def raw(self, method: str, path: str, *, query: dict[str, Any] | None = None, body: Any = None) -> Reply:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if self.shop:
            headers["X-Faka-Shop"] = self.shop
        payload = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            payload = json.dumps(body).encode()
        present = {k: v for k, v in (query or {}).items() if v not in (None, "")}
        reply = self.send(method, path + (f"?{urlencode(present)}" if present else ""), headers, payload)
        if not 200 <= reply.status < 300:
            raise click.ClickException(_refusal(reply))
        return reply


def _refusal(reply: Reply) -> str:
    try:
        problem = json.loads(reply.text)
        return f"{reply.status} {problem['code']}: {problem['message']}"
    except (ValueError, KeyError, TypeError):
        return f"the API answered {reply.status}"


def _settings(endpoint: str | None, token: str | None, shop: str | None) -> tuple[str, str | None, str | None]:
    path = CONFIG_FILE.expanduser()
    try:
        stored = tomllib.loads(path.read_text()) if path.is_file() else {}
    except (tomllib.TOMLDecodeError, OSError) as error:
        raise click.ClickException(f"{path} cannot be read: {error}") from None
    return (
        endpoint or stored.get("endpoint") or LOCAL_ENDPOINT,
        token or stored.get("token"),
        shop or stored.get("shop"),
    )


pass_api = click.make_pass_decorator(OperatorApi)


@click.group(help="Automatic card-key delivery with after-sales.")
@click.option("--endpoint", envvar="FAKA_ENDPOINT", help="The API's base URL (default: faka local's).")
@click.option("--token", envvar="FAKA_ADMIN_TOKEN", help="An operator bearer token.")
@click.option("--shop", envvar="FAKA_SHOP", help="The shop to act on (default: the deployment's).")
@click.pass_context
def cli(ctx: click.Context, endpoint: str | None, token: str | None, shop: str | None) -> None:
    # triage's commands that call the API (pull, retrain) ask for it themselves: the others work offline.
    if ctx.invoked_subcommand in {"local", "classify", "triage"}:
        return
    ctx.obj = _operator_api(ctx)


def _operator_api(ctx: click.Context) -> OperatorApi:
    """The operator API the root's --endpoint, --token and --shop (else the environment, else the config) name."""
    root = ctx.find_root()
    endpoint, token, shop = _settings(root.params["endpoint"], root.params["token"], root.params["shop"])
    if not token:
        raise click.ClickException(f"no operator token: pass --token, set FAKA_ADMIN_TOKEN or add it to {CONFIG_FILE}")
    # Tests hand in a Send that calls the API handler in-process.
    send = root.obj if callable(root.obj) else _http(endpoint)
    return OperatorApi(send, token, shop)


@cli.command(help="Run faka on this machine: AWS emulator, HTTP API and demo data (until Ctrl-C).")
def local() -> None:
    began = time.perf_counter()
    # faka_local (and moto behind it) is a development tool that Lambda never ships, so it loads only here.
    from faka_local.runtime import run

    sys.exit(run(began))


@cli.command(help="Triage buyers' messages: one per line on stdin, one JSON object per line on stdout.")
def classify() -> None:
    from faka.triage import MAX_MESSAGE_CHARS, classify

    out = sys.stdout.buffer
    # Bytes in and out: a message that is not UTF-8 is still triaged (with U+FFFD where it broke), and the
    # output is UTF-8 whatever the locale says.
    for raw in sys.stdin.buffer:
        text = raw.decode("utf-8", errors="replace")[:MAX_MESSAGE_CHARS].strip()
        if not text:
            continue
        line = json.dumps(classify(text).as_contract(), ensure_ascii=False)
        out.write(line.encode("utf-8") + b"\n")
        out.flush()


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    table = Table(*columns)
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    console = Console()
    # Piped or redirected, no cell is cut to fit an imagined 80-column screen.
    (console if console.is_terminal else Console(width=WIDE_OUTPUT)).print(table)


def _json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


@cli.group(help="Shops.")
def shops() -> None: ...


@shops.command("list", help="Every shop (platform operator) or your own.")
@pass_api
def shops_list(api: OperatorApi) -> None:
    _table(api.call("GET", "/v1/admin/shops")["shops"], ("shop_id", "name", "support_email"))


@cli.group(help="Products.")
def products() -> None: ...


@products.command("list", help="The shop's products, their stock and whether buyers see them.")
@pass_api
def products_list(api: OperatorApi) -> None:
    _table(api.call("GET", "/v1/admin/products")["products"], ("sku", "name", "price", "currency", "stock", "listed"))


@products.command("delist", help="Take SKU off sale: buyers no longer see or order it; paid orders are still served.")
@click.argument("sku")
@pass_api
def products_delist(api: OperatorApi, sku: str) -> None:
    api.call("POST", f"/v1/admin/products/{quote(sku, safe='')}/delist")
    click.echo(f"{sku} delisted")


@products.command("relist", help="Put a delisted SKU on sale again.")
@click.argument("sku")
@pass_api
def products_relist(api: OperatorApi, sku: str) -> None:
    api.call("POST", f"/v1/admin/products/{quote(sku, safe='')}/relist")
    click.echo(f"{sku} listed")


@dataclass(frozen=True)
class KeyLine:
    line_no: int
    code: str
    parts: tuple[tuple[str, str], ...] = ()

    def body(self) -> str | dict[str, Any]:
        """As the import takes it: the code alone, or with its parts; the API judges both."""
        if not self.parts:
            return self.code
        return {"code": self.code, "parts": [{"name": name, "value": value} for name, value in self.parts]}


def _key_line(line_no: int, text: str, named_parts: Sequence[tuple[str, str]] = ()) -> KeyLine | None:
    code, unnamed = split_card(text)
    parts = tuple((name, value) for name, value in [*unnamed, *named_parts] if value.strip())
    return KeyLine(line_no, code, parts) if code or parts else None


def read_keys(path: Path) -> Iterator[KeyLine]:
    """Keys with their line numbers. A CSV needs a header naming its code column (``code``, ``key``, ``卡密`` …):
    its other columns are the key's secret parts. Otherwise a key a line. A code may be written ``账号----密码``,
    and a CSV's quoted code cell may hold a multi-line card (the first line its code): the rest are parts too."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() != ".csv":
        found = (_key_line(n, line) for n, line in enumerate(text.splitlines(), 1))
        yield from (key for key in found if key)
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader, [])]
        code_column = next((i for name in CODE_COLUMNS for i, cell in enumerate(header) if cell.lower() == name), None)
        if code_column is None:
            raise click.ClickException(f"{path} has no 'code' column (its header is: {', '.join(header) or 'empty'})")
        start = reader.line_num + 1
        for row in reader:
            named = [(header[i] if i < len(header) else "", cell) for i, cell in enumerate(row) if i != code_column]
            key = _key_line(start, row[code_column] if code_column < len(row) else "", named)
            if key:
                yield key
            start = reader.line_num + 1
    except csv.Error as error:
        raise click.ClickException(f"{path} line {reader.line_num}: {error}") from None


@cli.group(help="Card keys.")
def keys() -> None: ...


@keys.command(
    "import",
    help="Import a CSV (a 'code' column; the other columns are each key's secret parts, such as a PIN) or a text file "
    "(a key a line, '账号----密码' the code and its password) of keys for SKU.",
)
@click.argument("sku")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--batch", required=True, help="The batch the keys belong to.")
@click.option("--supplier", default="", help="The supplier that sold the batch.")
@pass_api
def keys_import(api: OperatorApi, sku: str, file: Path, batch: str, supplier: str) -> None:
    lines = list(read_keys(file))
    if not lines:
        raise click.ClickException(f"{file} holds no codes")
    imported = 0
    refused: dict[str, list[int]] = {}
    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(f"importing into {sku}", total=len(lines))
        for start in range(0, len(lines), IMPORT_CHUNK):
            chunk = lines[start : start + IMPORT_CHUNK]
            body = {"batch": batch, "supplier": supplier, "keys": [line.body() for line in chunk]}
            report = api.call("POST", f"/v1/admin/products/{sku}/keys", body=body)
            imported += int(report["imported"])
            for rejected in report["rejected"]:
                refused.setdefault(rejected["code"], []).append(chunk[rejected["index"]].line_no)
            progress.advance(task, len(chunk))
    duplicate = refused.pop("duplicate", [])
    rejected_lines = sorted(n for numbers in refused.values() for n in numbers)
    click.echo(f"{imported} imported, {len(duplicate)} duplicate, {len(rejected_lines)} rejected")
    for name, numbers in (("duplicate", duplicate), ("rejected", rejected_lines)):
        if numbers:
            click.echo(f"{name} lines: {', '.join(map(str, sorted(numbers)))}")


@cli.group(help="Orders.")
def orders() -> None: ...


@orders.command("list", help="Find orders, newest first; --all follows the cursor to the end.")
@click.option("--email")
@click.option("--status")
@click.option("--sku")
@click.option("--from", "since", help="ISO-8601 date or time.")
@click.option("--to", "until", help="ISO-8601 date or time.")
@click.option("--limit", type=int, default=50, show_default=True)
@click.option("--cursor")
@click.option("--all", "every", is_flag=True, help="Every page, not just the first.")
@pass_api
def orders_list(api: OperatorApi, since: str | None, until: str | None, every: bool, **filters: Any) -> None:
    query = {**filters, "from": since, "to": until}
    found: list[dict[str, Any]] = []
    while True:
        page = api.call("GET", "/v1/admin/orders", query=query)
        found += page["orders"]
        if not (every and page["next_cursor"]):
            break
        query["cursor"] = page["next_cursor"]
    _table(found, ("order_id", "created_at", "status", "sku", "quantity", "amount", "currency", "email"))
    if page["next_cursor"] and not every:
        click.echo(f"more: --cursor {page['next_cursor']}")


@orders.command("show", help="One order, its keys masked.")
@click.argument("order_id")
@pass_api
def orders_show(api: OperatorApi, order_id: str) -> None:
    _json(api.call("GET", f"/v1/admin/orders/{order_id}"))


@orders.command("export", help="Orders placed in a date range as CSV, to stdout or --output.")
@click.option("--from", "since", help="ISO-8601 date or time.")
@click.option("--to", "until", help="ISO-8601 date or time.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@pass_api
def orders_export(api: OperatorApi, since: str | None, until: str | None, output: Path | None) -> None:
    text = api.raw("GET", "/v1/admin/orders/export", query={"from": since, "to": until}).text
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"{max(len(text.splitlines()) - 1, 0)} orders written to {output}", err=True)


@cli.group(help="Support tickets.")
def tickets() -> None: ...


@tickets.command("list", help="The shop's tickets.")
@pass_api
def tickets_list(api: OperatorApi) -> None:
    _table(api.call("GET", "/v1/admin/tickets")["tickets"], ("ticket_id", "order_id", "status", "intent", "severity"))


@cli.group(help="Refund requests.")
def refunds() -> None: ...


def _decide(api: OperatorApi, refund_id: str, decision: str, reason: str | None) -> None:
    answer = api.call("POST", f"/v1/admin/refunds/{refund_id}/decision", body={"decision": decision, "reason": reason})
    click.echo(f"refund {refund_id}: {answer.get('status', decision)}")


@refunds.command("approve", help="Approve a refund under review.")
@click.argument("refund_id")
@click.option("--reason")
@pass_api
def refunds_approve(api: OperatorApi, refund_id: str, reason: str | None) -> None:
    _decide(api, refund_id, "approve", reason)


@refunds.command("reject", help="Reject a refund under review.")
@click.argument("refund_id")
@click.option("--reason")
@pass_api
def refunds_reject(api: OperatorApi, refund_id: str, reason: str | None) -> None:
    _decide(api, refund_id, "reject", reason)


@cli.group(help="Callback secrets.")
def secrets() -> None: ...


@secrets.command("rotate", help="Issue or rotate a supplier's callback secret, or the shop's own without --supplier.")
@click.option("--supplier", help="The supplier named by the shop's key batches.")
@pass_api
def secrets_rotate(api: OperatorApi, supplier: str | None) -> None:
    path = f"/v1/admin/suppliers/{supplier}/secret" if supplier else "/v1/admin/callback-secret"
    _json(api.call("POST", path))


# Where the model versions are kept and the runtime model file: tests point both at a copy.
_models_option = click.option(
    "--models", type=click.Path(file_okay=False, path_type=Path), help="The versions (default: data/triage/models/)."
)
_model_option = click.option(
    "--model", type=click.Path(dir_okay=False, path_type=Path), help="The runtime model file (default: the shipped)."
)


@cli.group(help="The triage model: retrain it on operators' corrections, list its versions, roll back (development).")
def triage() -> None: ...


_export_option = click.option(
    "--from",
    "export",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A JSONL export of corrections, instead of the operator API.",
)
_corrections_option = click.option(
    "--corrections", type=click.Path(dir_okay=False, path_type=Path), help="Default: data/triage/corrections.jsonl."
)


def _api_corrections(api: OperatorApi) -> list[dict[str, str]]:
    """Every correction the caller may see, page after page."""
    pulled: list[dict[str, str]] = []
    query: dict[str, Any] = {"limit": _CORRECTIONS_PAGE}
    while True:
        page = api.call("GET", "/v1/admin/triage/corrections", query=query)
        pulled += page["corrections"]
        if not page["next_cursor"]:
            return pulled
        query["cursor"] = page["next_cursor"]


def _pull(ctx: click.Context, export: Path | None, corrections: Path) -> None:
    """Operators' corrections, from the operator API or an export, merged into the corrections file."""
    from faka.support.correction_export import merged, read_jsonl, write_jsonl

    pulled = read_jsonl(export) if export else _api_corrections(_operator_api(ctx))
    write_jsonl(merged(read_jsonl(corrections), pulled), corrections)
    click.echo(f"{len(pulled)} corrections pulled from {export or 'the operator API'} into {corrections}")


@triage.command(
    "pull",
    help="Pull operators' intent corrections through the operator API (--endpoint, --token; a platform operator's "
    "token pulls every shop's), or --from an export, into the corrections file training reads.",
)
@_export_option
@_corrections_option
@click.pass_context
def triage_pull(ctx: click.Context, export: Path | None, corrections: Path | None) -> None:
    from faka.triage.train import CORRECTIONS_PATH, corrected

    corrections = corrections or CORRECTIONS_PATH
    _pull(ctx, export, corrections)
    checked = corrected(corrections)
    for conflict in checked.conflicts:
        click.echo(f"left out of training ({conflict.reason}): {conflict.intent} {conflict.text!r}")
    click.echo(f"training uses {len(checked.rows)} of them ({len(checked.conflicts)} left out)")


@triage.command(
    "retrain",
    help="Pull operators' intent corrections (as faka triage pull does), train on the base data plus them, measure "
    "on the held-out sets and promote the new model only when it is better. Every model is kept as a version "
    "(faka triage versions).",
)
@_export_option
@click.option("--no-pull", is_flag=True, help="Pull nothing: train on the corrections file as it is.")
@click.option("--force", is_flag=True, help="Promote even past failed checks (each is printed and recorded).")
@_corrections_option
@_models_option
@_model_option
@click.option("--train-data", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Default: the base.")
@click.pass_context
def triage_retrain(
    ctx: click.Context,
    export: Path | None,
    no_pull: bool,
    force: bool,
    corrections: Path | None,
    models: Path | None,
    model: Path | None,
    train_data: Path | None,
) -> None:
    from faka.support.correction_export import read_jsonl
    from faka.triage.retrain import retrain
    from faka.triage.train import CORRECTIONS_PATH, SHIPPED_DATA, Datasets

    if export and no_pull:
        raise click.UsageError("--from and --no-pull exclude each other")
    corrections = corrections or CORRECTIONS_PATH
    if not no_pull:
        _pull(ctx, export, corrections)
    data = Datasets(train_data or SHIPPED_DATA.train)
    store = _model_store(models, model)
    outcome = retrain(store, read_jsonl(corrections), data, force=force)
    for note in outcome.notes:
        click.echo(f"note: {note}")
    for conflict in outcome.conflicts:
        click.echo(f"correction left out: {conflict}")
    comparison, version = outcome.comparison, outcome.version
    rows = [
        {"set": name, comparison.live.version: comparison.live_accuracy[name], version.version: accuracy}
        for name, accuracy in comparison.candidate_accuracy.items()
        if accuracy is not None
    ]
    read = len(comparison.corrections)
    rows.append(
        {
            "set": "corrections read right",
            comparison.live.version: f"{read - len(comparison.live_misreads)}/{read}",
            version.version: f"{read - len(comparison.candidate_misreads)}/{read}",
        }
    )
    _table(rows, ("set", comparison.live.version, version.version))
    verdict = "promoted" if version.promoted else f"not promoted ({comparison.live.version} stays live)"
    click.echo(f"{version.version} {verdict}:")
    for reason in version.reasons:
        click.echo(f"  - {reason}")
    if version.promoted:
        click.echo(f"{store.live} now holds {version.version}: restart faka local, or deploy, to serve it")


def _model_store(models: Path | None, model: Path | None) -> ModelStore:
    from faka.triage.model import MODEL_PATH
    from faka.triage.retrain import MODELS_DIR, ModelStore

    return ModelStore.open(models or MODELS_DIR, model or MODEL_PATH)


@triage.command("versions", help="Every trained model version: accuracy per held-out set, data, and which is live.")
@_models_option
@_model_option
def triage_versions(models: Path | None, model: Path | None) -> None:
    store = _model_store(models, model)
    if not store.versions:
        click.echo(f"no versions yet in {store.root}: faka triage retrain makes the first")
        return
    rows = [
        {
            "version": v.version + (" (live)" if v.version == store.live_version else ""),
            "created_at": v.created_at,
            **{name: "absent" if score is None else f"{score:.4f}" for name, score in v.accuracy.items()},
            "corrections": v.corrections,
            "real_data": {True: "yes", False: "no", None: "unknown"}[v.real_data],
            "data_hash": v.data_hash or "unknown",
            "promoted": "yes" if v.promoted else "no",
        }
        for v in store.versions
    ]
    _table(
        rows,
        ("version", "created_at", "holdout", "eval", "real_test", "corrections", "real_data", "data_hash", "promoted"),
    )


@triage.command("rollback", help="Make VERSION the runtime model again.")
@click.argument("version")
@_models_option
@_model_option
def triage_rollback(version: str, models: Path | None, model: Path | None) -> None:
    from faka.triage.retrain import rollback

    store = _model_store(models, model)
    try:
        rolled = rollback(store, version)
    except KeyError as error:
        raise click.ClickException(str(error.args[0])) from None
    click.echo(f"{rolled.version} is live again at {store.live}")


def main(argv: Sequence[str] | None = None) -> int:
    """The console script: click prints a refusal as one ``Error:`` line and exits non-zero."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="faka")
    return 0
