"""The ratings table: buyers' ratings of their orders, one per order (faka.insight.ratings; the leaderboard
built from them is an outreach item, in faka.adapters.tables.outreach).
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from faka import resources
from faka.adapters.tables.base import TableMeta


class RatingItem(Model):
    """A buyer's rating of an order, written once (``<order id>``); its stream feeds faka.insight.ratings."""

    class Meta(TableMeta):
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
