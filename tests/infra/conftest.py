"""One in-process synth of the real app per test session, shared by every infra test.

Starting jsii and synthesizing costs seconds, so the app is synthesized once (with cdk-nag attached,
exactly as ``npx cdk synth`` does) and the tests read the resulting files.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from aws_cdk.assertions import Template

# Read by the jsii runtime when it starts, i.e. at the first aws_cdk import below.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("CDK_DISABLE_VERSION_CHECK", "true")

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Synthesized:
    outdir: Path
    assertions: Template
    template: dict[str, Any]
    template_path: Path
    validation_report: dict[str, Any]
    metadata: dict[str, list[dict[str, Any]]]
    synth_error: str | None = None
    context: dict[str, Any] = field(default_factory=dict)

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.template["Resources"].items() if v["Type"] == resource_type}

    def one(self, resource_type: str, **properties: Any) -> tuple[str, dict[str, Any]]:
        """The single resource of a type whose properties include the given values."""
        matches = [
            (logical_id, resource)
            for logical_id, resource in self.resources(resource_type).items()
            if all(resource.get("Properties", {}).get(key) == value for key, value in properties.items())
        ]
        assert len(matches) == 1, f"expected one {resource_type} with {properties}, found {len(matches)}"
        return matches[0]


def cdk_json_context() -> dict[str, Any]:
    """The same context (app defaults and feature flags) the CLI passes to infra/app.py."""
    context: dict[str, Any] = json.loads((REPO_ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]
    return context


def stub_layer(directory: Path) -> Path:
    """Layer directories of the same shape as infra/layer_build.py's, without downloading any wheel."""
    from faka.resources import SEPARATE_LIBRARIES
    from infra.layer_build import BASE_LAYER

    (directory / BASE_LAYER / "python" / "faka").mkdir(parents=True)
    (directory / BASE_LAYER / "python" / "faka" / "__init__.py").write_text("", encoding="utf-8")
    (directory / BASE_LAYER / "templates").mkdir()
    for library in SEPARATE_LIBRARIES:
        (directory / library / "python" / library).mkdir(parents=True)
        (directory / library / "python" / library / "__init__.py").write_text("", encoding="utf-8")
    return directory


SYNTH_ERROR_FILE = "synth-error.txt"


def _synthesize(outdir: Path, layer_dir: Path, context: dict[str, Any]) -> None:
    from aws_cdk import App

    from infra.app import create_app, set_stage

    app = App(outdir=str(outdir), context=context)
    set_stage(app)  # before stub_layer imports faka.resources
    app, _ = create_app(app, layer_dir=stub_layer(layer_dir))
    try:
        app.synth()
    except Exception as error:  # cdk-nag findings surface here; the nag test reports them, the rest still run.
        (outdir / SYNTH_ERROR_FILE).write_text(str(error), encoding="utf-8")


def _synthesize_once_per_run(tmp_path_factory: pytest.TempPathFactory, context: dict[str, Any]) -> Path:
    """The cloud assembly directory, synthesized by whichever pytest-xdist worker gets here first.

    ``--dist loadgroup`` would keep these tests on one worker, but with pytest 9.2 and xdist 3.8 the group
    is ignored (xdist renames ``item._nodeid``, which pytest no longer reads), so workers share the result
    through the run's common temporary directory instead of each paying for a synth.
    """
    if "PYTEST_XDIST_WORKER" not in os.environ:
        outdir = tmp_path_factory.mktemp("cdk.out")
        _synthesize(outdir, tmp_path_factory.mktemp("layer"), context)
        return outdir

    import fcntl

    shared = tmp_path_factory.getbasetemp().parent / "infra-synth"
    with (shared.parent / "infra-synth.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "done").exists():
            shutil.rmtree(shared, ignore_errors=True)
            shared.mkdir()
            _synthesize(shared / "cdk.out", shared / "layer", context)
            (shared / "done").touch()
    return shared / "cdk.out"


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    from aws_cdk.assertions import Template

    from infra.app import DEFAULT_STACK_NAME as STACK_NAME

    context = cdk_json_context()
    outdir = _synthesize_once_per_run(tmp_path_factory, context)
    template_path = outdir / f"{STACK_NAME}.template.json"
    report_path = outdir / "validation-report.json"
    error_path = outdir / SYNTH_ERROR_FILE
    template = json.loads(template_path.read_text(encoding="utf-8"))
    return Synthesized(
        outdir=outdir,
        assertions=Template.from_json(template),
        template=template,
        template_path=template_path,
        validation_report=json.loads(report_path.read_text(encoding="utf-8")) if report_path.exists() else {},
        metadata=json.loads((outdir / f"{STACK_NAME}.metadata.json").read_text(encoding="utf-8")),
        synth_error=error_path.read_text(encoding="utf-8") if error_path.exists() else None,
        context=context,
    )
