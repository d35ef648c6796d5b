"""The buyers' claim counts ("not received", "invalid key", "wrong region"), kept per day in the counters.

Apart from the claim guard (:mod:`faka.trust.claims`), whose rules are a pydantic model of the playbooks file: a
refund's risk check reads the buyer's count on every refund and loads neither.
"""

from __future__ import annotations

from datetime import datetime

from faka.adapters.counters import Counters
from faka.trust.identity import buyer_ref

DAY_FORMAT = "%Y-%m-%d"


def claims_key(kind: str, value: str) -> str:
    """The counter of one claimant's claims, by ``kind`` (email, ip or device); its sort keys are days."""
    return f"CLAIMS#{kind}#{buyer_ref(value)}"


def claims_since(counters: Counters, email: str, since: datetime) -> int:
    """The buyer's claims from the day of ``since`` on (counted per day), for a refund's risk rules to read."""
    return int(counters.total(claims_key("email", email), "claims", since.strftime(DAY_FORMAT)))
