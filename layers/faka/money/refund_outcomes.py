"""What a provider says became of a refund faka asked it for (WeChat Pay's ``REFUND.SUCCESS``, ``.ABNORMAL``,
``.CLOSED``), recorded on the refund once per status.

A provider that reports refunds asynchronously may still fail one faka recorded as sent: the buyer's card or
account cannot take the money (abnormal), or the provider gave up (closed). Either needs a person, so the shop's
operators are alerted, once. A duplicate notice, or the same status under another notice id, changes nothing;
an abnormal refund the merchant then settles by hand may still become successful or closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from pynamodb.exceptions import UpdateError

from faka.adapters.tables.refunds import RefundItem
from faka.money.refund_records import Refund
from faka.money.refund_settlement import provider_refund_key
from faka.money.refunds import Refunds
from faka.observability import logger, metrics
from faka.payments.gateway import bounded_reference
from faka.ports import OperatorAlerts


class ProviderRefundStatus(StrEnum):
    """A refund's outcome at its provider, in WeChat Pay's words (``refund_status``)."""

    SUCCESS = "SUCCESS"
    ABNORMAL = "ABNORMAL"
    CLOSED = "CLOSED"


# Outcomes that need a person: the money did not reach the buyer.
_NEEDS_AN_OPERATOR = frozenset({ProviderRefundStatus.ABNORMAL, ProviderRefundStatus.CLOSED})


@dataclass(frozen=True)
class RefundOutcomeNotice:
    """A provider's report on one refund: the order, the merchant's request number faka sent, its status."""

    provider: str
    order_id: str
    request_no: str
    provider_refund_id: str
    status: ProviderRefundStatus


@dataclass(frozen=True)
class RecordedOutcome:
    refund_id: str | None
    # False: a duplicate, a status already recorded, or a refund faka never asked for (nothing changed).
    recorded: bool = False


class RefundOutcomes:
    def __init__(self, refunds: Refunds, alerts: OperatorAlerts) -> None:
        self._refunds = refunds
        self._alerts = alerts

    def record(self, shop_id: str, notice: RefundOutcomeNotice) -> RecordedOutcome:
        refund = self._refund_for(shop_id, notice)
        if refund is None:
            # A refund made in the provider's own console, or one of another shop: acknowledged, nothing recorded.
            logger.warning(
                "refund outcome for no refund of faka's",
                extra={"provider": notice.provider, "order_id": notice.order_id, "status": notice.status},
            )
            return RecordedOutcome(None)
        if not self._write(refund.refund_id, notice.status):
            logger.info(
                "refund outcome recorded before", extra={"refund_id": refund.refund_id, "status": notice.status}
            )
            return RecordedOutcome(refund.refund_id)
        logger.info("refund outcome recorded", extra={"refund_id": refund.refund_id, "status": notice.status})
        metrics.add_metric(name=f"ProviderRefunds{notice.status.capitalize()}", unit="Count", value=1)
        if notice.status in _NEEDS_AN_OPERATOR:
            self._alert(refund, notice)
        return RecordedOutcome(refund.refund_id, recorded=True)

    def _refund_for(self, shop_id: str, notice: RefundOutcomeNotice) -> Refund | None:
        return next(
            (
                refund
                for refund in self._refunds.for_order(notice.order_id)
                if refund.shop_id == shop_id
                and bounded_reference(provider_refund_key(refund.refund_id)) == notice.request_no
            ),
            None,
        )

    @staticmethod
    def _write(refund_id: str, status: ProviderRefundStatus) -> bool:
        """Set the status unless it is recorded already; only an abnormal refund may still change (settled by hand)."""
        unrecorded = RefundItem.provider_status.does_not_exist()
        condition = (
            unrecorded
            if status is ProviderRefundStatus.ABNORMAL
            else unrecorded | (RefundItem.provider_status == ProviderRefundStatus.ABNORMAL.value)
        )
        try:
            RefundItem(refund_id, RefundItem.SK).update(
                actions=[
                    RefundItem.provider_status.set(status.value),
                    RefundItem.provider_status_at.set(datetime.now(UTC)),
                ],
                condition=condition & RefundItem.pk.exists(),
            )
        except UpdateError as error:
            if "ConditionalCheckFailed" in str(error.cause_response_code):
                return False
            raise
        return True

    def _alert(self, refund: Refund, notice: RefundOutcomeNotice) -> None:
        amount = f"{refund.amount // 100}.{refund.amount % 100:02d} {refund.currency.upper()}"
        self._alerts.alert(
            f"Refund {refund.refund_id[:8]} {notice.status.lower()} at {notice.provider}",
            f"{notice.provider} reports refund {refund.refund_id} of order {refund.order_id} ({amount}, its refund "
            f"{notice.provider_refund_id}) as {notice.status}: the money has not reached the buyer. Settle it in the "
            "merchant platform (an abnormal refund is sent again to another account or paid by hand), then tell the "
            "buyer.",
            shop_id=refund.shop_id,
            kind="refund_review",
        )
