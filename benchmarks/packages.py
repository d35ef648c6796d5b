"""What each Lambda function ships: its code asset and its layers, zipped and unpacked, from ``cdk synth``'s output.

Reads the synthesized template in ``cdk.out`` (run ``make synth`` first): each function's code asset and each
layer it has are directories there (``asset.<hash>``), zipped as CDK zips them on publishing (deflate); a
function's package is its code plus its layers, the figure Lambda's 250 MB unpacked limit applies to and what
a cold start downloads. Prints figures against the 15 MB (zipped) target; asserts nothing.

Usage: ``python benchmarks/packages.py [--cdk-out cdk.out] [--stack FakaStack]``.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET_ZIPPED_MB = 15
MB = 1024 * 1024


@dataclass(frozen=True)
class Size:
    zipped: int
    unpacked: int

    def __add__(self, other: Size) -> Size:
        return Size(self.zipped + other.zipped, self.unpacked + other.unpacked)


@cache
def asset_size(directory: Path) -> Size:
    """The directory zipped in memory the way a Lambda asset is (deflate, every file), and its files' total size."""
    buffer = io.BytesIO()
    unpacked = 0
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(directory).as_posix())
                unpacked += path.stat().st_size
    return Size(len(buffer.getvalue()), unpacked)


def _asset_dir(cdk_out: Path, code: dict[str, Any]) -> Path:
    # An S3Key of <hash>.zip is the staged directory asset.<hash> in the cloud assembly.
    return cdk_out / f"asset.{str(code['S3Key']).removesuffix('.zip')}"


def packages(cdk_out: Path, stack: str) -> dict[str, tuple[Size, Size, list[str]]]:
    """Per function name: (code size, code plus layers size, its layers' construct names)."""
    resources = json.loads((cdk_out / f"{stack}.template.json").read_text(encoding="utf-8"))["Resources"]
    found = {}
    for resource in resources.values():
        props = resource.get("Properties", {})
        if resource["Type"] != "AWS::Lambda::Function" or "FunctionName" not in props:
            continue
        code = asset_size(_asset_dir(cdk_out, props["Code"]))
        layers = [layer["Ref"] for layer in props.get("Layers", [])]
        total = code
        for layer in layers:
            total += asset_size(_asset_dir(cdk_out, resources[layer]["Properties"]["Content"]))
        # Logical ids end in CDK's 8-character hash of the construct path.
        found[props["FunctionName"]] = (code, total, sorted(re.sub(r"[0-9A-F]{8}$", "", layer) for layer in layers))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cdk-out", type=Path, default=ROOT / "cdk.out")
    parser.add_argument("--stack", default="FakaStack")
    args = parser.parse_args(argv)

    print(f"== Package per function after cdk synth ({args.cdk_out.name}; target <= {TARGET_ZIPPED_MB} MB zipped) ==")
    print(f"{'function':<24} {'code KB':>8} {'zipped MB':>10} {'unpacked MB':>12}  within target  layers")
    for name, (code, total, layers) in sorted(packages(args.cdk_out, args.stack).items()):
        within = "yes" if total.zipped <= TARGET_ZIPPED_MB * MB else "NO"
        print(
            f"{name:<24} {code.zipped / 1024:8.0f} {total.zipped / MB:10.1f} {total.unpacked / MB:12.1f}  "
            f"{within:<13}  {', '.join(layers)}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
