"""Makes the emulator's DynamoDB and SQS behave like AWS where moto does not: atomic requests, and costs that do
not grow with the table or the queue.

Each DynamoDB request is atomic on AWS. moto has no per-table lock, so a query can see an item
half-way through another thread's update (seen here as a KeyError while a sparse-index attribute
was being removed). Serializing requests at the emulator restores per-request atomicity while the
callers' own logic still interleaves freely between requests, which is what concurrency tests probe.

moto also made every request slower as tables grew, which serialized requests turned into a collapse
(a 480-order concurrency run took 11 minutes and 7 GB): a transaction deep-copied every table it named
(streams included) so it could roll back, and a query read and sorted the whole table before picking
the partition it asked for. Here a transaction keeps a copy of only the items it names, and a query
reads only its partition (a table's) or, for an index, the table's items unsorted (only its matches are
sorted, by their plain key values).

moto's SQS computes every attribute of a queue, its approximate counts included (each a pass over all its
messages), to read one of them (``ContentBasedDeduplication``) on each send: sending grew with the queue's
backlog, so a 10,000-order chaos run slowed to a crawl. Here a queue's attributes are computed as they are read.
A receive reads the queue only until it has its batch, and a delete only until the message (moto passed over every
message of the queue for each, twice for a delete): a backlog of thousands made each of a chaos run's last receives and
deletes cost thousands of steps.
"""

from __future__ import annotations

import copy
import heapq
import json
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import moto.dynamodb.models as dynamodb_models
import moto.sqs.models as sqs_models
from moto.core.utils import camelcase_to_underscores
from moto.dynamodb.comparisons import get_comparison_func
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import GlobalSecondaryIndex, Table
from moto.dynamodb.responses import DynamoHandler
from moto.sqs.exceptions import ReceiptHandleIsInvalid
from moto.sqs.models import Message, Queue

_lock = threading.RLock()
_original_call_action = DynamoHandler.call_action
_original_transact_write_items = DynamoDBBackend.transact_write_items
_original_query = Table.query
_all_queue_attributes = Queue.attributes.fget  # type: ignore[attr-defined]


def _atomic_call_action(self: DynamoHandler) -> Any:
    with _lock:
        return _original_call_action(self)


class _CopiesAllButTables:
    """Stands in for the ``copy`` module in moto's DynamoDB backend, whose one table copy is a transaction's backup."""

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def _named_items(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> Iterator[tuple[Table, Any, Any]]:
    for entry in transact_items:
        for operation, request in entry.items():
            table = backend.tables.get(request.get("TableName"))
            if table is None:
                continue
            key = request["Item"] if operation == "Put" else request.get("Key", {})
            if table.hash_key_attr not in key:
                continue
            range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr in key else None
            yield table, DynamoType(key[table.hash_key_attr]), range_key


def _put_back(table: Table, hash_key: Any, range_key: Any, item: Item | None) -> None:
    partitions: dict[Any, Any] = table.items
    if table.range_key_attr is None:
        if item is None:
            partitions.pop(hash_key, None)
        else:
            partitions[hash_key] = item
    elif item is None:
        partitions.get(hash_key, {}).pop(range_key, None)
    else:
        partitions[hash_key][range_key] = item


def _transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """moto's transaction, rolled back by putting back the items it names (and cutting their stream records)."""
    named = list(_named_items(self, transact_items))
    before = [
        (table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key)))
        for table, hash_key, range_key in named
    ]
    shards = {id(table): table.stream_shard for table, *_ in named if table.stream_shard is not None}
    recorded = {shard_id: len(shard.items) for shard_id, shard in shards.items()}
    try:
        _original_transact_write_items(self, transact_items)
    except Exception:
        for table, hash_key, range_key, item in reversed(before):
            _put_back(table, hash_key, range_key, item)
        for shard_id, length in recorded.items():
            del shards[shard_id].items[length:]
        raise


class _QueryScope:
    """A table as one query sees it: the items its key condition can match, in no order (the query sorts them)."""

    def __init__(self, table: Table, items: list[Item]) -> None:
        self._table = table
        self._items = items

    def all_items(self) -> list[Item]:
        return self._items

    def sorted_items(
        self, hash_key_attrs: list[str], range_key_attrs: list[str | None], items: list[Item]
    ) -> list[Item]:
        attributes = self._table._generate_attr_to_sort_by(hash_key_attrs, range_key_attrs)
        # DynamoType compares through Python-level methods; its plain values order the same, in C.
        items.sort(key=lambda item: tuple(item.attrs[name].cast_value for name in attributes))
        return items

    def __getattr__(self, name: str) -> Any:
        return getattr(self._table, name)


# Table.query's positional parameters after hash_key, as moto's backend passes them.
_RANGE_COMPARISON, _RANGE_VALUES, _LIMIT, _EXCLUSIVE_START_KEY, _FORWARD, _INDEX_NAME = 0, 1, 2, 3, 4, 6


def _key_attributes(table: Table, index_name: str | None) -> tuple[str | None, str | None]:
    """The hash and range attribute of the table or index; no hash one for a multi-attribute index key."""
    if index_name is None:
        return table.hash_key_attr, table.range_key_attr
    schema = table.get_index(index_name).schema
    hashes = [key["AttributeName"] for key in schema if key["KeyType"] == "HASH"]
    ranges = [key["AttributeName"] for key in schema if key["KeyType"] == "RANGE"]
    if len(hashes) != 1 or len(ranges) > 1:
        return None, None
    return hashes[0], ranges[0] if ranges else None


def _query(self: Table, hash_key: DynamoType | None, *args: Any, **kwargs: Any) -> Any:
    """moto's query over only the items its key condition matches, found without reading and sorting the table."""
    index_name = args[_INDEX_NAME] if len(args) > _INDEX_NAME else kwargs.get("index_name")
    hash_attribute, range_attribute = _key_attributes(self, index_name)
    stored: dict[Any, Any] = self.items
    candidates: list[Item]
    if index_name is None and hash_key is not None:
        partition = stored.get(hash_key)
        if partition is None:
            candidates = []
        else:
            candidates = [partition] if self.range_key_attr is None else list(partition.values())
    else:
        candidates = [
            item
            for partition in stored.values()
            for item in (partition.values() if self.range_key_attr else [partition])
        ]
        if hash_attribute is not None and hash_key is not None:
            # An index holds only the items that have all its key attributes.
            candidates = [
                item
                for item in candidates
                if (value := item.attrs.get(hash_attribute)) is not None
                and value == hash_key
                and (range_attribute is None or range_attribute in item.attrs)
            ]
    range_comparison = args[_RANGE_COMPARISON] if args else kwargs.get("range_comparison")
    if range_comparison and range_attribute is not None and hash_attribute is not None:
        # The test moto applies while it walks the results, made before it measures every item's size on the way.
        matches = get_comparison_func(range_comparison)
        bounds = [value.cast_value for value in args[_RANGE_VALUES]]
        candidates = [
            item
            for item in candidates
            if (value := item.attrs.get(range_attribute)) is not None and matches(value.cast_value, *bounds)
        ]
    limit = args[_LIMIT] if len(args) > _LIMIT else None
    if limit and len(args) > _FORWARD and args[_EXCLUSIVE_START_KEY] is None:
        # A first page needs its first `limit` items in key order, and one more to tell moto there is a next page.
        first = heapq.nsmallest if args[_FORWARD] is not False else heapq.nlargest
        candidates = first(limit + 1, candidates, key=_sort_key(self, index_name))
    return _original_query(_QueryScope(self, candidates), hash_key, *args, **kwargs)  # type: ignore[arg-type]


def _sort_key(table: Table, index_name: str | None) -> Callable[[Item], Any]:
    """The order moto sorts a query's results in, by plain values."""
    if index_name is None:
        return lambda item: item.range_key.cast_value if item.range_key is not None else None
    index = table.get_index(index_name)
    index_hashes = [key["AttributeName"] for key in index.schema if key["KeyType"] == "HASH"]
    index_ranges: list[str | None] = [key["AttributeName"] for key in index.schema if key["KeyType"] == "RANGE"]
    if not index_ranges:
        # As moto: a global index without a range key is ordered by the table's range key, else by its hash key.
        stand_in = table.range_key_attr if isinstance(index, GlobalSecondaryIndex) else None
        index_ranges = [stand_in or table.hash_key_attr]
    attributes = table._generate_attr_to_sort_by(
        [*index_hashes, table.hash_key_attr], [*index_ranges, table.range_key_attr]
    )
    return lambda item: tuple(item.attrs[name].cast_value for name in attributes)


class _QueueAttributes(Mapping[str, Any]):
    """A queue's attributes as moto reports them, each computed only when it is read."""

    def __init__(self, queue: Queue) -> None:
        self._queue = queue

    def _names(self) -> list[str]:
        queue = self._queue
        return (
            queue.BASE_ATTRIBUTES
            + (queue.FIFO_ATTRIBUTES if queue.fifo_queue else [])
            + (queue.KMS_ATTRIBUTES if queue.kms_master_key_id else [])  # type: ignore[attr-defined]
        )

    def __getitem__(self, name: str) -> Any:
        if name == "Policy" and self._queue.policy:
            return self._queue.policy
        if name == "RedrivePolicy" and self._queue.redrive_policy:
            return json.dumps(self._queue.redrive_policy)
        if name not in self._names():
            raise KeyError(name)
        value = getattr(self._queue, camelcase_to_underscores(name))
        return str(value).lower() if isinstance(value, bool) else value

    def __iter__(self) -> Iterator[str]:
        return iter(_all_queue_attributes(self._queue))

    def __len__(self) -> int:
        return len(_all_queue_attributes(self._queue))


class _ReadyMessages:
    """moto's ``Queue.messages``, those visible and not delayed by one reading of the clock, read only as far as needed.

    moto's receive walks this until it has its batch; a list built first would pass over a whole backlog for ten.
    """

    def __init__(self, queue: Queue) -> None:
        self._now = sqs_models.unix_time_millis()  # looked up on each call: tests move moto's SQS clock
        # The list as it is now: a delete replaces the queue's list rather than changing it, so this one stays whole.
        self._messages = queue._messages

    def __iter__(self) -> Iterator[Message]:
        now = self._now
        return (message for message in self._messages if now > message.visible_at and now >= message.delayed_until)

    def __bool__(self) -> bool:
        return any(True for _ in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _had_receipt_handle(self: Message, receipt_handle: str) -> bool:
    return receipt_handle == self.receipt_handle or receipt_handle in self._old_receipt_handles


def _delete_message(self: Queue, receipt_handle: str) -> None:
    """moto's delete, stopping at the message: a consumer deletes what it just received, near the queue's front.

    The queue gets a new list without the message (as moto's delete does), so a receive walking the old one is
    undisturbed."""
    if receipt_handle in self.deleted_messages:
        return  # deleting a deleted message again succeeds, as on AWS
    messages = self._messages
    for position, message in enumerate(messages):
        if message.had_receipt_handle(receipt_handle):
            self._messages = messages[:position] + messages[position + 1 :]
            self.pending_messages.discard(message)
            self.deleted_messages.update(message.all_receipt_handles)  # type: ignore[arg-type]  # as moto has it
            return
    raise ReceiptHandleIsInvalid()


def prepare_emulator() -> None:
    """Atomic requests, transactions that copy only their items, queries that read only what they can match, and
    queue sends that do not count the queue's messages."""
    Queue.attributes = property(_QueueAttributes)  # type: ignore[assignment,method-assign]
    Queue.messages = property(_ReadyMessages)  # type: ignore[assignment,method-assign]
    Queue.delete_message = _delete_message  # type: ignore[method-assign]
    Message.had_receipt_handle = _had_receipt_handle  # type: ignore[method-assign]
    DynamoHandler.call_action = _atomic_call_action  # type: ignore[method-assign]
    dynamodb_models.copy = _CopiesAllButTables  # type: ignore[assignment]
    DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
    Table.query = _query  # type: ignore[method-assign]
