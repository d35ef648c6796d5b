"""DynamoDB tables as pynamodb models: the single description of keys and indexes.

CDK builds the tables from :data:`TABLE_MODELS` (``Model._get_schema()``) and the local runtime
creates them from the same models, so the key schema is written only here.

Layout (every item of a shop carries the shop in its partition key):

* catalog: ``SHOP#<shop>`` / ``SHOP`` (the shop), ``PRODUCT#<sku>``, ``BATCH#<sku>#<batch>``
* keys: ``<shop>#<sku>`` / ``<keyed hash of the code>``; while a key can be sold it carries
  ``available_pool`` (= its partition key), which puts it in the sparse ``available`` index.
* orders: ``<order id>`` / ``ORDER`` or ``LINE#<n>``; an order waiting for stock carries
  ``waiting_for`` (= ``<shop>#<sku>``), which puts it in the sparse ``waiting`` index.
"""

from __future__ import annotations

from pynamodb.attributes import (
    DiscriminatorAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
from pynamodb.models import Model

from faka import resources


class _Meta:
    billing_mode = "PAY_PER_REQUEST"


class CatalogItem(Model):
    """Shops, products and key batches share the catalog table."""

    class Meta(_Meta):
        table_name = resources.CATALOG_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()


class ShopItem(CatalogItem, discriminator="shop"):
    class Meta(_Meta):
        table_name = resources.CATALOG_TABLE

    name = UnicodeAttribute()
    support_email = UnicodeAttribute()
    operator_token_sha256 = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()

    @staticmethod
    def key(shop_id: str) -> tuple[str, str]:
        return f"SHOP#{shop_id}", "SHOP"


class ProductItem(CatalogItem, discriminator="product"):
    class Meta(_Meta):
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

    @staticmethod
    def key(shop_id: str, sku: str) -> tuple[str, str]:
        return f"SHOP#{shop_id}", f"PRODUCT#{sku}"


class BatchItem(CatalogItem, discriminator="batch"):
    class Meta(_Meta):
        table_name = resources.CATALOG_TABLE

    shop_id = UnicodeAttribute()
    sku = UnicodeAttribute()
    batch_id = UnicodeAttribute()
    supplier = UnicodeAttribute(default="")
    status = UnicodeAttribute(default="active")
    imported = NumberAttribute(default=0)
    issued = NumberAttribute(default=0)
    imported_at = UTCDateTimeAttribute()

    @staticmethod
    def key(shop_id: str, sku: str, batch_id: str) -> tuple[str, str]:
        return f"SHOP#{shop_id}", f"BATCH#{sku}#{batch_id}"


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
    class Meta(_Meta):
        table_name = resources.KEYS_TABLE

    product_ref = UnicodeAttribute(hash_key=True)
    code_hash = UnicodeAttribute(range_key=True)
    available_pool = UnicodeAttribute(null=True)
    code_lookup = UnicodeAttribute(null=True)
    shop_id = UnicodeAttribute()
    batch_id = UnicodeAttribute()
    sealed_code = UnicodeAttribute()
    status = UnicodeAttribute(default="available")
    order_id = UnicodeAttribute(null=True)
    line_no = NumberAttribute(null=True)
    imported_at = UTCDateTimeAttribute()
    issued_at = UTCDateTimeAttribute(null=True)

    available = AvailableKeysIndex()
    by_code = KeysByCodeIndex()


class WaitingOrdersIndex(GlobalSecondaryIndex["OrderItem"]):
    class Meta:
        index_name = "waiting"
        # pynamodb filters a polymorphic model's queries on its discriminator, so it must be projected.
        projection = IncludeProjection(["kind"])

    waiting_for = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class OrderTableItem(Model):
    class Meta(_Meta):
        table_name = resources.ORDERS_TABLE

    order_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()


class OrderItem(OrderTableItem, discriminator="order"):
    class Meta(_Meta):
        table_name = resources.ORDERS_TABLE

    shop_id = UnicodeAttribute()
    sku = UnicodeAttribute()
    quantity = NumberAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    email = UnicodeAttribute()
    locale = UnicodeAttribute()
    status = UnicodeAttribute()
    access_token_sha256 = UnicodeAttribute()
    buyer_ip = UnicodeAttribute(null=True)
    buyer_country = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    paid_at = UTCDateTimeAttribute(null=True)
    delivered_at = UTCDateTimeAttribute(null=True)
    payment_provider = UnicodeAttribute(null=True)
    payment_ref = UnicodeAttribute(null=True)
    flag_reason = UnicodeAttribute(null=True)
    waiting_for = UnicodeAttribute(null=True)
    delivery_message_id = UnicodeAttribute(null=True)
    # Keys of the order not yet activated, refunded or revoked; the escalation state machine reads it.
    pending_activation = NumberAttribute(null=True)
    reminder_level = NumberAttribute(default=0)
    escalated_at = UTCDateTimeAttribute(null=True)

    waiting = WaitingOrdersIndex()

    SK = "ORDER"


class OrderLineItem(OrderTableItem, discriminator="line"):
    class Meta(_Meta):
        table_name = resources.ORDERS_TABLE

    line_no = NumberAttribute()
    code_hash = UnicodeAttribute(null=True)
    sealed_code = UnicodeAttribute(null=True)
    batch_id = UnicodeAttribute(null=True)
    issued_at = UTCDateTimeAttribute(null=True)
    activation_status = UnicodeAttribute(null=True)
    activation_at = UTCDateTimeAttribute(null=True)
    account_region = UnicodeAttribute(null=True)

    @staticmethod
    def sort_key(line_no: int) -> str:
        return f"LINE#{line_no:04d}"


class OutreachItem(Model):
    """Per-buyer and per-shop counters of the outreach policy: daily caps, opt-outs, votes, advice."""

    class Meta(_Meta):
        table_name = resources.OUTREACH_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    expires_at = NumberAttribute(null=True)


class ShopTicketsIndex(GlobalSecondaryIndex["TicketItem"]):
    class Meta:
        index_name = "by_shop"
        projection = KeysOnlyProjection()

    shop_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class TicketItem(Model):
    """An after-sales case for a person (or, later, for an automatic playbook)."""

    class Meta(_Meta):
        table_name = resources.TICKETS_TABLE

    ticket_id = UnicodeAttribute(hash_key=True)
    shop_id = UnicodeAttribute()
    order_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="open")
    intent = UnicodeAttribute()
    severity = NumberAttribute()
    source = UnicodeAttribute()
    summary = UnicodeAttribute()
    locale = UnicodeAttribute(default="en")
    created_at = UTCDateTimeAttribute()

    by_shop = ShopTicketsIndex()


# The model whose schema (keys and indexes) defines each table.
TABLE_MODELS: tuple[type[Model], ...] = (CatalogItem, KeyItem, OrderItem, OutreachItem, TicketItem)
