"""Each shop's refund policy, set by the platform: how much is approved without a person, and what happens when
the shop's operators miss the review deadline (its ``SlaPolicy``). One item per shop in the catalog table; until a
shop has one, the rules file's defaults apply. :mod:`faka.money.refund_review` applies it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from pynamodb.exceptions import DoesNotExist

from faka.adapters.tables.catalog import RefundPolicyItem
from faka.trust.risk import RefundDefaults, SlaPolicy


@dataclass(frozen=True)
class RefundPolicy:
    auto_approve_limits: dict[str, int]
    review_sla_seconds: int
    sla_policy: SlaPolicy

    def limit_for(self, currency: str) -> int | None:
        return self.auto_approve_limits.get(currency.lower())


class RefundPolicies:
    """Each shop's refund policy (the platform sets it), the rules file's defaults until then."""

    def __init__(self, defaults: RefundDefaults) -> None:
        self._defaults = RefundPolicy(
            dict(defaults.auto_approve_limits), defaults.review_sla_seconds, defaults.sla_policy
        )

    def get(self, shop_id: str) -> RefundPolicy:
        try:
            item = RefundPolicyItem.get(*RefundPolicyItem.key(shop_id))
        except DoesNotExist:
            return self._defaults
        return RefundPolicy(
            json.loads(item.auto_approve_limits), int(item.review_sla_seconds), SlaPolicy(item.sla_policy)
        )

    def save(self, shop_id: str, policy: RefundPolicy) -> RefundPolicy:
        RefundPolicyItem(
            *RefundPolicyItem.key(shop_id),
            auto_approve_limits=json.dumps({c.lower(): v for c, v in policy.auto_approve_limits.items()}),
            review_sla_seconds=policy.review_sla_seconds,
            sla_policy=policy.sla_policy.value,
            updated_at=datetime.now(UTC),
        ).save()
        return policy
