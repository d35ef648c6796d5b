"""CustomDomain: the deployer's Route 53 zone gives the console, the API and the sender their own names.

``domainName`` serves the console and storefront (CloudFront), ``api.<domainName>`` the API; both certificates
are validated by DNS records CDK writes in the zone. The zone also becomes an SES domain identity (DKIM records
written for it), and, when the support address is in the zone, its MX record points at SES receiving.
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as targets
from aws_cdk import aws_ses as ses
from constructs import Construct

from infra.nag import acknowledge

# CloudFront takes certificates from this region only, wherever the stack is deployed.
CLOUDFRONT_CERTIFICATE_REGION = "us-east-1"
MX_PRIORITY = 10


class CustomDomain(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        zone_name: str,
        zone_id: str,
        domain_name: str,
        rest_api: apigateway.RestApi,
        distribution: cloudfront.Distribution,
        configuration_set: ses.IConfigurationSet,
        support_email: str,
    ) -> None:
        super().__init__(scope, construct_id)
        zone = route53.PublicHostedZone.from_public_hosted_zone_attributes(
            self, "Zone", hosted_zone_id=zone_id, zone_name=zone_name
        )
        self.api_domain_name = f"api.{domain_name}"
        api_certificate = acm.Certificate(
            self,
            "ApiCertificate",
            domain_name=self.api_domain_name,
            validation=acm.CertificateValidation.from_dns(zone),
        )
        api_domain = rest_api.add_domain_name(
            "CustomDomain",
            domain_name=self.api_domain_name,
            certificate=api_certificate,
            endpoint_type=apigateway.EndpointType.REGIONAL,
            security_policy=apigateway.SecurityPolicy.TLS_1_2,
        )
        route53.ARecord(
            self,
            "ApiAlias",
            zone=zone,
            record_name=self.api_domain_name,
            target=route53.RecordTarget.from_alias(targets.ApiGatewayDomain(api_domain)),
        )

        # acm.Certificate cannot be created in another region than its stack's; this one can (a custom resource).
        console_certificate = acm.DnsValidatedCertificate(
            self,
            "ConsoleCertificate",
            domain_name=domain_name,
            hosted_zone=zone,
            region=CLOUDFRONT_CERTIFICATE_REGION,
        )
        # The distribution is built by the console construct; its aliases and certificate are added here.
        cfn_distribution = distribution.node.default_child
        assert isinstance(cfn_distribution, cloudfront.CfnDistribution)
        cfn_distribution.add_property_override("DistributionConfig.Aliases", [domain_name])
        cfn_distribution.add_property_override(
            "DistributionConfig.ViewerCertificate",
            {
                "AcmCertificateArn": console_certificate.certificate_arn,
                "SslSupportMethod": "sni-only",
                "MinimumProtocolVersion": "TLSv1.2_2021",
            },
        )
        route53.ARecord(
            self,
            "ConsoleAlias",
            zone=zone,
            record_name=domain_name,
            target=route53.RecordTarget.from_alias(targets.CloudFrontTarget(distribution)),
        )
        self._acknowledge_certificate_requestor(console_certificate)

        ses.EmailIdentity(
            self,
            "MailDomain",
            identity=ses.Identity.public_hosted_zone(zone),
            configuration_set=configuration_set,
        )
        support_domain = support_email.rpartition("@")[2]
        if support_domain == zone_name or support_domain.endswith(f".{zone_name}"):
            route53.MxRecord(
                self,
                "SupportMx",
                zone=zone,
                record_name=support_domain,
                values=[
                    route53.MxRecordValue(
                        host_name=f"inbound-smtp.{Stack.of(self).region}.amazonaws.com", priority=MX_PRIORITY
                    )
                ],
            )

    def _acknowledge_certificate_requestor(self, certificate: acm.DnsValidatedCertificate) -> None:
        requestor = certificate.node.try_find_child("CertificateRequestorFunction")
        assert requestor is not None
        for rule, reason in [
            (
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
                "CDK's certificate requestor function writes only its own CloudWatch logs with this managed policy.",
            ),
            (
                "AwsSolutions-IAM5[Resource::*]",
                "CDK's certificate requestor: ACM RequestCertificate and Route 53 GetChange take no resource-level "
                "permission; it runs only while the stack deploys.",
            ),
            (
                "AwsSolutions-L1",
                "CDK's certificate requestor; its runtime is pinned by aws-cdk-lib and moves with its upgrades.",
            ),
        ]:
            acknowledge(requestor, rule, reason)
