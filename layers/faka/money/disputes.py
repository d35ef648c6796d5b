"""Chargebacks: a buyer's bank takes the money back, so faka takes back what it still can and builds a case.

A dispute opened revokes the order's keys that are not activated yet (an activated one is evidence, not
stock), freezes the buyer for every automatic decision (checkout holds, refunds go to a person) and hands
the operator an evidence pack. Each dispute is recorded once, however often the provider sends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from faka.adapters.counters import Counters
from faka.adapters.tables.orders import OrderItem, OrderLineItem, OrderTableItem
from faka.adapters.tables.refunds import DisputeItem, RefundItem, RefundTableItem
from faka.errors import NotFound
from faka.money.cases import CaseOpener
from faka.observability import logger, metrics
from faka.ports import EventPublisher, PaymentProvider
from faka.sales.mail_events import MailEvents
from faka.sales.orders import Orders
from faka.sales.revocation import revoke_lines
from faka.shared.model import DisputeNotice
from faka.trust.page_views import views_key
from faka.trust.risk import Buyer, RiskSignals

_REVOKE_ATTEMPTS = 3


@dataclass(frozen=True)
class DisputeOutcome:
    dispute_id: str
    order_id: str | None
    revoked_lines: tuple[int, ...] = ()


class Disputes:
    def __init__(
        self,
        orders: Orders,
        provider: PaymentProvider,
        events: EventPublisher,
        signals: RiskSignals,
        tickets: CaseOpener,
        counters: Counters,
        mail_events: MailEvents,
        connection: Connection | None = None,
    ) -> None:
        self._orders = orders
        self._provider = provider
        self._events = events
        self._signals = signals
        self._tickets = tickets
        self._counters = counters
        self._mail_events = mail_events
        self._connection = connection or Connection()

    def record(self, notice: DisputeNotice) -> DisputeOutcome:
        order_id = notice.order_id or self._provider.order_for_payment(
            payment_ref=notice.payment_ref, charge=notice.charge
        )
        if not order_id:
            logger.warning("dispute for no faka order", extra={"dispute_id": notice.dispute_id})
            return DisputeOutcome(notice.dispute_id, None)
        if notice.closed:
            self._close(notice)
            return DisputeOutcome(notice.dispute_id, order_id)
        return self._open(notice, order_id)

    def _open(self, notice: DisputeNotice, order_id: str) -> DisputeOutcome:
        order = self._orders.get(order_id)
        now = datetime.now(UTC)
        try:
            DisputeItem(
                notice.dispute_id,
                DisputeItem.SK,
                order_id=order_id,
                created_at=now,
                shop_id=order.shop_id,
                charge=notice.charge,
                amount=notice.amount,
                currency=notice.currency,
                reason=notice.reason,
                status=notice.status,
            ).save(condition=RefundTableItem.pk.does_not_exist())
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            # Opened before: the revocation and the freeze were done then (or are finished now, idempotently).
        revoked = self._revoke_unactivated(order_id)
        if revoked:
            DisputeItem(notice.dispute_id, DisputeItem.SK).update(actions=[DisputeItem.revoked_lines.set(revoked)])
        self._signals.freeze(Buyer(order.email).ref)
        self._tickets.open_once(
            key=f"{notice.dispute_id}:chargeback",
            shop_id=order.shop_id,
            order_id=order_id,
            intent="payment_issue",
            severity=5,
            source="chargeback",
            locale=order.locale,
            summary=f"Chargeback {notice.dispute_id} ({notice.reason}) on order {order_id}: evidence due; "
            f"see GET /v1/admin/orders/{order_id}/evidence.",
        )
        metrics.add_metric(name="DisputesOpened", unit="Count", value=1)
        self._events.publish(
            "DisputeOpened",
            {
                "dispute_id": notice.dispute_id,
                "order_id": order_id,
                "shop_id": order.shop_id,
                "amount": notice.amount,
                "currency": notice.currency,
                "reason": notice.reason,
                "revoked_lines": revoked,
            },
        )
        return DisputeOutcome(notice.dispute_id, order_id, tuple(revoked))

    def _revoke_unactivated(self, order_id: str) -> list[int]:
        for _ in range(_REVOKE_ATTEMPTS):
            order = self._orders.get(order_id)
            lines = [line for line in order.lines if not line.revoked and not line.activated]
            if not lines:
                return []
            try:
                with TransactWrite(connection=self._connection) as transaction:
                    revoke_lines(transaction, order, lines, datetime.now(UTC))
            except TransactWriteError as error:
                if "TransactionCanceled" not in str(error.cause_response_code):
                    raise
                continue  # a key was activated or issued meanwhile: read the order again
            logger.info("keys revoked for a dispute", extra={"order_id": order_id, "lines": len(lines)})
            return [line.line_no for line in lines]
        logger.warning("dispute revocation kept conflicting", extra={"order_id": order_id})
        return []

    def _close(self, notice: DisputeNotice) -> None:
        try:
            DisputeItem(notice.dispute_id, DisputeItem.SK).update(
                actions=[DisputeItem.status.set(notice.status), DisputeItem.closed_at.set(datetime.now(UTC))],
                condition=RefundTableItem.pk.exists(),
            )
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            logger.warning("closed a dispute never opened here", extra={"dispute_id": notice.dispute_id})
            return
        metrics.add_metric(name="DisputesClosed", unit="Count", value=1)
        logger.info("dispute closed", extra={"dispute_id": notice.dispute_id, "status": notice.status})

    def note_key_view(self, order_id: str) -> None:
        """The buyer opened the page that shows the codes: part of the evidence a chargeback needs."""
        self._counters.note_visit(*views_key(order_id), int(datetime.now(UTC).timestamp()))

    def evidence(self, order_id: str, shop_id: str) -> dict[str, Any]:
        """What an operator submits against a chargeback: the order, delivery and its email's fate, views, history."""
        order = self._orders.get(order_id)
        if order.shop_id != shop_id:
            raise NotFound("no such order", code="unknown_order")
        stored = {item.sk: item for item in OrderTableItem.query(order_id, consistent_read=True)}
        head = stored[OrderItem.SK]
        assert isinstance(head, OrderItem)
        lines = [item for item in stored.values() if isinstance(item, OrderLineItem)]
        views = self._counters.get(*views_key(order_id))
        cases = list(RefundTableItem.by_order.query(order_id))
        message_id = head.delivery_message_id
        email_events = self._mail_events.for_message(message_id) if message_id else []
        return {
            "order": {
                "order_id": order.order_id,
                "shop_id": order.shop_id,
                "status": order.stored_status.value,
                "sku": order.sku,
                "quantity": order.quantity,
                "amount": order.amount,
                "currency": order.currency,
                "email": order.email,
                "buyer_ip": order.buyer_ip,
                "buyer_country": order.buyer_country,
                "device_id": order.device_id,
                "created_at": order.created_at.isoformat(),
                "paid_at": _iso(order.paid_at),
                "payment_ref": order.payment_ref,
                "checkout_rules_fired": list(order.hold_rules),
            },
            "delivery": {
                "delivered_at": _iso(order.delivered_at),
                "delivery_email_message_id": message_id,
                "email_events": [event.as_evidence() for event in email_events],
                "activation_reminders_sent": order.reminder_level,
            },
            "key_page_views": {
                "views": int(views.get("visits", 0)),
                "first_at": _epoch_iso(views.get("first_at")),
                "last_at": _epoch_iso(views.get("last_at")),
            },
            "activation": [
                {
                    "line_no": int(line.line_no),
                    "status": line.activation_status,
                    "at": _iso(line.activation_at),
                    "account_region": line.account_region,
                    "revoked_at": _iso(line.revoked_at),
                }
                for line in sorted(lines, key=lambda line: int(line.line_no))
            ],
            "refunds": [
                {"refund_id": c.pk, "status": c.status, "amount": int(c.amount), "decided_by": c.decided_by}
                for c in cases
                if isinstance(c, RefundItem)
            ],
            "disputes": [
                {"dispute_id": c.pk, "status": c.status, "reason": c.reason, "revoked_lines": list(c.revoked_lines)}
                for c in cases
                if isinstance(c, DisputeItem)
            ],
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _epoch_iso(value: float | None) -> str | None:
    return datetime.fromtimestamp(value, UTC).isoformat() if value else None
