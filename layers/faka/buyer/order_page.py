"""What the buyer's order page shows beyond the order itself: its history, each key's state, and what the
buyer can do next (each action refused with a reason the page can show)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from faka.activation.activation import ActivationStatus
from faka.insight.ratings import Eligibility
from faka.money.refund_records import Refund
from faka.money.refund_settlement import KEY_ACTIVATED_REASON
from faka.money.refunds import REFUNDABLE
from faka.shared.model import FULFILLABLE, Order, OrderLine, OrderStatus, Product

if TYPE_CHECKING:
    from faka.shared.templating import MessageTemplates


class KeyState(StrEnum):
    DELIVERED = "delivered"
    ACTIVATED = "activated"
    REVOKED = "revoked"
    REFUNDED = "refunded"


class Activation(StrEnum):
    PENDING = "pending"
    ACTIVATED = "activated"
    FAILED = "failed"


@dataclass(frozen=True)
class Milestone:
    status: str
    at: datetime


def key_state(line: OrderLine) -> KeyState:
    if line.refund_id:
        return KeyState.REFUNDED
    if line.revoked:
        return KeyState.REVOKED
    return KeyState.ACTIVATED if line.activated else KeyState.DELIVERED


def shows_code(line: OrderLine) -> bool:
    """A refunded or revoked key is no longer the buyer's: its code is never shown again."""
    return key_state(line) in (KeyState.DELIVERED, KeyState.ACTIVATED)


def activation(order: Order) -> Activation:
    """Activated once every key still the buyer's is; failed as soon as one is reported not to work."""
    held = [line for line in order.lines if line.issued and shows_code(line)]
    if any(line.activation_status == ActivationStatus.FAILED.value for line in held):
        return Activation.FAILED
    if held and all(line.activated for line in held):
        return Activation.ACTIVATED
    return Activation.PENDING


def activated_at(order: Order) -> datetime | None:
    """When the last key still the buyer's was activated, once all of them are."""
    if activation(order) is not Activation.ACTIVATED:
        return None
    return max((line.activation_at for line in order.lines if line.activated and line.activation_at), default=None)


def timeline(order: Order, now: datetime, refunds: Sequence[Refund] = ()) -> list[Milestone]:
    """The order's dated milestones, oldest first: ``refunds`` are the order's, each paid back one a step."""
    steps = [Milestone("created", order.created_at)]
    if order.paid_at:
        steps.append(Milestone("paid", order.paid_at))
    if order.delivered_at:
        steps.append(Milestone("delivered", order.delivered_at))
    if activated := activated_at(order):
        steps.append(Milestone("activated", activated))
    steps.extend(Milestone("refunded", refund.completed_at) for refund in refunds if refund.completed_at)
    if order.status_at(now) is OrderStatus.EXPIRED:
        steps.append(Milestone("expired", order.expires_at))
    return sorted(steps, key=lambda step: step.at)


def _closed_reason(status: OrderStatus) -> str | None:
    """Why nothing more can be done on the order's keys, if so."""
    return {
        OrderStatus.PENDING_PAYMENT: "not_paid",
        OrderStatus.EXPIRED: "not_paid",
        OrderStatus.ON_HOLD: "on_hold",
        OrderStatus.REFUND_PENDING: "refund_in_progress",
        OrderStatus.REFUNDED: "refunded",
    }.get(status)


def actions(order: Order, now: datetime, rating: Eligibility, *, rated: bool) -> dict[str, str | None]:
    """Each action the page offers and, when it is not open, why (None: open)."""
    status = order.status_at(now)
    closed = _closed_reason(status)
    held = [line for line in order.lines if line.issued and shows_code(line)]
    if closed:
        confirm: str | None = closed
    elif status in FULFILLABLE or not held:
        confirm = "not_delivered"
    else:
        confirm = "already_activated" if activation(order) is Activation.ACTIVATED else None
    if order.open_refund_id:
        refund: str | None = "refund_in_progress"
    elif status not in REFUNDABLE:
        refund = closed or "not_refundable"
    elif held and all(line.activated for line in held):
        refund = KEY_ACTIVATED_REASON
    else:
        refund = None
    rate = "already_rated" if rated else (None if rating.open else rating.code)
    # Anyone holding the order may write about it, paid or not: "I paid but it says unpaid" is a question too.
    return {"confirm_activation": confirm, "refund": refund, "rate": rate, "chat": None}


def guide_steps(templates: MessageTemplates, product: Product, locale: str) -> list[str]:
    """How to activate the product's key, step by step, in ``locale``: the guide the delivery email carries."""
    # Only a guide needs jinja2 (its templates load it): listing products or placing an order renders none.
    from jinja2 import TemplateNotFound

    try:
        text = templates.render_text(f"guides/{product.platform}", locale, {"product": product})
    except TemplateNotFound:
        text = templates.render_text("guides/generic", locale, {"product": product})
    return [line.strip() for line in text.splitlines() if line.strip()]
