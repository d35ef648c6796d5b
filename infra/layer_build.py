"""Build the faka Lambda layer directory without Docker.

Lambda unpacks a layer under ``/opt``: ``python/`` lands on ``sys.path`` and ``templates/`` becomes
``/opt/templates``, the path :mod:`faka.config` looks for. Third-party wheels are fetched for the Lambda
platform (Linux, arm64, CPython 3.13) rather than the build machine, so a build on x86 or macOS still
produces a layer that imports on Graviton.

Usage: ``python infra/layer_build.py [--force]``; :func:`build_layer` is what ``infra/app.py`` calls.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BUILD_DIR = REPO_ROOT / "build" / "layer"
HASH_FILE = ".layer-hash"

PYTHON_VERSION = "3.13"
PLATFORMS = ("manylinux2014_aarch64", "manylinux_2_28_aarch64")

# The Lambda runtime already ships these; a second copy in the layer would shadow the runtime's own
# boto3/botocore pair (risking a version mismatch between them) and add ~30 MB to every cold start.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer")

_IGNORED_PARTS = {"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"}


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


def content_hash(deps: list[str], package_dir: Path, templates_dir: Path) -> str:
    """Hash of everything that ends up in the layer; unchanged means the existing layer is reused as is."""
    digest = hashlib.sha256(_dependency_fingerprint(deps))
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


def build_layer(
    build_dir: Path = DEFAULT_BUILD_DIR,
    *,
    force: bool = False,
    pyproject: Path = REPO_ROOT / "pyproject.toml",
    package_dir: Path = REPO_ROOT / "layers" / "faka",
    templates_dir: Path = REPO_ROOT / "templates",
) -> Path:
    """Build (or reuse) the layer directory and return it; the directory is the layer asset root."""
    deps = runtime_dependencies(pyproject)
    wanted = content_hash(deps, package_dir, templates_dir)
    hash_path = build_dir / HASH_FILE
    if not force and hash_path.is_file() and hash_path.read_text(encoding="utf-8").strip() == wanted:
        return build_dir

    site_packages = _third_party(build_dir.with_name(f".{build_dir.name}-deps"), deps, force=force)
    staging = build_dir.with_name(build_dir.name + ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    _copy_tree(site_packages, staging / "python")
    _copy_tree(package_dir, staging / "python" / package_dir.name)
    if templates_dir.is_dir():
        _copy_tree(templates_dir, staging / "templates")
    else:
        (staging / "templates").mkdir()
    (staging / HASH_FILE).write_text(wanted + "\n", encoding="utf-8")
    _replace_dir(staging, build_dir)
    return build_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--build-dir", type=Path, default=DEFAULT_BUILD_DIR)
    parser.add_argument("--force", action="store_true", help="rebuild even if the content hash is unchanged")
    args = parser.parse_args(argv)
    print(build_layer(args.build_dir, force=args.force))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
