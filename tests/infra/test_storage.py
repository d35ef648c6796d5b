"""Tables, the card-key key and secrets, checked against the pynamodb models they are built from."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Match
from pynamodb.models import Model

from faka import resources
from faka.adapters.tables.schema import TABLE_MODELS
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.xdist_group(name="infra-synth")


def _keys(key_schema: list[dict[str, str]]) -> dict[str, str]:
    return {element["KeyType"]: element["AttributeName"] for element in key_schema}


@pytest.mark.parametrize("model", TABLE_MODELS, ids=lambda model: model.Meta.table_name)
def test_domain_table_matches_its_model(synthesized: Synthesized, model: type[Model]) -> None:
    schema: dict[str, Any] = dict(model._get_schema())
    logical_id, table = synthesized.one("AWS::DynamoDB::GlobalTable", TableName=model.Meta.table_name)
    props = table["Properties"]

    assert _keys(props["KeySchema"]) == _keys(schema["key_schema"])
    assert {(a["AttributeName"], a["AttributeType"]) for a in props["AttributeDefinitions"]} == {
        (a["AttributeName"], a["AttributeType"]) for a in schema["attribute_definitions"]
    }
    expected_indexes = {
        index["index_name"]: (_keys(index["key_schema"]), index["projection"])
        for index in schema["global_secondary_indexes"]
    }
    actual_indexes = {
        index["IndexName"]: (_keys(index["KeySchema"]), index["Projection"])
        for index in props.get("GlobalSecondaryIndexes", [])
    }
    assert actual_indexes == expected_indexes
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS"}
    (replica,) = props["Replicas"]
    assert replica["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert replica["DeletionProtectionEnabled"] is True
    assert table["DeletionPolicy"] == "Retain", logical_id


def test_keys_table_available_index_projects_batch_id(synthesized: Synthesized) -> None:
    # Spelled out once by hand: the claim reads batch_id from the index, so losing it breaks issuance.
    synthesized.assertions.has_resource_properties(
        "AWS::DynamoDB::GlobalTable",
        {
            "TableName": resources.KEYS_TABLE,
            "GlobalSecondaryIndexes": Match.array_with(
                [
                    Match.object_like(
                        {
                            "IndexName": "available",
                            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["batch_id"]},
                        }
                    )
                ]
            ),
        },
    )


def test_idempotency_table_has_powertools_layout(synthesized: Synthesized) -> None:
    _, table = synthesized.one("AWS::DynamoDB::GlobalTable", TableName=resources.IDEMPOTENCY_TABLE)
    props = table["Properties"]
    assert props["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert props["AttributeDefinitions"] == [{"AttributeName": "id", "AttributeType": "S"}]
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}
    assert props["BillingMode"] == "PAY_PER_REQUEST"


def test_exactly_the_expected_tables(synthesized: Synthesized) -> None:
    names = {t["Properties"]["TableName"] for t in synthesized.resources("AWS::DynamoDB::GlobalTable").values()}
    assert names == {model.Meta.table_name for model in TABLE_MODELS} | {resources.IDEMPOTENCY_TABLE}


def test_card_key_key_rotates_and_has_alias(synthesized: Synthesized) -> None:
    _, alias = synthesized.one("AWS::KMS::Alias", AliasName=resources.KMS_KEY_ALIAS)
    key_id = alias["Properties"]["TargetKeyId"]["Fn::GetAtt"][0]
    key = synthesized.template["Resources"][key_id]
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"


@pytest.mark.parametrize(
    ("name", "generated"),
    [
        (resources.HASH_PEPPER_SECRET, True),
        (resources.ADMIN_TOKEN_SECRET, True),
        (resources.SIGNING_SECRET, True),
        (resources.STRIPE_WEBHOOK_SECRET, False),
        (resources.STRIPE_API_KEY_SECRET, False),
    ],
)
def test_secrets(synthesized: Synthesized, name: str, generated: bool) -> None:
    _, secret = synthesized.one("AWS::SecretsManager::Secret", Name=name)
    generator = secret["Properties"]["GenerateSecretString"]
    if generated:
        assert generator["PasswordLength"] == 64
        assert generator["ExcludePunctuation"] is True
    else:
        assert "put-secret-value" in secret["Properties"]["Description"]
    assert "SecretString" not in secret["Properties"], "no secret value may be written into the template"


def test_hash_pepper_survives_stack_deletion(synthesized: Synthesized) -> None:
    _, secret = synthesized.one("AWS::SecretsManager::Secret", Name=resources.HASH_PEPPER_SECRET)
    assert secret["DeletionPolicy"] == "Retain"
