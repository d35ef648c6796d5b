"""Who may act for which shop, the callback secrets suppliers sign with, and storefront webhooks.

Uses :mod:`faka.catalog`, :mod:`faka.payments` (the signature scheme webhooks share with Stripe) and below."""
