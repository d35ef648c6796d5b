"""Atomic counters in the outreach table: per-shop activation figures, advice, votes, daily caps.

Counter names are data (a template's name, a region), so they are written with plain DynamoDB
``ADD`` expressions rather than declared model attributes.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import boto3

from faka import resources


class Counters:
    def __init__(self, client: Any | None = None, table: str = resources.OUTREACH_TABLE) -> None:
        self._client = client or boto3.client("dynamodb")
        self._table = table

    def add(self, pk: str, sk: str, amounts: Mapping[str, float], *, expires_at: int | None = None) -> dict[str, float]:
        """Add to each named counter at once; returns every counter of the item after the change."""
        names = {f"#c{i}": name for i, name in enumerate(amounts)}
        values: dict[str, Any] = {f":v{i}": {"N": str(amount)} for i, amount in enumerate(amounts.values())}
        expression = "ADD " + ", ".join(f"#c{i} :v{i}" for i in range(len(amounts)))
        if expires_at is not None:
            names["#expires"] = "expires_at"
            values[":expires"] = {"N": str(expires_at)}
            expression += " SET #expires = :expires"
        response = self._client.update_item(
            TableName=self._table,
            Key={"pk": {"S": pk}, "sk": {"S": sk}},
            UpdateExpression=expression,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
        return _numbers(response["Attributes"])

    def get(self, pk: str, sk: str) -> dict[str, float]:
        item = self._client.get_item(TableName=self._table, Key={"pk": {"S": pk}, "sk": {"S": sk}}).get("Item")
        return _numbers(item or {})

    def all_under(self, pk: str) -> dict[str, dict[str, float]]:
        """Every item of a partition, by sort key (a partition holds a handful: regions, templates)."""
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": pk}},
        )
        return {item["sk"]["S"]: _numbers(item) for item in response["Items"]}

    def note_visit(self, pk: str, sk: str, at: int) -> None:
        """Count a visit and keep the first and latest times (epoch seconds) it happened."""
        self._client.update_item(
            TableName=self._table,
            Key={"pk": {"S": pk}, "sk": {"S": sk}},
            UpdateExpression="ADD visits :one SET first_at = if_not_exists(first_at, :at), last_at = :at",
            ExpressionAttributeValues={":one": {"N": "1"}, ":at": {"N": str(at)}},
        )

    def put_flag(self, pk: str, sk: str) -> None:
        self._client.put_item(TableName=self._table, Item={"pk": {"S": pk}, "sk": {"S": sk}})

    def has_flag(self, pk: str, sk: str) -> bool:
        return "Item" in self._client.get_item(TableName=self._table, Key={"pk": {"S": pk}, "sk": {"S": sk}})


def _numbers(item: Mapping[str, Any]) -> dict[str, float]:
    return {
        name: float(Decimal(value["N"])) for name, value in item.items() if isinstance(value, dict) and "N" in value
    }
