"""The claim-fraud guard: which "not received" / "invalid key" / "wrong region" claims a person must see.

Every claim is counted, atomically and before it is judged, against the buyer's email, IP and device,
so three copies of one claim submitted at once see one another. A claim is held when the buyer keeps
claiming (across orders), when several addresses claim from one IP, when the supplier says the key was
activated, when "not received" comes after the buyer opened the page showing the key, when a key the
buyer called invalid was activated after its replacement, or when the buyer is frozen by a chargeback.
A held claim is never reissued or refunded automatically.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from faka.adapters.counters import Counters
from faka.shared.model import Order
from faka.shared.rules_file import Limits
from faka.trust.claim_counts import DAY_FORMAT, claims_key
from faka.trust.identity import buyer_ref
from faka.trust.page_views import views_key
from faka.trust.risk import RiskRules, frozen_key

CLAIM_INTENTS = frozenset({"not_received", "invalid_key", "wrong_region"})


# The playbooks file's claim_guard (faka.support.playbooks), read by faka.shared.rules_file: no pydantic loads with
# the claims a ticket's assistant reads.
@dataclass(frozen=True, kw_only=True)
class GuardRules:
    comment: str = ""
    window_days: Annotated[int, Limits(gt=0, le=365)]
    prior_claims_by_email: Annotated[int, Limits(ge=1)]
    prior_claims_by_ip: Annotated[int, Limits(ge=1)]
    prior_claims_by_device: Annotated[int, Limits(ge=1)]
    emails_claiming_from_ip: Annotated[int, Limits(ge=2)]
    weights: dict[str, Annotated[float, Limits(ge=0, le=1)]]


@dataclass(frozen=True)
class Claimant:
    email: str | None
    ip: str | None = None
    device: str | None = None


@dataclass(frozen=True)
class ClaimRisk:
    score: float
    signals: tuple[str, ...]
    prior_claims: int

    @property
    def held(self) -> bool:
        return bool(self.signals)


def _ref(value: str) -> str:
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def replaced_key_activated_key(email: str) -> tuple[str, str]:
    """Flag of a buyer who called a key invalid, got a replacement, and then the first key was activated."""
    return f"BUYER#{buyer_ref(email)}", "REPLACED_KEY_ACTIVATED"


class ClaimGuard:
    def __init__(self, counters: Counters, rules: GuardRules, risk_rules: RiskRules) -> None:
        self._counters = counters
        self._rules = rules
        # Shared addresses the burst rules never count (loopback: with faka local every buyer is 127.0.0.1).
        self._counts_ip = risk_rules.counts_ip

    def screen(
        self, claimant: Claimant, order: Order | None, intent: str, now: datetime, *, counted: bool = False
    ) -> ClaimRisk:
        """Count this claim (unless ``counted`` when it was made), then name the signals that hold it (none: the
        playbook may act)."""
        rules = self._rules
        window_start = (now - timedelta(days=rules.window_days - 1)).strftime(DAY_FORMAT)
        expires = int((now + timedelta(days=rules.window_days)).timestamp())
        ip = claimant.ip if self._counts_ip(claimant.ip) else None
        prior = {
            kind: (
                self._claims_counted(kind, value, window_start)
                if counted
                else self._count_claim(kind, value, now, window_start, expires)
            )
            - 1
            for kind, value in (("email", claimant.email), ("ip", ip), ("device", claimant.device))
            if value
        }
        signals = [
            f"repeat_claims_by_{kind}"
            for kind, threshold in (
                ("email", rules.prior_claims_by_email),
                ("ip", rules.prior_claims_by_ip),
                ("device", rules.prior_claims_by_device),
            )
            if prior.get(kind, 0) >= threshold
        ]
        if ip and claimant.email:
            if not counted:
                self._counters.add(
                    f"CLAIMS_FROM_IP#{_ref(ip)}", _ref(claimant.email), {"claims": 1}, expires_at=expires
                )
            if len(self._counters.all_under(f"CLAIMS_FROM_IP#{_ref(ip)}")) >= rules.emails_claiming_from_ip:
                signals.append("many_emails_from_ip")
        if order is not None:
            if any(line.activated for line in order.lines):
                signals.append("key_reported_activated")
            if intent == "not_received" and self._counters.get(*views_key(order.order_id)).get("visits", 0) > 0:
                signals.append("claimed_after_key_page_view")
        if claimant.email:
            if self._counters.has_flag(*replaced_key_activated_key(claimant.email)):
                signals.append("replaced_key_later_activated")
            if self._counters.has_flag(*frozen_key(buyer_ref(claimant.email))):
                signals.append("buyer_frozen")
        score = min(1.0, sum(rules.weights.get(signal, 0.5) for signal in signals))
        return ClaimRisk(round(score, 2), tuple(signals), max(prior.values(), default=0))

    def _claims_counted(self, kind: str, value: str, window_start: str) -> int:
        return int(self._counters.total(claims_key(kind, value), "claims", window_start))

    def _count_claim(self, kind: str, value: str, now: datetime, window_start: str, expires: int) -> int:
        """The claims in the window including this one; today's count comes from the atomic add itself, so
        concurrent claims each see a different number."""
        pk = claims_key(kind, value)
        counted = self._counters.add(pk, now.strftime(DAY_FORMAT), {"claims": 1}, expires_at=expires)
        yesterday = (now - timedelta(days=1)).strftime(DAY_FORMAT)
        return int(counted["claims"] + self._counters.total(pk, "claims", window_start, yesterday))
