"""Exactly-once key issuance.

A key moves from a product's stock to an order line in one DynamoDB transaction whose conditions
are the whole guarantee: the key is still available (a suspended batch's keys are not: suspending a batch
parks them, faka.catalog.catalog), and the line has no key yet. However many workers race for the same line
or the same key, at most one commits.

The transaction names no item that every claim of the product names: the sale is counted on one of the
batch's sold-key shards, picked at random (``SoldKeysItem``), not on the product's and the batch's own
counters, which concurrent claims would conflict on (DynamoDB cancels one of two transactions that name the
same item) and which would take two writes per order each. A swap (``reissue``), rare, still moves those.

The cost of one claim does not depend on the stock size: candidates come from a sparse index of
available keys, read from a random point of its (random, hash-ordered) sort key so that concurrent
buyers rarely reach for the same key, a few items at a time.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from faka.adapters.tables.catalog import BatchItem, ProductItem, SoldKeysItem
from faka.adapters.tables.keys import KeyItem
from faka.adapters.tables.orders import OrderLineItem
from faka.observability import logger
from faka.shared.model import Order, OrderLine, product_ref

_CANDIDATES_PER_READ = 5
_ROUNDS = 4


class _Parked(Enum):
    """A candidate key of a suspended batch, taken out of the available index instead of claimed."""

    PARKED = "parked"


class ClaimOutcome(Enum):
    ISSUED = "issued"
    ALREADY_ISSUED = "already_issued"
    OUT_OF_STOCK = "out_of_stock"


# Positions in the claim and swap transactions, to read their cancellation reasons.
_KEY, _LINE = 0, 1
_SWAP_BATCH = 3


class KeyIssuer:
    def __init__(self, connection: Connection | None = None) -> None:
        self._connection = connection or Connection()

    def claim(self, order: Order, line_no: int) -> ClaimOutcome:
        return self._first_taken(
            order.product_ref,
            lambda code_hash, batch_id: self._try_claim(order, line_no, code_hash, batch_id),
        )

    @staticmethod
    def has_stock(pool: str) -> bool:
        """Whether the product ``pool`` (``<shop>#<sku>``) has a key available: one item read from the sparse index."""
        return any(True for _ in KeyItem.available.query(pool, limit=1))

    def reissue(self, order: Order, line: OrderLine, *, defective: bool, into_sku: str | None = None) -> ClaimOutcome:
        """Swap the line's key for a fresh one (of the ``into_sku`` variant when given), exactly once per key.

        The swap is conditional on the line still holding the key the claim was about, unactivated and not
        revoked: of any number of concurrent claims on that key, one commits and the others find it
        ``ALREADY_ISSUED``. The old key stays on record as ``replaced`` (its order and line kept) and is counted
        against its batch when the buyer reported it ``defective`` (not for a region exchange).
        """
        sku = into_sku or line.sku or order.sku
        return self._first_taken(
            product_ref(order.shop_id, sku),
            lambda code_hash, batch_id: self._try_swap(order, line, sku, code_hash, batch_id, defective=defective),
        )

    def _first_taken(self, pool: str, attempt: Callable[[str, str], ClaimOutcome | _Parked | None]) -> ClaimOutcome:
        round_no = 0
        while round_no < _ROUNDS:
            candidates = self._candidates(pool)
            if not candidates:
                return ClaimOutcome.OUT_OF_STOCK
            parked = 0
            for code_hash, batch_id in candidates:
                outcome = attempt(code_hash, batch_id)
                if isinstance(outcome, ClaimOutcome):
                    return outcome
                parked += outcome is _Parked.PARKED
            if parked == len(candidates):
                # Keys of a quarantined batch, now out of the index: no race was lost, read on at once
                # (each read parks some, so this ends), rather than failing the payment after four rounds.
                continue
            # Candidates were taken by someone else meanwhile: back off briefly, read afresh.
            round_no += 1
            time.sleep(0.005 * round_no * (1 + secrets.randbelow(4)))
        if self._candidates(pool):
            raise ContendedStock("stock is contended; the claim will be retried")
        return ClaimOutcome.OUT_OF_STOCK

    def _candidates(self, pool: str) -> list[tuple[str, str]]:
        start = secrets.token_hex(32)
        found = list(KeyItem.available.query(pool, KeyItem.code_hash >= start, limit=_CANDIDATES_PER_READ))
        if len(found) < _CANDIDATES_PER_READ:
            found += KeyItem.available.query(pool, KeyItem.code_hash < start, limit=_CANDIDATES_PER_READ - len(found))
        return [(item.code_hash, item.batch_id) for item in found]

    def _try_claim(self, order: Order, line_no: int, code_hash: str, batch_id: str) -> ClaimOutcome | _Parked | None:
        """One attempt on one key: the outcome, or None when this key was not ours to take."""
        now = datetime.now(UTC)
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.update(
                    KeyItem(order.product_ref, code_hash),
                    actions=[
                        KeyItem.available_pool.remove(),
                        KeyItem.status.set("issued"),
                        KeyItem.order_id.set(order.order_id),
                        KeyItem.line_no.set(line_no),
                        KeyItem.issued_at.set(now),
                    ],
                    condition=KeyItem.available_pool.exists(),
                )
                transaction.update(
                    OrderLineItem(order.order_id, OrderLineItem.sort_key(line_no)),
                    actions=[
                        OrderLineItem.code_hash.set(code_hash),
                        OrderLineItem.batch_id.set(batch_id),
                        OrderLineItem.issued_at.set(now),
                    ],
                    # A line whose refund revoked it stays keyless: a late restock must not issue to it.
                    condition=OrderLineItem.order_id.exists()
                    & OrderLineItem.code_hash.does_not_exist()
                    & OrderLineItem.revoked_at.does_not_exist(),
                )
                shard = secrets.randbelow(SoldKeysItem.SHARDS)
                transaction.update(
                    SoldKeysItem(*SoldKeysItem.key(order.shop_id, order.sku, batch_id, shard)),
                    # An update writes no discriminator of its own: set it, or typed queries would not see the shard.
                    actions=[SoldKeysItem.kind.set(SoldKeysItem), SoldKeysItem.issued.add(1)],
                )
        except TransactWriteError as error:
            return self._cancelled(error, order.product_ref, code_hash, batch_position=None)
        logger.info("key issued", extra={"order_id": order.order_id, "line_no": line_no, "batch_id": batch_id})
        return ClaimOutcome.ISSUED

    def _try_swap(
        self, order: Order, line: OrderLine, sku: str, code_hash: str, batch_id: str, *, defective: bool
    ) -> ClaimOutcome | _Parked | None:
        now = datetime.now(UTC)
        old_batch = BatchItem.key(order.shop_id, line.sku or order.sku, line.batch_id or "")
        new_batch = BatchItem.key(order.shop_id, sku, batch_id)
        not_activated = OrderLineItem.activation_status.does_not_exist() | (
            OrderLineItem.activation_status != "activated"
        )
        # One transaction may not name an item twice: the same batch takes both counts in one write.
        batch_actions: list[Action] = [BatchItem.issued.add(1)]
        if defective and new_batch == old_batch:
            batch_actions.append(BatchItem.invalid_claims.add(1))
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.update(
                    KeyItem(product_ref(order.shop_id, sku), code_hash),
                    actions=[
                        KeyItem.available_pool.remove(),
                        KeyItem.status.set("issued"),
                        KeyItem.order_id.set(order.order_id),
                        KeyItem.line_no.set(line.line_no),
                        KeyItem.issued_at.set(now),
                    ],
                    condition=KeyItem.available_pool.exists(),
                )
                transaction.update(
                    OrderLineItem(order.order_id, OrderLineItem.sort_key(line.line_no)),
                    actions=[
                        OrderLineItem.code_hash.set(code_hash),
                        OrderLineItem.batch_id.set(batch_id),
                        OrderLineItem.sku.set(sku) if sku != order.sku else OrderLineItem.sku.remove(),
                        OrderLineItem.issued_at.set(now),
                        OrderLineItem.replacements.add(1),
                        OrderLineItem.activation_status.remove(),
                        OrderLineItem.activation_at.remove(),
                        OrderLineItem.account_region.remove(),
                    ],
                    condition=(OrderLineItem.code_hash == line.code_hash)
                    & not_activated
                    & OrderLineItem.revoked_at.does_not_exist(),
                )
                transaction.update(
                    KeyItem(order.line_product_ref(line), line.code_hash or ""),
                    actions=[KeyItem.status.set("replaced")],
                    condition=KeyItem.order_id == order.order_id,
                )
                transaction.update(
                    BatchItem(*new_batch),
                    actions=batch_actions,
                    condition=BatchItem.status == "active",
                )
                if defective and new_batch != old_batch:
                    transaction.update(BatchItem(*old_batch), actions=[BatchItem.invalid_claims.add(1)])
                transaction.update(
                    ProductItem(*ProductItem.key(order.shop_id, sku)),
                    actions=[ProductItem.stock.add(-1), ProductItem.issued.add(1)],
                )
        except TransactWriteError as error:
            return self._cancelled(error, product_ref(order.shop_id, sku), code_hash, batch_position=_SWAP_BATCH)
        logger.info("key reissued", extra={"order_id": order.order_id, "line_no": line.line_no, "batch_id": batch_id})
        return ClaimOutcome.ISSUED

    def _cancelled(
        self, error: TransactWriteError, pool: str, code_hash: str, *, batch_position: int | None
    ) -> ClaimOutcome | _Parked | None:
        """Why a claim or swap transaction was refused: the line was served already, or this key was not ours
        (taken meanwhile, or of a suspended batch: then parked); anything else is raised."""
        reasons = {i: r.code for i, r in enumerate(error.cancellation_reasons or []) if r and r.code != "None"}
        if reasons.get(_LINE) == "ConditionalCheckFailed":
            return ClaimOutcome.ALREADY_ISSUED
        if not reasons:
            raise error
        suspended = batch_position is not None and reasons.get(batch_position) == "ConditionalCheckFailed"
        if suspended and _KEY not in reasons:
            self._park(pool, code_hash)
            return _Parked.PARKED
        return None

    def _park(self, pool: str, code_hash: str) -> None:
        """Take a key of a suspended batch out of the available index, so no later claim reads it again."""
        try:
            KeyItem(pool, code_hash).update(
                actions=[KeyItem.available_pool.remove(), KeyItem.status.set("parked")],
                condition=KeyItem.available_pool.exists(),
            )
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise


class ContendedStock(RuntimeError):
    """Stock exists but every attempt lost a race; the caller's retry (webhook, queue) tries again."""
