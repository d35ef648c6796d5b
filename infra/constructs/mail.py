"""SupportMail: buyers' emails to the support address land in a bucket and become ticket turns.

SES receiving writes each raw message under ``inbound/``; the bucket notifies the inbound-email
queue (with its dead-letter queue) whose consumer threads the mail onto tickets; attachments are kept
under ``attachments/``.
"""

from __future__ import annotations

from aws_cdk import CfnElement, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3_notifications
from aws_cdk import aws_ses as ses
from aws_cdk import aws_ses_actions as ses_actions
from aws_cdk import custom_resources as cr
from constructs import Construct

from faka import resources
from faka.config import Env
from infra.constructs.messaging import Messaging
from infra.nag import acknowledge

# The stack-wide singleton function behind every AwsCustomResource (CDK names it so).
ACTIVATION_PROVIDER_ID = "AWS679f53fac002430cb0da5b7982bd2287"


class SupportMail(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        support_email: str,
        messaging: Messaging,
        activate_rule_set: bool,
        consumer: lambda_.Function,
        readers: list[lambda_.Function],
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))],
        )
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            bucket_name=f"{resources.MAIL_BUCKET}-{stack.account}-{stack.region}",
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            versioned=True,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="mail/",
            # Buyers' mail is personal data: kept long enough for disputes (Stripe allows 120 days), then gone.
            lifecycle_rules=[
                s3.LifecycleRule(expiration=Duration.days(180), noncurrent_version_expiration=Duration.days(7))
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.bucket.add_event_notification(
            s3.EventType.OBJECT_CREATED,
            s3_notifications.SqsDestination(messaging.queues[resources.INBOUND_EMAIL_QUEUE.name].queue),
            s3.NotificationKeyFilter(prefix=resources.INBOUND_MAIL_PREFIX),
        )
        notifications_handler = stack.node.try_find_child("BucketNotificationsHandler050a0587b7544547bf325f094a3db834")
        if notifications_handler is not None:
            acknowledge(
                notifications_handler,
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
                "CDK's own custom resource that configures S3 bucket notifications at deploy time; its role only "
                "writes its logs and runs during deployments, never on buyer traffic.",
            )
        self.rule_set = ses.ReceiptRuleSet(
            self,
            "ReceiptRules",
            rules=[
                ses.ReceiptRuleOptions(
                    recipients=[support_email],
                    scan_enabled=True,
                    tls_policy=ses.TlsPolicy.REQUIRE,
                    actions=[ses_actions.S3(bucket=self.bucket, object_key_prefix=resources.INBOUND_MAIL_PREFIX)],
                )
            ],
        )
        if activate_rule_set:
            self._activate(self.rule_set)
        # Exactly the object actions the code uses (grant_read/grant_put add List*, GetBucket*, Abort*).
        inbound = self.bucket.arn_for_objects(f"{resources.INBOUND_MAIL_PREFIX}*")
        attachments = self.bucket.arn_for_objects(f"{resources.ATTACHMENTS_PREFIX}*")
        consumer.add_to_role_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=[inbound]))
        consumer.add_to_role_policy(iam.PolicyStatement(actions=["s3:PutObject"], resources=[attachments]))
        for function in readers:
            function.add_to_role_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=[attachments]))
        cfn_bucket = self.bucket.node.default_child
        assert isinstance(cfn_bucket, CfnElement)
        bucket_arn = f"<{stack.resolve(cfn_bucket.logical_id)}.Arn>"
        for function in [consumer, *readers]:
            for prefix in (resources.INBOUND_MAIL_PREFIX, resources.ATTACHMENTS_PREFIX):
                assert function.role is not None
                acknowledge(
                    function.role,
                    f"AwsSolutions-IAM5[Resource::{bucket_arn}/{prefix}*]",
                    "Mail and attachments are one object per message under a fixed prefix of the mail bucket; the "
                    "prefix wildcard is the narrowest resource that covers objects named at run time.",
                )
            function.add_environment(Env.MAIL_BUCKET, self.bucket.bucket_name)
            function.add_environment(Env.SUPPORT_EMAIL, support_email)

    def _activate(self, rule_set: ses.ReceiptRuleSet) -> None:
        """Make the rule set the region's active one (SES has one per account and region), and let it go on delete.

        CloudFormation has no property for it; without this step SES receives nothing. Deleting the stack
        deactivates it, since SES refuses to delete the active rule set.
        """
        set_active = "setActiveReceiptRuleSet"
        activation = cr.AwsCustomResource(
            self,
            "ActivateReceiptRules",
            on_update=cr.AwsSdkCall(
                service="SES",
                action=set_active,
                parameters={"RuleSetName": rule_set.receipt_rule_set_name},
                physical_resource_id=cr.PhysicalResourceId.of(rule_set.receipt_rule_set_name),
            ),
            on_delete=cr.AwsSdkCall(service="SES", action=set_active, parameters={}),
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [iam.PolicyStatement(actions=["ses:SetActiveReceiptRuleSet"], resources=["*"])]
            ),
            install_latest_aws_sdk=False,
        )
        activation.node.add_dependency(rule_set)
        acknowledge(
            activation,
            "AwsSolutions-IAM5[Resource::*]",
            "ses:SetActiveReceiptRuleSet takes no resource-level permission; it is the only action this role has.",
        )
        provider = Stack.of(self).node.try_find_child(ACTIVATION_PROVIDER_ID)
        assert provider is not None
        acknowledge(
            provider,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
            "CDK's AwsCustomResource function writes only its own CloudWatch logs with this managed policy.",
        )
        acknowledge(
            provider,
            "AwsSolutions-L1",
            "CDK's AwsCustomResource function; its runtime is pinned by aws-cdk-lib and moves with its upgrades.",
        )
