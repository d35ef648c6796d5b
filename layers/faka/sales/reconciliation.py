"""Payment reconciliation: no paid order stays stuck because its notification never came.

A schedule asks each order's own provider (Stripe, Alipay, WeChat Pay or the shop's TRON wallet) about orders still
waiting for their payment, and records the payments it finds through the same path a notification takes
(:meth:`Fulfilment.record_payment`), so a notification arriving late changes nothing. It finds them at fixed ages
(:func:`check_ages`): a few minutes after they were placed, halfway to expiry, at expiry, where an Alipay or WeChat Pay
trade is closed so the buyer can no longer pay it (a trade paid meanwhile is recorded instead), and an hour after
it, when they are asked about a last time and left (as before: a later payment comes by its notification).

Each check reads the orders placed in its band of time from the ``placed`` index, whose entries are written once
when an order is placed and never changed (so paying an order writes no index), and keeps the ones still
``pending_payment`` by their stored status; a delivered one whose announcement may have been lost to a crash is
announced again (:meth:`Fulfilment.announce_if_lost`), so a crash no notification comes back for is made good too.
Where each check got to is kept (``RECONCILIATION`` / ``PROGRESS``),
so a late or missed run reads what it missed and a run reads only what was placed since the last one, never more than
:data:`CATCH_UP` of placements or :data:`ORDERS_PER_CHECK` orders per check. Orders placed before that index are
still read from the pending-payment index of old, and taken out of it, until it is empty.

The same schedule runs the USDT watcher (:class:`UsdtWatcher`): every incoming transfer to a shop's wallet, matched
to the order whose unique amount it carries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, Protocol

from faka.errors import Conflict
from faka.observability import logger, metrics
from faka.payments.gateway import PaymentGatewayError
from faka.payments.shop_methods import USDT_TRC20, ShopPaymentMethods
from faka.payments.usdt_trc20 import LATE_PAYMENT_HOLD, TransferKind
from faka.payments.usdt_wallet import UsdtAtPar
from faka.ports import PaymentProvider
from faka.sales.fulfilment import Fulfilment, PaymentResult
from faka.sales.orders import Orders
from faka.shared.model import Order, OrderStatus, PaymentConfirmation

# A buyer may finish paying on the provider's page a while after faka's own order expired.
LATE_PAYMENT_GRACE = timedelta(hours=1)
# Orders read per check and run from the placed index (a BatchGetItem of their stored status per 100).
ORDERS_PER_CHECK = 1000
# A check never reads further back than this before its age, however long reconciliation did not run.
CATCH_UP = timedelta(hours=1)
# Orders of the pending-payment index of old read per run, until it is empty.
LEGACY_ORDERS_PER_RUN = 100
# Each run lists transfers again from this long before it: a node lists a transfer only once confirmed (~1 min), so
# one made just before a run may appear only in the next.
WATCH_OVERLAP = timedelta(minutes=5)
_RECORDED = {TransferKind.PAID, TransferKind.UNDERPAID, TransferKind.OVERPAID}


def check_ages(after: timedelta, order_ttl: timedelta) -> tuple[timedelta, ...]:
    """The ages at which an unpaid order is asked about: first after ``after``, then halfway to its expiry, at its
    expiry, and an hour after it."""
    return tuple(sorted({after, order_ttl / 2, order_ttl, order_ttl + LATE_PAYMENT_GRACE}))


class ClosesTrades(Protocol):
    def close(self, order_id: str) -> bool: ...


@dataclass(frozen=True)
class ReconcileReport:
    checked: int = 0
    fulfilled: int = 0
    closed: int = 0
    announced_again: int = 0


class _Outcome(Enum):
    ASKED = "asked"  # still unpaid, asked again at its next age
    FULFILLED = "fulfilled"
    CLOSED = "closed"  # its trade closed at expiry, or asked a last time
    NOT_ASKED = "not_asked"  # its provider could not be asked this time


@dataclass(frozen=True)
class _Band:
    check: str
    orders: list[tuple[str, datetime]]
    read_up_to: datetime


class Reconciliation:
    def __init__(
        self,
        orders: Orders,
        fulfilment: Fulfilment,
        provider_for: Callable[[Order], PaymentProvider],
        *,
        after_seconds: int,
        order_ttl: timedelta,
    ) -> None:
        self._orders = orders
        self._fulfilment = fulfilment
        self._provider_for = provider_for
        self._after = timedelta(seconds=after_seconds)
        self._ages = check_ages(self._after, order_ttl)

    def run(self, now: datetime | None = None) -> ReconcileReport:
        now = now or datetime.now(UTC)
        read_up_to = self._orders.reconciled_up_to()
        bands = [self._band(age, now, read_up_to) for age in self._ages]
        placed = {order_id: at for band in bands for order_id, at in band.orders}
        stored = self._orders.as_stored(list(placed))
        announced_again = sum(self._fulfilment.announce_if_lost(order, now) for order in stored)
        unpaid = [order for order in stored if order.stored_status is OrderStatus.PENDING_PAYMENT]
        outcomes = [self._reconcile(order, now) for order in sorted(unpaid, key=lambda order: order.created_at)]
        self._orders.mark_reconciled({band.check: band.read_up_to for band in bands})
        outcomes += self._drain_legacy_index(now)
        fulfilled = outcomes.count(_Outcome.FULFILLED)
        metrics.add_metric(name="PaymentsReconciled", unit="Count", value=fulfilled)
        metrics.add_metric(name="DeliveriesAnnouncedAgain", unit="Count", value=announced_again)
        return ReconcileReport(len(outcomes), fulfilled, outcomes.count(_Outcome.CLOSED), announced_again)

    def _band(self, age: timedelta, now: datetime, read_up_to: Mapping[str, datetime]) -> _Band:
        """The orders that reached ``age`` since the check at that age last read, as far as one run reads."""
        check = str(int(age.total_seconds()))
        end = now - age
        start = max(read_up_to.get(check, end - CATCH_UP), end - CATCH_UP)
        if start >= end:  # read that far already (a run with an earlier clock): nothing new, nothing rewound
            return _Band(check, [], start)
        found = self._orders.placed_between(start, end, limit=ORDERS_PER_CHECK)
        # A full page: the rest of the band is read next run, from the last order read.
        return _Band(check, found, found[-1][1] if len(found) == ORDERS_PER_CHECK else end)

    def _drain_legacy_index(self, now: datetime) -> list[_Outcome]:
        """Orders placed before the placed index, reconciled as before until they leave the index of old."""
        order_ids = self._orders.legacy_pending_payments(now - self._after, limit=LEGACY_ORDERS_PER_RUN)
        stored = {order.order_id: order for order in self._orders.as_stored(order_ids)}
        outcomes = []
        for order_id in order_ids:
            order = stored.get(order_id)
            unpaid = order is not None and order.stored_status is OrderStatus.PENDING_PAYMENT
            outcome = self._reconcile(order, now) if order is not None and unpaid else _Outcome.CLOSED
            if outcome in (_Outcome.CLOSED, _Outcome.FULFILLED):
                self._orders.stop_reconciling(order_id)
            outcomes.append(outcome)
        return outcomes

    def _reconcile(self, order: Order, now: datetime) -> _Outcome:
        order_id = order.order_id
        try:
            provider = self._provider_for(order)
            payment = provider.find_payment(order_id)
            if payment is None and now > order.expires_at and _closes(provider):
                # Closed at expiry so the buyer cannot pay it any more; a trade paid meanwhile stays open.
                if provider.close(order_id):  # type: ignore[attr-defined]
                    return _Outcome.CLOSED
                payment = provider.find_payment(order_id)
        except (PaymentGatewayError, Conflict) as error:
            # One provider down (or a shop's account removed) must not stop the others: asked again at its next age.
            logger.warning("payment provider not asked", extra={"order_id": order_id, "error": str(error)})
            return _Outcome.NOT_ASKED
        if payment is not None:
            outcome = self._fulfilment.record_payment(payment)
            logger.info("payment found without its webhook", extra={"order_id": order_id, "result": outcome.result})
            return _Outcome.ASKED if outcome.result is PaymentResult.ALREADY_PROCESSED else _Outcome.FULFILLED
        if now > order.expires_at + LATE_PAYMENT_GRACE:
            return _Outcome.CLOSED
        return _Outcome.ASKED


def _closes(provider: PaymentProvider) -> bool:
    return callable(getattr(provider, "close", None))


@dataclass(frozen=True)
class WatchReport:
    wallets: int = 0
    transfers: int = 0
    recorded: int = 0
    unmatched: int = 0


class UsdtWatcher:
    """Reads each USDT-taking shop's wallet and records the transfers that pay (or under- or over-pay) an order.

    ``record`` is the caller's once-per-event recording (deduplicated on the transfer's id): runs overlap, so a
    transfer is seen several times. An under- or over-payment is recorded with the amount that arrived, which the
    fulfilment flags for an operator instead of delivering; a transfer matching no order is logged for one.
    """

    def __init__(
        self,
        methods: ShopPaymentMethods,
        record: Callable[[str, PaymentConfirmation], Any],
        *,
        look_back: timedelta,
    ) -> None:
        self._methods = methods
        self._record = record
        self._look_back = look_back

    def run(self, now: datetime | None = None) -> WatchReport:
        now = now or datetime.now(UTC)
        wallets = transfers = recorded = unmatched = 0
        for shop_id, wallet in self._methods.usdt_wallets():
            provider = self._methods.provider(shop_id, USDT_TRC20)
            if not isinstance(provider, UsdtAtPar):
                continue
            # Never from further back than an open order's amount is held: an older transfer pays no open order.
            since = max(self._methods.watched_from(wallet, now - self._look_back), now - self._look_back)
            try:
                matches = provider.watch(since)
            except PaymentGatewayError as error:
                logger.warning("TRON node unreachable", extra={"shop_id": shop_id, "error": str(error)})
                continue
            wallets += 1
            transfers += len(matches)
            for match in matches:
                if match.kind in _RECORDED and match.payment is not None:
                    self._record(match.event_id, match.payment)
                    recorded += 1
                elif match.kind in {TransferKind.UNMATCHED, TransferKind.EXPIRED}:
                    unmatched += 1
                    logger.warning(
                        "USDT transfer for no open order",
                        extra={"shop_id": shop_id, "tx_id": match.transfer.tx_id, "kind": match.kind.value},
                    )
            # Unconfirmed transfers are read again next run; so is everything newer than the overlap.
            waiting = [m.transfer.at for m in matches if m.kind is TransferKind.UNCONFIRMED]
            self._methods.watched(wallet, min([*waiting, now - WATCH_OVERLAP]))
        metrics.add_metric(name="UsdtTransfersRecorded", unit="Count", value=recorded)
        return WatchReport(wallets, transfers, recorded, unmatched)


# How long a USDT transfer can still name an open order: the order's life, then the late-payment hold.
def usdt_look_back(order_ttl: timedelta) -> timedelta:
    return order_ttl + LATE_PAYMENT_HOLD
