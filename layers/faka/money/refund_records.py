"""A refund as stored on the refunds table: its fields and statuses, reading it, and recording a decision on it.

Every other refund module reads and decides through these: :mod:`faka.money.refunds` (asking),
:mod:`faka.money.refund_review` (deciding) and :mod:`faka.money.refund_settlement` (carrying the decision out).
A decision is one conditional write from the statuses it may follow, so a retried step decides nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.expressions.update import Action

from faka.adapters.tables.refunds import RefundItem, RefundTableItem
from faka.errors import NotFound
from faka.observability import logger
from faka.ports import EventPublisher


class RefundStatus(StrEnum):
    REQUESTED = "requested"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    # Approved, keys revoked, paid back by an operator by hand (USDT); completed once the transfer is recorded.
    AWAITING_PAYOUT = "awaiting_payout"
    REJECTED = "rejected"
    COMPLETED = "completed"


@dataclass(frozen=True)
class Refund:
    refund_id: str
    order_id: str
    shop_id: str
    lines: tuple[int, ...]
    amount: int
    currency: str
    reason: str
    status: RefundStatus
    requested_by: str
    created_at: datetime
    risk_rules: tuple[str, ...] | None = None
    review_deadline: datetime | None = None
    task_token: str | None = None
    reminders: int = 0
    escalated: bool = False
    decided_by: str | None = None
    decision_reason: str | None = None
    decided_at: datetime | None = None
    compensated_by_platform: int | None = None
    revoked: bool = False
    provider_ref: str | None = None
    completed_at: datetime | None = None


def _refund(item: RefundItem) -> Refund:
    # Refunds are always written with their order and time; only the table's other items lack them.
    assert item.order_id is not None
    assert item.created_at is not None
    return Refund(
        refund_id=item.pk,
        order_id=item.order_id,
        shop_id=item.shop_id,
        lines=tuple(int(n) for n in item.lines),
        amount=int(item.amount),
        currency=item.currency,
        reason=item.reason,
        status=RefundStatus(item.status),
        requested_by=item.requested_by,
        created_at=item.created_at,
        risk_rules=tuple(item.risk_rules) if item.risk_rules is not None else None,
        review_deadline=item.review_deadline,
        task_token=item.task_token,
        reminders=int(item.reminders or 0),
        escalated=item.escalated_at is not None,
        decided_by=item.decided_by,
        decision_reason=item.decision_reason,
        decided_at=item.decided_at,
        compensated_by_platform=int(item.compensated_by_platform) if item.compensated_by_platform else None,
        revoked=item.revoked_at is not None,
        provider_ref=item.provider_ref,
        completed_at=item.completed_at,
    )


def read_refund(refund_id: str) -> Refund:
    try:
        item = RefundItem.get(refund_id, RefundItem.SK, consistent_read=True)
    except DoesNotExist:
        raise NotFound("no such refund", code="unknown_refund") from None
    return _refund(item)


def refunds_awaiting_review(shop_id: str, limit: int) -> list[Refund]:
    """The shop's refunds an operator must decide, oldest first."""
    return [
        _refund(item)
        for item in RefundTableItem.awaiting_review.query(shop_id, limit=limit)
        if isinstance(item, RefundItem)
    ]


def refunds_of_order(order_id: str) -> list[Refund]:
    return [_refund(i) for i in RefundTableItem.by_order.query(order_id) if isinstance(i, RefundItem)]


def condition_failed(error: UpdateError | TransactWriteError) -> bool:
    code = str(error.cause_response_code)
    return "ConditionalCheckFailed" in code or "TransactionCanceled" in code


def record_decision(
    refund: Refund,
    status: RefundStatus,
    *,
    decided_by: str,
    allowed_from: Sequence[RefundStatus],
    reason: str | None = None,
    extra: Sequence[Action] = (),
) -> bool:
    """Decide the refund unless it left ``allowed_from`` meanwhile (then False: someone else decided)."""
    actions: list[Action] = [
        RefundItem.status.set(status.value),
        RefundItem.decided_by.set(decided_by),
        RefundItem.decided_at.set(datetime.now(UTC)),
        RefundItem.review_shop.remove(),
        *extra,
    ]
    if reason:
        actions.append(RefundItem.decision_reason.set(reason))
    try:
        RefundItem(refund.refund_id, RefundItem.SK).update(
            actions=actions, condition=RefundItem.status.is_in(*(s.value for s in allowed_from))
        )
    except UpdateError as error:
        if condition_failed(error):
            return False
        raise
    logger.info("refund decided", extra={"refund_id": refund.refund_id, "status": status, "by": decided_by})
    return True


def publish_approved(events: EventPublisher, refund: Refund) -> None:
    events.publish(
        "RefundApproved",
        {
            "refund_id": refund.refund_id,
            "order_id": refund.order_id,
            "shop_id": refund.shop_id,
            "amount": refund.amount,
            "currency": refund.currency,
            "decided_by": refund.decided_by or "system",
            "compensated_by_platform": refund.compensated_by_platform is not None,
        },
    )
