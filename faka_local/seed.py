"""Demo data for ``faka local``: two shops with products and card keys, made through the domain services.

Safe to run again: an existing shop is kept, products are saved as they are, and the demo keys are
derived from the shop, product and position, so a second import finds them all in stock already.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from faka.errors import Conflict
from faka.shared.model import Product
from faka.wiring import Services

DEMO_BATCH = "DEMO-1"
DEMO_SUPPLIER = "demo-supplier"
KEYS_PER_PRODUCT = 12
# Placeholder in key patterns; everything else is literal.
_SLOT = "#"
# Upper-case letters and digits without the look-alikes (0/O, 1/I); 32 of them, so a byte maps evenly.
_KEY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class DemoProduct:
    sku: str
    name: str
    price: int
    currency: str
    region: str
    platform: str
    key_pattern: str
    description: str = ""


@dataclass(frozen=True)
class DemoShop:
    shop_id: str
    name: str
    support_email: str
    products: tuple[DemoProduct, ...]


@dataclass(frozen=True)
class SeededShop:
    shop_id: str
    name: str
    operator_token: str | None  # None when the shop already existed: a token is shown only once
    products: int
    keys_in_stock: int


DEMO_SHOPS = (
    DemoShop(
        "main",
        "Demo Game Cards",
        "support@faka.local",
        (
            DemoProduct(
                "steam-20-us",
                "Steam Wallet $20",
                2000,
                "usd",
                "US",
                "steam",
                "#####-#####-#####",
                "Adds $20 to a Steam account registered in the United States.",
            ),
            DemoProduct(
                "steam-50-eu",
                "Steam Wallet €50",
                5000,
                "eur",
                "EU",
                "steam",
                "#####-#####-#####",
                "Adds €50 to a Steam account in a euro country.",
            ),
            DemoProduct(
                "psn-50-hk",
                "PlayStation Store HK$50",
                5000,
                "hkd",
                "HK",
                "psn",
                "####-####-####",
                "For PlayStation Network accounts registered in Hong Kong.",
            ),
            DemoProduct(
                "xbox-gp-1m-global",
                "Xbox Game Pass Ultimate, 1 month",
                1499,
                "usd",
                "GLOBAL",
                "xbox",
                "#####-#####-#####-#####-#####",
                "Redeemable on Xbox accounts in any region.",
            ),
        ),
    ),
    DemoShop(
        "moon",
        "Moon Cards 月亮卡铺",
        "support@moon.faka.local",
        (
            DemoProduct(
                "apple-100-cn",
                "App Store 充值卡 ¥100",
                10000,
                "cny",
                "CN",
                "apple",
                "X###############",
                "仅限中国大陆 Apple 账户。",
            ),
            DemoProduct(
                "switch-eshop-3000-jp",
                "Nintendo eShop ¥3000 (JP)",
                15800,
                "cny",
                "JP",
                "switch",
                "####-####-####-####",
                "For Nintendo Accounts set to Japan.",
            ),
            DemoProduct(
                "google-play-100-hk",
                "Google Play HK$100",
                10000,
                "hkd",
                "HK",
                "google",
                "####-####-####-####-####",
                "For Google accounts in Hong Kong.",
            ),
        ),
    ),
)


def demo_key(pattern: str, *parts: str) -> str:
    """A realistic-looking code, always the same for the same parts."""
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    assert pattern.count(_SLOT) <= len(digest)
    slots = iter(digest)
    return "".join(_KEY_ALPHABET[next(slots) % len(_KEY_ALPHABET)] if c == _SLOT else c for c in pattern)


def seed(services: Services) -> list[SeededShop]:
    seeded = []
    for shop in DEMO_SHOPS:
        try:
            _, token = services.shops.open(shop.shop_id, shop.name, shop.support_email)
        except Conflict:
            token = None
        for demo in shop.products:
            services.catalog.save_product(
                Product(
                    shop_id=shop.shop_id,
                    sku=demo.sku,
                    name=demo.name,
                    price=demo.price,
                    currency=demo.currency,
                    region=demo.region,
                    platform=demo.platform,
                    description=demo.description,
                )
            )
            codes = [demo_key(demo.key_pattern, shop.shop_id, demo.sku, str(n)) for n in range(KEYS_PER_PRODUCT)]
            services.catalog.import_keys(shop.shop_id, demo.sku, DEMO_BATCH, codes, supplier=DEMO_SUPPLIER)
        stock = sum(product.stock for product in services.catalog.products(shop.shop_id))
        seeded.append(SeededShop(shop.shop_id, shop.name, token, len(shop.products), stock))
    return seeded
