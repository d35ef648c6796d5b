"""Where the activation figures are counted: the counter keys per shop, and the time-to-activation buckets.

Pure names, no tables or models, so a function that only counts (the escalation function counts delivered keys)
loads nothing of the activation signals' orders, catalog and claims.
"""

from __future__ import annotations

# Upper bounds (hours) of the time-to-activation histogram kept per shop, from which a median is read.
HOUR_BUCKETS = (1, 6, 12, 24, 48, 72, 168, 720)


def hour_bucket(hours: float) -> str:
    return next((f"le_{bound}h" for bound in HOUR_BUCKETS if hours <= bound), "over_720h")


def advice_key(shop_id: str, platform: str, country: str) -> str:
    return f"ADVICE#{shop_id}#{platform}#{country.upper()}"


def stats_key(shop_id: str) -> str:
    return f"STATS#{shop_id}"
