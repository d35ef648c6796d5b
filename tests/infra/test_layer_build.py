"""infra/layer_build.py with pip replaced by a fake: no network, and each rebuild decision is observable."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from faka import resources
from infra import layer_build

PYPROJECT = """
[project]
name = "example"
dependencies = ["boto3==1.44.8", "pynamodb==6.1.0", "stripe==16.1.0", "Jinja2==3.1.6"]
"""
SEPARATE = ("stripe",)

# What pip --target lays out: each distribution's package and its metadata (requirements, RECORD of its files).
# pynamodb needs typing-extensions only before Python 3.11, and Jinja2 Babel only for its i18n extra: on the
# Lambda platform neither is needed, so typing-extensions is stripe's alone.
DISTRIBUTIONS = {
    "pynamodb": ('typing-extensions>=4; python_version < "3.11"',),
    "Jinja2": ("MarkupSafe>=2.0", 'Babel>=2.7; extra == "i18n"'),
    "MarkupSafe": (),
    "stripe": ("typing_extensions>=4.7.0", "requests>=2.20"),
    "requests": ("urllib3<3,>=1.26",),
    "urllib3": (),
    "typing_extensions": (),
    "botocore": ("urllib3<3,>=1.25.4",),
    "s3transfer": (),
    "boto3": (),
}


def _lay_out(target: Path, name: str, requires: tuple[str, ...]) -> None:
    package = target / name.lower()
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    info = target / f"{name}-1.0.dist-info"
    info.mkdir()
    metadata = [f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", *(f"Requires-Dist: {r}\n" for r in requires)]
    (info / "METADATA").write_text("".join(metadata), encoding="utf-8")
    # Console scripts are recorded outside the site directory.
    record = [f"{name.lower()}/__init__.py,,", f"{info.name}/METADATA,,", f"{info.name}/RECORD,,", "../../bin/tool,,"]
    (info / "RECORD").write_text("\n".join(record) + "\n", encoding="utf-8")


class FakePip:
    """Records each install and lays out what pip --target would, including the runtime-provided packages."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, args: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        self.calls.append(args)
        target = Path(args[args.index("--target") + 1])
        for name, requires in DISTRIBUTIONS.items():
            _lay_out(target, name, requires)
        (target / "bin").mkdir()
        (target / "bin" / "tool").write_text("#!/usr/bin/python", encoding="utf-8")
        # A file no RECORD claims (pip leaves none, but a layer must not lose one if it did).
        (target / "unclaimed.pth").write_text("", encoding="utf-8")
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
        "build_dir": tmp_path / "build" / "layers",
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
    return layer_build.build_layers(
        project["build_dir"],
        separate=SEPARATE,
        force=force,
        pyproject=project["pyproject"],
        package_dir=project["package_dir"],
        templates_dir=project["templates_dir"],
    )


def test_layer_layout(project: dict[str, Path], pip: FakePip) -> None:
    layers = build(project)
    base = layers / layer_build.BASE_LAYER

    assert (base / "python" / "faka" / "__init__.py").is_file()
    assert (base / "python" / "pynamodb" / "__init__.py").is_file()
    assert (base / "python" / "pynamodb-1.0.dist-info" / "METADATA").is_file()
    assert (base / "python" / "unclaimed.pth").is_file()
    assert (base / "templates" / "email" / "delivered.html").read_text(encoding="utf-8") == "<p>{{ code }}</p>"
    # The Lambda runtime provides these; console scripts are useless under /opt; bytecode is rebuilt there.
    for layer in ("base", "stripe"):
        for absent in ("boto3", "botocore", "s3transfer", "botocore-1.0.dist-info", "bin", "faka/__pycache__"):
            assert not (layers / layer / "python" / absent).exists(), (layer, absent)
    assert sorted(path.name for path in layers.iterdir() if path.is_dir()) == ["base", "stripe"]
    assert not list(layers.parent.glob("*.staging"))


def _packages(layer: Path) -> set[str]:
    return {path.name for path in (layer / "python").iterdir() if not path.name.endswith(".dist-info")}


def test_a_separate_library_takes_what_only_it_needs(project: dict[str, Path], pip: FakePip) -> None:
    layers = build(project)

    # typing-extensions: pynamodb's requirement of it holds only before Python 3.11, the layers are for 3.13.
    assert _packages(layers / "stripe") == {"stripe", "requests", "urllib3", "typing_extensions"}
    assert _packages(layers / "base") == {"faka", "pynamodb", "jinja2", "markupsafe", "unclaimed.pth"}


def test_a_dependency_of_base_and_a_separate_library_stays_in_base(tmp_path: Path) -> None:
    site = tmp_path / "site"
    for name, requires in {**DISTRIBUTIONS, "pynamodb": ("typing-extensions>=4",)}.items():
        _lay_out(site, name, requires)

    shares = layer_build.share_out(site, ["pynamodb==6.1.0", "stripe==16.1.0", "Jinja2==3.1.6"], SEPARATE)

    assert shares["stripe"] == {"stripe", "requests", "urllib3"}
    assert "typing-extensions" in shares[layer_build.BASE_LAYER]


def test_extras_asked_for_are_followed(tmp_path: Path) -> None:
    site = tmp_path / "site"
    for name, requires in {**DISTRIBUTIONS, "Babel": ("urllib3",)}.items():
        _lay_out(site, name, requires)

    shares = layer_build.share_out(site, ["pynamodb==6.1.0", "stripe==16.1.0", "Jinja2[i18n]==3.1.6"], SEPARATE)

    # Babel came with Jinja2's i18n extra and needs urllib3: base needs it, so the stripe layer does not carry it.
    assert {"babel", "urllib3"} <= shares[layer_build.BASE_LAYER]
    assert shares["stripe"] == {"stripe", "requests", "typing-extensions"}


def test_a_separate_library_must_be_a_requirement(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    with pytest.raises(ValueError, match="cryptography"):
        layer_build.share_out(site, ["pynamodb==6.1.0"], ("cryptography",))


def test_pip_targets_lambda_platform_without_boto3(project: dict[str, Path], pip: FakePip) -> None:
    build(project)

    (args,) = pip.calls
    assert args[1:4] == ["-m", "pip", "install"]
    assert args[args.index("--python-version") + 1] == "3.13"
    assert args[args.index("--implementation") + 1] == "cp"
    assert "--only-binary=:all:" in args
    platforms = {args[i + 1] for i, arg in enumerate(args) if arg == "--platform"}
    assert platforms == {"manylinux2014_aarch64", "manylinux_2_28_aarch64"}
    assert args[-3:] == ["pynamodb==6.1.0", "stripe==16.1.0", "Jinja2==3.1.6"]


def test_unchanged_inputs_skip_the_build(project: dict[str, Path], pip: FakePip) -> None:
    layers = build(project)
    marker = layers / layer_build.BASE_LAYER / "python" / "marker"
    marker.write_text("kept", encoding="utf-8")

    build(project)

    assert len(pip.calls) == 1
    assert marker.exists(), "an unchanged layer is reused, not rebuilt"


def test_code_or_template_change_rebuilds_without_downloading(project: dict[str, Path], pip: FakePip) -> None:
    build(project)
    (project["package_dir"] / "new.py").write_text("X = 1\n", encoding="utf-8")
    base = build(project) / layer_build.BASE_LAYER
    assert (base / "python" / "faka" / "new.py").is_file()

    (project["templates_dir"] / "email" / "delivered.html").write_text("changed", encoding="utf-8")
    base = build(project) / layer_build.BASE_LAYER
    assert (base / "templates" / "email" / "delivered.html").read_text(encoding="utf-8") == "changed"

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
    # Each separate library is one of the project's runtime requirements, so its layer is never empty.
    assert set(resources.SEPARATE_LIBRARIES) <= names
