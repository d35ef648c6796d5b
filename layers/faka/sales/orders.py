"""Orders: placed by a storefront, moved forward by payments and issuance, read by the buyer."""

from __future__ import annotations

import json
import uuid
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from faka.adapters.tables.orders import OrderItem, OrderLineItem, OrderTableItem, ReconciliationProgressItem
from faka.catalog.catalog import Catalog
from faka.errors import Conflict, InvalidRequest, NotFound
from faka.ports import EventPublisher
from faka.security import new_token, token_digest, token_matches
from faka.shared.links import LinkSigner, is_order_page_token
from faka.shared.model import FULFILLABLE, PAYABLE, Order, OrderLine, OrderStatus, PaymentConfirmation
from faka.trust.identity import buyer_ref


@dataclass(frozen=True)
class OrderRequest:
    shop_id: str
    sku: str
    quantity: int
    email: str
    locale: str
    buyer_ip: str | None = None
    buyer_country: str | None = None
    device_id: str | None = None
    # Checkout risk rules that fired: the payment will hold the order for an operator instead of delivering it.
    hold_rules: tuple[str, ...] = ()
    # The method the buyer pays with (faka.payments.shop_methods), chosen and checked before the order is placed.
    payment_method: str | None = None


# Every order is in the placed index, spread over this many partitions ("placed#0" … ) by order id so a burst of
# checkouts does not write one hot partition; its entry is written once, when the order is placed, and never changed,
# so no payment or delivery writes an index for it. Reconciliation reads it by age (faka.sales.reconciliation).
PLACED_SHARDS = 8
PLACED_PARTITIONS = tuple(f"placed#{shard}" for shard in range(PLACED_SHARDS))


def placed_shard(order_id: str) -> str:
    return PLACED_PARTITIONS[zlib.crc32(order_id.encode()) % PLACED_SHARDS]


# The pending_payment index of old: orders placed before the placed index carry payment_pending ("pending#0" …, or
# "pending" before those shards) until reconciliation takes them out. Nothing puts an order there any more, so it is
# empty an order's life and its late-payment grace after the upgrade; then the next deployment drops it.
LEGACY_PENDING_PARTITIONS = (*(f"pending#{shard}" for shard in range(PLACED_SHARDS)), "pending")
HELD_BY_RISK_RULES = "risk_rules"
# Waiting orders read per request; serving them stops reading once the stock runs out.
_WAITING_PAGE = 100


def _order(item: OrderItem, lines: list[OrderLineItem]) -> Order:
    return Order(
        order_id=item.order_id,
        shop_id=item.shop_id,
        sku=item.sku,
        quantity=int(item.quantity),
        amount=int(item.amount),
        currency=item.currency,
        email=item.email,
        locale=item.locale,
        stored_status=OrderStatus(item.status),
        created_at=item.created_at,
        expires_at=item.expires_at,
        access_token_sha256=item.access_token_sha256,
        buyer_ip=item.buyer_ip,
        buyer_country=item.buyer_country,
        device_id=item.device_id,
        paid_at=item.paid_at,
        delivered_at=item.delivered_at,
        payment_ref=item.payment_ref,
        flag_reason=item.flag_reason,
        pending_activation=int(item.pending_activation) if item.pending_activation is not None else None,
        reminder_level=int(item.reminder_level or 0),
        lines=tuple(
            OrderLine(
                int(line.line_no),
                line.code_hash,
                line.batch_id,
                line.activation_status,
                line.account_region,
                line.refund_id,
                line.revoked_at is not None,
                line.sku,
                int(line.replacements or 0),
                line.activation_at,
            )
            for line in sorted(lines, key=lambda line: int(line.line_no))
        ),
        hold_rules=tuple(item.hold_rules or ()),
        open_refund_id=item.open_refund_id,
        status_before_refund=OrderStatus(item.status_before_refund) if item.status_before_refund else None,
        refunded_amount=int(item.refunded_amount or 0),
        delivery_message_id=item.delivery_message_id,
        payment_method=item.payment_method,
        checkout=json.loads(item.checkout) if item.checkout else None,
        payment_event_id=item.payment_event_id,
    )


def _in(statuses: frozenset[OrderStatus]) -> Condition:
    return OrderItem.status.is_in(*(s.value for s in statuses))


def _payment_actions(payment: PaymentConfirmation, event_id: str | None, now: datetime) -> list[Action]:
    """What recording a payment writes on the order: nothing any index projects or is keyed by."""
    return [
        OrderItem.paid_at.set(now),
        OrderItem.payment_provider.set(payment.provider),
        OrderItem.payment_ref.set(payment.payment_ref),
        *([OrderItem.payment_event_id.set(event_id)] if event_id else []),
    ]


class Orders:
    def __init__(
        self,
        catalog: Catalog,
        events: EventPublisher,
        *,
        ttl_minutes: int,
        max_quantity: int,
        links: LinkSigner,
        connection: Connection | None = None,
    ) -> None:
        self._catalog = catalog
        self._links = links
        self._events = events
        self._ttl = timedelta(minutes=ttl_minutes)
        self._max_quantity = max_quantity
        self._connection = connection or Connection()

    def place(self, request: OrderRequest) -> tuple[Order, str]:
        """Create an order waiting for payment; returns it with the buyer's access token."""
        if not 1 <= request.quantity <= self._max_quantity:
            raise InvalidRequest(f"quantity must be between 1 and {self._max_quantity}", code="invalid_quantity")
        product = self._catalog.product(request.shop_id, request.sku)
        if not product.listed:
            raise Conflict(f"product {request.sku!r} is not for sale at the moment", code="product_delisted")
        token = new_token()
        now = datetime.now(UTC)
        order_id = uuid.uuid4().hex
        item = OrderItem(
            order_id,
            OrderItem.SK,
            shop_id=request.shop_id,
            sku=request.sku,
            quantity=request.quantity,
            amount=product.price * request.quantity,
            currency=product.currency,
            email=request.email,
            locale=request.locale,
            status=OrderStatus.PENDING_PAYMENT.value,
            access_token_sha256=token_digest(token),
            buyer_ip=request.buyer_ip,
            buyer_country=request.buyer_country,
            device_id=request.device_id,
            created_at=now,
            expires_at=now + self._ttl,
            placed_shard=placed_shard(order_id),
            payment_method=request.payment_method,
            hold_rules=list(request.hold_rules) or None,
            buyer_ref=buyer_ref(request.email),
        )
        lines = [
            OrderLineItem(item.order_id, OrderLineItem.sort_key(n), line_no=n) for n in range(1, request.quantity + 1)
        ]
        with TransactWrite(connection=self._connection) as transaction:
            transaction.save(item, condition=OrderItem.order_id.does_not_exist())
            for line in lines:
                transaction.save(line)
        order = _order(item, lines)
        self._events.publish(
            "OrderCreated",
            {
                "order_id": order.order_id,
                "shop_id": order.shop_id,
                "sku": order.sku,
                "quantity": order.quantity,
                "amount": order.amount,
                "currency": order.currency,
                "locale": order.locale,
                "created_at": order.created_at.isoformat(),
            },
        )
        return order, token

    @staticmethod
    def record_checkout(order_id: str, payment: Mapping[str, Any]) -> None:
        """Keep what the provider's checkout answered on the order, so its page shows how to pay while it waits."""
        OrderItem(order_id, OrderItem.SK).update(actions=[OrderItem.checkout.set(json.dumps(dict(payment)))])

    def get(self, order_id: str) -> Order:
        items = list(OrderTableItem.query(order_id, consistent_read=True))
        head = next((i for i in items if isinstance(i, OrderItem)), None)
        if head is None:
            raise NotFound("no such order", code="unknown_order")
        return _order(head, [i for i in items if isinstance(i, OrderLineItem)])

    def get_for_buyer(self, order_id: str, token: str | None) -> Order:
        """The order, only for the holder of its credential; a wrong access token looks exactly like a missing order."""
        order = self.get(order_id) if token else None
        if order is None or not token or not self.holds_credential(order, token):
            raise NotFound("no such order", code="unknown_order")
        return order

    def holds_credential(self, order: Order, token: str) -> bool:
        """Whether ``token`` is the order's own credential: its access token or an order-page token for it.

        An order-page token that is expired or not signed for this order is refused (401) with its own code, so the
        page can tell the buyer to find the order by email; it names nothing a guess could learn.
        """
        if is_order_page_token(token):
            self._links.verify_order_page_token(order.order_id, token)
            return True
        return token_matches(token, order.access_token_sha256)

    def recent_for_buyer(self, shop_id: str, email: str, since: datetime, limit: int) -> list[Order]:
        """The shop's orders placed with this address (in any case) since ``since``, newest first."""
        query = OrderItem.by_buyer.query(
            buyer_ref(email),
            OrderItem.created_at >= since,
            filter_condition=OrderItem.shop_id == shop_id,
            scan_index_forward=False,
        )
        return [self.get(item.order_id) for item in islice(query, limit)]

    def mark_paid(
        self, order: Order, payment: PaymentConfirmation, *, hold: bool = False, event_id: str | None = None
    ) -> Order | None:
        """Record the payment; with ``hold`` the order goes on hold in the same write, so no crash can deliver it."""
        status = OrderStatus.ON_HOLD if hold else OrderStatus.PAID
        return self._transition(
            order,
            _in(PAYABLE),
            OrderItem.status.set(status.value),
            *_payment_actions(payment, event_id, datetime.now(UTC)),
            *([OrderItem.flag_reason.set(HELD_BY_RISK_RULES)] if hold else []),
        )

    def release_hold(self, order: Order) -> Order | None:
        """An operator lets a paid order held by the risk rules go on to delivery."""
        return self._transition(
            order,
            (OrderItem.status == OrderStatus.ON_HOLD.value) & OrderItem.payment_ref.exists(),
            OrderItem.status.set(OrderStatus.PAID.value),
        )

    @staticmethod
    def placed_between(start: datetime, end: datetime, limit: int) -> list[tuple[str, datetime]]:
        """The ids and times of the orders placed from ``start`` to ``end``, oldest first, at most ``limit``."""
        found = [
            (item.order_id, item.created_at)
            for partition in PLACED_PARTITIONS
            for item in OrderItem.placed.query(partition, OrderItem.created_at.between(start, end), limit=limit)
        ]
        return sorted(found, key=lambda placed: placed[1])[:limit]

    @staticmethod
    def as_stored(order_ids: list[str]) -> list[Order]:
        """The orders (without their lines) as last stored, by eventually consistent reads: what reconciliation
        filters on. A payment it has not seen yet is found at the provider and recorded, harmlessly, again."""
        keys = [(order_id, OrderItem.SK) for order_id in order_ids]
        return [_order(item, []) for item in OrderItem.batch_get(keys)] if keys else []

    @staticmethod
    def legacy_pending_payments(created_before: datetime, limit: int) -> list[str]:
        """Orders placed before the placed index and still in the pending_payment index of old, oldest first."""
        found = [
            item
            for partition in LEGACY_PENDING_PARTITIONS
            for item in OrderItem.pending_payments.query(partition, OrderItem.created_at < created_before, limit=limit)
        ]
        return [item.order_id for item in sorted(found, key=lambda item: item.created_at)[:limit]]

    @staticmethod
    def stop_reconciling(order_id: str) -> None:
        """Take an order out of the pending_payment index of old."""
        OrderItem(order_id, OrderItem.SK).update(actions=[OrderItem.payment_pending.remove()])

    @staticmethod
    def reconciled_up_to() -> dict[str, datetime]:
        """By reconciliation's check, the placement time up to which it has read the placed index."""
        try:
            progress = ReconciliationProgressItem.get(*ReconciliationProgressItem.KEY)
        except ReconciliationProgressItem.DoesNotExist:
            return {}
        return {check: datetime.fromisoformat(at) for check, at in json.loads(progress.read_up_to).items()}

    @staticmethod
    def mark_reconciled(read_up_to: Mapping[str, datetime]) -> None:
        progress = json.dumps({check: at.isoformat() for check, at in read_up_to.items()})
        ReconciliationProgressItem(*ReconciliationProgressItem.KEY, read_up_to=progress).save()

    def put_on_hold(self, order: Order, reason: str) -> Order | None:
        return self._transition(
            order,
            _in(PAYABLE | FULFILLABLE),
            OrderItem.status.set(OrderStatus.ON_HOLD.value),
            OrderItem.flag_reason.set(reason),
        )

    def mark_awaiting_stock(self, order: Order) -> Order | None:
        return self._transition(
            order,
            OrderItem.status == OrderStatus.PAID.value,
            OrderItem.status.set(OrderStatus.AWAITING_STOCK.value),
            OrderItem.waiting_for.set(order.product_ref),
        )

    def mark_delivered(
        self, order: Order, paid_by: PaymentConfirmation | None = None, event_id: str | None = None
    ) -> Order | None:
        """Record the delivery of a paid order, or with ``paid_by`` of an unpaid one whose lines all hold their keys:
        the payment and the delivery in one write.

        An order that waited for stock stays listed as waiting (``stop_waiting`` ends it once its delivery is
        announced), so a restock that is retried after a crash here finds it again and announces what was not.
        """
        now = datetime.now(UTC)
        return self._transition(
            order,
            _in(PAYABLE) if paid_by else _in(FULFILLABLE),
            OrderItem.status.set(OrderStatus.DELIVERED.value),
            *(_payment_actions(paid_by, event_id, now) if paid_by else ()),
            OrderItem.delivered_at.set(now),
            OrderItem.pending_activation.set(order.quantity),
        )

    @staticmethod
    def stop_waiting(order_id: str) -> None:
        """Take a delivered order off the waiting list once its delivery was announced."""
        OrderItem(order_id, OrderItem.SK).update(actions=[OrderItem.waiting_for.remove()])

    def record_delivery_message(self, order_id: str, message_id: str) -> None:
        OrderItem(order_id, OrderItem.SK).update(actions=[OrderItem.delivery_message_id.set(message_id)])

    def record_reminder(self, order_id: str, level: int) -> None:
        OrderItem(order_id, OrderItem.SK).update(actions=[OrderItem.reminder_level.set(level)])

    def record_escalation(self, order_id: str) -> None:
        OrderItem(order_id, OrderItem.SK).update(actions=[OrderItem.escalated_at.set(datetime.now(UTC))])

    def waiting_for_stock(self, product_ref: str) -> Iterator[str]:
        """Orders waiting for this product, oldest first, read a page at a time as the caller goes on."""
        return (item.order_id for item in OrderItem.waiting.query(product_ref, page_size=_WAITING_PAGE))

    def products_awaited(self) -> set[str]:
        """The products (``<shop>#<sku>``) that orders wait for: the sparse waiting index, read whole."""
        return {item.waiting_for for item in OrderItem.waiting.scan() if item.waiting_for}

    @staticmethod
    def _transition(order: Order, allowed_from: Condition, *actions: object) -> Order | None:
        """Apply ``actions`` if the stored status allows it: the order as it now is (read from the update's own
        answer, so no second read), or None when another worker got there first."""
        item = OrderItem(order.order_id, OrderItem.SK)
        try:
            item.update(
                actions=list(actions),  # type: ignore[arg-type]
                condition=OrderItem.order_id.exists() & allowed_from,
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return None
            raise
        return replace(_order(item, []), lines=order.lines)
