"""The webhooks table (faka.platform's): shops' webhook subscriptions and their deliveries, and operator alert
channels.

Layout: ``WEBHOOK#<id>`` / ``WEBHOOK``, ``DELIVERY#<id>`` / ``DELIVERY`` and ``ALERTCHANNEL#<id>``; ``by_owner``
lists a shop's subscriptions (``SHOP#<shop>``), a subscription's deliveries (``WEBHOOK#<id>``) and a shop's alert
channels (``ALERTS#<shop>``).
"""

from __future__ import annotations

from pynamodb.attributes import (
    DiscriminatorAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from faka import resources
from faka.adapters.tables.base import TableMeta


class WebhooksByOwnerIndex(GlobalSecondaryIndex["WebhookTableItem"]):
    """A shop's subscriptions (owner ``SHOP#<shop>``) and a subscription's deliveries (``WEBHOOK#<id>``)."""

    class Meta:
        index_name = "by_owner"
        projection = AllProjection()

    owner = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class WebhookTableItem(Model):
    """Subscriptions (``WEBHOOK#<id>``/``WEBHOOK``) and deliveries (``DELIVERY#<id>``/``DELIVERY``)."""

    class Meta(TableMeta):
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
    class Meta(TableMeta):
        table_name = resources.WEBHOOKS_TABLE

    url = UnicodeAttribute()
    events: ListAttribute[str] = ListAttribute(of=UnicodeAttribute)  # type: ignore[arg-type]
    # The signing secret, sealed by the key vault with the subscription id as associated data.
    sealed_secret = UnicodeAttribute()

    SK = "WEBHOOK"


class AlertChannelItem(WebhookTableItem, discriminator="alert_channel"):
    """One of a shop's operator alert channels (``ALERTCHANNEL#<id>``, owner ``ALERTS#<shop>``)."""

    class Meta(TableMeta):
        table_name = resources.WEBHOOKS_TABLE

    channel = UnicodeAttribute()
    target = UnicodeAttribute()
    # The alert kinds it receives; empty: every kind.
    alerts: ListAttribute[str] = ListAttribute(of=UnicodeAttribute)  # type: ignore[arg-type]
    # The bot token or signing secret, sealed by the webhook secrets' key vault with the channel id as associated data.
    sealed_secret = UnicodeAttribute(null=True)

    SK = "ALERT_CHANNEL"


class WebhookDeliveryItem(WebhookTableItem, discriminator="webhook_delivery"):
    class Meta(TableMeta):
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
