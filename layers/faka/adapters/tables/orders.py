"""The orders table: orders and their lines (faka.sales's), and payment reconciliation's progress.

Layout: ``<order id>`` / ``ORDER`` or ``LINE#<n>``; an order waiting for stock carries ``waiting_for``
(= ``<shop>#<sku>``, until its delivery is announced), which puts it in the sparse ``waiting`` index. Every order is
in ``placed`` (by a shard of its id, ``placed#<n>``, and its time; never changed after), ``by_shop`` (a shop's orders
by date) and ``by_buyer``; orders placed before ``placed`` existed and never paid may still carry
``payment_pending`` (the ``pending_payment`` index of old, drained by reconciliation). Payment reconciliation's
progress is ``RECONCILIATION`` / ``PROGRESS``.
"""

from __future__ import annotations

from pynamodb.attributes import (
    DiscriminatorAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from faka import resources
from faka.adapters.tables.base import TableMeta


class WaitingOrdersIndex(GlobalSecondaryIndex["OrderItem"]):
    class Meta:
        index_name = "waiting"
        # pynamodb filters a polymorphic model's queries on its discriminator, so it must be projected.
        projection = IncludeProjection(["kind"])

    waiting_for = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class PendingPaymentsIndex(GlobalSecondaryIndex["OrderItem"]):
    """Orders still waiting for their payment, oldest first: what payment reconciliation asks the provider about."""

    class Meta:
        index_name = "pending_payment"
        projection = IncludeProjection(["kind"])

    payment_pending = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class PlacedOrdersIndex(GlobalSecondaryIndex["OrderItem"]):
    """Every order by the time it was placed, in shards: what payment reconciliation reads at fixed ages.

    Its key is set when the order is placed and it projects only ``kind``, so its entry is written once and no later
    update of the order (payment, delivery, mail) writes it.
    """

    class Meta:
        index_name = "placed"
        projection = IncludeProjection(["kind"])

    placed_shard = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class OrdersByBuyerIndex(GlobalSecondaryIndex["OrderItem"]):
    """A buyer's orders, newest first, by their address's ref (never the address): the order lookup by email."""

    class Meta:
        index_name = "by_buyer"
        projection = IncludeProjection(["kind", "shop_id"])

    buyer_ref = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class OrdersByShopIndex(GlobalSecondaryIndex["OrderItem"]):
    """A shop's orders, newest first: the operators' order search and export (only orders carry shop_id).

    It projects only what never changes after the order is placed (the product, for the search's filter): an
    order's payment, delivery and mail updates then write the table alone, not this index too (an index entry is
    written whenever a projected attribute changes). The search reads the orders it finds.
    """

    class Meta:
        index_name = "by_shop"
        projection = IncludeProjection(["kind", "sku"])

    shop_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class OrderTableItem(Model):
    class Meta(TableMeta):
        table_name = resources.ORDERS_TABLE

    order_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()


class OrderItem(OrderTableItem, discriminator="order"):
    class Meta(TableMeta):
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
    # The storefront's fingerprint of the buyer's device, when it sends one (checkout risk, chargeback evidence).
    device_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    paid_at = UTCDateTimeAttribute(null=True)
    delivered_at = UTCDateTimeAttribute(null=True)
    payment_provider = UnicodeAttribute(null=True)
    payment_ref = UnicodeAttribute(null=True)
    # The provider's event id of the notification that recorded the payment (its replay is answered alike).
    payment_event_id = UnicodeAttribute(null=True)
    # The method chosen at checkout ("stripe", "alipay", "wechat_pay", "usdt_trc20"); absent on older orders.
    payment_method = UnicodeAttribute(null=True)
    # The provider's checkout answer as JSON (faka.sales.orders.Orders.record_checkout): how to pay while pending.
    checkout = UnicodeAttribute(null=True)
    flag_reason = UnicodeAttribute(null=True)
    waiting_for = UnicodeAttribute(null=True)
    delivery_message_id = UnicodeAttribute(null=True)
    # Keys of the order not yet activated, refunded or revoked; the escalation state machine reads it.
    pending_activation = NumberAttribute(null=True)
    reminder_level = NumberAttribute(default=0)
    escalated_at = UTCDateTimeAttribute(null=True)
    # Set on orders placed before the placed index until reconciliation takes them out (the pending_payment index).
    payment_pending = UnicodeAttribute(null=True)
    # faka.sales.orders.placed_shard(order_id), set when the order is placed: puts it in the placed index.
    placed_shard = UnicodeAttribute(null=True)
    # Checkout risk rules that fired when the order was placed; its payment then holds it instead of delivering.
    hold_rules: ListAttribute[str] = ListAttribute(of=UnicodeAttribute, null=True)  # type: ignore[arg-type]
    # One refund at a time: its id, and the status the order returns to if the refund leaves lines unrefunded.
    open_refund_id = UnicodeAttribute(null=True)
    status_before_refund = UnicodeAttribute(null=True)
    refunded_amount = NumberAttribute(null=True)
    # risk.buyer_ref of the email: puts the order in the by_buyer index the order lookup reads.
    buyer_ref = UnicodeAttribute(null=True)

    waiting = WaitingOrdersIndex()
    pending_payments = PendingPaymentsIndex()
    placed = PlacedOrdersIndex()
    by_buyer = OrdersByBuyerIndex()
    by_shop = OrdersByShopIndex()

    SK = "ORDER"


class ReconciliationProgressItem(OrderTableItem, discriminator="reconciliation_progress"):
    """How far payment reconciliation has read the placed index, one run's single read and write:
    ``RECONCILIATION`` / ``PROGRESS``."""

    class Meta(TableMeta):
        table_name = resources.ORDERS_TABLE

    # JSON {check (an order's age, in seconds): the placement time (ISO 8601) up to which that check has read}.
    read_up_to = UnicodeAttribute()

    KEY = ("RECONCILIATION", "PROGRESS")


class OrderLineItem(OrderTableItem, discriminator="line"):
    class Meta(TableMeta):
        table_name = resources.ORDERS_TABLE

    line_no = NumberAttribute()
    code_hash = UnicodeAttribute(null=True)
    sealed_code = UnicodeAttribute(null=True)
    batch_id = UnicodeAttribute(null=True)
    issued_at = UTCDateTimeAttribute(null=True)
    activation_status = UnicodeAttribute(null=True)
    activation_at = UTCDateTimeAttribute(null=True)
    account_region = UnicodeAttribute(null=True)
    # The refund that claimed this line (at most one ever), and when its key was revoked.
    refund_id = UnicodeAttribute(null=True)
    revoked_at = UTCDateTimeAttribute(null=True)
    # A verified reissue swaps the line's key; an exchange for another region also names the variant's sku.
    sku = UnicodeAttribute(null=True)
    replacements = NumberAttribute(default=0)

    @staticmethod
    def sort_key(line_no: int) -> str:
        return f"LINE#{line_no:04d}"
