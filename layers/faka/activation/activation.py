"""Whether delivered keys actually work: activation signals from suppliers, buyers and operators.

A signal changes a line at most once: the first "activated" counts (the order's pending count drops
by one in the same transaction), a repeat or a late "failed" after it changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from faka.activation.figures import advice_key, hour_bucket, stats_key
from faka.adapters.counters import Counters
from faka.adapters.tables.keys import KeyItem
from faka.adapters.tables.orders import OrderItem, OrderLineItem
from faka.catalog.catalog import Catalog
from faka.errors import InvalidRequest, NotFound
from faka.observability import logger, metrics
from faka.ports import EventPublisher, KeyVault
from faka.sales.orders import Orders
from faka.shared.model import Order, OrderStatus
from faka.trust.claims import replaced_key_activated_key

# Orders whose keys went out; a refund under way or done does not stop activations being reported.
_DELIVERED_KEYS = frozenset(
    {OrderStatus.DELIVERED, OrderStatus.AWAITING_STOCK, OrderStatus.REFUND_PENDING, OrderStatus.REFUNDED}
)


class ActivationStatus(StrEnum):
    ACTIVATED = "activated"
    FAILED = "failed"


class SignalSource(StrEnum):
    SUPPLIER = "supplier"
    BUYER = "buyer"
    OPERATOR = "operator"


@dataclass(frozen=True)
class ActivationSignal:
    status: ActivationStatus
    source: SignalSource
    at: datetime
    account_region: str | None = None


@dataclass(frozen=True)
class SignalOutcome:
    order_id: str
    changed_lines: int


class Activations:
    def __init__(
        self,
        orders: Orders,
        catalog: Catalog,
        vault: KeyVault,
        events: EventPublisher,
        counters: Counters,
        connection: Connection | None = None,
    ) -> None:
        self._orders = orders
        self._catalog = catalog
        self._vault = vault
        self._events = events
        self._counters = counters
        self._connection = connection or Connection()

    def delivered_keys(self, code: str) -> list[KeyItem]:
        """The keys sold with this code (a supplier's callback names the code only), found by the keyed lookup hash.

        Usually one; the caller picks the one whose supplier signed the callback.
        """
        lookup = self._vault.fingerprint(code, context="")
        keys = (KeyItem.get(match.product_ref, match.code_hash) for match in KeyItem.by_code.query(lookup))
        return [key for key in keys if key.order_id]

    def record_for_key(self, key: KeyItem, signal: ActivationSignal) -> SignalOutcome:
        if key.order_id and key.status == "replaced" and signal.status is ActivationStatus.ACTIVATED:
            return self._replaced_key_activated(key.order_id)
        if key.order_id and key.line_no is not None:
            return self.record(key.order_id, signal, line_no=int(key.line_no))
        raise NotFound("no delivered key has this code", code="unknown_key")

    def _replaced_key_activated(self, order_id: str) -> SignalOutcome:
        """The buyer called this key invalid and got another, then this one was redeemed: their line keeps the
        replacement, and their next claims go to a person."""
        order = self._orders.get(order_id)
        self._counters.put_flag(*replaced_key_activated_key(order.email))
        logger.warning("a replaced key was activated", extra={"order_id": order_id})
        metrics.add_metric(name="ReplacedKeysActivated", unit="Count", value=1)
        return SignalOutcome(order_id, 0)

    def record(self, order_id: str, signal: ActivationSignal, *, line_no: int | None = None) -> SignalOutcome:
        """Record a signal for one line, or for every delivered line of the order when none is named."""
        order = self._orders.get(order_id)
        if order.stored_status not in _DELIVERED_KEYS:
            raise InvalidRequest("the order has no delivered key", code="not_delivered")
        lines = [n.line_no for n in order.lines if n.issued and (line_no is None or n.line_no == line_no)]
        if not lines:
            raise NotFound("no such delivered line", code="unknown_line")
        if signal.status is ActivationStatus.ACTIVATED and (
            revoked := [n.line_no for n in order.lines if n.revoked and n.line_no in lines]
        ):
            # Refunded, then redeemed anyway: the record keeps the refund, a person looks at the buyer.
            logger.warning("activation of a revoked key", extra={"order_id": order_id, "lines": revoked})
            metrics.add_metric(name="RevokedKeysActivated", unit="Count", value=1)
        changed = sum(1 for n in lines if self._record_line(order, n, signal))
        return SignalOutcome(order.order_id, changed)

    def _record_line(self, order: Order, line_no: int, signal: ActivationSignal) -> bool:
        line = OrderLineItem(order.order_id, OrderLineItem.sort_key(line_no))
        # A revoked key (its refund won the race) is never recorded as activated: never both refunded and used.
        not_activated = (
            OrderLineItem.activation_status.does_not_exist()
            | (OrderLineItem.activation_status != ActivationStatus.ACTIVATED.value)
        ) & OrderLineItem.revoked_at.does_not_exist()
        actions: list[Action] = [
            OrderLineItem.activation_status.set(signal.status.value),
            OrderLineItem.activation_at.set(signal.at),
        ]
        if signal.account_region:
            actions.append(OrderLineItem.account_region.set(signal.account_region.upper()))
        try:
            if signal.status is ActivationStatus.ACTIVATED:
                with TransactWrite(connection=self._connection) as transaction:
                    transaction.update(line, actions=actions, condition=not_activated)
                    transaction.update(
                        OrderItem(order.order_id, OrderItem.SK),
                        actions=[OrderItem.pending_activation.add(-1)],
                        condition=OrderItem.pending_activation > 0,
                    )
            else:
                line.update(actions=actions, condition=not_activated)
        except (TransactWriteError, UpdateError) as error:
            if "ConditionalCheck" in str(error.cause_response_code) or "TransactionCanceled" in str(
                error.cause_response_code
            ):
                return False  # already activated: a duplicate or late signal changes nothing
            raise
        self._after_change(order, line_no, signal)
        return True

    def _after_change(self, order: Order, line_no: int, signal: ActivationSignal) -> None:
        product = self._catalog.product(order.shop_id, order.sku)
        hours = (signal.at - order.delivered_at).total_seconds() / 3600 if order.delivered_at else None
        activated = signal.status is ActivationStatus.ACTIVATED
        if order.buyer_country:
            # What buyers from this country managed to activate feeds the pre-purchase advice.
            self._counters.add(
                advice_key(order.shop_id, product.platform, order.buyer_country),
                product.region,
                {"activated" if activated else "failed": 1},
            )
        if activated:
            self._counters.add(
                stats_key(order.shop_id),
                "activation",
                {
                    "activated": 1,
                    "hours_to_activation": round(hours or 0, 3),
                    f"after_level_{order.reminder_level}": 1,
                    hour_bucket(hours or 0): 1,
                },
            )
            metrics.add_metric(name="KeysActivated", unit="Count", value=1)
        detail_type = "KeyActivated" if activated else "KeyActivationFailed"
        logger.info(
            "activation signal", extra={"order_id": order.order_id, "line_no": line_no, "status": signal.status}
        )
        self._events.publish(
            detail_type,
            {
                "order_id": order.order_id,
                "shop_id": order.shop_id,
                "sku": order.sku,
                "line_no": line_no,
                "source": signal.source.value,
                "at": signal.at.isoformat(),
                "account_region": signal.account_region,
                "hours_since_delivery": round(hours, 2) if hours is not None else None,
            },
        )
