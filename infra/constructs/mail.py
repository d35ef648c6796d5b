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
from constructs import Construct

from faka import resources
from faka.config import Env
from infra.constructs.messaging import Messaging
from infra.nag import acknowledge


class SupportMail(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        support_email: str,
        messaging: Messaging,
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
