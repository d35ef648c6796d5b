"""The keys delivered on an order: opened only for the buyer's own views (order page, email), masked for others."""

from __future__ import annotations

from faka.adapters.tables.keys import KeyItem
from faka.catalog.codes import Card, parts_context, parts_from_json
from faka.ports import KeyVault
from faka.shared.model import Order


class DeliveredKeys:
    def __init__(self, vault: KeyVault) -> None:
        self._vault = vault

    def cards(self, order: Order, *, with_parts: bool = True) -> list[tuple[int, Card]]:
        """``(line_no, card)`` for every line that has a key, in line order: the code with its secret parts."""
        issued = [
            (line.line_no, order.line_product_ref(line), line.code_hash) for line in order.lines if line.code_hash
        ]
        if not issued:
            return []
        items = {(item.product_ref, item.code_hash): item for item in KeyItem.batch_get([(r, h) for _, r, h in issued])}
        return [(n, self._card(items[r, h], with_parts)) for n, r, h in issued]

    def codes(self, order: Order) -> list[tuple[int, str]]:
        """``(line_no, code)`` for every line that has a key, in line order."""
        return [(n, card.code) for n, card in self.cards(order, with_parts=False)]

    def _card(self, item: KeyItem, with_parts: bool) -> Card:
        code = self._vault.open(item.sealed_code, context=item.product_ref)
        if not (with_parts and item.sealed_parts):
            return Card(code)
        parts = self._vault.open(item.sealed_parts, context=parts_context(item.product_ref, item.code_hash))
        return Card(code, parts_from_json(parts))
