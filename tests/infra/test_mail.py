"""SupportMail: SES receiving into a private bucket that notifies the inbound-email queue."""

from __future__ import annotations

import json

import pytest

from faka import resources
from faka.config import Env
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.xdist_group(name="infra-synth")


def _mail_bucket(synthesized: Synthesized) -> tuple[str, dict]:
    [(logical_id, bucket)] = [
        (i, b)
        for i, b in synthesized.resources("AWS::S3::Bucket").items()
        if json.dumps(b["Properties"].get("BucketName", "")).find(resources.MAIL_BUCKET) >= 0
    ]
    return logical_id, bucket["Properties"]


def test_the_mail_bucket_is_private_encrypted_and_expires_mail(synthesized: Synthesized) -> None:
    _, bucket = _mail_bucket(synthesized)
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"
    }
    assert any(rule.get("ExpirationInDays") == 180 for rule in bucket["LifecycleConfiguration"]["Rules"])


def test_new_mail_notifies_the_inbound_queue_only_under_its_prefix(synthesized: Synthesized) -> None:
    [notifications] = synthesized.resources("Custom::S3BucketNotifications").values()
    [configuration] = notifications["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    assert configuration["Events"] == ["s3:ObjectCreated:*"]
    assert configuration["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": resources.INBOUND_MAIL_PREFIX}]
    queue_id = configuration["QueueArn"]["Fn::GetAtt"][0]
    assert (
        synthesized.template["Resources"][queue_id]["Properties"]["QueueName"]
        == resources.INBOUND_EMAIL_QUEUE.physical_name
    )


def test_ses_receives_the_support_address_into_the_bucket(synthesized: Synthesized) -> None:
    [rule] = synthesized.resources("AWS::SES::ReceiptRule").values()
    props = rule["Properties"]["Rule"]
    assert props["Recipients"] == ["support@example.com"]
    assert props["TlsPolicy"] == "Require"
    assert props["ScanEnabled"] is True
    [action] = props["Actions"]
    assert action["S3Action"]["ObjectKeyPrefix"] == resources.INBOUND_MAIL_PREFIX


def test_the_inbound_function_knows_the_bucket_and_may_only_read_mail_and_write_attachments(
    synthesized: Synthesized,
) -> None:
    _, function = synthesized.one("AWS::Lambda::Function", FunctionName=resources.INBOUND_EMAIL_FUNCTION.physical_name)
    variables = function["Properties"]["Environment"]["Variables"]
    assert Env.MAIL_BUCKET in variables
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    s3_statements = [
        statement
        for policy in synthesized.resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if any(
            str(action).startswith("s3:")
            for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
        )
    ]
    assert sorted(s["Action"] for s in s3_statements) == ["s3:GetObject", "s3:PutObject"]
