"""Optional deployment context: each adds its resources only when given."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from faka import resources
from tests.infra.conftest import SYNTH_ERROR_FILE, Synthesized, _synthesize, cdk_json_context

pytestmark = pytest.mark.xdist_group(name="infra-synth")

OPTIONS = {
    "alertEmail": "oncall@example.com",
    "activateInboundMail": "false",
    "hostedZoneName": "shop.example",
    "hostedZoneId": "Z0123456789EXAMPLE",
    "domainName": "keys.shop.example",
    "supportEmail": "support@shop.example",
    "snapStart": "true",
}
DOMAIN_RESOURCES = (
    "AWS::CertificateManager::Certificate",
    "AWS::ApiGateway::DomainName",
    "AWS::ApiGateway::BasePathMapping",
    "AWS::Route53::RecordSet",
)


@pytest.fixture(scope="module")
def with_options(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    outdir = tmp_path_factory.mktemp("cdk.out.options")
    _synthesize(outdir, tmp_path_factory.mktemp("layer"), {**cdk_json_context(), **OPTIONS})
    error = outdir / SYNTH_ERROR_FILE
    assert not error.exists(), error.read_text(encoding="utf-8")
    template: dict[str, Any] = json.loads(Path(outdir, "FakaStack.template.json").read_text(encoding="utf-8"))
    return template


def of_type(template: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [resource for resource in template["Resources"].values() if resource["Type"] == resource_type]


def test_alert_email_subscribes_the_operator_topic_only_when_given(
    synthesized: Synthesized, with_options: dict[str, Any]
) -> None:
    protocols = {s["Properties"]["Protocol"] for s in of_type(synthesized.template, "AWS::SNS::Subscription")}
    assert "email" not in protocols
    emails = [s for s in of_type(with_options, "AWS::SNS::Subscription") if s["Properties"]["Protocol"] == "email"]
    assert [s["Properties"]["Endpoint"] for s in emails] == ["oncall@example.com"]
    topic_id, _ = synthesized.one("AWS::SNS::Topic", TopicName="faka-operators")
    assert emails[0]["Properties"]["TopicArn"] == {"Ref": topic_id}


def test_the_stack_activates_its_inbound_mail_rule_set_unless_told_not_to(
    synthesized: Synthesized, with_options: dict[str, Any]
) -> None:
    rule_set_id, _ = synthesized.one("AWS::SES::ReceiptRuleSet")
    (activation,) = of_type(synthesized.template, "Custom::AWS")
    create = json.dumps(activation["Properties"]["Create"])
    assert "setActiveReceiptRuleSet" in create
    assert rule_set_id in create
    assert "setActiveReceiptRuleSet" in json.dumps(activation["Properties"]["Delete"])
    assert of_type(with_options, "Custom::AWS") == []


def test_a_hosted_zone_gives_certificates_custom_domains_and_a_dkim_signed_mail_domain(
    synthesized: Synthesized, with_options: dict[str, Any]
) -> None:
    for resource_type in DOMAIN_RESOURCES:
        assert of_type(synthesized.template, resource_type) == [], resource_type
    assert "Aliases" not in json.dumps(of_type(synthesized.template, "AWS::CloudFront::Distribution"))

    (api_certificate,) = of_type(with_options, "AWS::CertificateManager::Certificate")
    assert api_certificate["Properties"]["DomainName"] == "api.keys.shop.example"
    assert api_certificate["Properties"]["ValidationMethod"] == "DNS"
    (api_domain,) = of_type(with_options, "AWS::ApiGateway::DomainName")
    assert api_domain["Properties"]["SecurityPolicy"] == "TLS_1_2"
    console_certificate = json.dumps(of_type(with_options, "AWS::CloudFormation::CustomResource"))
    assert '"Region": "us-east-1"' in console_certificate
    (distribution,) = of_type(with_options, "AWS::CloudFront::Distribution")
    config = distribution["Properties"]["DistributionConfig"]
    assert config["Aliases"] == ["keys.shop.example"]
    assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"

    records = [
        (r["Properties"]["Name"], r["Properties"]["Type"]) for r in of_type(with_options, "AWS::Route53::RecordSet")
    ]
    for record in [("api.keys.shop.example.", "A"), ("keys.shop.example.", "A"), ("shop.example.", "MX")]:
        assert record in records, records
    assert sum(1 for _, record_type in records if record_type == "CNAME") == 3, "the three DKIM records"
    identities = [i["Properties"]["EmailIdentity"] for i in of_type(with_options, "AWS::SES::EmailIdentity")]
    assert "shop.example" in identities


def test_snap_start_resumes_the_functions_behind_the_gateway_through_their_live_alias(
    synthesized: Synthesized, with_options: dict[str, Any]
) -> None:
    behind_the_gateway = {spec.physical_name for spec in resources.API_FUNCTIONS}
    assert not any("SnapStart" in f["Properties"] for f in of_type(synthesized.template, "AWS::Lambda::Function"))
    assert of_type(synthesized.template, "AWS::Lambda::Alias") == []

    functions = {
        logical_id: resource["Properties"]
        for logical_id, resource in with_options["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Function"
    }
    snapped = {p["FunctionName"] for p in functions.values() if p.get("SnapStart") == {"ApplyOn": "PublishedVersions"}}
    assert snapped == behind_the_gateway
    aliases = {
        logical_id: resource["Properties"]
        for logical_id, resource in with_options["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Alias"
    }
    assert {functions[a["FunctionName"]["Ref"]]["FunctionName"] for a in aliases.values()} == behind_the_gateway
    assert {a["Name"] for a in aliases.values()} == {"live"}
    for alias in aliases.values():
        version = with_options["Resources"][alias["FunctionVersion"]["Fn::GetAtt"][0]]
        assert version["Type"] == "AWS::Lambda::Version"
        assert version["DeletionPolicy"] == "Delete", "the version a deploy replaces goes, with its snapshot"

    snapped_ids = {logical_id for logical_id, p in functions.items() if p.get("FunctionName") in behind_the_gateway}
    integrations = json.dumps(
        [m["Properties"]["Integration"] for m in of_type(with_options, "AWS::ApiGateway::Method")]
    )
    assert all(alias_id in integrations for alias_id in aliases)
    assert not any(f'"{function_id}"' in integrations for function_id in snapped_ids), "the gateway invokes the alias"
