"""The REST API in front of the api function."""

from __future__ import annotations

import pytest
from aws_cdk import App
from aws_cdk.assertions import Match

from faka import resources
from faka.config import Env
from infra.constructs.api import STAGE_NAME
from infra.faka_stack import DeploymentContext
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.xdist_group(name="infra-synth")


def test_stage_throttles_traces_and_logs(synthesized: Synthesized) -> None:
    _, stage = synthesized.one("AWS::ApiGateway::Stage", StageName=STAGE_NAME)
    props = stage["Properties"]
    (settings,) = props["MethodSettings"]
    assert settings["ThrottlingRateLimit"] == synthesized.context["apiRateLimit"]
    assert settings["ThrottlingBurstLimit"] == synthesized.context["apiBurstLimit"]
    assert (settings["HttpMethod"], settings["ResourcePath"]) == ("*", "/*")
    assert settings["DataTraceEnabled"] is False, "bodies carry card codes and must not be logged"
    assert props["TracingEnabled"] is True
    assert '"status":"$context.status"' in props["AccessLogSetting"]["Format"]
    log_group_ref = props["AccessLogSetting"]["DestinationArn"]["Fn::Join"][1][-1]
    assert synthesized.template["Resources"][log_group_ref["Ref"]]["Type"] == "AWS::Logs::LogGroup"


def test_api_is_regional_and_proxies_everything_to_the_api_function(synthesized: Synthesized) -> None:
    api_id, api = synthesized.one("AWS::ApiGateway::RestApi")
    assert api["Properties"]["EndpointConfiguration"] == {"Types": ["REGIONAL"]}
    function_id, _ = synthesized.one("AWS::Lambda::Function", FunctionName=resources.API_FUNCTION.physical_name)
    (proxy_id,) = [
        logical_id
        for logical_id, resource in synthesized.resources("AWS::ApiGateway::Resource").items()
        if resource["Properties"]["PathPart"] == "{proxy+}"
    ]
    methods = synthesized.resources("AWS::ApiGateway::Method").values()
    served = {str(m["Properties"]["ResourceId"]) for m in methods if m["Properties"]["HttpMethod"] == "ANY"}
    assert served == {str({"Ref": proxy_id}), str({"Fn::GetAtt": [api_id, "RootResourceId"]})}
    for method in methods:
        integration = method["Properties"]["Integration"]
        assert integration["Type"] == "AWS_PROXY"
        assert {"Fn::GetAtt": [function_id, "Arn"]} in integration["Uri"]["Fn::Join"][1]


def test_url_is_an_output(synthesized: Synthesized) -> None:
    synthesized.assertions.has_output("ApiUrl", {"Value": Match.any_value()})
    assert sorted(synthesized.template["Outputs"]) == [
        "ApiUrl",
        "ConsoleUrl",
        "OperatorUserPoolClientId",
        "OperatorUserPoolId",
    ]


def test_sender_identity_uses_the_configuration_set(synthesized: Synthesized) -> None:
    set_id, config_set = synthesized.one("AWS::SES::ConfigurationSet")
    _, identity = synthesized.one("AWS::SES::EmailIdentity", EmailIdentity=synthesized.context["senderEmail"])
    assert identity["Properties"]["ConfigurationSetAttributes"] == {"ConfigurationSetName": {"Ref": set_id}}
    assert config_set["Properties"]["SuppressionOptions"] == {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]}


def test_the_api_function_answers_cors_for_the_origins_of_the_context(synthesized: Synthesized) -> None:
    api_id, api = synthesized.one("AWS::Lambda::Function", FunctionName=resources.API_FUNCTION.physical_name)
    carrying = [
        logical_id
        for logical_id, function in synthesized.resources("AWS::Lambda::Function").items()
        if Env.CORS_ORIGINS in function["Properties"].get("Environment", {}).get("Variables", {})
    ]
    # cdk.json names no storefront elsewhere: the console and order pages share the distribution's origin.
    assert api["Properties"]["Environment"]["Variables"][Env.CORS_ORIGINS] == ""
    assert carrying == [api_id]


@pytest.mark.parametrize("origins", ["https://shop.example/", "shop.example", "https://a.example, ftp://b.example"])
def test_cors_origins_must_be_origins(origins: str) -> None:
    with pytest.raises(ValueError, match="corsOrigins"):
        DeploymentContext.from_node(App(context={"corsOrigins": origins}).node)


def test_cors_origins_are_read_from_the_context() -> None:
    given = "https://shop.example, http://localhost:5173"
    assert DeploymentContext.from_node(App(context={"corsOrigins": given}).node).cors_origins == given
