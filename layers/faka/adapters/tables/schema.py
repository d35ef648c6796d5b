"""The model whose schema (keys and indexes) defines each table, which CDK and the local runtime build the tables from.

This module imports every table module, so infra, the local runtime and tests import it; a function's code never does.
"""

from __future__ import annotations

from pynamodb.models import Model

from faka.adapters.tables.catalog import CatalogItem
from faka.adapters.tables.keys import KeyItem
from faka.adapters.tables.ledger import LedgerTableItem
from faka.adapters.tables.orders import OrderItem
from faka.adapters.tables.outreach import OutreachItem
from faka.adapters.tables.ratings import RatingItem
from faka.adapters.tables.refunds import RefundTableItem
from faka.adapters.tables.tickets import TicketItem
from faka.adapters.tables.webhooks import WebhookTableItem

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
