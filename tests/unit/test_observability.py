"""faka.observability: the X-Ray SDK is loaded only where Powertools' Tracer records with it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import json, sys
from faka.observability import tracer

@tracer.capture_lambda_handler
def handler(event, context):
    return {"answered": event["n"] + 1}

answer = handler({"n": 1}, None)
print(json.dumps({"sdk": "aws_xray_sdk.core" in sys.modules, "provider": type(tracer.provider).__name__,
                  "answer": answer}))
"""


def _probe(**environment: str) -> dict[str, object]:
    env = {
        key: value for key, value in os.environ.items() if key not in {"LAMBDA_TASK_ROOT", "POWERTOOLS_TRACE_DISABLED"}
    }
    env.update(environment, PYTHONPATH=str(REPO_ROOT / "layers"), AWS_DEFAULT_REGION="us-east-1")
    # A fresh interpreter: the Tracer's configuration and the SDK's import are both once per process.
    done = subprocess.run(  # noqa: S603 (this interpreter, a fixed script)
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


@pytest.mark.parametrize(
    "environment",
    [
        {"LAMBDA_TASK_ROOT": "/var/task", "POWERTOOLS_TRACE_DISABLED": "true"},
        {"POWERTOOLS_TRACE_DISABLED": "false"},
    ],
    ids=["in Lambda, switched off (as CDK deploys)", "outside Lambda"],
)
def test_without_recording_the_sdk_is_never_imported(environment: dict[str, str]) -> None:
    assert _probe(**environment) == {"sdk": False, "provider": "LambdaSegmentsOnly", "answer": {"answered": 2}}


def test_in_lambda_with_tracing_on_the_sdk_records() -> None:
    result = _probe(LAMBDA_TASK_ROOT="/var/task", POWERTOOLS_TRACE_DISABLED="false")
    assert result["sdk"] is True
    assert result["provider"] != "LambdaSegmentsOnly"
    assert result["answer"] == {"answered": 2}
