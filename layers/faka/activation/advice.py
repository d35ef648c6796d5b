"""Pre-purchase advice: which variant buyers from a country manage to activate, from the shop's own outcomes."""

from __future__ import annotations

from dataclasses import dataclass

from faka.activation.figures import advice_key
from faka.adapters.counters import Counters
from faka.shared.model import Product

MIN_SAMPLE = 20


@dataclass(frozen=True)
class Advice:
    region: str
    sku: str | None
    share: float
    sample: int


def advise(counters: Counters, product: Product, siblings: list[Product], country: str) -> Advice | None:
    """The region whose cards buyers from ``country`` activate most, once enough of them have tried.

    ``share`` is that region's part of all activations by buyers from the country; ``sku`` is the
    shop's product for the same platform in that region, if it sells one.
    """
    outcomes = counters.all_under(advice_key(product.shop_id, product.platform, country))
    activated = {region: int(c.get("activated", 0)) for region, c in outcomes.items()}
    sample = sum(int(c.get("activated", 0) + c.get("failed", 0)) for c in outcomes.values())
    if sample < MIN_SAMPLE or not any(activated.values()):
        return None
    region = max(activated, key=lambda r: (activated[r], r == product.region))
    variant = next((p.sku for p in [product, *siblings] if p.platform == product.platform and p.region == region), None)
    return Advice(region, variant, round(activated[region] / sum(activated.values()), 3), sample)
