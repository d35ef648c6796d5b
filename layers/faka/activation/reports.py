"""Activation figures per shop: rate, time to activation, what each reminder level brought, helpful votes."""

from __future__ import annotations

from typing import Any

from faka.activation.escalation import TRANSITIONS_PER_PATH
from faka.activation.figures import HOUR_BUCKETS, stats_key
from faka.activation.reminders import template_key
from faka.adapters.counters import Counters


def activation_report(counters: Counters, shop_id: str) -> dict[str, Any]:
    stats = counters.get(stats_key(shop_id), "activation")
    delivered = int(stats.get("delivered", 0))
    activated = int(stats.get("activated", 0))
    templates = counters.all_under(template_key(shop_id))
    return {
        "keys_delivered": delivered,
        "keys_activated": activated,
        "activation_rate": round(activated / delivered, 3) if delivered else None,
        "mean_hours_to_activation": round(stats.get("hours_to_activation", 0) / activated, 2) if activated else None,
        "median_hours_to_activation_at_most": _median_bucket(stats, activated),
        "activations_after_reminder_level": {
            str(level): int(stats.get(f"after_level_{level}", 0)) for level in range(4)
        },
        "escalation_state_transitions_per_order": TRANSITIONS_PER_PATH,
        "templates": {
            name: {
                "sent": int(c.get("sent", 0)),
                "helpful_yes": int(c.get("helpful_yes", 0)),
                "helpful_no": int(c.get("helpful_no", 0)),
                "helpful_rate": round(c.get("helpful_yes", 0) / votes, 3)
                if (votes := c.get("helpful_yes", 0) + c.get("helpful_no", 0))
                else None,
            }
            for name, c in sorted(templates.items())
        },
    }


def _median_bucket(stats: dict[str, float], activated: int) -> int | None:
    """The histogram bucket holding the median activation: "half the keys worked within N hours"."""
    seen = 0.0
    for bound in HOUR_BUCKETS:
        seen += stats.get(f"le_{bound}h", 0)
        if activated and seen >= activated / 2:
            return bound
    return None
