"""How urgently a person must look at a ticket, 1 (the buyer can help themself) to 5 (drop everything).

The seed's rules: activation help and order status are self-service (1–2); other claims need a standard
human action (3); anger on a high-value order, repeated claims and account takeovers are urgent (4–5);
a fraud report is always 5. Every point added comes with its reason, shown to the operator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SELF_SERVICE = frozenset({"activation_help", "order_status", "other"})
URGENT_BASE = {"account_security": 4}
# "High value" per currency in minor units, about 100 USD; currencies not listed use the USD figure.
HIGH_VALUE_MINOR = {"usd": 10_000, "eur": 10_000, "gbp": 8_000, "cny": 70_000, "hkd": 80_000, "jpy": 15_000}
HIGH_VALUE_DEFAULT_MINOR = 10_000
REPEATED_CLAIMS = 2
STUCK_HOURS = 48.0


@dataclass(frozen=True)
class TriageContext:
    """What the ticket service knows about the order and the buyer beyond the message itself."""

    order_amount_minor: int | None = None
    currency: str | None = None
    hours_since_delivery: float | None = None
    prior_claims: int = 0


def _order_value(context: TriageContext, entities: dict[str, Any]) -> tuple[int, str] | None:
    """The order's amount from the context; failing that, the amount the buyer says they paid."""
    if context.order_amount_minor is not None:
        return context.order_amount_minor, (context.currency or "usd").lower()
    amount = entities.get("amount")
    if amount and amount.get("minor") is not None:
        return int(amount["minor"]), amount.get("currency") or "usd"
    return None


def assess(intent: str, sentiment: str, entities: dict[str, Any], context: TriageContext) -> tuple[int, list[str]]:
    if intent == "fraud_report":
        return 5, ["fraud report: always urgent"]
    reasons: list[str] = []
    if intent in URGENT_BASE:
        severity = URGENT_BASE[intent]
        reasons.append(f"{intent.replace('_', ' ')}: urgent")
    elif intent in SELF_SERVICE:
        severity = 1
        reasons.append(f"{intent.replace('_', ' ')}: self-service")
    else:
        severity = 3
        reasons.append(f"{intent.replace('_', ' ')}: needs a person")

    value = _order_value(context, entities)
    high_value = value if value and value[0] >= HIGH_VALUE_MINOR.get(value[1], HIGH_VALUE_DEFAULT_MINOR) else None
    if sentiment == "angry":
        severity += 1
        reasons.append("angry buyer")
        if high_value:
            severity = max(severity, 4)
            reasons.append(f"and a high-value order ({high_value[0]} {high_value[1]} minor units)")
    if context.prior_claims >= REPEATED_CLAIMS:
        severity = max(severity + 1, 4)
        reasons.append(f"repeated claims ({context.prior_claims} before this one)")
    hours = context.hours_since_delivery
    if intent in SELF_SERVICE and hours is not None and hours >= STUCK_HOURS:
        severity += 1
        reasons.append(f"still unresolved {hours:.0f} h after delivery")
    return max(1, min(severity, 5)), reasons
