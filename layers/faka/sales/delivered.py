"""The codes delivered on an order: opened only for the buyer's own views (order page, email)."""

from __future__ import annotations

from faka.adapters.tables import KeyItem
from faka.ports import KeyVault
from faka.shared.model import Order


class DeliveredKeys:
    def __init__(self, vault: KeyVault) -> None:
        self._vault = vault

    def codes(self, order: Order) -> list[tuple[int, str]]:
        """``(line_no, code)`` for every line that has a key, in line order."""
        issued = [
            (line.line_no, order.line_product_ref(line), line.code_hash) for line in order.lines if line.code_hash
        ]
        if not issued:
            return []
        items = {(item.product_ref, item.code_hash): item for item in KeyItem.batch_get([(r, h) for _, r, h in issued])}
        return [(n, self._vault.open(items[r, h].sealed_code, context=r)) for n, r, h in issued]
