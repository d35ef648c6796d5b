"""Operators' intent corrections as triage training rows: pulled from a faka stack or an export file into
``data/triage/corrections.jsonl``, which ``make train-triage`` trains on (``faka.triage.train``).

    .venv/bin/python -m faka.support.correction_export --local        # from make local's stack (its emulator)
    .venv/bin/python -m faka.support.correction_export --from x.jsonl # from an export file (same row format)

Development only; no function imports it. A row is ``{"text", "intent", "shop", "ticket", "corrected_at"}``, the
buyer's text masked again here (keys, order ids, e-mails, amounts become placeholders: what the model reads of a
message is unchanged by it). Rows are merged with the file's, one per ticket (its latest correction), sorted, so a
pull run twice writes the same file. Corrections that contradict the curated data are printed, and training
leaves them out.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from faka.sales.redaction import redact
from faka.support.corrections import CorrectionItem
from faka.triage.entities import extract

# Where make local's AWS emulator listens unless FAKA_EMULATOR_PORT says otherwise (faka_local.runtime).
LOCAL_EMULATOR_PORT = 4566


def masked(text: str) -> str:
    """The buyer's words with keys, card numbers, order ids, e-mails and amounts replaced by placeholders."""
    return " ".join(redact(extract(text).redacted).split())


def stored_corrections() -> list[dict[str, str]]:
    """Every shop's corrections in the catalog table: a scan, for this export only, never on a request path."""
    return [
        {
            "text": masked(item.text),
            "intent": item.intent,
            "shop": item.pk.removeprefix("SHOP#"),
            "ticket": item.ticket_id,
            "corrected_at": item.corrected_at.isoformat(),
        }
        for item in CorrectionItem.scan()
    ]


def local_corrections() -> list[dict[str, str]]:
    """Every shop's corrections in make local's stack, read through its AWS emulator."""
    port = os.environ.get("FAKA_EMULATOR_PORT") or str(LOCAL_EMULATOR_PORT)
    os.environ.setdefault("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    for variable, value in (("AWS_ACCESS_KEY_ID", "local"), ("AWS_SECRET_ACCESS_KEY", "local")):
        os.environ.setdefault(variable, value)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    return stored_corrections()


def merged(*sources: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    """One row per shop and ticket, the latest correction of each, masked and sorted."""
    latest: dict[tuple[str, str], dict[str, str]] = {}
    for row in (row for source in sources for row in source):
        clean = {**row, "text": masked(row["text"])}
        key = (clean.get("shop", ""), clean.get("ticket", "") or clean["text"])
        if key not in latest or clean.get("corrected_at", "") >= latest[key].get("corrected_at", ""):
            latest[key] = clean
    return sorted(latest.values(), key=lambda r: (r["text"], r["intent"], r.get("shop", ""), r.get("ticket", "")))


def read_jsonl(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as stream:
        return [json.loads(line) for line in stream if line.strip()]


def write_jsonl(rows: Sequence[dict[str, str]], path: Path) -> None:
    path.write_text("".join(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n" for row in rows), "utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    from faka.triage import train

    parser = argparse.ArgumentParser(
        prog="python -m faka.support.correction_export", description=__doc__.split("\n")[0]
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--local", action="store_true", help="read make local's stack (its AWS emulator)")
    source.add_argument("--from", dest="export", type=Path, help="a JSONL export of corrections")
    parser.add_argument("--out", type=Path, default=train.CORRECTIONS_PATH)
    args = parser.parse_args(argv)
    pulled = local_corrections() if args.local else read_jsonl(args.export)
    rows = merged(read_jsonl(args.out), pulled)
    write_jsonl(rows, args.out)
    checked = train.corrected(args.out)
    for conflict in checked.conflicts:
        print(f"left out of training ({conflict.reason}): {conflict.intent} {conflict.text!r}", file=sys.stderr)
    print(
        f"{len(pulled)} corrections pulled; {args.out} holds {len(rows)}, of which training uses "
        f"{len(checked.rows)} ({len(checked.conflicts)} left out, listed above). Next: make train-triage"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
