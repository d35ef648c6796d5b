"""Shops, products and key stock: what an operator sets up before anything can be sold."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from pynamodb.connection import Connection
from pynamodb.exceptions import CancellationReason, DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from faka.adapters.tables.catalog import BatchItem, CatalogItem, ProductItem, ShopItem, SoldKeysItem
from faka.adapters.tables.keys import KeyItem
from faka.catalog.codes import Card, normalize_card, parts_context, parts_json
from faka.errors import Conflict, NotFound
from faka.observability import logger
from faka.ports import EventPublisher, KeyVault
from faka.security import new_token, token_digest
from faka.shared.model import BatchStatus, Product, product_ref

MAX_IMPORT = 10_000
# DynamoDB transactions take 100 items; two of them are the batch and product counters.
_KEYS_PER_TRANSACTION = 98
# Keys parked or returned per transaction, beside the product's stock counter.
_KEYS_PER_PARKING = 99


@dataclass(frozen=True)
class Shop:
    shop_id: str
    name: str
    support_email: str
    operator_token_sha256: str | None


@dataclass(frozen=True)
class Rejection:
    index: int
    code: Literal["duplicate", "invalid"]


@dataclass
class ImportResult:
    imported: int = 0
    rejected: list[Rejection] = field(default_factory=list)


def _now() -> datetime:
    return datetime.now(UTC)


def _product(item: ProductItem, sold: int) -> Product:
    """The product as buyers see it: its stock less the keys its claims counted on the sold-key shards."""
    return Product(
        shop_id=item.shop_id,
        sku=item.sku,
        name=item.name,
        price=int(item.price),
        currency=item.currency,
        region=item.region,
        platform=item.platform,
        description=item.description,
        stock=int(item.stock) - sold,
        listed=item.delisted_at is None,
    )


class Shops:
    def get(self, shop_id: str) -> Shop:
        try:
            item = ShopItem.get(*ShopItem.key(shop_id))
        except DoesNotExist:
            raise NotFound(f"no shop {shop_id!r}", code="unknown_shop") from None
        return Shop(shop_id, item.name, item.support_email, item.operator_token_sha256)

    def open(self, shop_id: str, name: str, support_email: str) -> tuple[Shop, str]:
        """Create a shop and return it with its operator token (shown once, stored as a digest)."""
        token = new_token()
        pk, sk = ShopItem.key(shop_id)
        item = ShopItem(
            pk,
            sk,
            name=name,
            support_email=support_email,
            operator_token_sha256=token_digest(token),
            created_at=_now(),
        )
        try:
            item.save(condition=ShopItem.pk.does_not_exist())
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise Conflict(f"shop {shop_id!r} exists", code="shop_exists") from None
            raise
        return Shop(shop_id, name, support_email, item.operator_token_sha256), token


class Catalog:
    def __init__(self, vault: KeyVault, events: EventPublisher, connection: Connection | None = None) -> None:
        self._vault = vault
        self._events = events
        self._connection = connection or Connection()

    def products(self, shop_id: str) -> list[Product]:
        pk, _ = ProductItem.key(shop_id, "")
        return self._with_sold(CatalogItem.query(pk, CatalogItem.sk.startswith("PRODUCT#")))

    def listed(self, shop_id: str) -> list[Product]:
        """The products buyers see: every one not delisted."""
        return [product for product in self.products(shop_id) if product.listed]

    @staticmethod
    def listed_among(products: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of these ``(shop, sku)`` products buyers see, in one BatchGet per hundred (an unknown one is not)."""
        keys = [ProductItem.key(shop_id, sku) for shop_id, sku in set(products)]
        found = ProductItem.batch_get(keys, attributes_to_get=["kind", "shop_id", "sku", "delisted_at"]) if keys else []
        return {(item.shop_id, item.sku) for item in found if item.delisted_at is None}

    def listed_product(self, shop_id: str, sku: str) -> Product:
        """The product as buyers look it up: a delisted one is unknown to them."""
        product = self.product(shop_id, sku)
        if not product.listed:
            raise NotFound(f"no product {sku!r}", code="unknown_sku")
        return product

    def product(self, shop_id: str, sku: str) -> Product:
        pk, sk = ProductItem.key(shop_id, sku)
        # The product and its shards (``PRODUCT#<sku>#SOLD#…``): '~' sorts after every character a shard key has.
        found = self._with_sold(CatalogItem.query(pk, CatalogItem.sk.between(sk, SoldKeysItem.prefix(sku) + "~")))
        if not found:
            raise NotFound(f"no product {sku!r}", code="unknown_sku")
        return found[0]

    @staticmethod
    def _with_sold(items: Iterable[CatalogItem]) -> list[Product]:
        products: list[ProductItem] = []
        sold: Counter[str] = Counter()
        for item in items:
            if isinstance(item, ProductItem):
                products.append(item)
            elif isinstance(item, SoldKeysItem):
                sold[item.sk.split("#", 2)[1]] += int(item.issued)
        return [_product(item, sold[item.sku]) for item in products]

    def set_listed(self, shop_id: str, sku: str, *, listed: bool) -> Product:
        """Delist a product (buyers no longer see or order it; paid orders still get their keys) or list it again.

        Its keys, stock and batches are left as they are, so relisting restores the product as it was."""
        pk, sk = ProductItem.key(shop_id, sku)
        action = ProductItem.delisted_at.remove() if listed else ProductItem.delisted_at.set(_now())
        try:
            ProductItem(pk, sk).update(actions=[action], condition=ProductItem.pk.exists())
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise NotFound(f"no product {sku!r}", code="unknown_sku") from None
            raise
        logger.info("product listing changed", extra={"shop_id": shop_id, "sku": sku, "listed": listed})
        return self.product(shop_id, sku)

    def sold_keys(self, shop_id: str, sku: str | None = None) -> Counter[tuple[str, str]]:
        """Keys the claims counted on the sold-key shards, by (sku, batch): add them to a batch's own ``issued``."""
        pk, _ = ProductItem.key(shop_id, "")
        sold: Counter[tuple[str, str]] = Counter()
        for item in SoldKeysItem.query(pk, SoldKeysItem.sk.startswith(f"PRODUCT#{sku}#" if sku else "PRODUCT#")):
            _, item_sku, _, batch_id, _ = item.sk.split("#")
            sold[(item_sku, batch_id)] += int(item.issued)
        return sold

    def save_product(self, draft: Product) -> tuple[Product, bool]:
        """Create or update a product; returns it and whether it was created. Stock is never touched here."""
        pk, sk = ProductItem.key(draft.shop_id, draft.sku)
        fields: dict[str, Any] = {
            "name": draft.name,
            "description": draft.description,
            "price": draft.price,
            "currency": draft.currency,
            "region": draft.region,
            "platform": draft.platform,
        }
        try:
            ProductItem(pk, sk, shop_id=draft.shop_id, sku=draft.sku, created_at=_now(), **fields).save(
                condition=ProductItem.pk.does_not_exist()
            )
            return self.product(draft.shop_id, draft.sku), True
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
        ProductItem(pk, sk).update(actions=[getattr(ProductItem, name).set(value) for name, value in fields.items()])
        return self.product(draft.shop_id, draft.sku), False

    def import_keys(
        self,
        shop_id: str,
        sku: str,
        batch_id: str,
        keys: Sequence[object],
        supplier: str = "",
        supplier_email: str | None = None,
    ) -> ImportResult:
        """Stock the keys: each a code (str) or a :class:`Card` with its secret parts; anything else, or a code
        :func:`normalize_card` refuses, is rejected as invalid at its index. Duplicates are told by the code alone."""
        product = self.product(shop_id, sku)
        result = ImportResult()
        fresh: list[tuple[int, Card, str]] = []
        seen: set[str] = set()
        for index, raw in enumerate(keys):
            card = _card(raw)
            if card is None:
                result.rejected.append(Rejection(index, "invalid"))
                continue
            code_hash = self._vault.fingerprint(card.code, context=product.ref)
            if code_hash in seen:
                result.rejected.append(Rejection(index, "duplicate"))
                continue
            seen.add(code_hash)
            fresh.append((index, card, code_hash))

        self._ensure_batch(shop_id, sku, batch_id, supplier, supplier_email)
        for start in range(0, len(fresh), _KEYS_PER_TRANSACTION):
            chunk = fresh[start : start + _KEYS_PER_TRANSACTION]
            stocked, duplicates = self._stock_chunk(product, batch_id, chunk)
            result.imported += stocked
            result.rejected.extend(Rejection(index, "duplicate") for index in duplicates)
        result.rejected.sort(key=lambda r: r.index)

        logger.info(
            "keys imported",
            extra={
                "shop_id": shop_id,
                "sku": sku,
                "batch_id": batch_id,
                "imported": result.imported,
                "rejected": len(result.rejected),
            },
        )
        if result.imported:
            self._events.publish(
                "StockReplenished",
                {"shop_id": shop_id, "sku": sku, "batch_id": batch_id, "imported": result.imported},
            )
        return result

    def supplier_of(self, shop_id: str, sku: str, batch_id: str) -> str:
        """The supplier a batch names, ``""`` when it names none."""
        try:
            return str(BatchItem.get(*BatchItem.key(shop_id, sku, batch_id)).supplier)
        except DoesNotExist:
            raise NotFound(f"no batch {batch_id!r}", code="unknown_batch") from None

    def _ensure_batch(self, shop_id: str, sku: str, batch_id: str, supplier: str, supplier_email: str | None) -> None:
        pk, sk = BatchItem.key(shop_id, sku, batch_id)
        batch = BatchItem(
            pk,
            sk,
            shop_id=shop_id,
            sku=sku,
            batch_id=batch_id,
            supplier=supplier,
            supplier_email=supplier_email,
            imported_at=_now(),
        )
        try:
            batch.save(condition=BatchItem.pk.does_not_exist())
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise

    def _stock_chunk(
        self, product: Product, batch_id: str, chunk: list[tuple[int, Card, str]]
    ) -> tuple[int, list[int]]:
        """Store one transaction's worth of keys; codes already in stock come back as duplicates.

        The keys and both counters change together or not at all, so stock counts cannot drift; a
        cancelled transaction names the keys that already exist, which are dropped before retrying.

        botocore resends a transaction whose answer was lost, though it may have committed: DynamoDB
        answers that resend from its client request token (for ten minutes); otherwise the resend is
        cancelled on keys this very transaction wrote, recognised by their sealed code (sealing draws a
        fresh nonce), and the whole chunk was imported: a transaction commits all or nothing.

        The keys of a suspended batch come in parked (out of the available index, not in stock); the
        transaction is conditioned on the batch status it read, so a suspension meanwhile is read again.

        A key's secret parts are sealed beside its code, bound to the key (product and code hash) they belong to.
        """
        duplicates: list[int] = []
        now = _now()
        batch_key = BatchItem.key(product.shop_id, product.sku, batch_id)
        while chunk:
            status = BatchItem.get(*batch_key, consistent_read=True).status
            on_sale = status == BatchStatus.ACTIVE.value
            sealed = [self._vault.seal(card.code, context=product.ref) for _, card, _ in chunk]
            try:
                with TransactWrite(connection=self._connection, client_request_token=new_token()) as transaction:
                    for (_, card, code_hash), sealed_code in zip(chunk, sealed, strict=True):
                        transaction.save(
                            KeyItem(
                                product.ref,
                                code_hash,
                                available_pool=product.ref if on_sale else None,
                                status="available" if on_sale else "parked",
                                shop_id=product.shop_id,
                                batch_id=batch_id,
                                sealed_code=sealed_code,
                                sealed_parts=self._sealed_parts(card, product.ref, code_hash),
                                part_fingerprints={
                                    self._vault.fingerprint(part.value, context=product.ref) for part in card.parts
                                }
                                or None,
                                code_lookup=self._vault.fingerprint(card.code, context=""),
                                imported_at=now,
                            ),
                            condition=KeyItem.code_hash.does_not_exist(),
                            return_values="ALL_OLD",
                        )
                    transaction.update(
                        BatchItem(*batch_key),
                        actions=[BatchItem.imported.add(len(chunk))],
                        condition=BatchItem.status == status,
                    )
                    transaction.update(
                        ProductItem(*ProductItem.key(product.shop_id, product.sku)),
                        actions=[ProductItem.stock.add(len(chunk) if on_sale else 0)],
                    )
                return len(chunk), duplicates
            except TransactWriteError as error:
                reasons = error.cancellation_reasons or []
                taken = {
                    i
                    for i, reason in enumerate(reasons[: len(chunk)])
                    if reason is not None and reason.code == "ConditionalCheckFailed"
                }
                if any(_stored_sealed_code(reasons[i]) == sealed[i] for i in taken):
                    return len(chunk), duplicates
                status_changed = len(reasons) > len(chunk) and getattr(reasons[len(chunk)], "code", None) == (
                    "ConditionalCheckFailed"
                )
                if not taken and not status_changed and not _is_conflict(error):
                    raise
                duplicates.extend(chunk[i][0] for i in sorted(taken))
                chunk = [entry for i, entry in enumerate(chunk) if i not in taken]
        return 0, duplicates

    def _sealed_parts(self, card: Card, ref: str, code_hash: str) -> str | None:
        if not card.parts:
            return None
        return self._vault.seal(parts_json(card.parts), context=parts_context(ref, code_hash))

    def set_batch_status(self, shop_id: str, sku: str, batch_id: str, status: BatchStatus) -> None:
        """Suspend or resume a batch: its unsold keys leave (parked) or rejoin the available index and the stock.

        Claims take only available keys, so once a suspension has parked a key no sale can take it; a key sold
        while the suspension runs was sold before it reached that key. Each key moves with the product's stock
        count in one transaction, so the count cannot drift, and a repeated call finishes what a failed one left.
        """
        pk, sk = BatchItem.key(shop_id, sku, batch_id)
        try:
            batch = BatchItem.get(pk, sk, consistent_read=True)
        except DoesNotExist:
            raise NotFound(f"no batch {batch_id!r}", code="unknown_batch") from None
        if batch.status != status:
            batch.update(actions=[BatchItem.status.set(status)])
        ref = product_ref(shop_id, sku)
        if status is BatchStatus.ACTIVE:
            returned = self._move_keys(ref, shop_id, sku, self._parked_keys(ref, batch_id), on_sale=True)
            if returned:
                self._events.publish(
                    "StockReplenished", {"shop_id": shop_id, "sku": sku, "batch_id": batch_id, "imported": returned}
                )
        else:
            available = (k.code_hash for k in KeyItem.available.query(ref) if k.batch_id == batch_id)
            self._move_keys(ref, shop_id, sku, available, on_sale=False)

    @staticmethod
    def _parked_keys(ref: str, batch_id: str) -> Iterator[str]:
        # Operator-time work proportional to the product's keys; sales never pay for it.
        parked = KeyItem.query(ref, filter_condition=(KeyItem.batch_id == batch_id) & (KeyItem.status == "parked"))
        return (key.code_hash for key in parked)

    def _move_keys(self, ref: str, shop_id: str, sku: str, code_hashes: Iterator[str], *, on_sale: bool) -> int:
        """Park (or return) the keys, a transaction's worth at a time with the stock count; how many moved.

        A key sold (or moved) meanwhile fails its condition and is left out of a retry of the rest."""
        moved = 0
        pending = list(code_hashes)
        while pending:
            chunk, pending = pending[:_KEYS_PER_PARKING], pending[_KEYS_PER_PARKING:]
            while chunk:
                try:
                    with TransactWrite(connection=self._connection) as transaction:
                        for code_hash in chunk:
                            key = KeyItem(ref, code_hash)
                            if on_sale:
                                transaction.update(
                                    key,
                                    actions=[KeyItem.available_pool.set(ref), KeyItem.status.set("available")],
                                    condition=KeyItem.status == "parked",
                                )
                            else:
                                transaction.update(
                                    key,
                                    actions=[KeyItem.available_pool.remove(), KeyItem.status.set("parked")],
                                    condition=KeyItem.available_pool.exists(),
                                )
                        transaction.update(
                            ProductItem(*ProductItem.key(shop_id, sku)),
                            actions=[ProductItem.stock.add(len(chunk) if on_sale else -len(chunk))],
                        )
                except TransactWriteError as error:
                    reasons = error.cancellation_reasons or []
                    gone = {i for i, r in enumerate(reasons[: len(chunk)]) if r and r.code == "ConditionalCheckFailed"}
                    if not gone and not _is_conflict(error):
                        raise
                    chunk = [code_hash for i, code_hash in enumerate(chunk) if i not in gone]
                    continue
                moved += len(chunk)
                break
        return moved


def _card(raw: object) -> Card | None:
    if isinstance(raw, Card):
        return normalize_card(raw.code, [(part.name, part.value) for part in raw.parts])
    return normalize_card(raw) if isinstance(raw, str) else None


def _stored_sealed_code(reason: CancellationReason | None) -> str | None:
    """The sealed code of the item a failed put condition found, as ``ReturnValuesOnConditionCheckFailure`` gave it."""
    item = (reason.raw_item if reason else None) or {}
    return item.get("sealed_code", {}).get("S")


def _is_conflict(error: TransactWriteError) -> bool:
    return any(r is not None and r.code == "TransactionConflict" for r in error.cancellation_reasons or [])
