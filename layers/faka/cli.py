"""The ``faka`` command: ``faka local`` runs the whole system on this machine; ``faka classify`` triages
buyers' messages."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence


def _local(args: argparse.Namespace) -> int:
    began = time.perf_counter()
    # faka_local (and moto behind it) is a development tool that Lambda never ships, so it loads only here.
    from faka_local.runtime import run

    return run(began)


def _classify(args: argparse.Namespace) -> int:
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
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="faka", description="Automatic card-key delivery with after-sales.")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")
    local = commands.add_parser(
        "local",
        help="run faka on this machine: AWS emulator, HTTP API and demo data",
        description="Runs faka in the foreground until Ctrl-C. Ports and secrets come from FAKA_LOCAL_PORT, "
        "FAKA_EMULATOR_PORT, FAKA_ADMIN_TOKEN, FAKA_STRIPE_WEBHOOK_SECRET, FAKA_SIGNING_SECRET, "
        "FAKA_ESCALATION_SECONDS and FAKA_QUIET_HOURS; what is unset gets a local default, printed at start.",
    )
    local.set_defaults(command=_local)
    classify = commands.add_parser(
        "classify",
        help="triage buyers' messages: one per line on stdin, one JSON object per line on stdout",
        description="Reads one message per line on stdin and writes one JSON object per line: intent, "
        "confidence, language, severity, entities and sentiment. Runs in-process, with no network. Empty "
        "lines are skipped; a line is cut to its first 4000 characters.",
    )
    classify.set_defaults(command=_classify)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    status: int = args.command(args)
    return status
