"""Which guide an activation reminder carries, decided by a rules file operators edit, not code.

The file (``faka/rules/activation_guides.json``) is validated when loaded: an unknown condition, an
empty level list or a guide with no template in some locale fails with a message naming the rule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from faka.shared.model import Order, Product
from faka.shared.rules_file import InvalidRulesFile, Limits, read

RULES_FILE = Path(__file__).resolve().parents[1] / "rules" / "activation_guides.json"
PLATFORM_GUIDE = "platform"


# The file's parts, read by faka.shared.rules_file: every reminder the notifier sends reads them, so no pydantic.
@dataclass(frozen=True, kw_only=True)
class Conditions:
    platform: tuple[str, ...] | None = None
    product_region: tuple[str, ...] | None = None
    product_region_not: tuple[str, ...] | None = None
    buyer_country: tuple[str, ...] | None = None
    buyer_country_not: tuple[str, ...] | None = None
    account_region_differs: bool | None = None
    min_hours_since_delivery: float | None = None
    max_hours_since_delivery: float | None = None


@dataclass(frozen=True, kw_only=True)
class GuideRule:
    name: Annotated[str, Limits(min_length=1)]
    levels: Annotated[tuple[Literal[1, 2, 3], ...], Limits(min_length=1)]
    when: Conditions
    guide: Annotated[str, Limits(pattern=r"[a-z_]+")]


@dataclass(frozen=True, kw_only=True)
class GuideRules:
    comment: str = ""
    rules: Annotated[tuple[GuideRule, ...], Limits(min_length=1)]


class InvalidRules(ValueError):
    pass


def _matches(when: Conditions, *, product: Product, order: Order, hours: float) -> bool:
    buyer = (order.buyer_country or "").upper()
    account_regions = {line.account_region for line in order.lines if line.account_region}
    checks = [
        when.platform is None or product.platform in when.platform,
        when.product_region is None or product.region in when.product_region,
        when.product_region_not is None or product.region not in when.product_region_not,
        when.buyer_country is None or buyer in when.buyer_country,
        when.buyer_country_not is None or buyer not in when.buyer_country_not,
        when.account_region_differs is None
        or when.account_region_differs == any(region != product.region for region in account_regions),
        when.min_hours_since_delivery is None or hours >= when.min_hours_since_delivery,
        when.max_hours_since_delivery is None or hours <= when.max_hours_since_delivery,
    ]
    return all(checks)


class GuideChooser:
    def __init__(self, rules: GuideRules) -> None:
        self._rules = rules

    @classmethod
    def load(cls, path: Path, available_guides: dict[str, set[str]]) -> GuideChooser:
        """Read and check the rules; ``available_guides`` maps each locale to the guides it has templates for."""
        try:
            rules = read(GuideRules, json.loads(path.read_text()))
        except (OSError, InvalidRulesFile, json.JSONDecodeError) as error:
            raise InvalidRules(f"{path}: {error}") from None
        for rule in rules.rules:
            missing = [
                loc
                for loc, guides in available_guides.items()
                if rule.guide != PLATFORM_GUIDE and rule.guide not in guides
            ]
            if missing:
                raise InvalidRules(
                    f"{path}: rule {rule.name!r} names guide {rule.guide!r}, missing in {sorted(missing)}"
                )
        return cls(rules)

    def choose(self, level: int, *, product: Product, order: Order, hours: float) -> tuple[str, str]:
        """The guide for this reminder and the name of the rule that chose it."""
        for rule in self._rules.rules:
            if level in rule.levels and _matches(rule.when, product=product, order=order, hours=hours):
                return (product.platform if rule.guide == PLATFORM_GUIDE else rule.guide), rule.name
        return product.platform, "no rule matched"
