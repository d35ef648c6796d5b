"""The emulator's DynamoDB (faka_local/emulator.py): moto's answers, at a cost that does not grow with the table.

Each query here is answered twice, by the emulator and by moto's own full-table query, and must agree;
the cost is checked by what is read and copied, never by time.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.models.table import Table

from faka_local import emulator

TABLE = "emulated"
INDEX = "by-pool"


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": name, "AttributeType": kind}
                for name, kind in (("pk", "S"), ("sk", "S"), ("pool", "S"), ("rank", "N"))
            ],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": INDEX,
                    "KeySchema": [
                        {"AttributeName": "pool", "KeyType": "HASH"},
                        {"AttributeName": "rank", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        for n in range(60):
            item = {"pk": {"S": f"p{n % 3}"}, "sk": {"S": f"s{n:03d}"}}
            if n % 4:  # a sparse index: one item in four is in no pool, one in five has no rank in it
                item |= {"pool": {"S": f"pool{n % 2}"}}
                if n % 5:
                    item |= {"rank": {"N": str((n * 37) % 50)}}
            client.put_item(TableName=TABLE, Item=item)
        yield client


QUERIES: list[dict[str, Any]] = [
    {"KeyConditionExpression": "pk = :h", "ExpressionAttributeValues": {":h": {"S": "p1"}}},
    {
        "KeyConditionExpression": "pk = :h AND sk >= :s",
        "ExpressionAttributeValues": {":h": {"S": "p2"}, ":s": {"S": "s030"}},
        "Limit": 4,
    },
    {
        "KeyConditionExpression": "pk = :h AND begins_with(sk, :s)",
        "ExpressionAttributeValues": {":h": {"S": "p0"}, ":s": {"S": "s01"}},
        "ScanIndexForward": False,
    },
    {"IndexName": INDEX, "KeyConditionExpression": "pool = :p", "ExpressionAttributeValues": {":p": {"S": "pool1"}}},
    {
        "IndexName": INDEX,
        "KeyConditionExpression": "pool = :p",
        "ExpressionAttributeValues": {":p": {"S": "pool0"}},
        "Limit": 4,
    },
    {
        "IndexName": INDEX,
        "KeyConditionExpression": "pool = :p AND rank >= :r",
        "ExpressionAttributeValues": {":p": {"S": "pool0"}, ":r": {"N": "20"}},
        "Limit": 5,
    },
    {
        "IndexName": INDEX,
        "KeyConditionExpression": "pool = :p AND rank BETWEEN :low AND :high",
        "ExpressionAttributeValues": {":p": {"S": "pool1"}, ":low": {"N": "5"}, ":high": {"N": "40"}},
        "Limit": 3,
        "ScanIndexForward": False,
    },
    {
        "IndexName": INDEX,
        "KeyConditionExpression": "pool = :p",
        "FilterExpression": "sk > :s",
        "ExpressionAttributeValues": {":p": {"S": "pool0"}, ":s": {"S": "s020"}},
        "Limit": 6,
    },
]


def _all_pages(client: Any, query: dict[str, Any]) -> list[list[dict[str, Any]]]:
    pages, start = [], None
    while True:
        answer = client.query(TableName=TABLE, **query, **({"ExclusiveStartKey": start} if start else {}))
        # moto's own query can end on an empty page (as DynamoDB may); the emulator's reads past no item.
        if answer["Items"]:
            pages.append(answer["Items"])
        start = answer.get("LastEvaluatedKey")
        if not start:
            return pages


@pytest.mark.parametrize("query", QUERIES, ids=range(len(QUERIES)))
def test_a_query_answers_as_moto_does_page_by_page(dynamodb: Any, query: dict[str, Any]) -> None:
    emulated = _all_pages(dynamodb, query)
    with pytest.MonkeyPatch.context() as unpatched:
        unpatched.setattr(Table, "query", emulator._original_query)
        expected = _all_pages(dynamodb, query)

    assert emulated == expected
    assert sum(len(page) for page in emulated) > 0


def test_a_query_on_the_table_reads_only_its_partition(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[Table] = []
    all_items = Table.all_items

    def noting_all_items(table: Table) -> Any:
        reads.append(table)
        return all_items(table)

    monkeypatch.setattr(Table, "all_items", noting_all_items)

    dynamodb.query(TableName=TABLE, **QUERIES[0])

    assert reads == [], "the whole table was read (and sorted) to answer a query on one partition"


def test_a_transaction_copies_only_the_items_it_names(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    copied: list[str] = []
    deepcopy = copy.deepcopy

    def noting_deepcopy(value: Any, memo: Any = None) -> Any:
        copied.append(type(value).__name__)
        return deepcopy(value, memo)

    monkeypatch.setattr(copy, "deepcopy", noting_deepcopy)
    dynamodb.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": TABLE,
                    "Key": {"pk": {"S": "p0"}, "sk": {"S": "s000"}},
                    "UpdateExpression": "SET note = :n",
                    "ExpressionAttributeValues": {":n": {"S": "seen"}},
                }
            }
        ]
    )

    assert "Table" not in copied, "a transaction copied a whole table to be able to roll back"


def test_a_cancelled_transaction_leaves_its_items_and_stream_as_they_were(dynamodb: Any) -> None:
    key = {"pk": {"S": "p0"}, "sk": {"S": "s000"}}
    before = dynamodb.get_item(TableName=TABLE, Key=key)["Item"]
    stream_arn = dynamodb.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    # botocore names the account in DynamoDB Streams' host, which moto's in-process mock does not route.
    streams = boto3.client(
        "dynamodbstreams", region_name="us-east-1", config=Config(account_id_endpoint_mode="disabled")
    )

    def stream_records() -> int:
        shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
        return len(streams.get_records(ShardIterator=iterator["ShardIterator"], Limit=1000)["Records"])

    recorded = stream_records()
    with pytest.raises(ClientError, match="TransactionCanceled"):
        dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": TABLE,
                        "Key": key,
                        "UpdateExpression": "SET note = :n",
                        "ExpressionAttributeValues": {":n": {"S": "half-way"}},
                    }
                },
                {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "new"}, "sk": {"S": "new"}}}},
                {
                    "ConditionCheck": {
                        "TableName": TABLE,
                        "Key": {"pk": {"S": "p1"}, "sk": {"S": "s001"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )

    assert dynamodb.get_item(TableName=TABLE, Key=key)["Item"] == before
    assert "Item" not in dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "new"}, "sk": {"S": "new"}})
    assert stream_records() == recorded
