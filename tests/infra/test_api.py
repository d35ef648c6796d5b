"""The REST API in front of the functions serving its paths (resources.API_ROUTES)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from aws_cdk import App
from aws_cdk.assertions import Match

from faka import resources
from faka.config import Env
from faka.resources import FunctionSpec
from infra.constructs.api import STAGE_NAME
from infra.faka_stack import DeploymentContext
from tests.infra.conftest import Synthesized

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver

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


def _resource_paths(synthesized: Synthesized, api_id: str) -> dict[str, str]:
    """Each API Gateway resource's logical id → its full path, the root's included."""
    resources_by_id = synthesized.resources("AWS::ApiGateway::Resource")
    root = str({"Fn::GetAtt": [api_id, "RootResourceId"]})

    def path(logical_id: str) -> str:
        properties = resources_by_id[logical_id]["Properties"]
        parent = str(properties["ParentId"])
        above = "" if parent == root else path(properties["ParentId"]["Ref"])
        return f"{above}/{properties['PathPart']}"

    return {root: "/", **{str({"Ref": logical_id}): path(logical_id) for logical_id in resources_by_id}}


def test_api_is_regional_and_routes_the_payment_notifications_to_their_own_function(
    synthesized: Synthesized,
) -> None:
    api_id, api = synthesized.one("AWS::ApiGateway::RestApi")
    assert api["Properties"]["EndpointConfiguration"] == {"Types": ["REGIONAL"]}
    function_ids = {
        synthesized.one("AWS::Lambda::Function", FunctionName=spec.physical_name)[0]: spec.name
        for spec in resources.API_FUNCTIONS
    }
    paths = _resource_paths(synthesized, api_id)
    served: dict[str, str] = {}
    for method in synthesized.resources("AWS::ApiGateway::Method").values():
        properties = method["Properties"]
        integration = properties["Integration"]
        assert (properties["HttpMethod"], integration["Type"]) == ("ANY", "AWS_PROXY")
        [function] = [name for logical_id, name in function_ids.items() if _invokes(integration, logical_id)]
        served[paths[str(properties["ResourceId"])]] = function

    # Every path to the api function but those under /v1/webhooks/, which the contract's notify_urls name.
    assert served == {
        "/": "api",
        "/{proxy+}": "api",
        "/v1": "api",
        "/v1/{proxy+}": "api",
        "/v1/webhooks": "api",
        "/v1/webhooks/{proxy+}": "payment_notifications",
    }


def _invokes(integration: dict[str, Any], function_id: str) -> bool:
    return {"Fn::GetAtt": [function_id, "Arn"]} in integration["Uri"]["Fn::Join"][1]


@pytest.mark.parametrize(
    ("path", "function"),
    [
        ("/v1/webhooks/stripe", resources.PAYMENT_NOTIFICATIONS_FUNCTION),
        ("/v1/webhooks/alipay", resources.PAYMENT_NOTIFICATIONS_FUNCTION),
        ("/v1/webhooks/wechatpay", resources.PAYMENT_NOTIFICATIONS_FUNCTION),
        ("/v1/webhooks", resources.API_FUNCTION),
        ("/v1/admin/webhooks", resources.API_FUNCTION),
        ("/v1/activations", resources.API_FUNCTION),
        ("/v1/openapi.json", resources.API_FUNCTION),
        ("/", resources.API_FUNCTION),
    ],
)
def test_a_path_is_served_by_the_function_the_route_table_names(path: str, function: FunctionSpec) -> None:
    assert resources.function_serving(path) == function


def test_each_function_behind_the_gateway_registers_exactly_the_documented_routes_sent_to_it() -> None:
    """The api function documents every route (its document is the whole API's); each is registered by the function
    API Gateway sends its path to, and by no other."""
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver

    from api import handler as api_handler
    from payment_notifications import handler as payment_notifications_handler

    def routes(resolver: ApiGatewayResolver) -> set[tuple[str, str]]:
        return {(route.method, route.path) for route in [*resolver._static_routes, *resolver._dynamic_routes]}

    registered = {
        resources.API_FUNCTION.name: routes(api_handler.resolver(APIGatewayRestResolver, cors=None)),
        resources.PAYMENT_NOTIFICATIONS_FUNCTION.name: routes(payment_notifications_handler.app),
    }
    assert set(registered) == {spec.name for spec in resources.API_FUNCTIONS}
    documented = routes(api_handler.documented())
    for name, served in registered.items():
        assert served == {
            (method, path) for method, path in documented if resources.function_serving(path).name == name
        }
    assert registered[resources.PAYMENT_NOTIFICATIONS_FUNCTION.name]


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
