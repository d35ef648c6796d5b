"""DynamoDB tables, the card-key KMS key, the application secrets and the order-export bucket."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aws_cdk import CfnElement, Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct
from pynamodb.models import Model

from faka import resources
from faka.adapters.tables.outreach import OutreachItem
from faka.adapters.tables.schema import TABLE_MODELS
from faka.adapters.tables.webhooks import WebhookTableItem
from faka.config import Env
from infra.constructs.naming import logical_id
from infra.nag import acknowledge

_ATTRIBUTE_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}
_PROJECTIONS = {
    "ALL": dynamodb.ProjectionType.ALL,
    "KEYS_ONLY": dynamodb.ProjectionType.KEYS_ONLY,
    "INCLUDE": dynamodb.ProjectionType.INCLUDE,
}

# Tables whose items DynamoDB deletes when the named epoch-seconds attribute has passed.
_TTL_ATTRIBUTES = {
    OutreachItem.Meta.table_name: OutreachItem.expires_at.attr_name,
    WebhookTableItem.Meta.table_name: WebhookTableItem.expires_at.attr_name,
}

# Tables whose changes a function reads from their stream (resources.STREAMS).
_STREAMED_TABLES = {stream.table for stream in resources.STREAMS}

# Values the application creates itself; Secrets Manager generates them at deploy time so no human
# ever sees them.
GENERATED_SECRETS = (
    resources.HASH_PEPPER_SECRET,
    resources.ADMIN_TOKEN_SECRET,
    resources.SIGNING_SECRET,
    resources.LINK_SIGNING_SECRET,
    resources.ORIGIN_VERIFY_SECRET,
)
# Values that come from Stripe's dashboard; created with a random placeholder the operator overwrites.
OPERATOR_SECRETS = (resources.STRIPE_WEBHOOK_SECRET, resources.STRIPE_API_KEY_SECRET)
# Losing these cannot be undone by a redeploy: every stored key hash is keyed with the pepper (so the
# retained keys table would become unmatchable), and the Stripe values were typed in by a human.
_RETAINED_SECRETS = {resources.HASH_PEPPER_SECRET, *OPERATOR_SECRETS}


def _key_attributes(
    key_schema: Sequence[Mapping[str, Any]], types: Mapping[str, str]
) -> tuple[dynamodb.Attribute, dynamodb.Attribute | None]:
    """Partition and sort key from a DynamoDB KeySchema, whose element order is not guaranteed."""
    by_role = {element["KeyType"]: element["AttributeName"] for element in key_schema}
    partition = dynamodb.Attribute(name=by_role["HASH"], type=_ATTRIBUTE_TYPES[types[by_role["HASH"]]])
    sort = None
    if "RANGE" in by_role:
        sort = dynamodb.Attribute(name=by_role["RANGE"], type=_ATTRIBUTE_TYPES[types[by_role["RANGE"]]])
    return partition, sort


def _global_indexes(schema: Mapping[str, Any], types: Mapping[str, str]) -> list[dynamodb.GlobalSecondaryIndexPropsV2]:
    indexes = []
    for index in schema["global_secondary_indexes"]:
        partition, sort = _key_attributes(index["key_schema"], types)
        projection = index["projection"]
        indexes.append(
            dynamodb.GlobalSecondaryIndexPropsV2(
                index_name=index["index_name"],
                partition_key=partition,
                sort_key=sort,
                projection_type=_PROJECTIONS[projection["ProjectionType"]],
                non_key_attributes=projection.get("NonKeyAttributes"),
            )
        )
    return indexes


class Storage(Construct):
    """Everything that holds state: tables, the key that seals card codes, and secrets."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)

        # What is sealed lives in retained tables and is unreadable without its key, so the keys are retained too.
        self.kms_keys = {
            alias: kms.Key(
                self,
                construct_id,
                alias=alias,
                description=description,
                enable_key_rotation=True,
                pending_window=Duration.days(30),
                removal_policy=RemovalPolicy.RETAIN,
            )
            for construct_id, alias, description in (
                ("CardKeyKey", resources.KMS_KEY_ALIAS, "Envelope encryption of faka card codes"),
                (
                    "WebhookSecretsKey",
                    resources.WEBHOOK_SECRETS_KEY_ALIAS,
                    "Envelope encryption of storefronts' webhook signing secrets, apart from card codes",
                ),
            )
        }

        # Tables with global secondary indexes, whose grants necessarily include `<table arn>/index/*`.
        self.indexed_tables: dict[str, dynamodb.TableV2] = {}
        self.tables: dict[str, dynamodb.TableV2] = {
            model.Meta.table_name: self._domain_table(model) for model in TABLE_MODELS
        }

        self.idempotency_table = dynamodb.TableV2(
            self,
            "IdempotencyTable",
            table_name=resources.IDEMPOTENCY_TABLE,
            # The key and TTL attribute names are fixed by Powertools' DynamoDBPersistenceLayer defaults.
            partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
            time_to_live_attribute="expiration",
            billing=dynamodb.Billing.on_demand(),
            encryption=dynamodb.TableEncryptionV2.aws_managed_key(),
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            # Records expire within hours and are rebuilt by the next request, so the table may go
            # with the stack.
            removal_policy=RemovalPolicy.DESTROY,
        )

        self.secrets: dict[str, secretsmanager.Secret] = {}
        for name in GENERATED_SECRETS:
            self.secrets[name] = secretsmanager.Secret(
                self,
                logical_id(name),
                secret_name=name,
                description="Generated by Secrets Manager at deploy time; read by faka functions at cold start",
                generate_secret_string=secretsmanager.SecretStringGenerator(
                    password_length=64, exclude_punctuation=True
                ),
                removal_policy=RemovalPolicy.RETAIN if name in _RETAINED_SECRETS else RemovalPolicy.DESTROY,
            )
        for name in OPERATOR_SECRETS:
            self.secrets[name] = secretsmanager.Secret(
                self,
                logical_id(name),
                secret_name=name,
                description=(
                    "Placeholder: set the real value from the Stripe dashboard with "
                    "`aws secretsmanager put-secret-value`"
                ),
                removal_policy=RemovalPolicy.RETAIN,
            )

        acknowledge(
            self,
            "AwsSolutions-SMG4",
            "No automatic rotation by design: rotating the hash pepper would orphan every stored key hash, the "
            "admin token and signing secret are rotated by an operator together with their users, and the Stripe "
            "values are rolled in Stripe's dashboard, which no rotation Lambda can reach.",
        )

        self.exports_bucket = self._bucket(resources.EXPORTS_BUCKET)

    def _bucket(self, spec: resources.BucketSpec) -> s3.Bucket:
        """A private bucket from its definition (created alike by faka local), its objects gone after the lifecycle."""
        stack = Stack.of(self)
        bucket = s3.Bucket(
            self,
            logical_id(spec.physical_name) + "Bucket",
            bucket_name=f"{spec.physical_name}-{stack.account}-{stack.region}",
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(spec.expiration_days))],
            removal_policy=RemovalPolicy.DESTROY,
        )
        acknowledge(
            bucket,
            "AwsSolutions-S1",
            "Short-lived exports, each written by the api function on an operator's authenticated request (logged "
            "there) and expired by the lifecycle rule; server access logs would outlive what they describe.",
        )
        return bucket

    def grant_exports(self, function: lambda_.Function) -> None:
        """The api function writes exports and presigns their download: PutObject and GetObject, nothing else."""
        objects = self.exports_bucket.arn_for_objects("*")
        function.add_to_role_policy(iam.PolicyStatement(actions=["s3:PutObject", "s3:GetObject"], resources=[objects]))
        function.add_environment(Env.EXPORT_BUCKET, self.exports_bucket.bucket_name)
        cfn_bucket = self.exports_bucket.node.default_child
        assert isinstance(cfn_bucket, CfnElement)
        assert function.role is not None
        acknowledge(
            function.role,
            f"AwsSolutions-IAM5[Resource::<{Stack.of(self).resolve(cfn_bucket.logical_id)}.Arn>/*]",
            "Each export is an object named at run time; the wildcard covers only the export bucket's objects.",
        )

    def table(self, name: str) -> dynamodb.TableV2:
        return self.idempotency_table if name == resources.IDEMPOTENCY_TABLE else self.tables[name]

    def _domain_table(self, model: type[Model]) -> dynamodb.TableV2:
        schema = model._get_schema()
        types = {attr["AttributeName"]: attr["AttributeType"] for attr in schema["attribute_definitions"]}
        partition, sort = _key_attributes(schema["key_schema"], types)
        if schema["local_secondary_indexes"]:
            # No model has one today; fail loudly rather than deploy a table missing an index the code queries.
            raise NotImplementedError(f"{model.__name__}: local secondary indexes are not built by the CDK app")
        table_name: str = model.Meta.table_name
        indexes = _global_indexes(schema, types)
        table = dynamodb.TableV2(
            self,
            logical_id(table_name) + "Table",
            table_name=table_name,
            partition_key=partition,
            sort_key=sort,
            global_secondary_indexes=indexes,
            time_to_live_attribute=_TTL_ATTRIBUTES.get(table_name),
            dynamo_stream=dynamodb.StreamViewType.NEW_IMAGE if table_name in _STREAMED_TABLES else None,
            billing=dynamodb.Billing.on_demand(),
            # The AWS-managed key rather than the card-key key: every Decrypt on the card-key key then
            # means one code was unsealed, which keeps its CloudTrail history meaningful.
            encryption=dynamodb.TableEncryptionV2.aws_managed_key(),
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        if indexes:
            self.indexed_tables[table_name] = table
        return table
