"""DynamoDB request units by price-list arithmetic, from the items each request reads and writes.

moto's ConsumedCapacity is not DynamoDB's: it answers fixed figures and nothing for transactions. This meter
wraps botocore's single call path (pynamodb keeps one client per connection) and prices every request from the
item sizes as the DynamoDB developer guide states them:

* an item's size is the bytes of its attribute names plus its values (strings in UTF-8, numbers about one byte
  per two significant digits plus one, lists and maps 3 bytes plus 1 per element);
* a write is 1 WRU per started KB of the larger of the item before and after it (a failed condition still
  costs the write); a transaction's writes and condition checks cost double;
* every global secondary index entry the write puts, changes or deletes is a write of the entry's size (the
  table's keys, the index's keys and the projected attributes): a changed index key is a delete and a put;
* a read is 1 RRU per started 4 KB strongly consistent, half that eventually consistent; a query sums the
  sizes of what it returns, then rounds.

Before and after images are read from the same (moto) table around each write, outside the count.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from botocore.client import BaseClient

Item = Mapping[str, Mapping[str, Any]]
KB = 1024


def value_size(value: Mapping[str, Any]) -> int:
    [(kind, content)] = value.items()
    if kind == "S":
        return len(content.encode())
    if kind == "N":
        digits = Decimal(content).normalize().as_tuple().digits
        return (len(digits) + 1) // 2 + 1
    if kind == "B":
        return len(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode()) for s in content)
    if kind == "NS":
        return sum(value_size({"N": n}) for n in content)
    if kind == "BS":
        return sum(len(b) for b in content)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in content)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + value_size(v) for k, v in content.items())
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: Item | None) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in (item or {}).items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / KB))


@dataclass(frozen=True)
class Index:
    name: str
    keys: tuple[str, ...]
    projection: str
    attributes: tuple[str, ...]

    def entry(self, item: Item | None, table_keys: tuple[str, ...]) -> dict[str, Any] | None:
        if not item or any(k not in item for k in self.keys):
            return None
        if self.projection == "ALL":
            return dict(item)
        wanted = {*table_keys, *self.keys, *self.attributes}
        return {name: value for name, value in item.items() if name in wanted}

    def write_units(self, before: Item | None, after: Item | None, table_keys: tuple[str, ...]) -> int:
        old, new = self.entry(before, table_keys), self.entry(after, table_keys)
        if old == new:
            return 0
        if old is None:
            return write_units(item_size(new))
        if new is None:
            return write_units(item_size(old))
        if any(old[k] != new[k] for k in self.keys):
            return write_units(item_size(old)) + write_units(item_size(new))
        return write_units(item_size(new))


@dataclass(frozen=True)
class Table:
    name: str
    keys: tuple[str, ...]
    indexes: tuple[Index, ...]


@dataclass
class Charge:
    """One request: what it was, the table units and the index units it costs."""

    label: str
    write_units: int = 0
    index_write_units: int = 0
    read_units: float = 0.0

    @property
    def total_write_units(self) -> int:
        return self.write_units + self.index_write_units


@dataclass
class PriceListMeter:
    charges: list[Charge] = field(default_factory=list)
    _tables: dict[str, Table] = field(default_factory=dict)

    def reset(self) -> list[Charge]:
        taken, self.charges = self.charges, []
        return taken

    @contextmanager
    def metering(self) -> Iterator[PriceListMeter]:
        original = BaseClient._make_api_call
        meter = self

        def metered(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
            if client.meta.service_model.service_name != "dynamodb":
                return original(client, operation, params)
            return meter._call(lambda op, p: original(client, op, p), operation, params)

        BaseClient._make_api_call = metered
        try:
            yield self
        finally:
            BaseClient._make_api_call = original

    def _call(self, call: Any, operation: str, params: dict[str, Any]) -> Any:
        writes = self._writes(operation, params)
        befores = [self._image(call, table, key) for table, key, _ in writes]
        try:
            response = call(operation, params)
        except Exception as error:
            failed = getattr(error, "response", {}).get("Error", {}).get("Code", "")
            if writes and failed in ("ConditionalCheckFailedException", "TransactionCanceledException"):
                self._charge_writes(operation, writes, befores, befores, failed=True)
            raise
        if writes:
            afters = [self._image(call, table, key) for table, key, _ in writes]
            self._charge_writes(operation, writes, befores, afters, failed=False)
        elif operation in ("GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"):
            self.charges.append(self._read_charge(operation, params, response))
        return response

    def _table(self, call: Any, name: str) -> Table:
        if name not in self._tables:
            description = call("DescribeTable", {"TableName": name})["Table"]
            indexes = tuple(
                Index(
                    gsi["IndexName"],
                    tuple(k["AttributeName"] for k in gsi["KeySchema"]),
                    gsi["Projection"]["ProjectionType"],
                    tuple(gsi["Projection"].get("NonKeyAttributes", ())),
                )
                for gsi in description.get("GlobalSecondaryIndexes", [])
            )
            # The partition key first, whatever order the answer lists them in.
            keys = sorted(description["KeySchema"], key=lambda k: k["KeyType"] != "HASH")
            self._tables[name] = Table(name, tuple(k["AttributeName"] for k in keys), indexes)
        return self._tables[name]

    @staticmethod
    def _writes(operation: str, params: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
        """(table, key, action) of each item the request writes or checks."""
        if operation in ("PutItem", "UpdateItem", "DeleteItem"):
            return [(params["TableName"], params.get("Key") or params["Item"], operation)]
        if operation == "TransactWriteItems":
            found = []
            for entry in params["TransactItems"]:
                [(action, body)] = entry.items()
                found.append((body["TableName"], body.get("Key") or body["Item"], action))
            return found
        if operation == "BatchWriteItem":
            return [
                (table, request.get("PutRequest", {}).get("Item") or request["DeleteRequest"]["Key"], "BatchWrite")
                for table, requests in params["RequestItems"].items()
                for request in requests
            ]
        return []

    def _image(self, call: Any, table_name: str, key_or_item: Mapping[str, Any]) -> dict[str, Any] | None:
        table = self._table(call, table_name)
        key = {name: key_or_item[name] for name in table.keys}
        item: dict[str, Any] | None = call(
            "GetItem", {"TableName": table_name, "Key": key, "ConsistentRead": True}
        ).get("Item")
        return item

    def _charge_writes(
        self,
        operation: str,
        writes: list[tuple[str, dict[str, Any], str]],
        befores: list[dict[str, Any] | None],
        afters: list[dict[str, Any] | None],
        *,
        failed: bool,
    ) -> None:
        factor = 2 if operation == "TransactWriteItems" else 1
        parts, table_units, index_units = [], 0, 0
        for (table_name, _, action), before, after in zip(writes, befores, afters, strict=True):
            table = self._tables[table_name]
            parts.append(f"{action} {_describe(table, after or before)}")
            table_units += factor * write_units(max(item_size(before), item_size(after)))
            if action != "ConditionCheck" and not failed:
                index_units += sum(i.write_units(before, after, table.keys) for i in table.indexes)
        label = (f"transaction[{', '.join(parts)}]" if operation == "TransactWriteItems" else parts[0]) + (
            " (condition failed)" if failed else ""
        )
        self.charges.append(Charge(label, table_units, index_units))

    def _read_charge(self, operation: str, params: dict[str, Any], response: dict[str, Any]) -> Charge:
        consistent = bool(params.get("ConsistentRead"))
        per_unit = 4 * KB
        if operation == "GetItem":
            size = item_size(response.get("Item"))
            units = math.ceil(max(size, 1) / per_unit) * (1 if consistent else 0.5)
            return Charge(f"GetItem {params['TableName']}", read_units=units)
        if operation in ("Query", "Scan"):
            size = sum(item_size(i) for i in response.get("Items", []))
            units = math.ceil(max(size, 1) / per_unit) * (1 if consistent else 0.5)
            where = params["TableName"] + (f".{params['IndexName']}" if "IndexName" in params else "")
            return Charge(f"{operation} {where}", read_units=units)
        answered = response.get("Responses", {})
        if isinstance(answered, dict):  # BatchGetItem: items per table
            items = [item for table_items in answered.values() for item in table_items]
        else:  # TransactGetItems: one answer per requested item
            items = [entry.get("Item") for entry in answered]
        units = sum(math.ceil(max(item_size(i), 1) / per_unit) for i in items)
        return Charge(operation, read_units=float(units))


def _describe(table: Table, item: Mapping[str, Any] | None) -> str:
    """``table:kind`` — the short table name and the item's kind (the sort key's prefix, or the discriminator)."""
    short = table.name.rsplit("-", 1)[-1]
    if not item:
        return short
    kind = item.get("kind", {}).get("S")
    if kind is None and len(table.keys) > 1:
        sort_key = str(next(iter(item[table.keys[1]].values())))
        kind = sort_key.split("#", 1)[0] if "#" in sort_key or sort_key.isupper() else None
    return f"{short}:{kind}" if kind else short
