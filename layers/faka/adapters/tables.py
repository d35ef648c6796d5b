"""DynamoDB tables as pynamodb models: the single description of keys and indexes.

CDK builds the tables from :data:`TABLE_MODELS` (``Model._get_schema()``) and the local runtime
creates them from the same models, so the key schema is written only here.

Layout (every item of a shop carries the shop in its partition key):

* catalog: ``SHOP#<shop>`` / ``SHOP`` (the shop), ``PRODUCT#<sku>``, ``BATCH#<sku>#<batch>``,
  ``CALLBACK_SECRET#<supplier>`` (``CALLBACK_SECRET#`` for the shop's own)
* keys: ``<shop>#<sku>`` / ``<keyed hash of the code>``; while a key can be sold it carries
  ``available_pool`` (= its partition key), which puts it in the sparse ``available`` index.
* orders: ``<order id>`` / ``ORDER`` or ``LINE#<n>``; an order waiting for stock carries
  ``waiting_for`` (= ``<shop>#<sku>``, until its delivery is announced), which puts it in the sparse ``waiting``
  index. Every order is in ``placed`` (by a shard of its id, ``placed#<n>``, and its time; never changed after),
  ``by_shop`` (a shop's orders by date) and ``by_buyer``; orders placed before ``placed`` existed and never paid
  may still carry ``payment_pending`` (the ``pending_payment`` index of old, drained by reconciliation). Payment
  reconciliation's progress is ``RECONCILIATION`` / ``PROGRESS``. Every catalog item is in ``by_kind`` (e.g. all
  shops).
* catalog also holds each shop's refund policy: ``SHOP#<shop>`` / ``REFUND_POLICY``.
* refunds: ``<refund id>`` / ``REFUND``, ``<dispute id>`` / ``DISPUTE`` (both in the ``by_order`` index, refunds
  also in ``by_buyer``), and the sandbox provider's ledger ``SANDBOX#<payment ref>`` / ``PAYMENT`` or
  ``REFUND#<idempotency key>``.
* ledger (faka.ledger): ``SHOP#<shop>`` / ``ENTRY#<occurred at>#<cause>`` (one double entry),
  ``BALANCE#<currency>#<account>`` and ``COMMISSION``; ``CAUSE#<cause>`` / ``CAUSE`` marks an event recorded.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
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


class CatalogByKindIndex(GlobalSecondaryIndex["ShopItem"]):
    """Every catalog item of one kind (e.g. every shop), by partition: the platform's list of shops."""

    class Meta:
        index_name = "by_kind"
        projection = IncludeProjection(["name", "support_email", "created_at"])

    kind = UnicodeAttribute(hash_key=True)
    pk = UnicodeAttribute(range_key=True)


class ShopItem(CatalogItem, discriminator="shop"):
    class Meta(_Meta):
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
    # Set while an operator has the product off sale: hidden from buyers, no new orders; paid orders still served.
    delisted_at = UTCDateTimeAttribute(null=True)

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

    class Meta(_Meta):
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

    class Meta(_Meta):
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

    class Meta(_Meta):
        table_name = resources.CATALOG_TABLE

    # Minor units per lower-case currency, as JSON: the map's keys are data, not attributes.
    auto_approve_limits = UnicodeAttribute()
    review_sla_seconds = NumberAttribute()
    sla_policy = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()

    @staticmethod
    def key(shop_id: str) -> tuple[str, str]:
        return f"SHOP#{shop_id}", "REFUND_POLICY"


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

    class Meta(_Meta):
        table_name = resources.ORDERS_TABLE

    # JSON {check (an order's age, in seconds): the placement time (ISO 8601) up to which that check has read}.
    read_up_to = UnicodeAttribute()

    KEY = ("RECONCILIATION", "PROGRESS")


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
    # The refund that claimed this line (at most one ever), and when its key was revoked.
    refund_id = UnicodeAttribute(null=True)
    revoked_at = UTCDateTimeAttribute(null=True)
    # A verified reissue swaps the line's key; an exchange for another region also names the variant's sku.
    sku = UnicodeAttribute(null=True)
    replacements = NumberAttribute(default=0)

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


class MailEventItem(OutreachItem):
    """What SES reported about one email: ``MAIL#<SES message id>`` / ``EVENT#<time>#<type>``."""

    class Meta(_Meta):
        table_name = resources.OUTREACH_TABLE

    event_type = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    # The event's own facts (bounce type, SMTP answer, opener's user agent), as JSON: they differ per type.
    detail = UnicodeAttribute(default="{}")


class ShopTicketsIndex(GlobalSecondaryIndex["TicketItem"]):
    class Meta:
        index_name = "by_shop"
        # pynamodb filters a polymorphic model's queries on its discriminator, so it must be projected.
        projection = IncludeProjection(["kind"])

    shop_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class TicketQueueIndex(GlobalSecondaryIndex["TicketItem"]):
    """A shop's tickets waiting for a person, in the order they are served (see faka.support.help_desk)."""

    class Meta:
        index_name = "queue"
        projection = IncludeProjection(["kind"])

    shop_id = UnicodeAttribute(hash_key=True)
    queue_key = UnicodeAttribute(range_key=True)


class TicketSlaIndex(GlobalSecondaryIndex["TicketItem"]):
    """Tickets with a running SLA clock, by when the next one runs out: what the SLA sweep reads."""

    class Meta:
        index_name = "sla_due"
        projection = IncludeProjection(["kind"])

    sla_clock = UnicodeAttribute(hash_key=True)
    sla_due_at = UTCDateTimeAttribute(range_key=True)


class TicketTableItem(Model):
    """A ticket (``TICKET``) and its thread (``MSG#<time>#<id>``) share a partition."""

    class Meta(_Meta):
        table_name = resources.TICKETS_TABLE

    ticket_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()


class TicketItem(TicketTableItem, discriminator="ticket"):
    """An after-sales case: classified on arrival, resolved automatically or by a person."""

    class Meta(_Meta):
        table_name = resources.TICKETS_TABLE

    shop_id = UnicodeAttribute()
    order_id = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    access_token_sha256 = UnicodeAttribute(null=True)
    # How the buyer proved the order is theirs (faka.support.resolutions.Proof): what the playbooks may do for them.
    proof = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="open")
    intent = UnicodeAttribute()
    confidence = NumberAttribute(default=1)
    language = UnicodeAttribute(default="en")
    sentiment = UnicodeAttribute(default="neutral")
    severity = NumberAttribute()
    severity_reasons = ListAttribute(of=UnicodeAttribute, default=list)
    entities = UnicodeAttribute(default="{}")
    source = UnicodeAttribute()
    summary = UnicodeAttribute()
    locale = UnicodeAttribute(default="en")
    rephrase_asked = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    # What the claim-fraud guard and the playbooks saw and did (see faka.support.playbooks).
    buyer_ip = UnicodeAttribute(null=True)
    device_id = UnicodeAttribute(null=True)
    playbook = UnicodeAttribute(null=True)
    playbook_outcome = UnicodeAttribute(null=True)
    risk_score = NumberAttribute(null=True)
    risk_signals: ListAttribute[str] = ListAttribute(of=UnicodeAttribute, null=True)  # type: ignore[arg-type]
    # The human help desk (see faka.support.help_desk). Only the desk writes these, each write conditioned on
    # desk_version, so claims, replies and the SLA sweep never overwrite each other.
    desk_version = NumberAttribute(null=True)
    handoff_reason = UnicodeAttribute(null=True)
    handed_off_at = UTCDateTimeAttribute(null=True)
    queued_at = UTCDateTimeAttribute(null=True)
    priority = NumberAttribute(null=True)
    # Set only while waiting for a person, which puts the ticket in the sparse queue index.
    queue_key = UnicodeAttribute(null=True)
    claimed_by = UnicodeAttribute(null=True)
    claimed_at = UTCDateTimeAttribute(null=True)
    responded_at = UTCDateTimeAttribute(null=True)
    first_response_at = UTCDateTimeAttribute(null=True)
    first_resolved_at = UTCDateTimeAttribute(null=True)
    resolved_at = UTCDateTimeAttribute(null=True)
    resolved_by = UnicodeAttribute(null=True)
    # SLA clocks: when each runs out, or (while the ticket waits on the buyer) the seconds it had left.
    first_response_due = UTCDateTimeAttribute(null=True)
    first_response_left = NumberAttribute(null=True)
    escalation_due = UTCDateTimeAttribute(null=True)
    escalation_left = NumberAttribute(null=True)
    first_response_breached_at = UTCDateTimeAttribute(null=True)
    escalated_at = UTCDateTimeAttribute(null=True)
    escalation_alerted_at = UTCDateTimeAttribute(null=True)
    # Set only while a clock runs (or an escalation alert is owed), which puts the ticket in the sparse SLA index.
    sla_clock = UnicodeAttribute(null=True)
    sla_due_at = UTCDateTimeAttribute(null=True)
    csat_score = NumberAttribute(null=True)
    csat_comment = UnicodeAttribute(null=True)
    csat_at = UTCDateTimeAttribute(null=True)
    nps_score = NumberAttribute(null=True)
    # The knowledge-base article the assistant answered with, as JSON {"id", "title"}, and the buyer's verdict.
    knowledge_article = UnicodeAttribute(null=True)
    article_helpful = BooleanAttribute(null=True)

    by_shop = ShopTicketsIndex()
    queue = TicketQueueIndex()
    sla_due = TicketSlaIndex()

    SK = "TICKET"


class TicketMessageItem(TicketTableItem, discriminator="message"):
    """One turn of a ticket's conversation; the body is stored with key codes and card numbers masked."""

    class Meta(_Meta):
        table_name = resources.TICKETS_TABLE

    author = UnicodeAttribute()
    channel = UnicodeAttribute()
    body = UnicodeAttribute()
    attachments = ListAttribute(of=UnicodeAttribute, default=list)
    created_at = UTCDateTimeAttribute()


class TicketDeskEntryItem(TicketTableItem, discriminator="desk_entry"):
    """What operators keep about a ticket among themselves (``DESK#<time>#<id>``): an internal note (masked) or a
    step of the desk's history (claimed, reassigned, resolved, reopened). Never part of the buyer's thread."""

    class Meta(_Meta):
        table_name = resources.TICKETS_TABLE

    entry = UnicodeAttribute()
    agent = UnicodeAttribute()
    body = UnicodeAttribute(null=True)
    from_agent = UnicodeAttribute(null=True)
    to_agent = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()


class RefundsByBuyerIndex(GlobalSecondaryIndex["RefundTableItem"]):
    """A buyer's refunds by request time, counted by the refund-velocity rule."""

    class Meta:
        index_name = "by_buyer"
        # pynamodb filters a polymorphic model's queries on its discriminator, so it must be projected.
        projection = IncludeProjection(["kind"])

    buyer_ref = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class CasesByOrderIndex(GlobalSecondaryIndex["RefundTableItem"]):
    """An order's refunds and disputes, for its evidence pack and the operator's view."""

    class Meta:
        index_name = "by_order"
        projection = AllProjection()

    order_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class AwaitingReviewIndex(GlobalSecondaryIndex["RefundTableItem"]):
    """Each shop's refunds waiting for an operator's decision, oldest first (sparse: only those carry the key)."""

    class Meta:
        index_name = "awaiting_review"
        # pynamodb filters a polymorphic model's queries on its discriminator, so it must be projected.
        projection = AllProjection()

    review_shop = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class RefundTableItem(Model):
    """Refunds (``<refund id>``/``REFUND``), disputes (``<dispute id>``/``DISPUTE``) and the sandbox
    provider's ledger (``SANDBOX#<order id>``/``PAYMENT#<ref>`` or ``REFUND#<idempotency key>``)."""

    class Meta(_Meta):
        table_name = resources.REFUNDS_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    # Index keys, declared here because the indexes belong to the table; only refunds and disputes set them.
    order_id = UnicodeAttribute(null=True)
    buyer_ref = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(null=True)

    review_shop = UnicodeAttribute(null=True)

    by_buyer = RefundsByBuyerIndex()
    by_order = CasesByOrderIndex()
    awaiting_review = AwaitingReviewIndex()


class RefundItem(RefundTableItem, discriminator="refund"):
    class Meta(_Meta):
        table_name = resources.REFUNDS_TABLE

    shop_id = UnicodeAttribute()
    lines: ListAttribute[int] = ListAttribute(of=NumberAttribute)  # type: ignore[arg-type]
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    reason = UnicodeAttribute()
    status = UnicodeAttribute()
    requested_by = UnicodeAttribute()
    risk_rules: ListAttribute[str] = ListAttribute(of=UnicodeAttribute, null=True)  # type: ignore[arg-type]
    review_deadline = UTCDateTimeAttribute(null=True)
    task_token = UnicodeAttribute(null=True)
    reminders = NumberAttribute(default=0)
    escalated_at = UTCDateTimeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)
    decision_reason = UnicodeAttribute(null=True)
    decided_at = UTCDateTimeAttribute(null=True)
    # Set when the platform paid the buyer because the shop missed its review SLA: charged back to the shop.
    compensated_by_platform = NumberAttribute(null=True)
    revoked_at = UTCDateTimeAttribute(null=True)
    provider_ref = UnicodeAttribute(null=True)
    completed_at = UTCDateTimeAttribute(null=True)
    # The provider's own report on the refund, where it sends one (WeChat Pay: SUCCESS, ABNORMAL or CLOSED).
    provider_status = UnicodeAttribute(null=True)
    provider_status_at = UTCDateTimeAttribute(null=True)

    SK = "REFUND"


class DisputeItem(RefundTableItem, discriminator="dispute"):
    class Meta(_Meta):
        table_name = resources.REFUNDS_TABLE

    shop_id = UnicodeAttribute()
    charge = UnicodeAttribute(null=True)
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    reason = UnicodeAttribute()
    status = UnicodeAttribute()
    revoked_lines: ListAttribute[int] = ListAttribute(of=NumberAttribute, default=list)  # type: ignore[arg-type]
    closed_at = UTCDateTimeAttribute(null=True)

    SK = "DISPUTE"


class PayoutClaimItem(RefundTableItem, discriminator="payout_claim"):
    """A transfer an operator paid a refund with (USDT): one item per transaction hash, so one transfer settles
    one refund; written in the transaction that completes the refund, on condition no other refund holds it."""

    class Meta(_Meta):
        table_name = resources.REFUNDS_TABLE

    refund_id = UnicodeAttribute()
    claimed_at = UTCDateTimeAttribute()

    SK = "PAYOUT_CLAIM"

    @staticmethod
    def key(tx_hash: str) -> tuple[str, str]:
        return f"PAYOUT#{tx_hash}", PayoutClaimItem.SK


class SandboxPaymentItem(RefundTableItem, discriminator="sandbox_payment"):
    """A payment the sandbox provider took; ``webhook_sent`` is false when its webhook was dropped on purpose."""

    class Meta(_Meta):
        table_name = resources.REFUNDS_TABLE

    payment_ref = UnicodeAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    paid_at = UTCDateTimeAttribute()
    webhook_sent = BooleanAttribute()


class SandboxRefundItem(RefundTableItem, discriminator="sandbox_refund"):
    class Meta(_Meta):
        table_name = resources.REFUNDS_TABLE

    payment_ref = UnicodeAttribute()
    refund_ref = UnicodeAttribute()
    amount = NumberAttribute()
    refunded_at = UTCDateTimeAttribute()


class RatingItem(Model):
    """A buyer's rating of an order, written once (``<order id>``); its stream feeds faka.insight.ratings."""

    class Meta(_Meta):
        table_name = resources.RATINGS_TABLE

    order_id = UnicodeAttribute(hash_key=True)
    shop_id = UnicodeAttribute()
    sku = UnicodeAttribute()
    category = UnicodeAttribute()
    # Dimension → score (1-5) as JSON: which dimensions there are is data (the rating templates).
    scores = UnicodeAttribute()
    comment = UnicodeAttribute(null=True)
    locale = UnicodeAttribute()
    rated_at = UTCDateTimeAttribute()


class RatingLeaderboardItem(OutreachItem):
    """The platform's best-rated recommended products (``RECOMMENDED`` / ``LEADERBOARD``), best first."""

    class Meta(_Meta):
        table_name = resources.OUTREACH_TABLE

    # [{"shop_id", "sku", "name", "mean", "count"}] as JSON, at most the rules' leaderboard size.
    entries = UnicodeAttribute(default="[]")
    # pynamodb conditions every save on it, so two consumers placing products at once never lose one.
    version = VersionAttribute()


class WebhooksByOwnerIndex(GlobalSecondaryIndex["WebhookTableItem"]):
    """A shop's subscriptions (owner ``SHOP#<shop>``) and a subscription's deliveries (``WEBHOOK#<id>``)."""

    class Meta:
        index_name = "by_owner"
        projection = AllProjection()

    owner = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class WebhookTableItem(Model):
    """Subscriptions (``WEBHOOK#<id>``/``WEBHOOK``) and deliveries (``DELIVERY#<id>``/``DELIVERY``)."""

    class Meta(_Meta):
        table_name = resources.WEBHOOKS_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    owner = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    shop_id = UnicodeAttribute()
    # Deliveries expire (epoch seconds); subscriptions stay until their shop's operator deletes them.
    expires_at = NumberAttribute(null=True)

    by_owner = WebhooksByOwnerIndex()


class WebhookSubscriptionItem(WebhookTableItem, discriminator="webhook"):
    class Meta(_Meta):
        table_name = resources.WEBHOOKS_TABLE

    url = UnicodeAttribute()
    events: ListAttribute[str] = ListAttribute(of=UnicodeAttribute)  # type: ignore[arg-type]
    # The signing secret, sealed by the key vault with the subscription id as associated data.
    sealed_secret = UnicodeAttribute()

    SK = "WEBHOOK"


class AlertChannelItem(WebhookTableItem, discriminator="alert_channel"):
    """One of a shop's operator alert channels (``ALERTCHANNEL#<id>``, owner ``ALERTS#<shop>``)."""

    class Meta(_Meta):
        table_name = resources.WEBHOOKS_TABLE

    channel = UnicodeAttribute()
    target = UnicodeAttribute()
    # The alert kinds it receives; empty: every kind.
    alerts: ListAttribute[str] = ListAttribute(of=UnicodeAttribute)  # type: ignore[arg-type]
    # The bot token or signing secret, sealed by the webhook secrets' key vault with the channel id as associated data.
    sealed_secret = UnicodeAttribute(null=True)

    SK = "ALERT_CHANNEL"


class WebhookDeliveryItem(WebhookTableItem, discriminator="webhook_delivery"):
    class Meta(_Meta):
        table_name = resources.WEBHOOKS_TABLE

    subscription_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    # The exact JSON body every attempt sends, so a retry or a replay signs the same bytes.
    payload = UnicodeAttribute()
    status = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    last_status_code = NumberAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    last_attempt_at = UTCDateTimeAttribute(null=True)
    # When the next attempt is due; while an attempt is in flight, when it is given up as lost.
    next_attempt_at = UTCDateTimeAttribute(null=True)
    delivered_at = UTCDateTimeAttribute(null=True)

    SK = "DELIVERY"


class LedgerTableItem(Model):
    """The platform's double-entry ledger: entries, balances, commission rates and the causes recorded."""

    class Meta(_Meta):
        table_name = resources.LEDGER_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()


class LedgerEntryItem(LedgerTableItem, discriminator="entry"):
    class Meta(_Meta):
        table_name = resources.LEDGER_TABLE

    cause = UnicodeAttribute()
    entry_kind = UnicodeAttribute()
    order_id = UnicodeAttribute()
    currency = UnicodeAttribute()
    occurred_at = UTCDateTimeAttribute()
    # JSON of account → signed amount in minor units; the amounts of one entry sum to zero.
    postings = UnicodeAttribute()
    commission_bps = NumberAttribute(null=True)
    ref = UnicodeAttribute(null=True)


class LedgerBalanceItem(LedgerTableItem, discriminator="balance"):
    class Meta(_Meta):
        table_name = resources.LEDGER_TABLE

    balance = NumberAttribute(default=0)


class CommissionRateItem(LedgerTableItem, discriminator="commission"):
    class Meta(_Meta):
        table_name = resources.LEDGER_TABLE

    rate_bps = NumberAttribute()
    set_at = UTCDateTimeAttribute()

    SK = "COMMISSION"


class LedgerCauseItem(LedgerTableItem, discriminator="cause"):
    class Meta(_Meta):
        table_name = resources.LEDGER_TABLE

    shop_id = UnicodeAttribute()
    entry_sk = UnicodeAttribute()

    SK = "CAUSE"


# The model whose schema (keys and indexes) defines each table.
TABLE_MODELS: tuple[type[Model], ...] = (
    CatalogItem,
    KeyItem,
    OrderItem,
    OutreachItem,
    TicketItem,
    RefundTableItem,
    RatingItem,
    WebhookTableItem,
    LedgerTableItem,
)


class ReminderExperimentItem(OutreachItem):
    """A shop's reminder experiment (faka.activation.experiments): ``EXPERIMENTS#<shop>`` / ``EXP#<id>``."""

    class Meta(_Meta):
        table_name = resources.OUTREACH_TABLE

    experiment_id = UnicodeAttribute()
    level = NumberAttribute()
    # The variants besides the control, as JSON [{"name", "template", "send_hour"}].
    variants = UnicodeAttribute()
    min_per_arm = NumberAttribute()
    status = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    stopped_at = UTCDateTimeAttribute(null=True)
    promoted_variant = UnicodeAttribute(null=True)
    promoted_at = UTCDateTimeAttribute(null=True)
    # The significance test that promoted it, as JSON {"p_value", "leader", "runner_up"}.
    decision = UnicodeAttribute(null=True)
    # The last day (UTC, YYYY-MM-DD) a reminder ran the test: the day's first reminder runs it, once.
    evaluated_on = UnicodeAttribute(null=True)


class ReminderExperimentSlotItem(OutreachItem):
    """The one experiment running for a shop's reminder level, until stopped: ``EXPERIMENTS#<shop>`` / ``LEVEL#<n>``."""

    class Meta(_Meta):
        table_name = resources.OUTREACH_TABLE

    experiment_id = UnicodeAttribute()


class ReminderAssignmentItem(OutreachItem):
    """The variant an order's reminder got in an experiment, written once: ``EXPERIMENT#<id>`` / ``ORDER#<order>``."""

    class Meta(_Meta):
        table_name = resources.OUTREACH_TABLE

    variant = UnicodeAttribute()
    assigned_at = UTCDateTimeAttribute()
