"""The public REST API: a regional API Gateway proxying every path to the api function."""

from __future__ import annotations

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
        handler: lambda_.Function,
        rate_limit: float,
        burst_limit: int,
        cors_origins: str,
    ) -> None:
        super().__init__(scope, construct_id)
        # The function answers CORS itself, preflights included: every method of every path (OPTIONS too) is
        # proxied to it, so the allowed origins are one setting of the function's rather than gateway config.
        handler.add_environment(Env.CORS_ORIGINS, cors_origins)

        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.rest_api = apigateway.LambdaRestApi(
            self,
            "RestApi",
            handler=handler,
            proxy=True,
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

        stack = Stack.of(self)
        # Built from the API id and the literal stage name rather than rest_api.url: that one references
        # the stage, which depends on the methods, which depend on the function this URL is given to.
        self.base_url = (
            f"https://{self.rest_api.rest_api_id}.execute-api.{stack.region}.{stack.url_suffix}/{STAGE_NAME}"
        )
        # LambdaRestApi's own output is named after a hash; replace it with one scripts can query by name.
        self.rest_api.node.try_remove_child("Endpoint")
        url_output = CfnOutput(self, "Url", value=self.rest_api.url, description="Base URL of the faka API")
        url_output.override_logical_id("ApiUrl")

        acknowledge(
            self.rest_api,
            "AwsSolutions-APIG4",
            "Public by design: buyers browse and check out anonymously. The api function authorises every "
            "non-public route itself: admin routes by bearer token, order pages by a per-order access token, "
            "payment webhooks by the provider's signature.",
        )
        acknowledge(
            self.rest_api,
            "AwsSolutions-COG4",
            "No user accounts to keep in Cognito: buyers are anonymous, operators use the admin bearer token and "
            "Stripe authenticates by webhook signature, all checked in the api function.",
        )
        acknowledge(
            self.rest_api,
            "AwsSolutions-APIG2",
            "A greedy {proxy+} integration has no per-route models for API Gateway to validate against; the api "
            "function validates every path, query and body with pydantic models and answers 4xx itself.",
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
