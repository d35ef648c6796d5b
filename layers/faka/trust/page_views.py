"""Visits to the order page that shows the keys: evidence for chargebacks and for "not received" claims."""

from __future__ import annotations


def views_key(order_id: str) -> tuple[str, str]:
    """The counters item (in the outreach table) holding an order's key-page visits."""
    return f"VIEWS#{order_id}", "order_page"
