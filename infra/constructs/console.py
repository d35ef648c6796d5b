"""The operator console and the buyers' storefront: static files in a private bucket behind CloudFront, plus the
operators' Cognito user pool.

Each app lives under its folder's name in the bucket (``console/``, ``storefront/``), as ``faka local`` serves them;
a CloudFront Function maps the buyer pages' addresses (``/``, ``/s/{shop}/``, ``/o/{order}``, ``/lookup``: the
table in storefront/routes.json, shared with faka local) to their files.

CloudFront serves the console at the distribution's root and forwards ``/v1/*`` to the REST API, so the
console calls the API on its own origin (no CORS, and the CSP can say ``connect-src 'self'``). The
console reads ``config.json``, written here at deploy time.

Cognito: the user pool and app client exist and their ids are in ``config.json``, but the API still
authorizes operators by bearer token (``faka.platform.access``); until the API accepts Cognito tokens the
console asks operators for their token, as it does locally.
"""

from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from faka import resources
from faka.config import Env
from faka.platform.access import PLATFORM_GROUP, SHOP_ATTRIBUTE
from infra.nag import acknowledge

CONSOLE_DIR = Path(__file__).resolve().parents[2] / "console"
STOREFRONT_DIR = CONSOLE_DIR.parent / "storefront"
ROUTES_FILE = "routes.json"
CONFIG_FILE = "config.json"
API_PATH_PATTERN = "/v1/*"
# Kept in step with faka_local/http_server.py's CONSOLE_HEADERS, so the browser tests run under the same policy.
CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'"


def console_security_policy(region: str) -> str:
    """On AWS the console also talks to its user pool's sign-in endpoint, and to nothing else."""
    return f"{CONTENT_SECURITY_POLICY}; connect-src 'self' https://cognito-idp.{region}.amazonaws.com"


def page_routes_function_code() -> str:
    """The viewer-request function (cloudfront-js-2.0) that serves each page address its file."""
    routes = json.dumps(json.loads((STOREFRONT_DIR / ROUTES_FILE).read_text())["routes"])
    return f"""var ROUTES = {routes}.map(function (route) {{ return [new RegExp(route[0]), route[1]]; }});
function handler(event) {{
  var request = event.request;
  for (var i = 0; i < ROUTES.length; i++) {{
    if (ROUTES[i][0].test(request.uri)) {{
      request.uri = ROUTES[i][1];
      break;
    }}
  }}
  return request;
}}
"""


class Console(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, api: apigateway.RestApi, origin_verify: secretsmanager.ISecret
    ) -> None:
        """``origin_verify``: the secret CloudFront shows the API, proving a request came through the distribution."""
        super().__init__(scope, construct_id)

        logs = s3.Bucket(
            self,
            "Logs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            # CloudFront's standard logs are delivered with bucket ACLs.
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(
            logs,
            "AwsSolutions-S1",
            "This is the access-log bucket itself; logging its own accesses into it would loop.",
        )
        self.bucket = s3.Bucket(
            self,
            "Site",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            server_access_logs_bucket=logs,
            server_access_logs_prefix="s3/",
            removal_policy=RemovalPolicy.RETAIN,
        )

        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=console_security_policy(Stack.of(self).region), override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365), include_subdomains=True, override=True
                ),
            ),
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="faka operator console",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                response_headers_policy=headers,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        event_type=cloudfront.FunctionEventType.VIEWER_REQUEST,
                        function=cloudfront.Function(
                            self,
                            "PageRoutes",
                            code=cloudfront.FunctionCode.from_inline(page_routes_function_code()),
                            runtime=cloudfront.FunctionRuntime.JS_2_0,
                            comment="faka: buyer page addresses to their storefront files",
                        ),
                    )
                ],
            ),
            additional_behaviors={
                API_PATH_PATTERN: cloudfront.BehaviorOptions(
                    # The API trusts CloudFront-Viewer-Country only next to this secret (api.http.viewer_country):
                    # the regional API is reachable directly too, where clients write that header themselves.
                    # CloudFront needs the value in its configuration: a dynamic reference, resolved at deploy.
                    origin=origins.RestApiOrigin(
                        api,
                        custom_headers={
                            resources.ORIGIN_VERIFY_HEADER: origin_verify.secret_value.unsafe_unwrap(),
                        },
                    ),
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                    # Operator answers are per token and shop: never cached, every viewer header but Host
                    # (API Gateway routes by its own host name) forwarded, Authorization and X-Faka-Shop included.
                    cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                    origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                )
            },
            enable_logging=True,
            log_bucket=logs,
            log_file_prefix="cloudfront/",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR1",
            "Operators and buyers of a card-key platform are worldwide; no country is excluded by design.",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR2",
            "No WAF web ACL yet: the console is static files and the API behind it keeps its own throttling "
            "and token checks; a WAF is a per-account cost decision left to the deployer.",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR4",
            "The distribution uses the default *.cloudfront.net certificate, whose viewer TLS floor CloudFront "
            "fixes; a custom domain with its own certificate (and TLSv1.2_2021) is a deployment choice.",
        )

        self.user_pool = cognito.UserPool(
            self,
            "Operators",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            password_policy=cognito.PasswordPolicy(
                min_length=12, require_digits=True, require_lowercase=True, require_uppercase=True, require_symbols=True
            ),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            # The shop a shop operator acts for; members of the platform group act for every shop. Set once, by the
            # platform, when it creates the operator: immutable, so no token (nor a later app client) can move an
            # operator to another shop. Moving an operator means creating their user anew.
            custom_attributes={SHOP_ATTRIBUTE.removeprefix("custom:"): cognito.StringAttribute(mutable=False)},
            removal_policy=RemovalPolicy.RETAIN,
        )
        cognito.UserPoolGroup(
            self,
            "PlatformOperators",
            user_pool=self.user_pool,
            group_name=PLATFORM_GROUP,
            description="Operators of the whole platform: every shop, and the platform-only routes",
        )
        acknowledge(
            self.user_pool,
            "AwsSolutions-COG8",
            "Cognito threat protection needs the Plus feature plan, a cost left to the operator; sign-in already "
            "requires a strong password and an authenticator code (TOTP MFA), and self sign-up is off.",
        )
        self.client = self.user_pool.add_client(
            "Console",
            # A browser app cannot keep a secret.
            generate_secret=False,
            # The console asks for the password and the authenticator code itself (over TLS, to Cognito only).
            auth_flows=cognito.AuthFlow(user_password=True),
            disable_o_auth=True,
            prevent_user_existence_errors=True,
            # Explicit, so the access token the console holds can read the operator's shop but write only their
            # own email: never the shop the API authorizes them by.
            read_attributes=cognito.ClientAttributes()
            .with_standard_attributes(email=True, email_verified=True)
            .with_custom_attributes(SHOP_ATTRIBUTE.removeprefix("custom:")),
            write_attributes=cognito.ClientAttributes().with_standard_attributes(email=True),
        )

        config = {
            "apiUrl": "",
            "auth": "token",
            "cognito": {
                "region": Stack.of(self).region,
                "userPoolId": self.user_pool.user_pool_id,
                "clientId": self.client.user_pool_client_id,
            },
        }
        deployment = s3_deployment.BucketDeployment(
            self,
            "Deploy",
            destination_bucket=self.bucket,
            sources=[
                s3_deployment.Source.asset(str(CONSOLE_DIR), exclude=[CONFIG_FILE]),
                s3_deployment.Source.json_data(CONFIG_FILE, config),
            ],
            destination_key_prefix="console/",
            distribution=self.distribution,
            distribution_paths=["/*"],
        )
        s3_deployment.BucketDeployment(
            self,
            "DeployStorefront",
            destination_bucket=self.bucket,
            sources=[s3_deployment.Source.asset(str(STOREFRONT_DIR), exclude=[ROUTES_FILE])],
            destination_key_prefix="storefront/",
            distribution=self.distribution,
            distribution_paths=["/*"],
        )

        self._acknowledge_deployment_handler(deployment)

        outputs = {
            "ConsoleUrl": f"https://{self.distribution.distribution_domain_name}/console/",
            "OperatorUserPoolId": self.user_pool.user_pool_id,
            "OperatorUserPoolClientId": self.client.user_pool_client_id,
        }
        for name, value in outputs.items():
            # Stable names, as the API's: scripts read them with `aws cloudformation describe-stacks`.
            CfnOutput(self, name, value=value).override_logical_id(name)

    def admit_operators_to(self, api_function: lambda_.Function) -> None:
        """Let the API take the pool's access tokens as operator identities (groups name the platform operators)."""
        api_function.add_environment(Env.OPERATOR_USER_POOL_ID, self.user_pool.user_pool_id)
        api_function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["cognito-idp:AdminListGroupsForUser"], resources=[self.user_pool.user_pool_arn]
            )
        )

    def _acknowledge_deployment_handler(self, deployment: s3_deployment.BucketDeployment) -> None:
        """CDK's own copy function (one per stack, outside this construct): its role and runtime are CDK's."""
        handler = deployment.handler_role.node.scope
        assert handler is not None
        site = Stack.of(self).get_logical_id(self.bucket.node.default_child)  # type: ignore[arg-type]
        acknowledge(
            handler,
            "AwsSolutions-L1",
            "CDK's BucketDeployment copy function; its runtime is pinned by aws-cdk-lib and moves with its upgrades.",
        )
        acknowledge(
            handler,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
            "CDK's BucketDeployment copy function writes only its own CloudWatch logs with this managed policy.",
        )
        for finding, why in [
            ("Resource::*", "CloudFront's CreateInvalidation takes no resource-level permission."),
            ("Action::s3:GetBucket*", "CDK's grantRead of the asset and site buckets, scoped to those buckets."),
            ("Action::s3:GetObject*", "CDK's grantRead of the asset and site buckets, scoped to those buckets."),
            ("Action::s3:List*", "CDK's grantRead of the asset and site buckets, scoped to those buckets."),
            ("Action::s3:Abort*", "CDK's grantReadWrite of the console bucket only, to replace its files."),
            ("Action::s3:DeleteObject*", "CDK's grantReadWrite of the console bucket only, to prune old files."),
            (
                "Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*",
                "The bootstrap asset bucket's objects, where the zipped console/ files are uploaded.",
            ),
            (f"Resource::<{site}.Arn>/*", "Every object of the console bucket: the deployment replaces them all."),
        ]:
            acknowledge(handler, f"AwsSolutions-IAM5[{finding}]", f"BucketDeployment copy function: {why}")
