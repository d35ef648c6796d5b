"""Payment reconciliation, the USDT watcher and the orders waiting for stock, run by a schedule (EventBridge
Scheduler on AWS, a timer in ``faka local``)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from faka.entry import once_per, register_context
from faka.observability import logger, metrics, tracer
from faka.sales.reconciliation import UsdtWatcher, usdt_look_back
from faka.shared.model import PaymentConfirmation
from faka.wiring import services

# A transfer stays on the chain for ever, but it names an order only while the order's amount is held (its life and
# an hour): a record older than that is never asked about again.
TRANSFER_MEMORY_SECONDS = 2 * 24 * 3600


@once_per("event_id", argument="payment", expires_after_seconds=TRANSFER_MEMORY_SECONDS)
def _record_transfer(payment: dict[str, Any]) -> dict[str, Any]:
    confirmation = PaymentConfirmation(**{k: v for k, v in payment.items() if k != "event_id"})
    outcome = services().fulfilment.record_payment(confirmation)
    return {"result": outcome.result.value, "order_id": outcome.order_id}


def _record(event_id: str, payment: PaymentConfirmation) -> None:
    _record_transfer(payment={"event_id": event_id, **asdict(payment)})


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    register_context(context)
    report = services().reconciliation.run()
    if report.checked:
        logger.info("payments reconciled", extra=asdict(report))
    look_back = usdt_look_back(timedelta(minutes=services().settings.order_ttl_minutes))
    watched = UsdtWatcher(services().payment_methods, _record, look_back=look_back).run()
    if watched.transfers:
        logger.info("USDT wallets watched", extra=asdict(watched))
    # Served before the overdue ones are refunded: stock that came meanwhile delivers rather than refunds.
    if served := services().fulfilment.serve_waiting():
        logger.info("waiting orders served", extra={"served": served})
    # Paid orders waiting for stock too long are refunded (faka.money.backorders).
    if (backorders := services().backorders.refund_overdue()).overdue:
        logger.info("backorders refunded", extra=asdict(backorders))
    return asdict(report)
