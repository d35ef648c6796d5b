"""Refunds: asked for by the buyer (or an operator), decided by the risk rules or a person, paid back once.

A refund claims order lines. Each line carries at most one refund id ever, written by a conditional write
in the transaction that creates the refund, so no line is refunded twice and a refund can never exceed
what the buyer paid for its lines. An order has one refund open at a time (``refund_pending``), which
also tells the activation escalation to stop chasing it.

The refund review state machine runs the steps below as Lambda tasks. Each is a conditional write that
can be run again (a retried task, a replayed token) and only finishes what is not done yet. Decisions
are recorded here, on the refund, before the workflow hears of them: a task token resumed without a
recorded decision moves no money.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from faka.adapters.counters import Counters
from faka.adapters.tables import (
    OrderItem,
    OrderLineItem,
    PayoutClaimItem,
    RefundItem,
    RefundPolicyItem,
    RefundTableItem,
)
from faka.errors import Conflict, Forbidden, InvalidRequest, NotFound
from faka.money.cases import CaseOpener, OpenedCase
from faka.observability import logger, metrics
from faka.platform.access import Role
from faka.ports import EventPublisher, OperatorAlerts, OperatorPaysOut, PaymentProvider
from faka.sales.orders import Orders
from faka.sales.redaction import BuyerText
from faka.sales.revocation import revoke_lines
from faka.shared.model import Order, OrderLine, OrderStatus, PaymentConfirmation
from faka.trust.claims import claims_since
from faka.trust.risk import Buyer, Counted, Facts, RefundDefaults, RiskRules, RiskSignals, SlaPolicy


class RefundStatus(StrEnum):
    REQUESTED = "requested"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    # Approved, keys revoked, paid back by an operator by hand (USDT); completed once the transfer is recorded.
    AWAITING_PAYOUT = "awaiting_payout"
    REJECTED = "rejected"
    COMPLETED = "completed"


class Next(StrEnum):
    """What the review state machine does after a step; its Choice state reads these words."""

    APPROVE = "approve"
    REJECT = "reject"
    REVIEW = "review"
    WAIT = "wait"


# A buyer may ask once the payment is recorded; an operator may also cancel an order held by the risk rules.
REFUNDABLE = frozenset({OrderStatus.PAID, OrderStatus.DELIVERED, OrderStatus.AWAITING_STOCK})
OPERATOR_REFUNDABLE = REFUNDABLE | {OrderStatus.ON_HOLD}
_OPEN = (RefundStatus.REQUESTED, RefundStatus.IN_REVIEW)
_REFUSALS = {
    OrderStatus.PENDING_PAYMENT: "not_paid",
    OrderStatus.EXPIRED: "not_paid",
    OrderStatus.REFUNDED: "already_refunded",
    OrderStatus.ON_HOLD: "on_hold",
}
KEY_ACTIVATED_REASON = "key_activated"


# The class names of these two are the error names the state machine catches: keep them in step with the ASL.
class KeyActivated(Exception):
    """A key of the refund was activated before it could be revoked: nothing was revoked, no money moved."""


class NotDecided(Exception):
    """The workflow was resumed with a decision the refund does not record (a forged or replayed token)."""


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


def line_amounts(amount: int, quantity: int) -> dict[int, int]:
    """What each line of an order cost: equal shares, the first lines carrying the indivisible remainder."""
    share, remainder = divmod(amount, quantity)
    return {n: share + (1 if n <= remainder else 0) for n in range(1, quantity + 1)}


@dataclass(frozen=True)
class RefundPolicy:
    auto_approve_limits: dict[str, int]
    review_sla_seconds: int
    sla_policy: SlaPolicy

    def limit_for(self, currency: str) -> int | None:
        return self.auto_approve_limits.get(currency.lower())


class RefundPolicies:
    """Each shop's refund policy (the platform sets it), the rules file's defaults until then."""

    def __init__(self, defaults: RefundDefaults) -> None:
        self._defaults = RefundPolicy(
            dict(defaults.auto_approve_limits), defaults.review_sla_seconds, defaults.sla_policy
        )

    def get(self, shop_id: str) -> RefundPolicy:
        try:
            item = RefundPolicyItem.get(*RefundPolicyItem.key(shop_id))
        except DoesNotExist:
            return self._defaults
        return RefundPolicy(
            json.loads(item.auto_approve_limits), int(item.review_sla_seconds), SlaPolicy(item.sla_policy)
        )

    def save(self, shop_id: str, policy: RefundPolicy) -> RefundPolicy:
        RefundPolicyItem(
            *RefundPolicyItem.key(shop_id),
            auto_approve_limits=json.dumps({c.lower(): v for c, v in policy.auto_approve_limits.items()}),
            review_sla_seconds=policy.review_sla_seconds,
            sla_policy=policy.sla_policy.value,
            updated_at=datetime.now(UTC),
        ).save()
        return policy


class ReviewWorkflow:
    """The refund review state machine: started once per refund, resumed with the recorded decision."""

    def __init__(self, sfn_client: Any, state_machine_arn: str, reminder_seconds: int) -> None:
        self._sfn = sfn_client
        self._arn = state_machine_arn
        self._reminder_seconds = reminder_seconds

    def start(self, refund: Refund) -> None:
        # The same name and input make a repeated start (a buyer retrying) the same execution.
        execution_input = {
            "refund_id": refund.refund_id,
            "order_id": refund.order_id,
            "shop_id": refund.shop_id,
            "review": {"reminder_seconds": self._reminder_seconds},
        }
        try:
            self._sfn.start_execution(
                stateMachineArn=self._arn, name=refund.refund_id, input=json.dumps(execution_input)
            )
        except self._sfn.exceptions.ExecutionAlreadyExists:
            logger.info("refund review already started", extra={"refund_id": refund.refund_id})

    def resume(self, task_token: str | None, outcome: Next) -> bool:
        """Hand the decision to the waiting review; False when that wait already ended (timed out)."""
        if not task_token:
            return False
        try:
            self._sfn.send_task_success(taskToken=task_token, output=json.dumps({"next": outcome.value}))
        except (
            self._sfn.exceptions.TaskTimedOut,
            self._sfn.exceptions.TaskDoesNotExist,
            self._sfn.exceptions.InvalidToken,
        ):
            return False
        return True


def provider_refund_key(refund_id: str) -> str:
    """The idempotency key a refund is sent to its provider with (its merchant request number there)."""
    return f"refund-{refund_id}"


# Tries at completing a payout whose transaction was cancelled by a concurrent one (a retry the caller need not make).
_PAYOUT_ATTEMPTS = 3


def _condition_failed(error: UpdateError | TransactWriteError) -> bool:
    code = str(error.cause_response_code)
    return "ConditionalCheckFailed" in code or "TransactionCanceled" in code


def ledger_key(shop_id: str) -> str:
    """Where the platform records what it paid buyers on a shop's behalf (per currency)."""
    return f"LEDGER#{shop_id}"


def shop_flags_key(shop_id: str) -> str:
    return f"SHOP_FLAGS#{shop_id}"


class Refunds:
    def __init__(
        self,
        orders: Orders,
        events: EventPublisher,
        provider_for: Callable[[Order], PaymentProvider],
        workflow: ReviewWorkflow,
        policies: RefundPolicies,
        rules: RiskRules,
        signals: RiskSignals,
        alerts: OperatorAlerts,
        tickets: CaseOpener,
        counters: Counters,
        *,
        decision_url: str,
        buyer_text: BuyerText,
        connection: Connection | None = None,
    ) -> None:
        self._orders = orders
        self._events = events
        # Each order is paid back through the provider it was paid with (Stripe, Alipay, WeChat Pay, USDT).
        self._provider_for = provider_for
        self._workflow = workflow
        self._policies = policies
        self._rules = rules
        self._signals = signals
        self._alerts = alerts
        self._tickets = tickets
        self._counters = counters
        self._decision_url = decision_url
        self._buyer_text = buyer_text
        self._connection = connection or Connection()

    # --- asking -------------------------------------------------------------------------------------------

    def get(self, refund_id: str) -> Refund:
        try:
            item = RefundItem.get(refund_id, RefundItem.SK, consistent_read=True)
        except DoesNotExist:
            raise NotFound("no such refund", code="unknown_refund") from None
        return _refund(item)

    def awaiting_review(self, shop_id: str, limit: int = 100) -> list[Refund]:
        """The shop's refunds an operator must decide, oldest first."""
        return [
            _refund(item)
            for item in RefundTableItem.awaiting_review.query(shop_id, limit=limit)
            if isinstance(item, RefundItem)
        ]

    def for_order(self, order_id: str) -> list[Refund]:
        return [_refund(i) for i in RefundTableItem.by_order.query(order_id) if isinstance(i, RefundItem)]

    def request(
        self,
        order: Order,
        *,
        reason: str,
        lines: Sequence[int] | None = None,
        requested_by: str = "buyer",
        approved_by: str | None = None,
        refundable_from: frozenset[OrderStatus] | None = None,
    ) -> Refund:
        """Open a refund of ``lines`` (every line not yet refunded when None) and start its review.

        Asking again for the same lines answers with the refund already open; ``approved_by`` (an operator
        cancelling a held order) skips the risk check. The reason is stored masked: operators read it in alerts.
        ``refundable_from`` narrows the statuses the order may be refunded from, also when a concurrent change
        makes it read the order again (a backorder refund must not refund an order a restock just delivered).
        """
        reason = self._buyer_text.mask(reason, order)
        for _ in range(3):
            existing = self._existing_for(order, lines)
            if existing is not None:
                self._workflow.start(existing)
                return existing
            refund = self._new_refund(order, reason, lines, requested_by, approved_by, refundable_from)
            if self._open(order, refund):
                break
            order = self._orders.get(order.order_id)  # a concurrent request or payment step got there first
        else:
            raise Conflict("the order kept changing; try again", code="busy")
        detail = {
            "refund_id": refund.refund_id,
            "order_id": refund.order_id,
            "shop_id": refund.shop_id,
            "lines": list(refund.lines),
            "amount": refund.amount,
            "currency": refund.currency,
            "requested_by": refund.requested_by,
            "created_at": refund.created_at.isoformat(),
        }
        self._events.publish("RefundRequested", detail)
        if approved_by:
            self._publish_approved(refund)
        metrics.add_metric(name="RefundsRequested", unit="Count", value=1)
        self._workflow.start(refund)
        return refund

    def _existing_for(self, order: Order, lines: Sequence[int] | None) -> Refund | None:
        """The refund that already answers this request, or None; raises when the request cannot be granted."""
        by_line = {line.line_no: line for line in order.lines}
        if unknown := sorted(set(lines or ()) - set(by_line)):
            raise InvalidRequest(f"the order has no line {unknown}", code="unknown_line")
        wanted = set(lines) if lines else None
        if order.open_refund_id:
            open_refund = self.get(order.open_refund_id)
            if wanted is None or wanted == set(open_refund.lines):
                return open_refund
            raise Conflict("a refund of this order is already under way", code="refund_in_progress")
        if wanted is None:
            if any(not line.refund_id for line in order.lines):
                return None
            wanted = set(by_line)  # every line had its refund: the same request again gets the same answer
        claimed = {refund_id for n in wanted if (refund_id := by_line[n].refund_id)}
        if claimed:
            earlier = self.get(claimed.pop()) if len(claimed) == 1 else None
            if earlier is not None and wanted == set(earlier.lines):
                return earlier
            raise Conflict("a line of this order already had a refund", code="already_refunded")
        return None

    def _new_refund(
        self,
        order: Order,
        reason: str,
        lines: Sequence[int] | None,
        requested_by: str,
        approved_by: str | None,
        refundable_from: frozenset[OrderStatus] | None,
    ) -> Refund:
        allowed = refundable_from or (OPERATOR_REFUNDABLE if approved_by else REFUNDABLE)
        if order.stored_status not in allowed or not order.payment_ref:
            code = _REFUSALS.get(order.stored_status, "not_refundable")
            raise Conflict(f"an order that is {order.stored_status.value} cannot be refunded", code=code)
        wanted = sorted(set(lines)) if lines else [line.line_no for line in order.lines if not line.refund_id]
        shares = line_amounts(order.amount, order.quantity)
        now = datetime.now(UTC)
        return Refund(
            refund_id=uuid.uuid4().hex,
            order_id=order.order_id,
            shop_id=order.shop_id,
            lines=tuple(wanted),
            amount=sum(shares[n] for n in wanted),
            currency=order.currency,
            reason=reason,
            status=RefundStatus.APPROVED if approved_by else RefundStatus.REQUESTED,
            requested_by=requested_by,
            created_at=now,
            decided_by=approved_by,
            decided_at=now if approved_by else None,
        )

    def _open(self, order: Order, refund: Refund) -> bool:
        item = RefundItem(
            refund.refund_id,
            RefundItem.SK,
            order_id=refund.order_id,
            buyer_ref=Buyer(order.email).ref,
            created_at=refund.created_at,
            shop_id=refund.shop_id,
            lines=list(refund.lines),
            amount=refund.amount,
            currency=refund.currency,
            reason=refund.reason,
            status=refund.status.value,
            requested_by=refund.requested_by,
            decided_by=refund.decided_by,
            decided_at=refund.decided_at,
        )
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.save(item, condition=RefundTableItem.pk.does_not_exist())
                for line_no in refund.lines:
                    transaction.update(
                        OrderLineItem(order.order_id, OrderLineItem.sort_key(line_no)),
                        actions=[OrderLineItem.refund_id.set(refund.refund_id)],
                        condition=OrderLineItem.order_id.exists() & OrderLineItem.refund_id.does_not_exist(),
                    )
                transaction.update(
                    OrderItem(order.order_id, OrderItem.SK),
                    actions=[
                        OrderItem.status.set(OrderStatus.REFUND_PENDING.value),
                        OrderItem.status_before_refund.set(order.stored_status.value),
                        OrderItem.open_refund_id.set(refund.refund_id),
                    ],
                    condition=(OrderItem.status == order.stored_status.value)
                    & OrderItem.open_refund_id.does_not_exist(),
                )
        except TransactWriteError as error:
            if _condition_failed(error):
                return False
            raise
        logger.info("refund requested", extra={"refund_id": refund.refund_id, "order_id": order.order_id})
        return True

    # --- the review state machine's tasks -------------------------------------------------------------------

    def assess(self, refund_id: str) -> Next:
        """Run the risk rules; with none fired the refund is approved at once, otherwise it needs a person."""
        refund = self.get(refund_id)
        if refund.status is not RefundStatus.REQUESTED:
            return _next_for(refund)
        order = self._orders.get(refund.order_id)
        policy = self._policies.get(refund.shop_id)
        now = datetime.now(UTC)
        buyer = Buyer(order.email, order.buyer_ip, order.buyer_country)
        limit = policy.limit_for(refund.currency)

        def count(counted: Counted, minutes: int) -> int:
            if counted is Counted.REFUNDS:
                return self._signals.refunds_since(buyer.ref, now - timedelta(minutes=minutes))
            if counted is Counted.TICKET_CLAIMS:
                return claims_since(self._signals.counters, buyer.email, now - timedelta(minutes=minutes))
            return 0

        facts = Facts(
            count,
            blacklist_hits=self._rules.blacklist_hits(buyer),
            buyer_frozen=self._signals.is_frozen(buyer.ref),
            # Any key of the order, not only the refunded lines': a buyer who used one key is asked about the rest.
            key_activated=any(line.activated for line in order.lines),
            over_shop_limit=limit is None or refund.amount > limit,
        )
        fired = self._rules.refund_rules_fired(facts)
        RefundItem(refund_id, RefundItem.SK).update(
            actions=[
                RefundItem.risk_rules.set(fired),
                RefundItem.review_deadline.set(now + timedelta(seconds=policy.review_sla_seconds)),
            ]
        )
        if fired:
            logger.info("refund needs review", extra={"refund_id": refund_id, "rules": fired})
            return Next.REVIEW
        if self._decide(refund, RefundStatus.APPROVED, decided_by="risk_rules", allowed_from=(RefundStatus.REQUESTED,)):
            self._publish_approved(self.get(refund_id))
            metrics.add_metric(name="RefundsAutoApproved", unit="Count", value=1)
        return _next_for(self.get(refund_id))

    def request_review(self, refund_id: str, task_token: str) -> None:
        """Keep the token the decision will resume, and tell the operators (once; reminders come later)."""
        refund = self.get(refund_id)
        try:
            RefundItem(refund_id, RefundItem.SK).update(
                actions=[
                    RefundItem.status.set(RefundStatus.IN_REVIEW.value),
                    RefundItem.task_token.set(task_token),
                    RefundItem.review_shop.set(refund.shop_id),
                ],
                condition=RefundItem.status.is_in(*(s.value for s in _OPEN)),
            )
        except UpdateError as error:
            if not _condition_failed(error):
                raise
            # Decided while no token was waiting (between a reminder and this wait): resume straight away.
            self._workflow.resume(task_token, _next_for(self.get(refund_id)))
            return
        if refund.status is RefundStatus.REQUESTED:
            self._alert_review(refund, reminder=False)

    def decide(self, refund_id: str, shop_id: str, role: Role, *, approve: bool, reason: str | None) -> Refund:
        """An operator's decision: recorded first, then handed to the waiting review."""
        refund = self.get(refund_id)
        if refund.shop_id != shop_id:
            raise NotFound("no such refund", code="unknown_refund")
        if refund.escalated and role is not Role.PLATFORM_OPERATOR:
            raise Forbidden("this review was escalated to the platform's operators", code="escalated")
        if not approve and not (reason or "").strip():
            raise InvalidRequest("a rejection needs a reason the buyer will read", code="reason_required")
        if refund.status is not RefundStatus.IN_REVIEW:
            raise Conflict(f"the refund is {refund.status.value}, not waiting for a review", code="not_in_review")
        status = RefundStatus.APPROVED if approve else RefundStatus.REJECTED
        if not self._decide(
            refund, status, decided_by=role.value, reason=reason, allowed_from=(RefundStatus.IN_REVIEW,)
        ):
            raise Conflict("the refund was decided meanwhile", code="not_in_review")
        decided = self.get(refund_id)
        if approve:
            self._publish_approved(decided)
        # The token read now is the one waiting: a reminder cycle may have replaced the one seen above.
        self._workflow.resume(decided.task_token, _next_for(decided))
        return decided

    def review_timed_out(self, refund_id: str) -> Next:
        """No decision in this reminder period: remind the operators, or apply the shop's SLA policy."""
        refund = self.get(refund_id)
        if refund.status not in _OPEN:
            return _next_for(refund)
        now = datetime.now(UTC)
        if refund.review_deadline is None or now < refund.review_deadline:
            RefundItem(refund_id, RefundItem.SK).update(actions=[RefundItem.reminders.add(1)])
            self._alert_review(refund, reminder=True)
            return Next.WAIT
        policy = self._policies.get(refund.shop_id)
        if policy.sla_policy is SlaPolicy.ESCALATE and not refund.escalated:
            self._escalate(refund, now + timedelta(seconds=policy.review_sla_seconds))
            return Next.WAIT
        return self._approve_for_the_platform(refund, policy.sla_policy)

    def revoke_keys(self, refund_id: str) -> None:
        """Revoke every key of the refunded lines in one transaction, on condition that none is activated."""
        refund = self.get(refund_id)
        if refund.status is RefundStatus.COMPLETED or refund.revoked:
            return
        if refund.status is not RefundStatus.APPROVED:
            raise NotDecided(f"refund {refund_id} is {refund.status.value}, not approved")
        for _ in range(3):
            order = self._orders.get(refund.order_id)
            lines = [line for line in order.lines if line.line_no in refund.lines]
            if any(line.activated for line in lines):
                self._decide(
                    refund,
                    RefundStatus.REJECTED,
                    decided_by="system",
                    reason=KEY_ACTIVATED_REASON,
                    allowed_from=(RefundStatus.APPROVED,),
                )
                raise KeyActivated(f"a key of refund {refund_id} was activated before it could be revoked")
            if self._revoke(refund, order, lines):
                logger.info("keys revoked", extra={"refund_id": refund_id, "lines": list(refund.lines)})
                return
        raise Conflict("the order's keys kept changing", code="busy")

    def _revoke(self, refund: Refund, order: Order, lines: list[OrderLine]) -> bool:
        try:
            with TransactWrite(connection=self._connection) as transaction:
                revoke_lines(
                    transaction,
                    order,
                    lines,
                    datetime.now(UTC),
                    line_condition=OrderLineItem.refund_id == refund.refund_id,
                )
                transaction.update(
                    RefundItem(refund.refund_id, RefundItem.SK),
                    actions=[RefundItem.revoked_at.set(datetime.now(UTC))],
                    condition=RefundItem.status == RefundStatus.APPROVED.value,
                )
        except TransactWriteError as error:
            if _condition_failed(error):
                return False
            raise
        return True

    def refund_payment(self, refund_id: str) -> None:
        """Pay the buyer back through the provider, once, and record the refund and the order as refunded."""
        refund = self.get(refund_id)
        if refund.status is RefundStatus.COMPLETED:
            self._publish_completed(refund)
            return
        if refund.status is RefundStatus.AWAITING_PAYOUT:
            return  # a retried step: the operator was told already
        if refund.status is not RefundStatus.APPROVED or not refund.revoked:
            raise NotDecided(f"refund {refund_id} is {refund.status.value}, keys revoked: {refund.revoked}")
        order = self._orders.get(refund.order_id)
        assert order.payment_ref is not None  # requests are refused until the payment is recorded
        provider = self._provider_for(order)
        if isinstance(provider, OperatorPaysOut):
            self._await_payout(refund, order.payment_ref, provider)
            return
        provider_ref = provider.refund(
            payment_ref=order.payment_ref, amount=refund.amount, idempotency_key=provider_refund_key(refund_id)
        )
        self._complete(refund, order, provider_ref, completed_from=RefundStatus.APPROVED)
        self._publish_completed(self.get(refund_id))

    def _await_payout(self, refund: Refund, payment_ref: str, provider: OperatorPaysOut) -> None:
        """No API pays it back: the operator is told where to send what, once (a retried step alerts no more)."""
        payer = provider.payer_of(order_id=refund.order_id, payment_ref=payment_ref)
        try:
            RefundItem(refund.refund_id, RefundItem.SK).update(
                actions=[RefundItem.status.set(RefundStatus.AWAITING_PAYOUT.value), RefundItem.task_token.remove()],
                condition=RefundItem.status == RefundStatus.APPROVED.value,
            )
        except UpdateError as error:
            if _condition_failed(error):
                return
            raise
        amount = f"{refund.amount // 100}.{refund.amount % 100:02d}"
        url = self._decision_url.format(refund_id=refund.refund_id).removesuffix("/decision") + "/payout"
        self._alerts.alert(
            f"Refund {refund.refund_id[:8]}: send {amount} USDT back to the buyer",
            f"Refund {refund.refund_id} of order {refund.order_id} is approved and its keys are revoked. Send "
            f"{amount} USDT (TRC20) from the shop's wallet to {payer}, the address that paid, then record the "
            f"transfer:\ncurl -X POST '{url}' -H 'Authorization: Bearer <operator token>' "
            f"-H 'X-Faka-Shop: {refund.shop_id}' -d '{{\"tx_hash\": \"<transaction hash>\"}}'",
            shop_id=refund.shop_id,
            kind="refund_review",
        )
        metrics.add_metric(name="RefundsAwaitingPayout", unit="Count", value=1)

    def record_payout(self, refund_id: str, shop_id: str, tx_hash: str) -> Refund:
        """The operator sent a refund awaiting payout: the transfer is checked on chain, then the refund completed
        once (the buyer's email and the ledger follow RefundCompleted). The same payout again answers the refund."""
        refund = self.get(refund_id)
        if refund.shop_id != shop_id:
            raise NotFound("no such refund", code="unknown_refund")
        if refund.status is not RefundStatus.AWAITING_PAYOUT and refund.status is not RefundStatus.COMPLETED:
            raise Conflict(f"refund {refund_id} is {refund.status.value}", code="not_awaiting_payout")
        order = self._orders.get(refund.order_id)
        provider = self._provider_for(order)
        if not isinstance(provider, OperatorPaysOut) or order.payment_ref is None:
            raise Conflict("this refund is paid back by its provider", code="not_awaiting_payout")
        provider_ref = provider.record_operator_refund(
            order_id=order.order_id, payment_ref=order.payment_ref, amount=refund.amount, tx_hash=tx_hash
        )
        for _attempt in range(_PAYOUT_ATTEMPTS):
            if refund.status is not RefundStatus.AWAITING_PAYOUT:
                break
            if self._complete(
                refund, order, provider_ref, completed_from=RefundStatus.AWAITING_PAYOUT, payout_claimed=True
            ):
                self._publish_completed(self.get(refund_id))
            # Completed by this call or a concurrent one; still awaiting: the transaction met another, so again.
            refund = self.get(refund_id)
        if refund.status is RefundStatus.AWAITING_PAYOUT:
            raise Conflict("another payout of this refund is being recorded; try again", code="payout_in_progress")
        if refund.provider_ref != provider_ref:
            raise Conflict("the refund was recorded with another transfer", code="already_refunded")
        return refund

    def _complete(
        self,
        refund: Refund,
        order: Order,
        provider_ref: str,
        *,
        completed_from: RefundStatus,
        payout_claimed: bool = False,
    ) -> bool:
        """Record the refund and the order as refunded; False when another worker recorded it first.

        ``payout_claimed``: ``provider_ref`` is a transfer the operator sent, claimed for this refund in the same
        transaction; a transfer another refund holds → 409 ``payout_already_recorded``, nothing recorded."""
        now = datetime.now(UTC)
        refunded = order.refunded_amount + refund.amount
        fully = refunded >= order.amount
        after = OrderStatus.REFUNDED if fully else (order.status_before_refund or OrderStatus.DELIVERED)
        order_actions: list[Action] = [
            OrderItem.refunded_amount.add(refund.amount),
            OrderItem.status.set(after.value),
            OrderItem.open_refund_id.remove(),
            OrderItem.status_before_refund.remove(),
        ]
        if fully:
            order_actions.append(OrderItem.waiting_for.remove())
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.update(
                    RefundItem(refund.refund_id, RefundItem.SK),
                    actions=[
                        RefundItem.status.set(RefundStatus.COMPLETED.value),
                        RefundItem.provider_ref.set(provider_ref),
                        RefundItem.completed_at.set(now),
                        RefundItem.task_token.remove(),
                    ],
                    condition=RefundItem.status == completed_from.value,
                )
                transaction.update(
                    OrderItem(order.order_id, OrderItem.SK),
                    actions=order_actions,
                    condition=OrderItem.open_refund_id == refund.refund_id,
                )
                if payout_claimed:
                    transaction.save(
                        PayoutClaimItem(*PayoutClaimItem.key(provider_ref), refund_id=refund.refund_id, claimed_at=now),
                        condition=RefundTableItem.pk.does_not_exist() | (PayoutClaimItem.refund_id == refund.refund_id),
                    )
        except TransactWriteError as error:
            if not _condition_failed(error):
                raise
            # pynamodb sends a transaction's puts before its updates: the claim, the only put, is the first.
            claim = (error.cancellation_reasons or [None])[0] if payout_claimed else None
            if claim is not None and claim.code == "ConditionalCheckFailed":
                raise Conflict(
                    "this transfer was recorded as another refund's payout", code="payout_already_recorded"
                ) from None
            return False
        metrics.add_metric(name="RefundsCompleted", unit="Count", value=1)
        return True

    def reject(self, refund_id: str) -> None:
        """Finish a rejection: the order gets its status back and the buyer is told why."""
        refund = self.get(refund_id)
        if refund.status is not RefundStatus.REJECTED:
            raise NotDecided(f"refund {refund_id} is {refund.status.value}, not rejected")
        order = self._orders.get(refund.order_id)
        if order.open_refund_id == refund_id:
            try:
                OrderItem(order.order_id, OrderItem.SK).update(
                    actions=[
                        OrderItem.status.set((order.status_before_refund or OrderStatus.DELIVERED).value),
                        OrderItem.open_refund_id.remove(),
                        OrderItem.status_before_refund.remove(),
                    ],
                    condition=OrderItem.open_refund_id == refund_id,
                )
            except UpdateError as error:
                if not _condition_failed(error):
                    raise
        RefundItem(refund_id, RefundItem.SK).update(actions=[RefundItem.task_token.remove()])
        metrics.add_metric(name="RefundsRejected", unit="Count", value=1)
        self._events.publish(
            "RefundRejected",
            {
                "refund_id": refund.refund_id,
                "order_id": refund.order_id,
                "shop_id": refund.shop_id,
                "reason": refund.decision_reason or "",
                "decided_by": refund.decided_by or "system",
            },
        )

    def refund_duplicate(self, payment: PaymentConfirmation) -> str:
        """A second payment for an order already paid (a double charge): paid back in full, once per payment."""
        refund_ref = self._provider_for(self._orders.get(payment.order_id)).refund(
            payment_ref=payment.payment_ref, amount=payment.amount, idempotency_key=f"duplicate-{payment.payment_ref}"
        )
        logger.warning("duplicate payment refunded", extra={"order_id": payment.order_id})
        metrics.add_metric(name="DuplicatePaymentsRefunded", unit="Count", value=1)
        self._events.publish(
            "DuplicatePaymentRefunded",
            {
                "order_id": payment.order_id,
                "payment_ref": payment.payment_ref,
                "amount": payment.amount,
                "currency": payment.currency,
                "refund_ref": refund_ref,
            },
        )
        return refund_ref

    def appeal(self, refund: Refund, order: Order, message: str) -> OpenedCase:
        """A rejected buyer asks a person to look again: one ticket per refund, however often they ask."""
        if refund.status is not RefundStatus.REJECTED:
            raise Conflict("only a rejected refund can be appealed", code="not_rejected")
        return self._tickets.open_once(
            key=f"{refund.refund_id}:appeal",
            shop_id=refund.shop_id,
            order_id=refund.order_id,
            intent="refund_request",
            severity=3,
            source="refund_appeal",
            locale=order.locale,
            summary=f"Appeal of rejected refund {refund.refund_id} ({refund.decision_reason}): "
            + self._buyer_text.mask(message, order)[:500],
        )

    # --- helpers -------------------------------------------------------------------------------------------

    def _decide(
        self,
        refund: Refund,
        status: RefundStatus,
        *,
        decided_by: str,
        allowed_from: Sequence[RefundStatus],
        reason: str | None = None,
        extra: Sequence[Action] = (),
    ) -> bool:
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
            if _condition_failed(error):
                return False
            raise
        logger.info("refund decided", extra={"refund_id": refund.refund_id, "status": status, "by": decided_by})
        return True

    def _approve_for_the_platform(self, refund: Refund, policy: SlaPolicy) -> Next:
        """The shop missed its review SLA: the platform pays the buyer first and charges it to the shop."""
        approved = self._decide(
            refund,
            RefundStatus.APPROVED,
            decided_by=f"sla_policy:{policy.value}",
            allowed_from=_OPEN,
            extra=[RefundItem.compensated_by_platform.set(refund.amount)],
        )
        if approved:
            self._counters.add(
                ledger_key(refund.shop_id), f"compensation#{refund.currency}", {"amount": refund.amount, "refunds": 1}
            )
            if policy is SlaPolicy.FLAG_SHOP:
                self._counters.add(shop_flags_key(refund.shop_id), "refund_sla_missed", {"count": 1})
                self._alerts.alert(
                    f"Shop {refund.shop_id} flagged: refund review SLA missed",
                    f"Refund {refund.refund_id} of order {refund.order_id} was not reviewed in time. The platform "
                    f"paid the buyer first ({refund.amount} {refund.currency}) and charged it to the shop.",
                    shop_id=refund.shop_id,
                )
            self._publish_approved(self.get(refund.refund_id))
            metrics.add_metric(name="RefundsApprovedBySla", unit="Count", value=1)
        return _next_for(self.get(refund.refund_id))

    def _escalate(self, refund: Refund, deadline: datetime) -> None:
        RefundItem(refund.refund_id, RefundItem.SK).update(
            actions=[RefundItem.escalated_at.set(datetime.now(UTC)), RefundItem.review_deadline.set(deadline)]
        )
        self._tickets.open_once(
            key=f"{refund.refund_id}:escalated",
            shop_id=refund.shop_id,
            order_id=refund.order_id,
            intent="refund_request",
            severity=4,
            source="refund_review",
            summary=f"Refund {refund.refund_id} missed the shop's review SLA; the platform decides it now.",
        )
        self._alerts.alert(
            f"Refund {refund.refund_id[:8]} escalated to the platform",
            f"The shop did not review refund {refund.refund_id} of order {refund.order_id} in time. Only the "
            f"platform operator may decide it now, by {deadline.isoformat()}; after that the platform pays first.\n\n"
            + self._actions(refund),
            shop_id=refund.shop_id,
        )

    def _alert_review(self, refund: Refund, *, reminder: bool) -> None:
        current = self.get(refund.refund_id)
        prefix = f"Reminder {current.reminders}: refund" if reminder else "Refund"
        deadline = current.review_deadline.isoformat() if current.review_deadline else "none"
        self._alerts.alert(
            f"{prefix} {refund.refund_id[:8]} waits for review ({refund.amount} {refund.currency})",
            f"Refund {refund.refund_id} of order {refund.order_id}, lines {list(refund.lines)}, "
            f"{refund.amount} {refund.currency}.\nBuyer's reason: {refund.reason}\n"
            f"Rules fired: {', '.join(current.risk_rules or ()) or 'none'}\nReview by: {deadline} "
            "(after that the shop's SLA policy applies)\n\n" + self._actions(refund),
            shop_id=refund.shop_id,
        )

    def _actions(self, refund: Refund) -> str:
        url = self._decision_url.format(refund_id=refund.refund_id)
        command = f"curl -X POST '{url}' -H 'Authorization: Bearer <operator token>' -H 'X-Faka-Shop: {refund.shop_id}'"
        return (
            f'Approve: {command} -d \'{{"decision": "approve"}}\'\n'
            f'Reject:  {command} -d \'{{"decision": "reject", "reason": "..."}}\''
        )

    def _publish_approved(self, refund: Refund) -> None:
        self._events.publish(
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

    def _publish_completed(self, refund: Refund) -> None:
        self._events.publish(
            "RefundCompleted",
            {
                "refund_id": refund.refund_id,
                "order_id": refund.order_id,
                "shop_id": refund.shop_id,
                "lines": list(refund.lines),
                "amount": refund.amount,
                "currency": refund.currency,
                "provider_ref": refund.provider_ref,
                "completed_at": refund.completed_at.isoformat() if refund.completed_at else None,
                "compensated_by_platform": refund.compensated_by_platform is not None,
            },
        )


def _next_for(refund: Refund) -> Next:
    if refund.status in (RefundStatus.APPROVED, RefundStatus.AWAITING_PAYOUT, RefundStatus.COMPLETED):
        return Next.APPROVE
    if refund.status is RefundStatus.REJECTED:
        return Next.REJECT
    return Next.REVIEW
