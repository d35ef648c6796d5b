"""Which guide an activation reminder carries, decided by a rules file operators edit, not code.

The file (``faka/rules/activation_guides.json``) is validated when loaded: an unknown condition, an
empty level list or a guide with no template in some locale fails with a message naming the rule.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from faka.shared.model import Order, Product

RULES_FILE = Path(__file__).resolve().parents[1] / "rules" / "activation_guides.json"
PLATFORM_GUIDE = "platform"


class Conditions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform: list[str] | None = None
    product_region: list[str] | None = None
    product_region_not: list[str] | None = None
    buyer_country: list[str] | None = None
    buyer_country_not: list[str] | None = None
    account_region_differs: bool | None = None
    min_hours_since_delivery: float | None = None
    max_hours_since_delivery: float | None = None


class GuideRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1)]
    levels: Annotated[list[Literal[1, 2, 3]], Field(min_length=1)]
    when: Conditions
    guide: Annotated[str, Field(pattern=r"^[a-z_]+$")]


class GuideRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: str = ""
    rules: Annotated[list[GuideRule], Field(min_length=1)]


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
            rules = GuideRules.model_validate_json(path.read_text())
        except (OSError, ValidationError, json.JSONDecodeError) as error:
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
