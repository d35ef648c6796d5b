"""infra/layer_build.py with pip replaced by a fake: no network, and each rebuild decision is observable."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from infra import layer_build

PYPROJECT = """
[project]
name = "example"
dependencies = ["boto3==1.44.8", "pynamodb==6.1.0", "Jinja2==3.1.6"]
"""


class FakePip:
    """Records each install and lays out what pip --target would, including the runtime-provided packages."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, args: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        self.calls.append(args)
        target = Path(args[args.index("--target") + 1])
        for package in ("pynamodb", "jinja2", "botocore", "s3transfer", "boto3"):
            (target / package).mkdir(parents=True)
            (target / package / "__init__.py").write_text("", encoding="utf-8")
        (target / "botocore-1.44.8.dist-info").mkdir()
        (target / "bin").mkdir()
        return subprocess.CompletedProcess(args, 0)


@pytest.fixture
def project(tmp_path: Path) -> dict[str, Path]:
    package = tmp_path / "layers" / "faka"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "stale.cpython-313.pyc").write_bytes(b"\0")
    templates = tmp_path / "templates" / "email"
    templates.mkdir(parents=True)
    (templates / "delivered.html").write_text("<p>{{ code }}</p>", encoding="utf-8")
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(PYPROJECT, encoding="utf-8")
    return {
        "build_dir": tmp_path / "build" / "layer",
        "pyproject": pyproject,
        "package_dir": package,
        "templates_dir": tmp_path / "templates",
    }


@pytest.fixture
def pip(monkeypatch: pytest.MonkeyPatch) -> FakePip:
    fake = FakePip()
    monkeypatch.setattr(layer_build.subprocess, "run", fake)
    return fake


def build(project: dict[str, Path], *, force: bool = False) -> Path:
    return layer_build.build_layer(
        project["build_dir"],
        force=force,
        pyproject=project["pyproject"],
        package_dir=project["package_dir"],
        templates_dir=project["templates_dir"],
    )


def test_layer_layout(project: dict[str, Path], pip: FakePip) -> None:
    layer = build(project)

    assert (layer / "python" / "faka" / "__init__.py").is_file()
    assert (layer / "python" / "pynamodb").is_dir()
    assert (layer / "templates" / "email" / "delivered.html").read_text(encoding="utf-8") == "<p>{{ code }}</p>"
    # The Lambda runtime provides these; console scripts are useless under /opt; bytecode is rebuilt there.
    for absent in ("boto3", "botocore", "s3transfer", "botocore-1.44.8.dist-info", "bin", "faka/__pycache__"):
        assert not (layer / "python" / absent).exists(), absent
    assert not list(layer.parent.glob("*.staging"))


def test_pip_targets_lambda_platform_without_boto3(project: dict[str, Path], pip: FakePip) -> None:
    build(project)

    (args,) = pip.calls
    assert args[1:4] == ["-m", "pip", "install"]
    assert args[args.index("--python-version") + 1] == "3.13"
    assert args[args.index("--implementation") + 1] == "cp"
    assert "--only-binary=:all:" in args
    platforms = {args[i + 1] for i, arg in enumerate(args) if arg == "--platform"}
    assert platforms == {"manylinux2014_aarch64", "manylinux_2_28_aarch64"}
    assert args[-2:] == ["pynamodb==6.1.0", "Jinja2==3.1.6"]


def test_unchanged_inputs_skip_the_build(project: dict[str, Path], pip: FakePip) -> None:
    layer = build(project)
    marker = layer / "python" / "marker"
    marker.write_text("kept", encoding="utf-8")

    build(project)

    assert len(pip.calls) == 1
    assert marker.exists(), "an unchanged layer is reused, not rebuilt"


def test_code_or_template_change_rebuilds_without_downloading(project: dict[str, Path], pip: FakePip) -> None:
    build(project)
    (project["package_dir"] / "new.py").write_text("X = 1\n", encoding="utf-8")
    layer = build(project)
    assert (layer / "python" / "faka" / "new.py").is_file()

    (project["templates_dir"] / "email" / "delivered.html").write_text("changed", encoding="utf-8")
    layer = build(project)
    assert (layer / "templates" / "email" / "delivered.html").read_text(encoding="utf-8") == "changed"

    assert len(pip.calls) == 1, "only a dependency change needs pip"


def test_dependency_change_reinstalls(project: dict[str, Path], pip: FakePip) -> None:
    build(project)
    project["pyproject"].write_text(PYPROJECT.replace("Jinja2==3.1.6", "Jinja2==3.1.7"), encoding="utf-8")

    build(project)

    assert len(pip.calls) == 2
    assert pip.calls[1][-1] == "Jinja2==3.1.7"


def test_force_rebuilds(project: dict[str, Path], pip: FakePip) -> None:
    build(project)
    build(project, force=True)
    assert len(pip.calls) == 2


def test_real_project_dependencies_leave_out_the_runtime_sdk() -> None:
    deps = layer_build.runtime_dependencies()
    names = {layer_build._requirement_name(dep) for dep in deps}
    assert "pynamodb" in names
    assert not names & set(layer_build.RUNTIME_PROVIDED)
