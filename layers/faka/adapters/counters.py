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
        names, values, expression = _add_expression(amounts)
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

    def add_once(self, marker: tuple[str, str], amounts: Mapping[tuple[str, str], Mapping[str, float]]) -> bool:
        """Add to the counters of several items in one transaction that also writes ``marker``, unless it exists.

        Returns False, changing nothing, when the marker was already written: what it marks was counted.
        """
        updates: list[dict[str, Any]] = []
        for (pk, sk), item_amounts in amounts.items():
            names, values, expression = _add_expression(item_amounts)
            update = {
                "TableName": self._table,
                "Key": {"pk": {"S": pk}, "sk": {"S": sk}},
                "UpdateExpression": expression,
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
            updates.append({"Update": update})
        mark = {
            "TableName": self._table,
            "Item": {"pk": {"S": marker[0]}, "sk": {"S": marker[1]}},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        try:
            self._client.transact_write_items(TransactItems=[{"Put": mark}, *updates])
        except self._client.exceptions.TransactionCanceledException as error:
            if error.response["CancellationReasons"][0].get("Code") == "ConditionalCheckFailed":
                return False
            raise
        return True

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

    def between(self, pk: str, first: str, last: str) -> dict[str, dict[str, float]]:
        """The items of a partition whose sort keys fall from ``first`` to ``last`` (both included), by sort key."""
        found: dict[str, dict[str, float]] = {}
        query: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :first AND :last",
            "ExpressionAttributeValues": {":pk": {"S": pk}, ":first": {"S": first}, ":last": {"S": last}},
        }
        for page in self._client.get_paginator("query").paginate(**query):
            found.update({item["sk"]["S"]: _numbers(item) for item in page["Items"]})
        return found

    def total(self, pk: str, name: str, first: str, last: str = "~") -> float:
        """One counter summed over the items whose sort keys fall from ``first`` to ``last`` (time buckets)."""
        return sum(item.get(name, 0) for item in self.between(pk, first, last).values())

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


def _add_expression(amounts: Mapping[str, float]) -> tuple[dict[str, str], dict[str, Any], str]:
    names = {f"#c{i}": name for i, name in enumerate(amounts)}
    values: dict[str, Any] = {f":v{i}": {"N": str(amount)} for i, amount in enumerate(amounts.values())}
    return names, values, "ADD " + ", ".join(f"#c{i} :v{i}" for i in range(len(amounts)))


def _numbers(item: Mapping[str, Any]) -> dict[str, float]:
    return {
        name: float(Decimal(value["N"])) for name, value in item.items() if isinstance(value, dict) and "N" in value
    }
