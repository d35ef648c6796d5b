"""The refunds table (faka.money's): refunds, disputes, refund payout claims, and the sandbox payment
provider's ledger (faka.payments.providers).

Layout: ``<refund id>`` / ``REFUND``, ``<dispute id>`` / ``DISPUTE`` (both in the ``by_order`` index, refunds also in
``by_buyer``, and in ``awaiting_review`` while an operator has to decide), ``PAYOUT#<tx hash>`` / ``PAYOUT_CLAIM``,
and the sandbox provider's ledger ``SANDBOX#<payment ref>`` / ``PAYMENT`` or ``REFUND#<idempotency key>``.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from faka import resources
from faka.adapters.tables.base import TableMeta


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

    class Meta(TableMeta):
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
    class Meta(TableMeta):
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
    class Meta(TableMeta):
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

    class Meta(TableMeta):
        table_name = resources.REFUNDS_TABLE

    refund_id = UnicodeAttribute()
    claimed_at = UTCDateTimeAttribute()

    SK = "PAYOUT_CLAIM"

    @staticmethod
    def key(tx_hash: str) -> tuple[str, str]:
        return f"PAYOUT#{tx_hash}", PayoutClaimItem.SK


class SandboxPaymentItem(RefundTableItem, discriminator="sandbox_payment"):
    """A payment the sandbox provider took; ``webhook_sent`` is false when its webhook was dropped on purpose."""

    class Meta(TableMeta):
        table_name = resources.REFUNDS_TABLE

    payment_ref = UnicodeAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    paid_at = UTCDateTimeAttribute()
    webhook_sent = BooleanAttribute()


class SandboxRefundItem(RefundTableItem, discriminator="sandbox_refund"):
    class Meta(TableMeta):
        table_name = resources.REFUNDS_TABLE

    payment_ref = UnicodeAttribute()
    refund_ref = UnicodeAttribute()
    amount = NumberAttribute()
    refunded_at = UTCDateTimeAttribute()
