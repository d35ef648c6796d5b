"""Build the faka Lambda layers without Docker: a base layer every function has, and one layer per library
only some functions call (``faka.resources.SEPARATE_LIBRARIES``), so a function ships what it imports.

Lambda unpacks a function's layers under ``/opt``: ``python/`` lands on ``sys.path`` and ``templates/`` becomes
``/opt/templates``, the path :mod:`faka.config` looks for. Third-party wheels are fetched for the Lambda
platform (Linux, arm64, CPython 3.13) rather than the build machine, so a build on x86 or macOS still
produces layers that import on Graviton. They are resolved and installed once, together, then shared out by
each distribution's own metadata: a separate library's layer holds it and whatever it needs that the base
layer's requirements do not, and the base layer holds everything else (faka itself and the templates too).

Usage: ``python infra/layer_build.py [--force]``; :func:`build_layers` is what ``infra/app.py`` calls.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Sequence
from importlib.metadata import Distribution, distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BUILD_DIR = REPO_ROOT / "build" / "layers"
HASH_FILE = ".layer-hash"
# The layer every function has; the others are named after their library (its requirement name).
BASE_LAYER = "base"

PYTHON_VERSION = "3.13"
PLATFORMS = ("manylinux2014_aarch64", "manylinux_2_28_aarch64")

# The Lambda runtime already ships these; a second copy in the layer would shadow the runtime's own
# boto3/botocore pair (risking a version mismatch between them) and add ~30 MB to every cold start.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer")

_IGNORED_PARTS = {"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"}

# Environment markers evaluated for the Lambda platform, not the build machine.
_TARGET_MARKERS = {
    "python_version": PYTHON_VERSION,
    "python_full_version": f"{PYTHON_VERSION}.0",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "aarch64",
    "os_name": "posix",
}


def runtime_dependencies(pyproject: Path = REPO_ROOT / "pyproject.toml") -> list[str]:
    """The project's runtime requirements, without the ones the Lambda runtime provides."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    deps: list[str] = project.get("dependencies", [])
    return [dep for dep in deps if _requirement_name(dep) not in RUNTIME_PROVIDED]


def _requirement_name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if match is None:
        raise ValueError(f"cannot parse requirement {requirement!r}")
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def _source_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and not _IGNORED_PARTS.intersection(path.parts) and path.suffix != ".pyc"
    )


def _dependency_fingerprint(deps: list[str]) -> bytes:
    return repr((sorted(deps), PYTHON_VERSION, PLATFORMS, RUNTIME_PROVIDED)).encode()


def dependencies_hash(deps: list[str]) -> str:
    return hashlib.sha256(_dependency_fingerprint(deps)).hexdigest()


def content_hash(deps: list[str], separate: Sequence[str], package_dir: Path, templates_dir: Path) -> str:
    """Hash of everything that ends up in the layers; unchanged means the existing layers are reused as they are."""
    digest = hashlib.sha256(_dependency_fingerprint(deps))
    digest.update(repr(sorted(separate)).encode())
    for root in (package_dir, templates_dir):
        for path in _source_files(root):
            digest.update(path.relative_to(root.parent).as_posix().encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


def _copy_tree(source: Path, target: Path) -> None:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(*_IGNORED_PARTS, "*.pyc"))


def _prune(site_dir: Path) -> None:
    for name in RUNTIME_PROVIDED:
        for path in (site_dir / name, *site_dir.glob(f"{name}-*.dist-info")):
            shutil.rmtree(path, ignore_errors=True)
    # Console scripts with a shebang pointing at the build machine's interpreter: useless under /opt.
    shutil.rmtree(site_dir / "bin", ignore_errors=True)


def _replace_dir(staging: Path, target: Path) -> None:
    # Built beside the target and swapped in last, so an interrupted build never leaves a half-filled
    # directory whose stored hash the next run would trust.
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)


def _pip_install(site_dir: Path, deps: list[str]) -> None:
    platform_args = [arg for platform in PLATFORMS for arg in ("--platform", platform)]
    # The arguments are this interpreter and the project's own pinned requirements, never outside input.
    subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
            "--target",
            str(site_dir),
            *platform_args,
            "--implementation",
            "cp",
            "--only-binary=:all:",
            "--python-version",
            PYTHON_VERSION,
            *deps,
        ],
        check=True,
    )


def _third_party(cache_dir: Path, deps: list[str], *, force: bool) -> Path:
    """The pip-installed dependencies, cached apart from the layer so an edit to faka's own code or a
    template only re-copies files instead of downloading every wheel again."""
    wanted = dependencies_hash(deps)
    hash_path = cache_dir / HASH_FILE
    if not force and hash_path.is_file() and hash_path.read_text(encoding="utf-8").strip() == wanted:
        return cache_dir / "python"
    staging = cache_dir.with_name(cache_dir.name + ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    site_dir = staging / "python"
    site_dir.mkdir(parents=True)
    if deps:
        _pip_install(site_dir, deps)
    _prune(site_dir)
    (staging / HASH_FILE).write_text(wanted + "\n", encoding="utf-8")
    _replace_dir(staging, cache_dir)
    return cache_dir / "python"


def _closure(requirements: Iterable[Requirement], installed: dict[str, Distribution]) -> set[str]:
    """The installed distributions ``requirements`` need on the Lambda platform, by canonical name."""
    needed: set[str] = set()
    seen: set[tuple[str, frozenset[str]]] = set()
    pending = list(requirements)
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        extras = frozenset(requirement.extras)
        # Not installed: provided by the runtime (botocore) or not for this platform.
        if (name, extras) in seen or name not in installed:
            continue
        seen.add((name, extras))
        needed.add(name)
        for text in installed[name].requires or []:
            dependency = Requirement(text)
            marker = dependency.marker
            if marker is None or any(marker.evaluate({**_TARGET_MARKERS, "extra": e}) for e in extras or {""}):
                pending.append(dependency)
    return needed


def share_out(site_dir: Path, deps: list[str], separate: Sequence[str]) -> dict[str, set[str]]:
    """Installed distributions (canonical names) per layer: each separate library's layer gets what it needs that
    the other requirements do not; the base layer gets the rest, including what nothing declares a need for."""
    installed: dict[str, Distribution] = {
        canonicalize_name(dist.metadata["Name"]): dist for dist in distributions(path=[str(site_dir)])
    }
    requirements = {canonicalize_name(Requirement(dep).name): Requirement(dep) for dep in deps}
    unknown = [library for library in separate if canonicalize_name(library) not in requirements]
    if unknown:
        raise ValueError(f"separate libraries {unknown} are not runtime requirements of the project")
    wanted = {canonicalize_name(library) for library in separate}
    base_needs = _closure((r for name, r in requirements.items() if name not in wanted), installed)
    layers: dict[str, set[str]] = {
        library: _closure([requirements[canonicalize_name(library)]], installed) - base_needs for library in separate
    }
    layers[BASE_LAYER] = set(installed).difference(*layers.values())
    return layers


def _copy_distributions(site_dir: Path, target: Path, names: set[str]) -> set[Path]:
    """Copy each named distribution's files (as its RECORD lists them) into ``target``; returns the files copied."""
    copied: set[Path] = set()
    for dist in distributions(path=[str(site_dir)]):
        if canonicalize_name(dist.metadata["Name"]) not in names:
            continue
        for file in dist.files or []:
            source = Path(str(dist.locate_file(file))).resolve()
            # Console scripts are recorded outside the site directory (../bin); they are of no use under /opt.
            if not source.is_relative_to(site_dir.resolve()) or not source.is_file():
                continue
            destination = target / source.relative_to(site_dir.resolve())
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
            copied.add(source)
    return copied


def _copy_unrecorded(site_dir: Path, target: Path, recorded: set[Path]) -> None:
    """Whatever no distribution's RECORD claims goes to the base layer, as it went to the one shared layer."""
    root = site_dir.resolve()
    for source in sorted(root.rglob("*")):
        if source.is_file() and source not in recorded and not _IGNORED_PARTS.intersection(source.parts):
            destination = target / source.relative_to(root)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)


def build_layers(
    build_dir: Path = DEFAULT_BUILD_DIR,
    *,
    separate: Sequence[str],
    force: bool = False,
    pyproject: Path = REPO_ROOT / "pyproject.toml",
    package_dir: Path = REPO_ROOT / "layers" / "faka",
    templates_dir: Path = REPO_ROOT / "templates",
) -> Path:
    """Build (or reuse) the layers and return their directory: one asset root per layer, ``<dir>/<layer name>``."""
    deps = runtime_dependencies(pyproject)
    wanted = content_hash(deps, separate, package_dir, templates_dir)
    hash_path = build_dir / HASH_FILE
    if not force and hash_path.is_file() and hash_path.read_text(encoding="utf-8").strip() == wanted:
        return build_dir

    site_packages = _third_party(build_dir.with_name(f".{build_dir.name}-deps"), deps, force=force)
    staging = build_dir.with_name(build_dir.name + ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    recorded: set[Path] = set()
    for layer, names in share_out(site_packages, deps, separate).items():
        (staging / layer / "python").mkdir(parents=True)
        recorded |= _copy_distributions(site_packages, staging / layer / "python", names)
    base = staging / BASE_LAYER
    _copy_unrecorded(site_packages, base / "python", recorded)
    _copy_tree(package_dir, base / "python" / package_dir.name)
    if templates_dir.is_dir():
        _copy_tree(templates_dir, base / "templates")
    else:
        (base / "templates").mkdir()
    (staging / HASH_FILE).write_text(wanted + "\n", encoding="utf-8")
    _replace_dir(staging, build_dir)
    return build_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--build-dir", type=Path, default=DEFAULT_BUILD_DIR)
    parser.add_argument("--force", action="store_true", help="rebuild even if the content hash is unchanged")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO_ROOT / "layers"))
    from faka.resources import SEPARATE_LIBRARIES

    print(build_layers(args.build_dir, separate=SEPARATE_LIBRARIES, force=args.force))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
