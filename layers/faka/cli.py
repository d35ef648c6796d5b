"""The ``faka`` command: ``faka local`` runs the whole system on this machine."""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence


def _local(args: argparse.Namespace) -> int:
    began = time.perf_counter()
    # faka_local (and moto behind it) is a development tool that Lambda never ships, so it loads only here.
    from faka_local.runtime import run

    return run(began)


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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    status: int = args.command(args)
    return status
