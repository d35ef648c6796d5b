"""Creates faka's AWS resources in an emulator, from the same definitions CDK deploys.

Used by the local runtime and by the integration tests, so both run against the real resource
names, key schemas, queues, rules and dead-letter queues.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from faka import resources
from faka.adapters.tables.schema import TABLE_MODELS
from faka.config import Env

REPO_ROOT = Path(__file__).resolve().parents[1]
# The emulator does not check IAM; CDK gives the real state machine a least-privilege role.
STATE_MACHINE_ROLE_ARN = "arn:aws:iam::123456789012:role/faka-stepfunctions"
SCHEDULER_ROLE_ARN = "arn:aws:iam::123456789012:role/faka-activation-due"
# moto's Lambda does check that a function's role exists, though not what it allows.
FUNCTION_ROLE_NAME = "faka-functions"


@dataclass(frozen=True)
class Provisioned:
    queue_urls: dict[str, str]
    dlq_urls: dict[str, str]
    operator_topic_arn: str
    kms_key_id: str
    state_machine_arns: dict[str, str]
    function_arns: dict[str, str]
    # Each stream's dead-letter queue (Lambda's on-failure destination), by StreamSpec name.
    stream_dlq_urls: dict[str, str]
    # The environment naming the one-time schedules' target, role and dead-letter queue (Env.ACTIVATION_DUE_*).
    activation_due_environment: dict[str, str]


def provision(*, sender_email: str, session: boto3.Session | None = None) -> Provisioned:
    aws = session or boto3.Session()
    _create_tables(aws)
    kms_key_id = _create_kms_key(aws, resources.KMS_KEY_ALIAS, "faka card keys")
    _create_kms_key(aws, resources.WEBHOOK_SECRETS_KEY_ALIAS, "faka webhook signing secrets")
    _create_secrets(aws)
    topic_arn = aws.client("sns").create_topic(Name=resources.OPERATOR_TOPIC)["TopicArn"]
    queue_urls, dlq_urls = _create_queues(aws)
    _create_bus_and_rules(aws)
    _create_mail_bucket(aws, queue_urls[resources.INBOUND_EMAIL_QUEUE.name])
    _create_bucket(aws, resources.EXPORTS_BUCKET)
    aws.client("ses").verify_email_identity(EmailAddress=sender_email)
    _create_mail_events(aws, queue_urls[resources.MAIL_EVENTS_QUEUE.name])
    function_arns = _create_functions(aws)
    substitutions = {
        resources.ACTIVATION_ESCALATION.name: resources.activation_escalation_substitutions(
            notifier_queue_url=queue_urls[resources.NOTIFIER_QUEUE.name], operator_topic_arn=topic_arn
        ),
        resources.REFUND_REVIEW.name: resources.refund_review_substitutions(
            refunds_function_arn=function_arns[resources.REFUNDS_FUNCTION.name]
        ),
    }
    state_machine_arns = _create_state_machines(aws, substitutions)
    stream_dlq_urls = {
        spec.name: aws.client("sqs").create_queue(QueueName=spec.dlq_physical_name)["QueueUrl"]
        for spec in resources.STREAMS
    }
    activation_due = _create_activation_due(
        aws, queue_urls[resources.ESCALATION_QUEUE.name], queue_urls[resources.NOTIFIER_QUEUE.name]
    )
    return Provisioned(
        queue_urls, dlq_urls, topic_arn, kms_key_id, state_machine_arns, function_arns, stream_dlq_urls, activation_due
    )


def _create_tables(aws: boto3.Session) -> None:
    dynamodb = aws.client("dynamodb")
    existing = set(dynamodb.list_tables()["TableNames"])
    for model in TABLE_MODELS:
        if model.Meta.table_name in existing:
            continue
        schema = model._get_schema()
        request: dict[str, Any] = {
            "TableName": model.Meta.table_name,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": schema["attribute_definitions"],
            "KeySchema": schema["key_schema"],
        }
        if schema["global_secondary_indexes"]:
            request["GlobalSecondaryIndexes"] = [
                {"IndexName": i["index_name"], "KeySchema": i["key_schema"], "Projection": _projection(i["projection"])}
                for i in schema["global_secondary_indexes"]
            ]
        if model.Meta.table_name in {stream.table for stream in resources.STREAMS}:
            request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
        dynamodb.create_table(**request)
    if resources.IDEMPOTENCY_TABLE not in existing:
        dynamodb.create_table(
            TableName=resources.IDEMPOTENCY_TABLE,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        )


def _projection(projection: dict[str, Any]) -> dict[str, Any]:
    result = {"ProjectionType": projection["ProjectionType"]}
    if projection.get("NonKeyAttributes"):
        result["NonKeyAttributes"] = projection["NonKeyAttributes"]
    return result


def _create_kms_key(aws: boto3.Session, alias: str, description: str) -> str:
    kms = aws.client("kms")
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
    if alias in aliases:
        return str(aliases[alias])
    key_id = kms.create_key(Description=description)["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    return str(key_id)


def _create_secrets(aws: boto3.Session) -> None:
    secretsmanager = aws.client("secretsmanager")
    existing = {s["Name"] for s in secretsmanager.list_secrets()["SecretList"]}
    for generated in (resources.HASH_PEPPER_SECRET, resources.LINK_SIGNING_SECRET):
        if generated not in existing:
            secretsmanager.create_secret(Name=generated, SecretString=secrets.token_hex(32))


def _create_queues(aws: boto3.Session) -> tuple[dict[str, str], dict[str, str]]:
    sqs = aws.client("sqs")
    queue_urls: dict[str, str] = {}
    dlq_urls: dict[str, str] = {}
    for spec in resources.QUEUES:
        dlq_url = sqs.create_queue(QueueName=spec.dlq_physical_name)["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        queue_urls[spec.name] = sqs.create_queue(
            QueueName=spec.physical_name,
            Attributes={
                "VisibilityTimeout": str(spec.visibility_timeout_seconds),
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": spec.max_receive_count}
                ),
            },
        )["QueueUrl"]
        dlq_urls[spec.name] = dlq_url
    return queue_urls, dlq_urls


def _create_bus_and_rules(aws: boto3.Session) -> None:
    events = aws.client("events")
    sqs = aws.client("sqs")
    if resources.EVENT_BUS not in {b["Name"] for b in events.list_event_buses()["EventBuses"]}:
        events.create_event_bus(Name=resources.EVENT_BUS)
    for rule in resources.RULES:
        events.put_rule(
            Name=rule.physical_name, EventBusName=resources.EVENT_BUS, EventPattern=json.dumps(rule.event_pattern)
        )
        queue_url = sqs.get_queue_url(QueueName=rule.target.physical_name)["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_targets(
            Rule=rule.physical_name,
            EventBusName=resources.EVENT_BUS,
            Targets=[{"Id": rule.target.name, "Arn": queue_arn}],
        )


def _create_activation_due(aws: boto3.Session, escalation_queue_url: str, notifier_queue_url: str) -> dict[str, str]:
    """The schedule group of the escalation's one-time schedules and their dead-letter queue, as CDK makes them."""
    scheduler = aws.client("scheduler")
    if resources.ACTIVATION_DUE_SCHEDULE_GROUP not in {
        g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]
    }:
        scheduler.create_schedule_group(Name=resources.ACTIVATION_DUE_SCHEDULE_GROUP)
    sqs = aws.client("sqs")
    dlq_url = sqs.create_queue(QueueName=resources.ACTIVATION_DUE_DLQ)["QueueUrl"]

    def arn(url: str) -> str:
        return str(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])

    return {
        Env.ACTIVATION_DUE_QUEUE_ARN: arn(escalation_queue_url),
        Env.ACTIVATION_DUE_ROLE_ARN: SCHEDULER_ROLE_ARN,
        Env.ACTIVATION_DUE_DLQ_ARN: arn(dlq_url),
        Env.REMINDER_DUE_QUEUE_ARN: arn(notifier_queue_url),
    }


def _create_functions(aws: boto3.Session) -> dict[str, str]:
    """Every FunctionSpec as an emulator function, so Step Functions tasks can invoke it by ARN.

    The code is a placeholder: faka_local.lambda_dispatch runs the real handler in-process instead.
    """
    iam = aws.client("iam")
    try:
        role_arn = iam.get_role(RoleName=FUNCTION_ROLE_NAME)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        trust = {
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ]
        }
        role_arn = iam.create_role(RoleName=FUNCTION_ROLE_NAME, AssumeRolePolicyDocument=json.dumps(trust))["Role"][
            "Arn"
        ]
    placeholder = io.BytesIO()
    with zipfile.ZipFile(placeholder, "w") as archive:
        archive.writestr("placeholder.py", "")
    awslambda = aws.client("lambda")
    existing = {f["FunctionName"]: f["FunctionArn"] for f in awslambda.list_functions()["Functions"]}
    arns: dict[str, str] = {}
    for spec in resources.FUNCTIONS:
        arns[spec.name] = (
            existing.get(spec.physical_name)
            or awslambda.create_function(
                FunctionName=spec.physical_name,
                Runtime="python3.13",
                Role=role_arn,
                Handler=spec.handler,
                Code={"ZipFile": placeholder.getvalue()},
                Timeout=spec.timeout_seconds,
                MemorySize=spec.memory_mb,
            )["FunctionArn"]
        )
    return arns


def _create_state_machines(aws: boto3.Session, substitutions: dict[str, dict[str, str]]) -> dict[str, str]:
    """Each StateMachineSpec from its ASL file, with the placeholders CDK fills filled the same way."""
    stepfunctions = aws.client("stepfunctions")
    existing = {m["name"]: m["stateMachineArn"] for m in stepfunctions.list_state_machines()["stateMachines"]}
    arns: dict[str, str] = {}
    for spec in resources.STATE_MACHINES:
        if spec.physical_name in existing:
            arns[spec.name] = existing[spec.physical_name]
            continue
        definition = (REPO_ROOT / spec.definition_file).read_text(encoding="utf-8")
        for placeholder, value in substitutions[spec.name].items():
            definition = definition.replace(f"${{{placeholder}}}", value)
        # An unfilled placeholder would only fail when a task reached it, seconds or days in; fail here instead.
        if unfilled := re.findall(r"\$\{(\w+)\}", definition):
            raise ValueError(f"{spec.definition_file}: no substitution for {sorted(set(unfilled))}")
        arns[spec.name] = stepfunctions.create_state_machine(
            name=spec.physical_name, definition=definition, roleArn=STATE_MACHINE_ROLE_ARN, type="STANDARD"
        )["stateMachineArn"]
    return arns


def _create_mail_events(aws: boto3.Session, queue_url: str) -> None:
    """The configuration set every email is sent through, publishing its events to a topic the queue reads."""
    ses = aws.client("ses")
    if resources.MAIL_CONFIGURATION_SET in {s["Name"] for s in ses.list_configuration_sets()["ConfigurationSets"]}:
        return
    topic_arn = aws.client("sns").create_topic(Name=resources.MAIL_EVENTS_TOPIC)["TopicArn"]
    queue_arn = aws.client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    # Raw delivery: each message body is the SES event itself, as CDK subscribes the queue.
    aws.client("sns").subscribe(
        TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
    )
    ses.create_configuration_set(ConfigurationSet={"Name": resources.MAIL_CONFIGURATION_SET})
    ses.create_configuration_set_event_destination(
        ConfigurationSetName=resources.MAIL_CONFIGURATION_SET,
        EventDestination={
            "Name": resources.MAIL_EVENTS_TOPIC,
            "Enabled": True,
            # SES v1 spells the types in lower case ("send"); events carry them capitalised ("Send").
            "MatchingEventTypes": [kind.lower() for kind in resources.MAIL_EVENT_TYPES],
            "SNSDestination": {"TopicARN": topic_arn},
        },
    )


def _create_bucket(aws: boto3.Session, spec: resources.BucketSpec) -> None:
    """A bucket as the stack makes it (infra/constructs/storage.py), with the same lifecycle rule."""
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=spec.physical_name)
    s3.put_bucket_lifecycle_configuration(
        Bucket=spec.physical_name,
        LifecycleConfiguration={
            "Rules": [{"ID": "expire", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": spec.expiration_days}}]
        },
    )


def _create_mail_bucket(aws: boto3.Session, inbound_queue_url: str) -> None:
    """The bucket SES receiving writes raw mail to; new mail notifies the inbound-email queue, as on AWS."""
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=resources.MAIL_BUCKET)
    queue_arn = aws.client("sqs").get_queue_attributes(QueueUrl=inbound_queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    s3.put_bucket_notification_configuration(
        Bucket=resources.MAIL_BUCKET,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "QueueArn": queue_arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": resources.INBOUND_MAIL_PREFIX}]}},
                }
            ]
        },
    )
