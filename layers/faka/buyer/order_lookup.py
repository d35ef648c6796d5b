"""Finding one's orders by email: the buyer who lost the email (or whose order-page link expired) asks, and
the address is sent links to its recent orders' pages.

The answer never says whether the address has orders: only its own mailbox learns that. Requests are
counted per caller IP and per address before anything is looked up, so nobody can flood a mailbox or
probe addresses quickly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from faka.adapters.counters import Counters
from faka.errors import TooManyRequests
from faka.observability import logger, metrics
from faka.sales.orders import Orders
from faka.shared.links import LinkSigner
from faka.trust.identity import buyer_ref

if TYPE_CHECKING:
    # Annotations only: importing it loads jinja2 (its templates), which the api needs for no cold start.
    from faka.sales.buyer_mail import BuyerMail

LOOKBACK = timedelta(days=90)
ORDERS_LISTED = 20
# Per rolling hour. An address hardly needs its links more than a few times; an IP may be a shared network.
LOOKUPS_PER_ADDRESS = 3
LOOKUPS_PER_IP = 20
_BUCKET_FORMAT = "%Y%m%dT%H%M"
_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class LookupRequest:
    shop_id: str
    email: str
    ip: str


class OrderLookup:
    def __init__(self, orders: Orders, counters: Counters, buyer_mail: BuyerMail, links: LinkSigner) -> None:
        self._orders = orders
        self._counters = counters
        self._buyer_mail = buyer_mail
        self._links = links

    def request(self, request: LookupRequest, now: datetime) -> None:
        """Mail the address its orders of the last 90 days (nothing, if it has none); 429 past the hourly limits."""
        over_ip = self._count(f"LOOKUP#IP#{request.ip}", now) > LOOKUPS_PER_IP
        over_address = self._count(f"LOOKUP#BUYER#{buyer_ref(request.email)}", now) > LOOKUPS_PER_ADDRESS
        if over_ip or over_address:
            metrics.add_metric(name="OrderLookupsRefused", unit="Count", value=1)
            raise TooManyRequests("too many order lookups; try again in an hour")
        orders = self._orders.recent_for_buyer(request.shop_id, request.email, now - LOOKBACK, ORDERS_LISTED)
        if not orders:
            return
        listed = [{"order": order, "url": self._links.order_page_url(order.order_id)} for order in orders]
        # The newest order's own address, language and shop: the same mailbox as the request's, written its way.
        self._buyer_mail.send(orders[0], "order_lookup", {"orders": listed})
        metrics.add_metric(name="OrderLookupsMailed", unit="Count", value=1)
        logger.info("order lookup mailed", extra={"orders": len(orders)})

    def _count(self, pk: str, now: datetime) -> float:
        """Count this request under ``pk`` and return the requests of the last hour, this one included."""
        expires = int((now + _WINDOW + timedelta(minutes=5)).timestamp())
        self._counters.add(pk, now.strftime(_BUCKET_FORMAT), {"lookups": 1}, expires_at=expires)
        return self._counters.total(pk, "lookups", (now - _WINDOW + timedelta(minutes=1)).strftime(_BUCKET_FORMAT))
