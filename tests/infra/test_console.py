"""The operator console on AWS: a private bucket behind CloudFront with security headers, the API on the
same origin, the console's config written at deploy time, and the operators' Cognito user pool."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest
from aws_cdk.assertions import Match

from faka import resources
from faka.config import Env
from faka.platform.access import SHOP_ATTRIBUTE
from infra.constructs.console import API_PATH_PATTERN, CONSOLE_DIR, STOREFRONT_DIR, console_security_policy
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.xdist_group(name="infra-synth")


def _distribution(synthesized: Synthesized) -> dict[str, Any]:
    (distribution,) = [
        d["Properties"]["DistributionConfig"]
        for d in synthesized.resources("AWS::CloudFront::Distribution").values()
        if d["Properties"]["DistributionConfig"].get("Comment") == "faka operator console"
    ]
    return distribution


def test_the_bucket_is_private_and_read_by_cloudfront_only(synthesized: Synthesized) -> None:
    config = _distribution(synthesized)
    [s3_origin] = [o for o in config["Origins"] if "S3OriginConfig" in o]
    assert "OriginAccessControlId" in s3_origin
    assert s3_origin["S3OriginConfig"].get("OriginAccessIdentity", "") == ""
    bucket_id = s3_origin["DomainName"]["Fn::GetAtt"][0]
    bucket = synthesized.template["Resources"][bucket_id]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    synthesized.assertions.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": bucket_id},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {"Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject"}
                        )
                    ]
                )
            },
        },
    )


def test_every_behaviour_is_https_only_and_the_api_is_uncached_on_the_same_origin(synthesized: Synthesized) -> None:
    config = _distribution(synthesized)
    # "/" is the storefront: the page-routes function names its file, no default root object.
    assert "DefaultRootObject" not in config
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "https-only"
    [api] = config["CacheBehaviors"]
    assert api["PathPattern"] == API_PATH_PATTERN
    assert api["ViewerProtocolPolicy"] == "https-only"
    assert "POST" in api["AllowedMethods"]
    # The managed CachingDisabled policy: answers depend on the operator's token.
    assert api["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    [api_origin] = [o for o in config["Origins"] if o["Id"] == api["TargetOriginId"]]
    assert api_origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert "Logging" in config


def test_cloudfront_proves_to_the_api_that_a_request_came_through_it(synthesized: Synthesized) -> None:
    """The API believes CloudFront-Viewer-Country only beside the origin-verify secret, which CloudFront adds."""
    config = _distribution(synthesized)
    [api] = config["CacheBehaviors"]
    [api_origin] = [o for o in config["Origins"] if o["Id"] == api["TargetOriginId"]]
    secret_id, _ = synthesized.one("AWS::SecretsManager::Secret", Name=resources.ORIGIN_VERIFY_SECRET)
    [header] = api_origin["OriginCustomHeaders"]
    assert header["HeaderName"] == resources.ORIGIN_VERIFY_HEADER
    # A dynamic reference: CloudFormation resolves the secret at deploy, the template never holds its value.
    assert header["HeaderValue"] == {
        "Fn::Join": ["", ["{{resolve:secretsmanager:", {"Ref": secret_id}, ":SecretString:::}}"]]
    }
    _, function = synthesized.one("AWS::Lambda::Function", FunctionName=resources.API_FUNCTION.physical_name)
    assert function["Properties"]["Environment"]["Variables"][Env.ORIGIN_VERIFY_SECRET_ID] == {"Ref": secret_id}


def test_the_console_is_served_with_security_headers(synthesized: Synthesized) -> None:
    [policy] = [
        p["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
        for p in synthesized.resources("AWS::CloudFront::ResponseHeadersPolicy").values()
    ]
    # The stack is region-agnostic: the user pool's sign-in endpoint is named by the deployment's region.
    assert policy["ContentSecurityPolicy"]["ContentSecurityPolicy"] == {
        "Fn::Join": [
            "",
            [console_security_policy("REGION").split("REGION")[0], {"Ref": "AWS::Region"}, ".amazonaws.com"],
        ]
    }
    assert policy["FrameOptions"]["FrameOption"] == "DENY"
    assert policy["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31_536_000
    assert policy["ContentTypeOptions"]["Override"] is True


def test_the_deployment_writes_config_json_next_to_the_app(synthesized: Synthesized) -> None:
    [props] = [
        d["Properties"]
        for d in synthesized.resources("Custom::CDKBucketDeployment").values()
        if d["Properties"]["DestinationBucketKeyPrefix"] == "console/"
    ]
    assert len(props["SourceObjectKeys"]) == 2
    # Source.json_data with deploy-time values keeps the file's text with markers for the pool's ids.
    markers = json.dumps(props["SourceMarkers"])
    [pool] = synthesized.resources("AWS::Cognito::UserPool")
    [client] = synthesized.resources("AWS::Cognito::UserPoolClient")
    assert json.dumps({"Ref": pool}) in markers
    assert json.dumps({"Ref": client}) in markers
    assert props["DistributionPaths"] == ["/*"]
    assert (CONSOLE_DIR / "index.html").is_file()


def test_the_storefront_pages_come_from_the_same_distribution(synthesized: Synthesized) -> None:
    [storefront] = [
        d["Properties"]
        for d in synthesized.resources("Custom::CDKBucketDeployment").values()
        if d["Properties"]["DestinationBucketKeyPrefix"] == "storefront/"
    ]
    assert storefront["DistributionPaths"] == ["/*"]
    assert (STOREFRONT_DIR / "index.html").is_file()
    function_id, function = synthesized.one("AWS::CloudFront::Function")
    assert function["Properties"]["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    [association] = _distribution(synthesized)["DefaultCacheBehavior"]["FunctionAssociations"]
    assert association == {"EventType": "viewer-request", "FunctionARN": {"Fn::GetAtt": [function_id, "FunctionARN"]}}
    # The function as CloudFront runs it, on node: each page address gets its file, every other path is kept.
    addresses = {
        "/": "/storefront/index.html",
        "/s/moon/": "/storefront/index.html",
        "/o/01JABCDEF": "/storefront/index.html",
        "/lookup": "/storefront/index.html",
        "/console/": "/console/index.html",
        "/console/js/main.js": "/console/js/main.js",
        "/storefront/js/order.js": "/storefront/js/order.js",
        "/o/01JABCDEF/../../console/config.json": "/o/01JABCDEF/../../console/config.json",
    }
    script = function["Properties"]["FunctionCode"] + (
        "process.stdout.write(JSON.stringify(JSON.parse(process.argv[1]).map(function (uri) {"
        " return handler({request: {uri: uri}}).uri; })));"
    )
    node = shutil.which("node")
    assert node, "node runs CDK's synth, and here the function"
    mapped = subprocess.run(  # noqa: S603 - node runs the template's own function
        [node, "-e", script, json.dumps(list(addresses))], capture_output=True, text=True, check=True
    ).stdout
    assert dict(zip(addresses, json.loads(mapped), strict=True)) == addresses


def test_operators_have_a_user_pool_with_mfa_and_no_self_sign_up(synthesized: Synthesized) -> None:
    synthesized.assertions.has_resource_properties(
        "AWS::Cognito::UserPool",
        {
            "MfaConfiguration": "ON",
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
            "Policies": {"PasswordPolicy": Match.object_like({"MinimumLength": 12})},
        },
    )
    synthesized.assertions.has_resource_properties(
        "AWS::Cognito::UserPoolClient",
        {"GenerateSecret": False, "ExplicitAuthFlows": Match.array_with(["ALLOW_USER_PASSWORD_AUTH"])},
    )


def test_the_api_takes_the_pools_operators(synthesized: Synthesized) -> None:
    pool_id, _ = synthesized.one("AWS::Cognito::UserPool")
    synthesized.one("AWS::Cognito::UserPoolGroup", GroupName="platform", UserPoolId={"Ref": pool_id})
    _, api = synthesized.one("AWS::Lambda::Function", FunctionName=resources.API_FUNCTION.physical_name)
    assert api["Properties"]["Environment"]["Variables"][Env.OPERATOR_USER_POOL_ID] == {"Ref": pool_id}
    synthesized.assertions.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Action": "cognito-idp:AdminListGroupsForUser",
                                "Resource": {"Fn::GetAtt": [pool_id, "Arn"]},
                            }
                        )
                    ]
                )
            }
        },
    )


def test_only_the_platform_sets_an_operators_shop(synthesized: Synthesized) -> None:
    """The API authorizes a shop operator by their shop attribute: their own access token must not write it."""
    _, pool = synthesized.one("AWS::Cognito::UserPool")
    [shop] = [a for a in pool["Properties"]["Schema"] if f"custom:{a['Name']}" == SHOP_ATTRIBUTE]
    assert shop["Mutable"] is False
    [client] = [c["Properties"] for c in synthesized.resources("AWS::Cognito::UserPoolClient").values()]
    assert client["WriteAttributes"], "no WriteAttributes lets the client write every mutable attribute"
    assert SHOP_ATTRIBUTE not in client["WriteAttributes"]
    assert SHOP_ATTRIBUTE in client["ReadAttributes"]


def test_the_console_adds_no_unacknowledged_cdk_nag_finding(synthesized: Synthesized) -> None:
    assert synthesized.synth_error is None or "Console" not in synthesized.synth_error, synthesized.synth_error
