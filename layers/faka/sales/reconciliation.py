"""Payment reconciliation: no paid order stays stuck because its notification never came.

A schedule asks each order's own provider (Stripe, Alipay, WeChat Pay or the shop's TRON wallet) about orders still
waiting for their payment a few minutes after they were placed, and records the payments it finds through the same
path a notification takes (:meth:`Fulfilment.record_payment`), so a notification arriving late changes nothing. At
expiry an Alipay or WeChat Pay trade is closed, so the buyer can no longer pay it (a trade paid meanwhile is recorded
instead); other orders are asked about until an hour after they expired. Then they leave the pending-payment index.

The same schedule runs the USDT watcher (:class:`UsdtWatcher`): every incoming transfer to a shop's wallet, matched
to the order whose unique amount it carries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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
ORDERS_PER_RUN = 100
# Each run lists transfers again from this long before it: a node lists a transfer only once confirmed (~1 min), so
# one made just before a run may appear only in the next.
WATCH_OVERLAP = timedelta(minutes=5)
_RECORDED = {TransferKind.PAID, TransferKind.UNDERPAID, TransferKind.OVERPAID}


class ClosesTrades(Protocol):
    def close(self, order_id: str) -> bool: ...


@dataclass(frozen=True)
class ReconcileReport:
    checked: int = 0
    fulfilled: int = 0
    closed: int = 0


class Reconciliation:
    def __init__(
        self,
        orders: Orders,
        fulfilment: Fulfilment,
        provider_for: Callable[[Order], PaymentProvider],
        *,
        after_seconds: int,
    ) -> None:
        self._orders = orders
        self._fulfilment = fulfilment
        self._provider_for = provider_for
        self._after = timedelta(seconds=after_seconds)

    def run(self, now: datetime | None = None) -> ReconcileReport:
        now = now or datetime.now(UTC)
        checked = fulfilled = closed = 0
        for order_id in self._orders.pending_payments(now - self._after, limit=ORDERS_PER_RUN):
            checked += 1
            order = self._orders.get(order_id)
            if order.stored_status is not OrderStatus.PENDING_PAYMENT:
                self._orders.stop_reconciling(order_id)  # paid or held by a path that predates the index
                closed += 1
                continue
            try:
                provider = self._provider_for(order)
                payment = provider.find_payment(order_id)
                if payment is None and now > order.expires_at and _closes(provider):
                    # Closed at expiry so the buyer cannot pay it any more; a trade paid meanwhile stays open.
                    if provider.close(order_id):  # type: ignore[attr-defined]
                        self._orders.stop_reconciling(order_id)
                        closed += 1
                        continue
                    payment = provider.find_payment(order_id)
            except (PaymentGatewayError, Conflict) as error:
                # One provider down (or a shop's account removed) must not stop the others: asked again next run.
                logger.warning("payment provider not asked", extra={"order_id": order_id, "error": str(error)})
                continue
            if payment is not None:
                outcome = self._fulfilment.record_payment(payment)
                logger.info("payment found without its webhook", extra={"order_id": order_id, "result": outcome.result})
                fulfilled += outcome.result is not PaymentResult.ALREADY_PROCESSED
            elif now > order.expires_at + LATE_PAYMENT_GRACE:
                self._orders.stop_reconciling(order_id)
                closed += 1
        metrics.add_metric(name="PaymentsReconciled", unit="Count", value=fulfilled)
        return ReconcileReport(checked, fulfilled, closed)


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
