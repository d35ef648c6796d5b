"""Refund routes: the buyer asks, sees the decision and appeals; operators decide, set the shop's policy,
release or cancel orders the risk rules held, and read a disputed order's evidence."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from api.http import json_response, shop_id
from api.idempotency_key import IdempotencyKey, answer_once
from api.schemas.common import answers
from api.schemas.money import (
    AppealOpened,
    EvidencePack,
    OperatorRefundList,
    OperatorRefundView,
    RefundAccepted,
    RefundAppeal,
    RefundAsk,
    RefundDecision,
    RefundList,
    RefundPayout,
    RefundPolicyView,
    RefundView,
)
from api.schemas.orders import HoldCancel, HoldRelease, UnpaidOrderCancelled
from faka.errors import NotFound
from faka.money.refund_policies import RefundPolicy
from faka.money.refund_records import Refund
from faka.platform.access import Role
from faka.security import bearer_token
from faka.shared.model import Order, OrderStatus
from faka.trust.risk import SlaPolicy
from faka.wiring import services

router = APIGatewayRouter()

OrderId = Annotated[str, Path(max_length=64)]


def _buyers_order(order_id: str) -> Order:
    """The order, only for the holder of its token: anyone else gets the order page's 404."""
    return services().orders.get_for_buyer(order_id, bearer_token(router.current_event.headers.get("authorization")))


def _operator(event: APIGatewayProxyEvent, *, platform_only: bool = False) -> tuple[str, Role]:
    shop = shop_id(event)
    role = services().access.authorize(
        shop, bearer_token(event.headers.get("authorization")), platform_only=platform_only
    )
    return shop, role


def _view(refund: Refund) -> RefundView:
    return RefundView(
        refund_id=refund.refund_id,
        order_id=refund.order_id,
        status=refund.status.value,
        lines=list(refund.lines),
        amount=refund.amount,
        currency=refund.currency,
        reason=refund.reason,
        created_at=refund.created_at.isoformat(),
        decided_by=refund.decided_by,
        decision_reason=refund.decision_reason,
        provider_ref=refund.provider_ref,
        completed_at=refund.completed_at.isoformat() if refund.completed_at else None,
    )


def _operator_view(refund: Refund) -> OperatorRefundView:
    return OperatorRefundView(
        **_view(refund).model_dump(),
        shop_id=refund.shop_id,
        risk_rules=list(refund.risk_rules) if refund.risk_rules is not None else None,
        review_deadline=refund.review_deadline.isoformat() if refund.review_deadline else None,
        reminders=refund.reminders,
        escalated=refund.escalated,
        compensated_by_platform=refund.compensated_by_platform,
    )


@router.post(
    "/v1/orders/<order_id>/refund",
    responses={
        202: answers(RefundAccepted, "Refund accepted for review; an unused key is refunded within seconds"),
        404: {"description": "Unknown order or wrong token"},
        409: {
            "description": "Unpaid, already refunded, refund under way, a line already had a refund, or the "
            "Idempotency-Key was used with another body or its first request is still running"
        },
    },
)
def request_refund(
    order_id: OrderId, ask: Annotated[RefundAsk, Body()], idempotency_key: IdempotencyKey = None
) -> Response[str]:
    order = _buyers_order(order_id)

    def accept() -> Response[str]:
        refund = services().refunds.request(order, reason=ask.reason, lines=ask.lines)
        return json_response(202, RefundAccepted(refund_id=refund.refund_id, status=refund.status.value).model_dump())

    return answer_once(
        idempotency_key, ("POST /v1/orders/{id}/refund", order.order_id), ask.model_dump(mode="json"), accept
    )


@router.get(
    "/v1/orders/<order_id>/refunds",
    responses={200: {"description": "The order's refunds"}, 404: {"description": "Unknown order or wrong token"}},
)
def order_refunds(order_id: OrderId) -> RefundList:
    order = _buyers_order(order_id)
    return RefundList(refunds=[_view(r) for r in services().refunds.for_order(order.order_id)])


@router.post(
    "/v1/orders/<order_id>/refunds/<refund_id>/appeal",
    responses={201: answers(AppealOpened, "Appeal ticket opened (the same one if asked again)")},
)
def appeal_refund(order_id: OrderId, refund_id: OrderId, appeal: Annotated[RefundAppeal, Body()]) -> Response[str]:
    order = _buyers_order(order_id)
    refund = services().refunds.get(refund_id)
    if refund.order_id != order.order_id:
        raise NotFound("no such refund", code="unknown_refund")
    ticket = services().refunds.appeal(refund, order, appeal.message)
    return json_response(201, AppealOpened(ticket_id=ticket.ticket_id, status=ticket.status).model_dump())


@router.get("/v1/admin/refunds")
def refunds_awaiting_review(status: Annotated[Literal["in_review"], Query()] = "in_review") -> OperatorRefundList:
    """The refunds waiting for an operator's decision, oldest first (the only list there is: ``status=in_review``)."""
    shop, _ = _operator(router.current_event)
    return OperatorRefundList(refunds=[_operator_view(r) for r in services().refunds.awaiting_review(shop)])


@router.get("/v1/admin/refunds/<refund_id>")
def operator_refund(refund_id: OrderId) -> OperatorRefundView:
    shop, _ = _operator(router.current_event)
    refund = services().refunds.get(refund_id)
    if refund.shop_id != shop:
        raise NotFound("no such refund", code="unknown_refund")
    return _operator_view(refund)


@router.post(
    "/v1/admin/refunds/<refund_id>/decision",
    responses={200: {"description": "Decided"}, 409: {"description": "The refund is not waiting for a review"}},
)
def decide_refund(refund_id: OrderId, decision: Annotated[RefundDecision, Body()]) -> OperatorRefundView:
    shop, role = _operator(router.current_event)
    refund = services().refunds.decide(
        refund_id, shop, role, approve=decision.decision == "approve", reason=decision.reason
    )
    return _operator_view(refund)


@router.post(
    "/v1/admin/refunds/<refund_id>/payout",
    responses={
        200: {"description": "Paid out: the refund completed"},
        400: {"description": "No such transfer back to the payer, or too small (refund_not_found, ...)"},
        409: {"description": "The refund is not awaiting an operator's payout"},
    },
)
def record_refund_payout(refund_id: OrderId, payout: Annotated[RefundPayout, Body()]) -> OperatorRefundView:
    """An operator sent a USDT refund back from the shop's wallet: the transfer is checked, the refund completed."""
    shop, _ = _operator(router.current_event)
    return _operator_view(services().refunds.record_payout(refund_id, shop, payout.tx_hash))


def _policy_view(policy: RefundPolicy) -> RefundPolicyView:
    return RefundPolicyView(
        auto_approve_limits=policy.auto_approve_limits,
        review_sla_seconds=policy.review_sla_seconds,
        sla_policy=policy.sla_policy.value,
    )


@router.get("/v1/admin/refund-policy")
def refund_policy() -> RefundPolicyView:
    shop, _ = _operator(router.current_event)
    return _policy_view(services().refund_policies.get(shop))


@router.put("/v1/admin/refund-policy")
def set_refund_policy(policy: Annotated[RefundPolicyView, Body()]) -> RefundPolicyView:
    """The platform sets each shop's policy: what the shop may auto-approve and what a missed SLA costs it."""
    shop, _ = _operator(router.current_event, platform_only=True)
    saved = services().refund_policies.save(
        shop, RefundPolicy(policy.auto_approve_limits, policy.review_sla_seconds, SlaPolicy(policy.sla_policy))
    )
    return _policy_view(saved)


@router.post(
    "/v1/admin/orders/<order_id>/release",
    responses={200: {"description": "Released"}, 409: {"description": "Not held by the risk rules"}},
)
def release_held_order(order_id: OrderId) -> HoldRelease:
    """Deliver an order the checkout risk rules held, once an operator has looked at it."""
    shop, role = _operator(router.current_event)
    outcome = services().held_orders.release(order_id, shop, role.value)
    return HoldRelease(order_id=outcome.order_id, result=outcome.result.value, status=outcome.status.value)


@router.post(
    "/v1/admin/orders/<order_id>/cancel",
    responses={
        200: answers(UnpaidOrderCancelled, "An unpaid order cancelled: its payment window closed"),
        202: answers(RefundAccepted, "Refund of the whole held order started"),
        409: {"description": "Neither held nor unpaid"},
    },
)
def cancel_held_order(order_id: OrderId, cancel: Annotated[HoldCancel, Body()]) -> Response[str]:
    shop, role = _operator(router.current_event)
    if services().orders.get(order_id).stored_status is OrderStatus.PENDING_PAYMENT:
        order = services().order_actions.cancel_unpaid(order_id, shop, role.value, cancel.reason)
        return json_response(200, {"order_id": order.order_id, "status": order.status_at(order.expires_at).value})
    refund = services().held_orders.cancel(order_id, shop, role.value, cancel.reason)
    return json_response(202, RefundAccepted(refund_id=refund.refund_id, status=refund.status.value).model_dump())


@router.get("/v1/admin/orders/<order_id>/evidence", responses={200: answers(EvidencePack, "The evidence pack")})
def order_evidence(order_id: OrderId) -> dict[str, Any]:
    """The evidence pack for a chargeback: order, IP, delivery and email, key page views, activation, history."""
    shop, _ = _operator(router.current_event)
    return services().disputes.evidence(order_id, shop)
