"""Bodies of refunds and disputes: buyers' refund requests and appeals, the operators' review, payouts and refund
policy, and a chargeback's evidence pack.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StrictInt

from api.schemas.common import Schema


class RefundAsk(Schema):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    lines: Annotated[list[Annotated[StrictInt, Field(ge=1, le=50)]], Field(min_length=1, max_length=50)] | None = Field(
        default=None, description="Order lines to refund; every line without a refund when omitted"
    )


class RefundAccepted(Schema):
    refund_id: str
    status: str


class RefundView(Schema):
    refund_id: str
    order_id: str
    status: str
    lines: list[int]
    amount: int = Field(description="Minor units")
    currency: str
    reason: str
    created_at: str
    decided_by: str | None
    decision_reason: str | None
    provider_ref: str | None
    completed_at: str | None


class RefundList(Schema):
    refunds: list[RefundView]


class OperatorRefundView(RefundView):
    shop_id: str
    risk_rules: list[str] | None
    review_deadline: str | None
    reminders: int
    escalated: bool
    compensated_by_platform: int | None


class OperatorRefundList(Schema):
    refunds: list[OperatorRefundView]


class RefundDecision(Schema):
    decision: Literal["approve", "reject"]
    reason: Annotated[str, Field(max_length=2000)] | None = None


class RefundPayout(Schema):
    tx_hash: Annotated[str, Field(min_length=1, max_length=80)] = Field(
        description="The TRON transaction that sent the USDT back to the address that paid"
    )


class RefundAppeal(Schema):
    message: Annotated[str, Field(min_length=1, max_length=4000)]


class AppealOpened(Schema):
    ticket_id: str
    status: str


class RefundPolicyView(Schema):
    auto_approve_limits: dict[Annotated[str, Field(pattern=r"^[a-z]{3}$")], Annotated[StrictInt, Field(ge=0)]] = Field(
        description="Largest refund approved without a person, in minor units per currency"
    )
    review_sla_seconds: Annotated[StrictInt, Field(gt=0, le=30 * 86400)]
    sla_policy: Literal["auto_approve", "flag_shop", "escalate"]


class EvidencePack(Schema):
    """What a chargeback answer needs, gathered from the order, its emails, its key page and its refunds."""

    order: dict[str, Any] = Field(description="The order as placed and paid: buyer, IP, country, device, amounts")
    delivery: dict[str, Any] = Field(description="When the keys went out, the delivery email and its events")
    key_page_views: dict[str, Any] = Field(
        description="How often the buyer's order page showed the keys: views, first_at, last_at"
    )
    activation: list[dict[str, Any]] = Field(description="Each line's activation status, when, the account region")
    refunds: list[dict[str, Any]]
    disputes: list[dict[str, Any]]
