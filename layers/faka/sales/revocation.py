"""Revoking delivered keys (a refund, a chargeback) inside the caller's transaction.

Each revocation is conditional on exactly the key that was read and on the key not being activated, so a
key is never both revoked and activated: whichever write comes second fails (the activation signals
refuse a revoked line in turn). A line without a key is closed too, so a late restock cannot issue to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from faka.adapters.tables.keys import KeyItem
from faka.adapters.tables.orders import OrderItem, OrderLineItem
from faka.shared.model import Order, OrderLine

ACTIVATED = "activated"


def revoke_lines(
    transaction: TransactWrite,
    order: Order,
    lines: Sequence[OrderLine],
    at: datetime,
    *,
    line_condition: Condition | None = None,
) -> None:
    """Add the writes revoking ``lines`` (as read from ``order``) to ``transaction``."""
    not_activated = OrderLineItem.activation_status.does_not_exist() | (OrderLineItem.activation_status != ACTIVATED)
    for line in lines:
        # Exactly the key read: one issued meanwhile (a restock, a reissue) fails the transaction and is read again.
        same_key = (
            OrderLineItem.code_hash == line.code_hash if line.code_hash else OrderLineItem.code_hash.does_not_exist()
        )
        condition = same_key & not_activated & OrderLineItem.revoked_at.does_not_exist()
        transaction.update(
            OrderLineItem(order.order_id, OrderLineItem.sort_key(line.line_no)),
            actions=[OrderLineItem.revoked_at.set(at)],
            condition=condition & line_condition if line_condition is not None else condition,
        )
        if line.code_hash:
            transaction.update(
                KeyItem(order.line_product_ref(line), line.code_hash),
                actions=[KeyItem.status.set("revoked")],
                condition=KeyItem.order_id == order.order_id,
            )
    waiting = min(sum(1 for line in lines if line.issued), order.pending_activation or 0)
    if waiting:
        # Revoked keys no longer wait for activation, which ends the activation escalation once none do.
        transaction.update(
            OrderItem(order.order_id, OrderItem.SK),
            actions=[OrderItem.pending_activation.add(-waiting)],
            condition=OrderItem.pending_activation >= waiting,
        )
