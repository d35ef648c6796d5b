"""``python -m faka_local`` is ``faka local``."""

from faka_local.runtime import run

raise SystemExit(run())
