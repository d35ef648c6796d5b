"""The catalog table: shops, products and key batches (faka.catalog's), and settings other capabilities keep
per shop.

Layout: ``SHOP#<shop>`` / ``SHOP`` (the shop), ``PRODUCT#<sku>``, ``PRODUCT#<sku>#SOLD#<batch>#<shard>`` (keys sold,
counted in shards), ``BATCH#<sku>#<batch>``, ``CALLBACK_SECRET#<supplier>`` (``CALLBACK_SECRET#`` for the shop's own;
faka.platform.callback_secrets) and ``REFUND_POLICY`` (faka.money.refund_policies). Every catalog item is in
``by_kind`` (e.g. all shops). Capabilities keeping further items of a shop here (payment methods, tone rules,
knowledge-base articles, intent corrections) subclass :class:`CatalogItem` in their own modules.
"""

from __future__ import annotations

from pynamodb.attributes import DiscriminatorAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from faka import resources
from faka.adapters.tables.base import TableMeta


class CatalogItem(Model):
    """Shops, products and key batches share the catalog table."""

    class Meta(TableMeta):
        table_name = resources.CATALOG_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()


class CatalogByKindIndex(GlobalSecondaryIndex["ShopItem"]):
    """Every catalog item of one kind (e.g. every shop), by partition: the platform's list of shops."""

    class Meta:
        index_name = "by_kind"
        projection = IncludeProjection(["name", "support_email", "created_at"])

    kind = UnicodeAttribute(hash_key=True)
    pk = UnicodeAttribute(range_key=True)


class ShopItem(CatalogItem, discriminator="shop"):
    class Meta(TableMeta):
        table_name = resources.CATALOG_TABLE

    name = UnicodeAttribute()
    support_email = UnicodeAttribute()
    operator_token_sha256 = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()

    by_kind = CatalogByKindIndex()

    @staticmethod
    def key(shop_id: str) -> tuple[str, str]:
        return f"SHOP#{shop_id}", "SHOP"


class ProductItem(CatalogItem, discriminator="product"):
    class Meta(TableMeta):
        table_name = resources.CATALOG_TABLE

    shop_id = UnicodeAttribute()
    sku = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    price = NumberAttribute()
    currency = UnicodeAttribute()
    region = UnicodeAttribute()
    platform = UnicodeAttribute()
    stock = NumberAttribute(default=0)
    issued = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    # Set while an operator has the product off sale: hidden from buyers, no new orders; paid orders still served.
    delisted_at = UTCDateTimeAttribute(null=True)

    @staticmethod
    def key(shop_id: str, sku: str) -> tuple[str, str]:
        return f"SHOP#{shop_id}", f"PRODUCT#{sku}"


class BatchItem(CatalogItem, discriminator="batch"):
    class Meta(TableMeta):
        table_name = resources.CATALOG_TABLE

    shop_id = UnicodeAttribute()
    sku = UnicodeAttribute()
    batch_id = UnicodeAttribute()
    supplier = UnicodeAttribute(default="")
    status = UnicodeAttribute(default="active")
    imported = NumberAttribute(default=0)
    issued = NumberAttribute(default=0)
    # Keys of this batch that buyers reported invalid and that were replaced: the batch's defect count.
    invalid_claims = NumberAttribute(default=0)
    imported_at = UTCDateTimeAttribute()
    # Kept by the kpis consumer from activation events; with invalid_claims they decide the batch's health.
    activated = NumberAttribute(default=0)
    activation_failures = NumberAttribute(default=0)
    supplier_email = UnicodeAttribute(null=True)
    # Set once, by the conditional write that quarantines the batch (faka.insight.batch_health).
    quarantined_at = UTCDateTimeAttribute(null=True)
    quarantine_rule = UnicodeAttribute(null=True)

    @staticmethod
    def key(shop_id: str, sku: str, batch_id: str) -> tuple[str, str]:
        return f"SHOP#{shop_id}", f"BATCH#{sku}#{batch_id}"


class SoldKeysItem(CatalogItem, discriminator="sold_keys"):
    """One of the counters of a batch's keys sold by claims, ``PRODUCT#<sku>#SOLD#<batch>#<shard>``.

    A claim adds to one shard picked at random (faka.sales.issuance), so no item is written by every claim of a
    product; a product's stock and a batch's issued figure add them up (faka.catalog.catalog). They sort right
    after their product, so the query that reads a shop's products reads them too.
    """

    class Meta(TableMeta):
        table_name = resources.CATALOG_TABLE

    issued = NumberAttribute(default=0)

    # At 1,000 claims/s and ~20 ms per transaction about 20 are in flight: two pick the same shard (and one retries
    # with another key) in 1 - (63/64)^19 ≈ 26 % of claims; a product's read adds 64 small items per batch (~1 RRU).
    SHARDS = 64

    @staticmethod
    def key(shop_id: str, sku: str, batch_id: str, shard: int) -> tuple[str, str]:
        return f"SHOP#{shop_id}", f"{SoldKeysItem.prefix(sku)}{batch_id}#{shard:02d}"

    @staticmethod
    def prefix(sku: str, batch_id: str | None = None) -> str:
        return f"PRODUCT#{sku}#SOLD#" + (f"{batch_id}#" if batch_id is not None else "")


class CallbackSecretItem(CatalogItem, discriminator="callback_secret"):
    """The secret a supplier (or, with supplier ``""``, the shop itself) signs activation callbacks with.

    Sealed by the key vault with the shop and supplier as associated data; the previous secret stays valid
    until ``previous_valid_until`` so callers can switch over after a rotation.
    """

    class Meta(TableMeta):
        table_name = resources.CATALOG_TABLE

    sealed_secret = UnicodeAttribute()
    previous_sealed_secret = UnicodeAttribute(null=True)
    previous_valid_until = UTCDateTimeAttribute(null=True)
    rotated_at = UTCDateTimeAttribute()

    @staticmethod
    def key(shop_id: str, supplier: str) -> tuple[str, str]:
        return f"SHOP#{shop_id}", f"CALLBACK_SECRET#{supplier}"


class RefundPolicyItem(CatalogItem, discriminator="refund_policy"):
    """A shop's refund policy, set by the platform; the rules file's defaults apply until it is."""

    class Meta(TableMeta):
        table_name = resources.CATALOG_TABLE

    # Minor units per lower-case currency, as JSON: the map's keys are data, not attributes.
    auto_approve_limits = UnicodeAttribute()
    review_sla_seconds = NumberAttribute()
    sla_policy = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()

    @staticmethod
    def key(shop_id: str) -> tuple[str, str]:
        return f"SHOP#{shop_id}", "REFUND_POLICY"
