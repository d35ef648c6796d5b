"""The ledger table (faka.ledger's): the platform's double-entry ledger.

Layout: ``SHOP#<shop>`` / ``ENTRY#<occurred at>#<cause>`` (one double entry), ``BALANCE#<currency>#<account>`` and
``COMMISSION``; ``CAUSE#<cause>`` / ``CAUSE`` marks an event recorded.
"""

from __future__ import annotations

from pynamodb.attributes import DiscriminatorAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from faka import resources
from faka.adapters.tables.base import TableMeta


class LedgerTableItem(Model):
    """The platform's double-entry ledger: entries, balances, commission rates and the causes recorded."""

    class Meta(TableMeta):
        table_name = resources.LEDGER_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()


class LedgerEntryItem(LedgerTableItem, discriminator="entry"):
    class Meta(TableMeta):
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
    class Meta(TableMeta):
        table_name = resources.LEDGER_TABLE

    balance = NumberAttribute(default=0)


class CommissionRateItem(LedgerTableItem, discriminator="commission"):
    class Meta(TableMeta):
        table_name = resources.LEDGER_TABLE

    rate_bps = NumberAttribute()
    set_at = UTCDateTimeAttribute()

    SK = "COMMISSION"


class LedgerCauseItem(LedgerTableItem, discriminator="cause"):
    class Meta(TableMeta):
        table_name = resources.LEDGER_TABLE

    shop_id = UnicodeAttribute()
    entry_sk = UnicodeAttribute()

    SK = "CAUSE"
