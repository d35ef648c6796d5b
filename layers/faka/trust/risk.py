"""Risk rules as data: when a refund needs a person, and when a paid order is held before delivery.

The rules (``faka/rules/refund_risk.json``) are validated when loaded: an unknown condition, a condition
that means nothing for its section (a key activation at checkout), an empty rule or a malformed address
fails with a message naming the rule. Every decision records the names of the rules that fired.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from faka.adapters.counters import Counters
from faka.adapters.tables.refunds import RefundTableItem
from faka.observability import logger
from faka.shared.rules_file import InvalidRulesFile, Limits, read
from faka.trust.identity import buyer_ref

RULES_FILE = Path(__file__).resolve().parents[1] / "rules" / "refund_risk.json"

BlacklistKind = Literal["email", "email_domain", "ip", "country"]


class SlaPolicy(StrEnum):
    """What happens to a refund no operator decided within the shop's review SLA."""

    AUTO_APPROVE = "auto_approve"  # the platform pays the buyer first and records it against the shop
    FLAG_SHOP = "flag_shop"  # the same, and the shop is flagged for the platform
    ESCALATE = "escalate"  # the platform's own operators take the review over for one more SLA


class Counted(StrEnum):
    REFUNDS = "refunds"
    TICKET_CLAIMS = "ticket_claims"
    ORDERS_FROM_IP = "orders_from_ip"
    ORDERS_FROM_EMAIL = "orders_from_email"
    ORDERS_FROM_DEVICE = "orders_from_device"


# The file's parts, read by faka.shared.rules_file: every refund's risk check reads them, so no pydantic.
@dataclass(frozen=True, kw_only=True)
class Window:
    count: Annotated[int, Limits(ge=0)]
    minutes: Annotated[int, Limits(gt=0, le=10080)]


@dataclass(frozen=True, kw_only=True)
class Conditions:
    refunds_over: Window | None = None
    # "Not received" / "invalid key" / "wrong region" tickets by the buyer's email (counted per day).
    ticket_claims_over: Window | None = None
    orders_from_ip_over: Window | None = None
    orders_from_email_over: Window | None = None
    orders_from_device_over: Window | None = None
    key_activated: bool | None = None
    over_shop_limit: bool | None = None
    buyer_frozen: bool | None = None
    blacklisted: Annotated[tuple[BlacklistKind, ...], Limits(min_length=1)] | None = None

    def __post_init__(self) -> None:
        if not self.used:
            raise ValueError("a rule needs at least one condition")

    @property
    def used(self) -> set[str]:
        """The conditions given a value: a rule without any would fire on everything."""
        return {condition.name for condition in fields(self) if getattr(self, condition.name) is not None}


@dataclass(frozen=True, kw_only=True)
class RiskRule:
    name: Annotated[str, Limits(pattern=r"[a-z][a-z0-9_]*")]
    when: Conditions


@dataclass(frozen=True, kw_only=True)
class RefundDefaults:
    comment: str = ""
    auto_approve_limits: dict[Annotated[str, Limits(pattern=r"[a-z]{3}")], Annotated[int, Limits(ge=0)]]
    review_sla_seconds: Annotated[int, Limits(gt=0)]
    sla_policy: SlaPolicy


def _network(value: str) -> None:
    ipaddress.ip_network(value, strict=False)  # a ValueError names the bad entry


Network = Annotated[str, Limits(check=_network)]


@dataclass(frozen=True, kw_only=True)
class Blacklists:
    emails: tuple[str, ...] = ()
    email_domains: tuple[str, ...] = ()
    ips: tuple[Network, ...] = ()
    countries: tuple[Annotated[str, Limits(pattern=r"[A-Z]{2}")], ...] = ()


@dataclass(frozen=True, kw_only=True)
class VelocityExempt:
    comment: str = ""
    ips: tuple[Network, ...] = ()
    email_domains: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class RiskRulesFile:
    comment: str = ""
    refund_defaults: RefundDefaults
    refund_rules: tuple[RiskRule, ...]
    checkout_rules: tuple[RiskRule, ...]
    blacklists: Blacklists = field(default_factory=Blacklists)
    velocity_exempt: VelocityExempt = field(default_factory=VelocityExempt)


# The conditions each section can evaluate: a checkout has no keys yet, a refund request no burst of orders.
REFUND_CONDITIONS = frozenset(
    {"refunds_over", "ticket_claims_over", "key_activated", "over_shop_limit", "buyer_frozen", "blacklisted"}
)
CHECKOUT_CONDITIONS = frozenset(
    {"orders_from_ip_over", "orders_from_email_over", "orders_from_device_over", "buyer_frozen", "blacklisted"}
)


class InvalidRules(ValueError):
    pass


@dataclass(frozen=True)
class Buyer:
    email: str
    ip: str | None = None
    country: str | None = None
    # The storefront's device fingerprint: it stays when a card tester rotates addresses and networks.
    device_id: str | None = None

    @property
    def ref(self) -> str:
        return buyer_ref(self.email)

    @property
    def email_domain(self) -> str:
        return _domain(self.email.rpartition("@")[2])


def _domain(name: str) -> str:
    """A domain name as compared: case, surrounding spaces and the root's trailing dot do not count."""
    return name.strip().rstrip(".").lower()


def _in_domains(domain: str, listed: Collection[str]) -> bool:
    """Whether ``domain`` is one of ``listed`` or under one: ``sub.mailinator.com`` is in ``mailinator.com``.

    Anyone holding a domain can make any number of subdomains, so a list names a domain with all of them.
    """
    name = _domain(domain)
    return any(name == entry or name.endswith(f".{entry}") for entry in map(_domain, listed) if entry)


@dataclass
class Facts:
    """What the rules look at; counts are taken only when a rule asks for them."""

    count: Callable[[Counted, int], int]
    blacklist_hits: frozenset[str] = frozenset()
    buyer_frozen: bool = False
    key_activated: bool = False
    over_shop_limit: bool = False


def _in_networks(ip: str | None, networks: Collection[str]) -> bool:
    if not ip:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in networks)


def _holds(when: Conditions, facts: Facts) -> bool:
    windows = (
        (when.refunds_over, Counted.REFUNDS),
        (when.ticket_claims_over, Counted.TICKET_CLAIMS),
        (when.orders_from_ip_over, Counted.ORDERS_FROM_IP),
        (when.orders_from_email_over, Counted.ORDERS_FROM_EMAIL),
        (when.orders_from_device_over, Counted.ORDERS_FROM_DEVICE),
    )
    return (
        all(window is None or facts.count(counted, window.minutes) > window.count for window, counted in windows)
        and (when.key_activated is None or when.key_activated == facts.key_activated)
        and (when.over_shop_limit is None or when.over_shop_limit == facts.over_shop_limit)
        and (when.buyer_frozen is None or when.buyer_frozen == facts.buyer_frozen)
        and (when.blacklisted is None or bool(facts.blacklist_hits & set(when.blacklisted)))
    )


class RiskRules:
    def __init__(self, rules: RiskRulesFile) -> None:
        self._rules = rules

    @classmethod
    def load(cls, path: Path = RULES_FILE) -> RiskRules:
        try:
            rules = read(RiskRulesFile, json.loads(path.read_text(encoding="utf-8")))
        except (OSError, InvalidRulesFile, json.JSONDecodeError) as error:
            raise InvalidRules(f"{path}: {error}") from None
        for section, allowed, section_rules in (
            ("refund_rules", REFUND_CONDITIONS, rules.refund_rules),
            ("checkout_rules", CHECKOUT_CONDITIONS, rules.checkout_rules),
        ):
            names = [rule.name for rule in section_rules]
            if len(names) != len(set(names)):
                raise InvalidRules(f"{path}: {section} repeats a rule name: {sorted(names)}")
            for rule in section_rules:
                if unusable := rule.when.used - allowed:
                    raise InvalidRules(f"{path}: {section} rule {rule.name!r} uses {sorted(unusable)}, not known there")
        return cls(rules)

    @property
    def refund_defaults(self) -> RefundDefaults:
        return self._rules.refund_defaults

    def blacklist_hits(self, buyer: Buyer) -> frozenset[str]:
        lists = self._rules.blacklists
        email = buyer.email.strip().lower()
        hits = {
            "email": email in {e.lower() for e in lists.emails},
            "email_domain": _in_domains(buyer.email_domain, lists.email_domains),
            "ip": _in_networks(buyer.ip, lists.ips),
            "country": (buyer.country or "").upper() in lists.countries,
        }
        return frozenset(kind for kind, hit in hits.items() if hit)

    def counts_ip(self, ip: str | None) -> bool:
        return bool(ip) and not _in_networks(ip, self._rules.velocity_exempt.ips)

    def counts_email(self, buyer: Buyer) -> bool:
        return not _in_domains(buyer.email_domain, self._rules.velocity_exempt.email_domains)

    def refund_rules_fired(self, facts: Facts) -> list[str]:
        return [rule.name for rule in self._rules.refund_rules if _holds(rule.when, facts)]

    def checkout_rules_fired(self, facts: Facts) -> list[str]:
        return [rule.name for rule in self._rules.checkout_rules if _holds(rule.when, facts)]


# Order bursts are counted per minute; a window sums the minutes it covers.
_BUCKET_FORMAT = "%Y%m%dT%H%M"
_BUCKETS_KEPT = timedelta(days=1)


def frozen_key(ref: str) -> tuple[str, str]:
    return f"BUYER#{ref}", "FROZEN"


@dataclass(frozen=True)
class RiskSignals:
    """The counts and flags the rules read, kept in the outreach table's counters and the refunds index."""

    counters: Counters
    rules: RiskRules

    def note_order(self, buyer: Buyer, at: datetime) -> None:
        """Count an order placement in the buyer's IP, email and device bursts (exempt addresses are never counted)."""
        expires = int((at + _BUCKETS_KEPT).timestamp())
        bucket = at.strftime(_BUCKET_FORMAT)
        if self.rules.counts_ip(buyer.ip):
            self.counters.add(
                self._pk(Counted.ORDERS_FROM_IP, buyer.ip or ""), bucket, {"orders": 1}, expires_at=expires
            )
        if self.rules.counts_email(buyer):
            self.counters.add(self._pk(Counted.ORDERS_FROM_EMAIL, buyer.ref), bucket, {"orders": 1}, expires_at=expires)
        if buyer.device_id:
            self.counters.add(
                self._pk(Counted.ORDERS_FROM_DEVICE, buyer.device_id), bucket, {"orders": 1}, expires_at=expires
            )

    def screen_checkout(self, buyer: Buyer, now: datetime) -> list[str]:
        """Count this order in the buyer's bursts and name the checkout rules it fires (none: deliver as usual)."""
        self.note_order(buyer, now)
        fired = self.rules.checkout_rules_fired(self.checkout_facts(buyer, now))
        if fired:
            logger.info("order will be held", extra={"rules": fired})
        return fired

    def checkout_facts(self, buyer: Buyer, now: datetime) -> Facts:
        def count(counted: Counted, minutes: int) -> int:
            if counted is Counted.ORDERS_FROM_IP:
                return self._orders(counted, buyer.ip, minutes, now) if self.rules.counts_ip(buyer.ip) else 0
            if counted is Counted.ORDERS_FROM_EMAIL:
                return self._orders(counted, buyer.ref, minutes, now) if self.rules.counts_email(buyer) else 0
            if counted is Counted.ORDERS_FROM_DEVICE:
                return self._orders(counted, buyer.device_id, minutes, now)
            return 0

        return Facts(count, self.rules.blacklist_hits(buyer), self.is_frozen(buyer.ref))

    def refunds_since(self, ref: str, since: datetime) -> int:
        return int(RefundTableItem.by_buyer.count(ref, RefundTableItem.created_at >= since))

    def is_frozen(self, ref: str) -> bool:
        return self.counters.has_flag(*frozen_key(ref))

    def freeze(self, ref: str) -> None:
        self.counters.put_flag(*frozen_key(ref))

    @staticmethod
    def _pk(counted: Counted, key: str) -> str:
        return f"VELOCITY#{counted.value}#{key}"

    def _orders(self, counted: Counted, key: str | None, minutes: int, now: datetime) -> int:
        if not key:
            return 0
        since = (now - timedelta(minutes=minutes - 1)).strftime(_BUCKET_FORMAT)
        return int(self.counters.total(self._pk(counted, key), "orders", since))
