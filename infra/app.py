"""CDK entry point: ``npx cdk synth`` runs this through cdk.json."""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# Run as a script, Python puts infra/ first on sys.path, where infra/constructs/ would shadow the
# `constructs` library that aws_cdk imports; import everything as the `infra` package instead.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != REPO_ROOT / "infra"]
for entry in (REPO_ROOT / "layers", REPO_ROOT):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from aws_cdk import App  # noqa: E402

from infra.faka_stack import FakaStack  # noqa: E402
from infra.layer_build import build_layer  # noqa: E402
from infra.nag import add_compliance_checks  # noqa: E402

STACK_NAME = "FakaStack"


def create_app(app: App | None = None, *, layer_dir: Path | None = None) -> tuple[App, FakaStack]:
    """The app with its stack and cdk-nag attached; tests call this with their own App and outdir."""
    app = app or App()
    stack = FakaStack(
        app,
        STACK_NAME,
        layer_dir=layer_dir or build_layer(),
        # No env: the template stays environment-agnostic and deploys to whichever account and region the
        # CLI credentials point at.
        description="faka: serverless card-key delivery",
    )
    add_compliance_checks(app)
    return app, stack


def main() -> None:
    app, _ = create_app()
    app.synth()


if __name__ == "__main__":
    main()
