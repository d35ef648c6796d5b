"""Shops, products and key stock, and what a card-key code is.

Uses :mod:`faka.shared`."""
