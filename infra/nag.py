"""cdk-nag wiring: the rule pack run on every synth and the one way to acknowledge a finding."""

from __future__ import annotations

from aws_cdk import Acknowledgment, App, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct

# Findings are reported (and must be acknowledged) as "<plugin>::<rule>[<finding>]".
PLUGIN = "AwsSolutions"


def add_compliance_checks(app: App) -> None:
    # cdk-nag 3 is a policy-validation plugin: Aspects.of(app).add(...) fails with "aspect.visit is not a
    # function", and a plugin makes any unacknowledged error fail the synth instead of only printing it.
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    """Accept one cdk-nag finding on ``scope`` and its children; the reason is kept in the cloud assembly."""
    if len(reason) < 40:
        raise ValueError(f"{rule}: an acknowledgment needs a specific reason, got {reason!r}")
    Validations.of(scope).acknowledge(Acknowledgment(id=f"{PLUGIN}::{rule}", reason=reason))
