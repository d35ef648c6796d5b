"""cdk-nag and cfn-lint on the synthesized app, and the guard rails on CDK context."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from infra.faka_stack import DeploymentContext
from infra.nag import PLUGIN
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.xdist_group(name="infra-synth")

ACKNOWLEDGED_RULES = "aws:cdk:acknowledged-rules"


def test_cdk_nag_reports_no_unacknowledged_findings(synthesized: Synthesized) -> None:
    findings = [
        f"{violation['severity']} {violation['ruleName']} at {construct['constructPath']}"
        for plugin in synthesized.validation_report.get("pluginReports", [])
        for violation in plugin["violations"]
        for construct in violation["violatingConstructs"]
    ]
    assert findings == []
    assert synthesized.synth_error is None, synthesized.synth_error


def test_every_acknowledgment_is_a_cdk_nag_rule_with_a_reason(synthesized: Synthesized) -> None:
    acknowledged = {
        (path, rule): reason
        for path, entries in synthesized.metadata.items()
        for entry in entries
        if entry["type"] == ACKNOWLEDGED_RULES
        for rule, reason in entry["data"].items()
    }
    assert acknowledged, "the stack is expected to carry its cdk-nag acknowledgments"
    for (path, rule), reason in acknowledged.items():
        assert rule.startswith(f"{PLUGIN}::{PLUGIN}-"), (path, rule)
        # A token instead of a string would render as an unreadable CloudFormation expression.
        assert isinstance(reason, str), (path, rule)
        assert len(reason) >= 40, (path, rule)


def test_cdk_nag_fails_the_synth_on_a_finding(tmp_path: Path) -> None:
    """The same wiring as infra/app.py, on a queue without a DLQ or TLS enforcement: the synth must fail."""
    from aws_cdk import App, Stack
    from aws_cdk import aws_sqs as sqs

    from infra.nag import add_compliance_checks

    app = App(outdir=str(tmp_path))
    sqs.Queue(Stack(app, "Careless"), "Queue")
    add_compliance_checks(app)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text(encoding="utf-8"))
    rules = {v["ruleName"] for plugin in report["pluginReports"] for v in plugin["violations"]}
    assert {"AwsSolutions-SQS3", "AwsSolutions-SQS4"} <= rules


def test_cfn_lint_passes(synthesized: Synthesized) -> None:
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    executable = str(cfn_lint) if cfn_lint.exists() else shutil.which("cfn-lint")
    assert executable, "cfn-lint is a dev dependency"
    # W3005 (redundant DependsOn) is how CDK renders role policies; the template path goes first because
    # --ignore-checks takes every following argument.
    result = subprocess.run(  # noqa: S603
        [executable, str(synthesized.template_path), "--ignore-checks", "W3005"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "overrides",
    [
        {"payment_provider": "paypal"},
        {"ses_identity": "domain"},
        {"log_level": "LOUD"},
        {"sender_email": "not-an-address"},
        {"api_rate_limit": 0},
    ],
)
def test_bad_context_fails_the_synth(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="context"):
        DeploymentContext(**overrides).validate()  # type: ignore[arg-type]


def test_default_context_is_valid() -> None:
    DeploymentContext().validate()


def test_cdk_json_context_matches_the_code_defaults(synthesized: Synthesized) -> None:
    """In-process synths (tests, scripts) fall back to the code defaults; they must equal what the CLI uses."""
    defaults = DeploymentContext()
    from_cdk_json = {
        "paymentProvider": defaults.payment_provider,
        "senderEmail": defaults.sender_email,
        "defaultShop": defaults.default_shop,
        "sesIdentity": defaults.ses_identity,
        "apiRateLimit": defaults.api_rate_limit,
        "apiBurstLimit": defaults.api_burst_limit,
        "logLevel": defaults.log_level,
        "escalationSeconds": defaults.escalation_seconds,
        "quietHours": defaults.quiet_hours,
        "supportEmail": defaults.support_email,
    }
    assert {key: synthesized.context[key] for key in from_cdk_json} == from_cdk_json
