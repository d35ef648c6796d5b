"""Shops, products and key stock: what an operator sets up before anything can be sold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from pynamodb.connection import Connection
from pynamodb.exceptions import CancellationReason, DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from faka.adapters.tables import BatchItem, KeyItem, ProductItem, ShopItem
from faka.catalog.codes import normalize_code
from faka.errors import Conflict, NotFound
from faka.observability import logger
from faka.ports import EventPublisher, KeyVault
from faka.security import new_token, token_digest
from faka.shared.model import BatchStatus, Product, product_ref

MAX_IMPORT = 10_000
# DynamoDB transactions take 100 items; two of them are the batch and product counters.
_KEYS_PER_TRANSACTION = 98


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


def _product(item: ProductItem) -> Product:
    return Product(
        shop_id=item.shop_id,
        sku=item.sku,
        name=item.name,
        price=int(item.price),
        currency=item.currency,
        region=item.region,
        platform=item.platform,
        description=item.description,
        stock=int(item.stock),
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
        return [_product(i) for i in ProductItem.query(pk, ProductItem.sk.startswith("PRODUCT#"))]

    def product(self, shop_id: str, sku: str) -> Product:
        try:
            return _product(ProductItem.get(*ProductItem.key(shop_id, sku)))
        except DoesNotExist:
            raise NotFound(f"no product {sku!r}", code="unknown_sku") from None

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
        item = ProductItem(pk, sk)
        item.update(actions=[getattr(ProductItem, name).set(value) for name, value in fields.items()])
        return _product(item), False

    def import_keys(
        self,
        shop_id: str,
        sku: str,
        batch_id: str,
        codes: Sequence[str],
        supplier: str = "",
        supplier_email: str | None = None,
    ) -> ImportResult:
        product = self.product(shop_id, sku)
        result = ImportResult()
        fresh: list[tuple[int, str, str]] = []
        seen: set[str] = set()
        for index, raw in enumerate(codes):
            code = normalize_code(raw) if isinstance(raw, str) else None
            if code is None:
                result.rejected.append(Rejection(index, "invalid"))
                continue
            code_hash = self._vault.fingerprint(code, context=product.ref)
            if code_hash in seen:
                result.rejected.append(Rejection(index, "duplicate"))
                continue
            seen.add(code_hash)
            fresh.append((index, code, code_hash))

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

    def _stock_chunk(self, product: Product, batch_id: str, chunk: list[tuple[int, str, str]]) -> tuple[int, list[int]]:
        """Store one transaction's worth of keys; codes already in stock come back as duplicates.

        The keys and both counters change together or not at all, so stock counts cannot drift; a
        cancelled transaction names the keys that already exist, which are dropped before retrying.

        botocore resends a transaction whose answer was lost, though it may have committed: DynamoDB
        answers that resend from its client request token (for ten minutes); otherwise the resend is
        cancelled on keys this very transaction wrote, recognised by their sealed code (sealing draws a
        fresh nonce), and the whole chunk was imported: a transaction commits all or nothing.
        """
        duplicates: list[int] = []
        now = _now()
        while chunk:
            sealed = [self._vault.seal(code, context=product.ref) for _, code, _ in chunk]
            try:
                with TransactWrite(connection=self._connection, client_request_token=new_token()) as transaction:
                    for (_, code, code_hash), sealed_code in zip(chunk, sealed, strict=True):
                        transaction.save(
                            KeyItem(
                                product.ref,
                                code_hash,
                                available_pool=product.ref,
                                shop_id=product.shop_id,
                                batch_id=batch_id,
                                sealed_code=sealed_code,
                                code_lookup=self._vault.fingerprint(code, context=""),
                                imported_at=now,
                            ),
                            condition=KeyItem.code_hash.does_not_exist(),
                            return_values="ALL_OLD",
                        )
                    transaction.update(
                        BatchItem(*BatchItem.key(product.shop_id, product.sku, batch_id)),
                        actions=[BatchItem.imported.add(len(chunk))],
                    )
                    transaction.update(
                        ProductItem(*ProductItem.key(product.shop_id, product.sku)),
                        actions=[ProductItem.stock.add(len(chunk))],
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
                if not taken and not _is_conflict(error):
                    raise
                duplicates.extend(chunk[i][0] for i in sorted(taken))
                chunk = [entry for i, entry in enumerate(chunk) if i not in taken]
        return 0, duplicates

    def set_batch_status(self, shop_id: str, sku: str, batch_id: str, status: BatchStatus) -> None:
        """Suspend or resume a batch; its unsold keys leave or rejoin the product's stock count."""
        pk, sk = BatchItem.key(shop_id, sku, batch_id)
        for _ in range(10):
            try:
                batch = BatchItem.get(pk, sk, consistent_read=True)
            except DoesNotExist:
                raise NotFound(f"no batch {batch_id!r}", code="unknown_batch") from None
            if batch.status == status:
                return
            unsold = int(batch.imported) - int(batch.issued)
            try:
                with TransactWrite(connection=self._connection) as transaction:
                    transaction.update(
                        batch,
                        actions=[BatchItem.status.set(status)],
                        condition=(BatchItem.status == batch.status)
                        & (BatchItem.issued == batch.issued)
                        & (BatchItem.imported == batch.imported),
                    )
                    transaction.update(
                        ProductItem(*ProductItem.key(shop_id, sku)),
                        actions=[ProductItem.stock.add(unsold if status is BatchStatus.ACTIVE else -unsold)],
                    )
            except TransactWriteError:
                continue  # a sale or import changed the batch meanwhile; recount
            if status is BatchStatus.ACTIVE:
                self._return_parked_keys(shop_id, sku, batch_id)
                if unsold:
                    self._events.publish(
                        "StockReplenished", {"shop_id": shop_id, "sku": sku, "batch_id": batch_id, "imported": unsold}
                    )
            return
        raise Conflict("the batch kept changing; try again", code="busy")

    def _return_parked_keys(self, shop_id: str, sku: str, batch_id: str) -> None:
        # Operator-time work proportional to the product's keys; sales never pay for it.
        ref = product_ref(shop_id, sku)
        parked = KeyItem.query(ref, filter_condition=(KeyItem.batch_id == batch_id) & (KeyItem.status == "parked"))
        for key in parked:
            try:
                key.update(
                    actions=[KeyItem.available_pool.set(ref), KeyItem.status.set("available")],
                    condition=KeyItem.status == "parked",
                )
            except UpdateError as error:
                if error.cause_response_code != "ConditionalCheckFailedException":
                    raise


def _stored_sealed_code(reason: CancellationReason | None) -> str | None:
    """The sealed code of the item a failed put condition found, as ``ReturnValuesOnConditionCheckFailure`` gave it."""
    item = (reason.raw_item if reason else None) or {}
    return item.get("sealed_code", {}).get("S")


def _is_conflict(error: TransactWriteError) -> bool:
    return any(r is not None and r.code == "TransactionConflict" for r in error.cancellation_reasons or [])
