"""The keys table: every card key, sealed (imported by faka.catalog, claimed by faka.sales.issuance).

Layout: ``<shop>#<sku>`` / ``<keyed hash of the code>``; while a key can be sold it carries ``available_pool``
(= its partition key), which puts it in the sparse ``available`` index; ``by_code`` finds a key from its code alone.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute, UTCDateTimeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
from pynamodb.models import Model

from faka import resources
from faka.adapters.tables.base import TableMeta


class AvailableKeysIndex(GlobalSecondaryIndex["KeyItem"]):
    class Meta:
        index_name = "available"
        # The claim needs the batch to check it is still on sale, without a read of the key item.
        projection = IncludeProjection(["batch_id"])

    available_pool = UnicodeAttribute(hash_key=True)
    code_hash = UnicodeAttribute(range_key=True)


class KeysByCodeIndex(GlobalSecondaryIndex["KeyItem"]):
    """Finds a key from its code alone, for activation callbacks that do not name the product."""

    class Meta:
        index_name = "by_code"
        projection = KeysOnlyProjection()

    code_lookup = UnicodeAttribute(hash_key=True)


class KeyItem(Model):
    class Meta(TableMeta):
        table_name = resources.KEYS_TABLE

    product_ref = UnicodeAttribute(hash_key=True)
    code_hash = UnicodeAttribute(range_key=True)
    available_pool = UnicodeAttribute(null=True)
    code_lookup = UnicodeAttribute(null=True)
    shop_id = UnicodeAttribute()
    batch_id = UnicodeAttribute()
    sealed_code = UnicodeAttribute()
    # The key's secret parts (a PIN, a password, a card's further lines), sealed apart from the code; None: none.
    sealed_parts = UnicodeAttribute(null=True)
    # Their keyed fingerprints (as the code's), so buyer text quoting one is masked without opening the key.
    part_fingerprints = UnicodeSetAttribute(null=True)
    status = UnicodeAttribute(default="available")
    order_id = UnicodeAttribute(null=True)
    line_no = NumberAttribute(null=True)
    imported_at = UTCDateTimeAttribute()
    issued_at = UTCDateTimeAttribute(null=True)

    available = AvailableKeysIndex()
    by_code = KeysByCodeIndex()
