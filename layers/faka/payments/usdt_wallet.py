"""A shop's USDT wallet in faka: the unique amounts it waits for, kept in DynamoDB, and the provider taking USD
prices at par (USDT is pegged to the US dollar: a cent of USD is a cent of USDT).

The amounts live in the catalog table: ``USDT#<wallet>`` / ``SUFFIX#<n>`` (who holds an amount) and
``USDT_ORDER#<order>`` / ``SLOT`` (the order's amount), written together.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from faka import resources
from faka.adapters.tables.catalog import CatalogItem
from faka.errors import InvalidRequest
from faka.payments import usdt_trc20
from faka.payments.usdt_trc20 import AmountSlot, AmountSlots, TransferMatch, UsdtTrc20Checkout
from faka.ports import PaymentProvider
from faka.shared.model import PaymentConfirmation

PRICED_AS = "usd"


class _SlotAttributes(CatalogItem):
    wallet = UnicodeAttribute()
    order_id = UnicodeAttribute()
    price = NumberAttribute()
    suffix = NumberAttribute()
    allocated_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    held_until = UTCDateTimeAttribute()

    def slot(self) -> AmountSlot:
        return AmountSlot(
            wallet=self.wallet,
            order_id=self.order_id,
            price=int(self.price),
            suffix=int(self.suffix),
            allocated_at=self.allocated_at,
            expires_at=self.expires_at,
            held_until=self.held_until,
        )


class UsdtSuffixItem(_SlotAttributes, discriminator="usdt_suffix"):
    class Meta:
        table_name = resources.CATALOG_TABLE
        billing_mode = "PAY_PER_REQUEST"

    @staticmethod
    def key(wallet: str, suffix: int) -> tuple[str, str]:
        return f"USDT#{wallet}", f"SUFFIX#{suffix:04d}"


class UsdtOrderSlotItem(_SlotAttributes, discriminator="usdt_order_slot"):
    class Meta:
        table_name = resources.CATALOG_TABLE
        billing_mode = "PAY_PER_REQUEST"

    @staticmethod
    def key(order_id: str) -> tuple[str, str]:
        return f"USDT_ORDER#{order_id}", "SLOT"


class DynamoAmountSlots(AmountSlots):
    """The unique amounts in DynamoDB: the suffix claimed with ``attribute_not_exists(pk) OR held_until < :now``
    and the order's own slot with ``attribute_not_exists(pk)``, in one transaction, so two orders never share an
    amount and one order never gets two."""

    def __init__(self, connection: Connection | None = None) -> None:
        self._connection = connection or Connection()

    def claim(self, slot: AmountSlot, now: datetime) -> bool:
        values: dict[str, Any] = {
            "wallet": slot.wallet,
            "order_id": slot.order_id,
            "price": slot.price,
            "suffix": slot.suffix,
            "allocated_at": slot.allocated_at,
            "expires_at": slot.expires_at,
            "held_until": slot.held_until,
        }
        by_suffix = UsdtSuffixItem(*UsdtSuffixItem.key(slot.wallet, slot.suffix), **values)
        by_order = UsdtOrderSlotItem(*UsdtOrderSlotItem.key(slot.order_id), **values)
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.save(
                    by_suffix, condition=UsdtSuffixItem.pk.does_not_exist() | (UsdtSuffixItem.held_until < now)
                )
                transaction.save(by_order, condition=UsdtOrderSlotItem.pk.does_not_exist())
        except TransactWriteError as error:
            if error.cause_response_code == "TransactionCanceledException":
                return False
            raise
        return True

    def of_order(self, order_id: str) -> AmountSlot | None:
        try:
            return UsdtOrderSlotItem.get(*UsdtOrderSlotItem.key(order_id), consistent_read=True).slot()
        except DoesNotExist:
            return None

    def holder(self, wallet: str, suffix: int) -> AmountSlot | None:
        try:
            return UsdtSuffixItem.get(*UsdtSuffixItem.key(wallet, suffix), consistent_read=True).slot()
        except DoesNotExist:
            return None


class UsdtAtPar(PaymentProvider):
    """A shop's USDT wallet taking USD prices at par: the chain speaks USDT, the order and its payment USD."""

    name = usdt_trc20.PROVIDER

    def __init__(self, checkout: UsdtTrc20Checkout) -> None:
        self.usdt = checkout

    def checkout(
        self, *, order_id: str, amount: int, currency: str, description: str, email: str, return_url: str
    ) -> dict[str, Any]:
        if currency.lower() != PRICED_AS:
            raise InvalidRequest("USDT (TRC20) takes USD prices only", code="currency_not_supported")
        return self.usdt.checkout(
            order_id=order_id,
            amount=amount,
            currency=usdt_trc20.CURRENCY,
            description=description,
            email=email,
            return_url=return_url,
        )

    def find_payments(self, order_id: str) -> list[PaymentConfirmation]:
        return [_at_par(payment) for payment in self.usdt.find_payments(order_id)]

    def watch(self, since: datetime) -> list[TransferMatch]:
        return [
            replace(match, payment=_at_par(match.payment)) if match.payment else match
            for match in self.usdt.watch(since)
        ]

    def refund(self, *, payment_ref: str, amount: int, idempotency_key: str) -> str:
        return self.usdt.refund(payment_ref=payment_ref, amount=amount, idempotency_key=idempotency_key)

    # An operator pays USDT back by hand (faka.ports.OperatorPaysOut); a cent of USD is a cent of USDT.
    def payer_of(self, *, order_id: str, payment_ref: str) -> str:
        return self.usdt.payer_of(order_id=order_id, payment_ref=payment_ref)

    def record_operator_refund(self, *, order_id: str, payment_ref: str, amount: int, tx_hash: str) -> str:
        return self.usdt.record_operator_refund(
            order_id=order_id, payment_ref=payment_ref, amount=amount, tx_hash=tx_hash
        )

    def order_for_payment(self, *, payment_ref: str | None, charge: str | None) -> str | None:
        return self.usdt.order_for_payment(payment_ref=payment_ref, charge=charge)


def _at_par(payment: PaymentConfirmation) -> PaymentConfirmation:
    currency = PRICED_AS if payment.currency == usdt_trc20.CURRENCY else payment.currency
    return replace(payment, currency=currency)
