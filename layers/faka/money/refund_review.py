"""Deciding a refund: the risk rules first, a person when a rule fires, the shop's SLA policy when nobody decides.

The refund review state machine (``statemachines/refund_review.asl.json``) is started once per refund and runs
the steps of :class:`RefundReview` as Lambda tasks; each answers with a :class:`Next` its Choice state reads.
Decisions are recorded on the refund (:func:`faka.money.refund_records.record_decision`) before the workflow
hears of them: a task token resumed without a recorded decision moves no money. Operators are alerted to decide,
reminded each period, and past the deadline the shop's policy (:mod:`faka.money.refund_policies`) escalates to
the platform or approves with the platform paying first. Carrying a decision out is
:mod:`faka.money.refund_settlement`'s.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from pynamodb.exceptions import UpdateError

from faka.adapters.counters import Counters
from faka.adapters.tables.refunds import RefundItem
from faka.errors import Conflict, Forbidden, InvalidRequest, NotFound
from faka.money.cases import CaseOpener
from faka.money.refund_policies import RefundPolicies
from faka.money.refund_records import (
    Refund,
    RefundStatus,
    condition_failed,
    publish_approved,
    read_refund,
    record_decision,
)
from faka.observability import logger, metrics
from faka.platform.access import Role
from faka.ports import EventPublisher, OperatorAlerts
from faka.sales.orders import Orders
from faka.trust.claim_counts import claims_since
from faka.trust.risk import Buyer, Counted, Facts, RiskRules, RiskSignals, SlaPolicy


class Next(StrEnum):
    """What the review state machine does after a step; its Choice state reads these words."""

    APPROVE = "approve"
    REJECT = "reject"
    REVIEW = "review"
    WAIT = "wait"


_OPEN = (RefundStatus.REQUESTED, RefundStatus.IN_REVIEW)


def _next_for(refund: Refund) -> Next:
    if refund.status in (RefundStatus.APPROVED, RefundStatus.AWAITING_PAYOUT, RefundStatus.COMPLETED):
        return Next.APPROVE
    if refund.status is RefundStatus.REJECTED:
        return Next.REJECT
    return Next.REVIEW


def ledger_key(shop_id: str) -> str:
    """Where the platform records what it paid buyers on a shop's behalf (per currency)."""
    return f"LEDGER#{shop_id}"


def shop_flags_key(shop_id: str) -> str:
    return f"SHOP_FLAGS#{shop_id}"


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


class RefundReview:
    """The review state machine's deciding steps, and an operator's decision."""

    def __init__(
        self,
        orders: Orders,
        events: EventPublisher,
        workflow: ReviewWorkflow,
        policies: RefundPolicies,
        rules: RiskRules,
        signals: RiskSignals,
        alerts: OperatorAlerts,
        # Built on first use: only an escalated review or an appeal opens a case (the help desk is a large graph).
        tickets: Callable[[], CaseOpener],
        counters: Counters,
        *,
        decision_url: str,
    ) -> None:
        self._orders = orders
        self._events = events
        self._workflow = workflow
        self._policies = policies
        self._rules = rules
        self._signals = signals
        self._alerts = alerts
        self._tickets = tickets
        self._counters = counters
        self._decision_url = decision_url

    def assess(self, refund_id: str) -> Next:
        """Run the risk rules; with none fired the refund is approved at once, otherwise it needs a person."""
        refund = read_refund(refund_id)
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
        if record_decision(
            refund, RefundStatus.APPROVED, decided_by="risk_rules", allowed_from=(RefundStatus.REQUESTED,)
        ):
            publish_approved(self._events, read_refund(refund_id))
            metrics.add_metric(name="RefundsAutoApproved", unit="Count", value=1)
        return _next_for(read_refund(refund_id))

    def request_review(self, refund_id: str, task_token: str) -> None:
        """Keep the token the decision will resume, and tell the operators (once; reminders come later)."""
        refund = read_refund(refund_id)
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
            if not condition_failed(error):
                raise
            # Decided while no token was waiting (between a reminder and this wait): resume straight away.
            self._workflow.resume(task_token, _next_for(read_refund(refund_id)))
            return
        if refund.status is RefundStatus.REQUESTED:
            self._alert_review(refund, reminder=False)

    def decide(self, refund_id: str, shop_id: str, role: Role, *, approve: bool, reason: str | None) -> Refund:
        """An operator's decision: recorded first, then handed to the waiting review."""
        refund = read_refund(refund_id)
        if refund.shop_id != shop_id:
            raise NotFound("no such refund", code="unknown_refund")
        if refund.escalated and role is not Role.PLATFORM_OPERATOR:
            raise Forbidden("this review was escalated to the platform's operators", code="escalated")
        if not approve and not (reason or "").strip():
            raise InvalidRequest("a rejection needs a reason the buyer will read", code="reason_required")
        if refund.status is not RefundStatus.IN_REVIEW:
            raise Conflict(f"the refund is {refund.status.value}, not waiting for a review", code="not_in_review")
        status = RefundStatus.APPROVED if approve else RefundStatus.REJECTED
        if not record_decision(
            refund, status, decided_by=role.value, reason=reason, allowed_from=(RefundStatus.IN_REVIEW,)
        ):
            raise Conflict("the refund was decided meanwhile", code="not_in_review")
        decided = read_refund(refund_id)
        if approve:
            publish_approved(self._events, decided)
        # The token read now is the one waiting: a reminder cycle may have replaced the one seen above.
        self._workflow.resume(decided.task_token, _next_for(decided))
        return decided

    def review_timed_out(self, refund_id: str) -> Next:
        """No decision in this reminder period: remind the operators, or apply the shop's SLA policy."""
        refund = read_refund(refund_id)
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

    def _approve_for_the_platform(self, refund: Refund, policy: SlaPolicy) -> Next:
        """The shop missed its review SLA: the platform pays the buyer first and charges it to the shop."""
        approved = record_decision(
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
            publish_approved(self._events, read_refund(refund.refund_id))
            metrics.add_metric(name="RefundsApprovedBySla", unit="Count", value=1)
        return _next_for(read_refund(refund.refund_id))

    def _escalate(self, refund: Refund, deadline: datetime) -> None:
        RefundItem(refund.refund_id, RefundItem.SK).update(
            actions=[RefundItem.escalated_at.set(datetime.now(UTC)), RefundItem.review_deadline.set(deadline)]
        )
        self._tickets().open_once(
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
        current = read_refund(refund.refund_id)
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
