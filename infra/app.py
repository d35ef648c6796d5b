"""CDK entry point: ``npx cdk synth`` runs this through cdk.json."""

from __future__ import annotations

import os
import sys
import typing
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# Run as a script, Python puts infra/ first on sys.path, where infra/constructs/ would shadow the
# `constructs` library that aws_cdk imports; import everything as the `infra` package instead.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != REPO_ROOT / "infra"]
for entry in (REPO_ROOT / "layers", REPO_ROOT):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from aws_cdk import App  # noqa: E402

if typing.TYPE_CHECKING:
    from infra.faka_stack import FakaStack

# The default stage keeps the first deployments' stack name (and cdk.out/FakaStack.template.json).
DEFAULT_STACK_NAME = "FakaStack"
# Stage is read from the context before faka.resources is imported (it names everything after FAKA_STAGE at import).
STAGE_CONTEXT = "stage"
STAGE_VARIABLE = "FAKA_STAGE"


def stack_name(stage: str) -> str:
    return f"Faka-{stage}" if stage else DEFAULT_STACK_NAME


def set_stage(app: App) -> str:
    """The app's stage, put in the environment before faka.resources is first imported (it names everything)."""
    stage = str(app.node.try_get_context(STAGE_CONTEXT) or "")
    os.environ.setdefault(STAGE_VARIABLE, stage)
    return stage


def create_app(app: App | None = None, *, layer_dir: Path | None = None) -> tuple[App, FakaStack]:
    """The app with its stack and cdk-nag attached; tests call this with their own App and outdir.

    One stage per process: the stage is fixed when faka.resources is first imported.
    """
    app = app or App()
    stage = set_stage(app)

    from faka import resources
    from infra.faka_stack import FakaStack
    from infra.layer_build import build_layers
    from infra.nag import add_compliance_checks

    if (STAGE_VARIABLE, stage) != (resources.STAGE_VARIABLE, resources.STAGE):
        raise ValueError(
            f"context stage={stage!r} but this process named its resources for stage {resources.STAGE!r} "
            f"({resources.STAGE_VARIABLE}); synthesize each stage in its own process"
        )
    stack = FakaStack(
        app,
        stack_name(stage),
        layer_dir=layer_dir or build_layers(separate=resources.SEPARATE_LIBRARIES),
        # No env: the template stays environment-agnostic and deploys to whichever account and region the
        # CLI credentials point at.
        description=f"faka: serverless card-key delivery{f' (stage {stage})' if stage else ''}",
    )
    add_compliance_checks(app)
    return app, stack


def main() -> None:
    app, _ = create_app()
    app.synth()


if __name__ == "__main__":
    main()
