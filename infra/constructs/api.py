"""The public REST API: a regional API Gateway proxying each path to the function serving it (faka.resources.API_ROUTES:
the payment notifications' prefix to their own function, every other path to the api function)."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import CfnOutput, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from faka import resources
from faka.config import Env
from infra.nag import acknowledge

# The routes already carry their version (/v1/...), so the stage only names the deployment.
STAGE_NAME = "prod"


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        functions: Mapping[str, lambda_.Function],
        invoked: Mapping[str, lambda_.IFunction],
        rate_limit: float,
        burst_limit: int,
        cors_origins: str,
    ) -> None:
        """``functions``: the Lambda functions by FunctionSpec name, those of resources.API_FUNCTIONS among them;
        ``invoked``: what the gateway invokes for each of those (the function, or its alias under SnapStart)."""
        super().__init__(scope, construct_id)
        api_function = functions[resources.API_FUNCTION.name]
        # The api function answers CORS itself, preflights included: every method of its paths (OPTIONS too) is
        # proxied to it, so the allowed origins are one setting of the function's rather than gateway config. The
        # payment notifications answer none: providers call from their servers, never from a browser.
        api_function.add_environment(Env.CORS_ORIGINS, cors_origins)

        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.rest_api = apigateway.RestApi(
            self,
            "RestApi",
            rest_api_name=resources.API_FUNCTION.physical_name,
            description="faka storefront, checkout, webhooks and admin API",
            endpoint_types=[apigateway.EndpointType.REGIONAL],
            # Access logging needs the account-wide API Gateway CloudWatch role; deployed once per account
            # and region, and kept when the stack goes because other APIs in the account may rely on it.
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=RemovalPolicy.RETAIN,
            deploy_options=apigateway.StageOptions(
                stage_name=STAGE_NAME,
                throttling_rate_limit=rate_limit,
                throttling_burst_limit=burst_limit,
                tracing_enabled=True,
                metrics_enabled=True,
                logging_level=apigateway.MethodLoggingLevel.ERROR,
                # Request and response bodies carry card codes and emails: never copy them into logs.
                data_trace_enabled=False,
                access_log_destination=apigateway.LogGroupLogDestination(access_logs),
                access_log_format=apigateway.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=False,
                ),
            ),
        )

        self._route(invoked)

        stack = Stack.of(self)
        # Built from the API id and the literal stage name rather than rest_api.url: that one references
        # the stage, which depends on the methods, which depend on the function this URL is given to.
        self.base_url = (
            f"https://{self.rest_api.rest_api_id}.execute-api.{stack.region}.{stack.url_suffix}/{STAGE_NAME}"
        )
        # RestApi's own output is named after a hash; replace it with one scripts can query by name.
        self.rest_api.node.try_remove_child("Endpoint")
        url_output = CfnOutput(self, "Url", value=self.rest_api.url, description="Base URL of the faka API")
        url_output.override_logical_id("ApiUrl")

        acknowledge(
            self.rest_api,
            "AwsSolutions-APIG4",
            "Public by design: buyers browse and check out anonymously. The functions authorise every non-public "
            "route themselves: admin routes by bearer token, order pages by a per-order access token, payment "
            "notifications by the provider's signature.",
        )
        acknowledge(
            self.rest_api,
            "AwsSolutions-COG4",
            "No user accounts to keep in Cognito: buyers are anonymous, operators use the admin bearer token and "
            "the payment providers authenticate by signature, all checked in the functions.",
        )
        acknowledge(
            self.rest_api,
            "AwsSolutions-APIG2",
            "Greedy {proxy+} integrations have no per-route models for API Gateway to validate against; the "
            "functions validate every path, query and body with pydantic models and answer 4xx themselves.",
        )
        acknowledge(
            self.rest_api,
            "AwsSolutions-APIG3",
            "No WAF web ACL for now: stage throttling caps abuse and a web ACL costs more per month than the "
            "shop's expected traffic; revisit when traffic justifies managed rule groups.",
        )
        acknowledge(
            self.rest_api,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
            "The account-level role API Gateway itself assumes to write access and execution logs; AWS documents "
            "this managed policy for it and it grants CloudWatch Logs access only.",
        )

    def _route(self, functions: Mapping[str, lambda_.IFunction]) -> None:
        """Every method of every path to the api function, but the paths under each prefix of resources.API_ROUTES,
        which go to that route's function through a ``{proxy+}`` resource of the prefix.

        A request goes to the most specific resource matching its path, so each resource on the way to a prefix
        answers through the api function too (for its own path, and through a ``{proxy+}`` for its other children):
        ``/v1/products`` and ``/v1/webhooks`` itself still reach the api function, which answers them as before."""
        api_function = apigateway.LambdaIntegration(functions[resources.API_FUNCTION.name])
        root = self.rest_api.root
        root.add_method("ANY", api_function)
        root.add_proxy(default_integration=api_function, any_method=True)
        for route in resources.API_ROUTES:
            *ancestors, last = route.prefix.strip("/").split("/")
            resource = root
            for part in ancestors:
                resource = resource.get_resource(part) or _answered_by(resource.add_resource(part), api_function)
            prefix = resource.add_resource(last)
            prefix.add_method("ANY", api_function)
            prefix.add_proxy(
                default_integration=apigateway.LambdaIntegration(functions[route.function.name]), any_method=True
            )


def _answered_by(resource: apigateway.Resource, integration: apigateway.LambdaIntegration) -> apigateway.Resource:
    """``resource``, its path and every path under it not given a resource of its own answered by ``integration``."""
    resource.add_method("ANY", integration)
    resource.add_proxy(default_integration=integration, any_method=True)
    return resource
