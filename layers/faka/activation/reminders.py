"""Activation reminders at 24/48/72 h, sent when the escalation state machine asks for them.

Each reminder passes the outreach policy first, carries the guide the rules choose, masked keys
only, and signed links; the last level also opens a ticket for a person. One the policy defers waits
for its time in one step (HeldReminders), and is sent once then.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from faka.activation.experiments import CONTROL_VARIANT, REMINDER_TEMPLATE, ReminderExperiments
from faka.activation.guide_rules import GuideChooser
from faka.activation.one_time import OneTimeSchedules, next_whole_second
from faka.activation.outreach import Decision, OutreachPolicy, Verdict
from faka.adapters.counters import Counters
from faka.catalog.catalog import Catalog
from faka.catalog.codes import mask_code
from faka.observability import logger, metrics
from faka.sales.buyer_mail import BuyerMail
from faka.sales.delivered import DeliveredKeys
from faka.sales.orders import Orders
from faka.shared.links import LinkSigner
from faka.shared.model import Order, OrderStatus

# Hints only: the help desk loads with the tickets factory, when a last reminder hands the order to a person.
if TYPE_CHECKING:
    from faka.adapters.messaging import SqsNoticeQueue
    from faka.support.tickets import Tickets

TEMPLATE = REMINDER_TEMPLATE
LAST_LEVEL = 3


def template_key(shop_id: str) -> str:
    return f"TEMPLATE#{shop_id}"


@dataclass(frozen=True)
class ReminderOutcome:
    decision: Decision
    message_id: str | None = None
    template: str | None = None


class ActivationReminders:
    def __init__(
        self,
        orders: Orders,
        catalog: Catalog,
        delivered: DeliveredKeys,
        mail: BuyerMail,
        links: LinkSigner,
        guides: GuideChooser,
        policy: OutreachPolicy,
        tickets: Callable[[], Tickets],
        counters: Counters,
        experiments: ReminderExperiments | None = None,
    ) -> None:
        self._orders = orders
        self._catalog = catalog
        self._delivered = delivered
        self._mail = mail
        self._links = links
        self._guides = guides
        self._policy = policy
        self._tickets = tickets
        self._counters = counters
        self._experiments = experiments

    def decide(self, order_id: str, now: datetime | None = None) -> tuple[Order, Decision]:
        order = self._orders.get(order_id)
        if order.stored_status is not OrderStatus.DELIVERED or not order.pending_activation:
            return order, Decision(Verdict.SKIP, "nothing_to_remind")
        now = now or datetime.now(UTC)
        decision = self._policy.decide(order.email, order.buyer_country, now)
        if decision.verdict is Verdict.SEND and self._experiments:
            # An experiment's variant may be sent at its own hour of the buyer's day (quiet hours still win).
            hour = self._experiments.choose(order, order.reminder_level + 1).send_hour
            if hour is not None and (due := self._policy.wait_for_hour(order.buyer_country, now, hour)):
                return order, Decision(Verdict.DEFER, "send_hour", due)
        return order, decision

    def send(self, order: Order, level: int, now: datetime | None = None) -> ReminderOutcome:
        """Send the level's reminder (the policy already said yes); the last level hands over to a person."""
        now = now or datetime.now(UTC)
        product = self._catalog.product(order.shop_id, order.sku)
        hours = (now - order.delivered_at).total_seconds() / 3600 if order.delivered_at else 0.0
        guide, rule = self._guides.choose(level, product=product, order=order, hours=hours)
        template = f"{TEMPLATE}_l{level}_{guide}"
        variant = self._experiments.record(order, level, now) if self._experiments else CONTROL_VARIANT
        message_id = self._mail.send(
            order,
            variant.template,
            {
                "links": self._links.links_for(order.order_id, template),
                "level": level,
                "guide": guide,
                "hours": int(hours),
                "masked_keys": [mask_code(code) for _, code in self._delivered.codes(order)],
            },
            product=product,
        )
        self._policy.record_sent(order.email, order.buyer_country, now)
        self._orders.record_reminder(order.order_id, level)
        self._counters.add(template_key(order.shop_id), template, {"sent": 1})
        metrics.add_metric(name=f"ActivationRemindersLevel{level}", unit="Count", value=1)
        logger.info(
            "activation reminder sent",
            extra={"order_id": order.order_id, "level": level, "rule": rule, "variant": variant.name},
        )
        if level == LAST_LEVEL:
            self._tickets().open_once(
                key=f"{order.order_id}:activation_escalation",
                shop_id=order.shop_id,
                order_id=order.order_id,
                intent="activation_help",
                severity=3,
                source="activation_escalation",
                locale=order.locale,
                summary=f"Key(s) of order {order.order_id} not activated {int(hours)} h after delivery; "
                f"the buyer was told a person will help. Guide sent: {guide}.",
            )
            self._orders.record_escalation(order.order_id)
        return ReminderOutcome(Decision(Verdict.SEND), message_id, template)


class HeldReminders:
    """Where a reminder the outreach policy deferred waits until its time, to come back to the notifier then.

    Up to SQS's longest delay (15 minutes) on the notifier's own queue; longer (the buyer's quiet hours, the daily
    cap, the circuit breaker) in one one-time schedule for that time, instead of a message put back every 15 minutes
    until then. The schedule is named after the reminder and its time: a duplicate of the deferred message
    schedules nothing more, and the same reminder deferred again later (the daily cap once the quiet hours end) gets
    a schedule of its own, even while the fired one is not deleted yet. Sending stays once per order and level.
    """

    def __init__(self, queue: SqsNoticeQueue, schedules: OneTimeSchedules) -> None:
        self._queue = queue
        self._schedules = schedules

    def hold(self, reminder: Mapping[str, Any], until: datetime, now: datetime) -> None:
        detail = reminder["detail"]
        held = {**reminder, "detail": {**detail, "not_before": until.isoformat()}}
        seconds = (until - now).total_seconds()
        if seconds <= self._queue.MAX_DELAY_SECONDS:
            self._queue.defer(held, seconds)
            return
        due = next_whole_second(until)
        name = f"{detail['order_id']}-l{detail['level']}-{due:%Y%m%dT%H%M%SZ}"
        if self._schedules.create(name, due, held):
            logger.info("reminder scheduled", extra={"order_id": detail["order_id"], "due": due.isoformat()})
        else:
            logger.info("reminder already scheduled", extra={"order_id": detail["order_id"], "due": due.isoformat()})
