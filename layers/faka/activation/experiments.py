"""A shop's A/B experiments on its activation reminders: which template, sent at which hour of the buyer's day.

An experiment names one reminder level (1-3) and one or more variants besides the control (the reminder as it is
without an experiment): each a template of ``templates/email/<locale>/activation_reminder*`` and/or a send hour
(0-23, the buyer's local time; quiet hours still win). Each order's reminder at that level gets an arm by a hash
of the experiment and order ids, the same every time it is asked, and the arm it was sent with is recorded once.

The report reads what already exists: an order counts as activated when none of its keys waits for activation any
more (and it was not refunded), and as having a ticket when its buyer opened one after the reminder (the last
level's own hand-over ticket does not count). The arm with the best activation rate is promoted when it beats
the next best by a two-sided two-proportion z-test at p < 0.05 with at least ``min_per_arm`` orders in every arm
(tested when the report is read, and by the first reminder of each day, so within a day at the latest);
later reminders at that level then all get it, and none is assigned any more. A stopped experiment sends the
control. One experiment at a time runs per shop and level.
"""

from __future__ import annotations

import hashlib
import json
import math
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from faka.adapters.tables.orders import OrderItem
from faka.adapters.tables.outreach import ReminderAssignmentItem, ReminderExperimentItem, ReminderExperimentSlotItem
from faka.adapters.tables.tickets import TicketItem
from faka.errors import Conflict, InvalidRequest, NotFound
from faka.observability import logger, metrics
from faka.shared.model import Order, OrderStatus

CONTROL = "control"
REMINDER_TEMPLATE = "activation_reminder"
LEVELS = (1, 2, 3)
SIGNIFICANCE = 0.05
DEFAULT_MIN_PER_ARM = 100
# The hand-over ticket the last reminder opens itself (faka.activation.reminders) is no buyer's question.
_REMINDER_TICKET_SOURCE = "activation_escalation"
_NOT_ACTIVATED = frozenset({OrderStatus.REFUNDED.value, OrderStatus.REFUND_PENDING.value})


class ExperimentStatus(StrEnum):
    RUNNING = "running"
    PROMOTED = "promoted"
    STOPPED = "stopped"


@dataclass(frozen=True)
class Variant:
    name: str
    template: str = REMINDER_TEMPLATE
    send_hour: int | None = None


CONTROL_VARIANT = Variant(CONTROL)


@dataclass(frozen=True)
class Experiment:
    experiment_id: str
    shop_id: str
    level: int
    variants: tuple[Variant, ...]  # the control first
    min_per_arm: int
    status: ExperimentStatus
    created_at: datetime
    stopped_at: datetime | None = None
    promoted_variant: str | None = None
    promoted_at: datetime | None = None
    decision: dict[str, Any] | None = None  # the test that promoted it
    evaluated_on: str | None = None  # the last day (UTC) a reminder ran the test

    def variant(self, name: str) -> Variant:
        return next(variant for variant in self.variants if variant.name == name)


def assign(experiment_id: str, order_id: str, arms: int) -> int:
    """The arm (0 … arms-1) of an order: the same for every call, spread evenly over many orders."""
    digest = hashlib.sha256(f"{experiment_id}:{order_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % arms


def two_proportion_p_value(successes_a: int, total_a: int, successes_b: int, total_b: int) -> float:
    """Two-sided p-value of a two-proportion z-test with the pooled proportion (1.0 when nothing can differ)."""
    pooled = (successes_a + successes_b) / (total_a + total_b)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / total_a + 1 / total_b))
    if spread == 0:
        return 1.0
    z = (successes_a / total_a - successes_b / total_b) / spread
    return math.erfc(abs(z) / math.sqrt(2))


@dataclass(frozen=True)
class Arm:
    name: str
    orders: int
    activated: int
    with_tickets: int

    @property
    def activation_rate(self) -> float:
        return self.activated / self.orders if self.orders else 0.0

    @property
    def ticket_rate(self) -> float:
        return self.with_tickets / self.orders if self.orders else 0.0


@dataclass(frozen=True)
class Verdict:
    winner: str | None
    reason: str  # "significant", "not_significant" or "below_minimum_sample"
    p_value: float | None = None
    leader: str | None = None
    runner_up: str | None = None


def significance_verdict(arms: Sequence[Arm], min_per_arm: int) -> Verdict:
    """The best activation rate wins when it beats the next best at p < SIGNIFICANCE, every arm ≥ ``min_per_arm``."""
    leader, runner_up = sorted(arms, key=lambda arm: arm.activation_rate, reverse=True)[:2]
    if min(arm.orders for arm in arms) < min_per_arm:
        return Verdict(None, "below_minimum_sample", leader=leader.name, runner_up=runner_up.name)
    p_value = two_proportion_p_value(leader.activated, leader.orders, runner_up.activated, runner_up.orders)
    winner = leader.name if p_value < SIGNIFICANCE else None
    reason = "significant" if winner else "not_significant"
    return Verdict(winner, reason, p_value, leader.name, runner_up.name)


@dataclass(frozen=True)
class ExperimentReport:
    experiment: Experiment
    arms: tuple[Arm, ...]
    verdict: Verdict


def reminder_templates(templates_dir: Path) -> frozenset[str]:
    """The reminder templates an experiment may name: ``activation_reminder*`` present in every locale."""
    per_locale = [
        {path.name.removesuffix(".subject.txt") for path in folder.glob(f"{REMINDER_TEMPLATE}*.subject.txt")}
        for folder in (templates_dir / "email").iterdir()
        if folder.is_dir()
    ]
    return frozenset(set.intersection(*per_locale)) if per_locale else frozenset()


def _experiments_key(shop_id: str) -> str:
    return f"EXPERIMENTS#{shop_id}"


def _level_slot(level: int) -> str:
    return f"LEVEL#{level}"


def _assignments_key(experiment_id: str) -> str:
    return f"EXPERIMENT#{experiment_id}"


def _experiment(item: ReminderExperimentItem, shop_id: str) -> Experiment:
    variants = tuple(Variant(**variant) for variant in json.loads(item.variants))
    return Experiment(
        experiment_id=item.experiment_id,
        shop_id=shop_id,
        level=int(item.level),
        variants=(CONTROL_VARIANT, *variants),
        min_per_arm=int(item.min_per_arm),
        status=ExperimentStatus(item.status),
        created_at=item.created_at,
        stopped_at=item.stopped_at,
        promoted_variant=item.promoted_variant,
        promoted_at=item.promoted_at,
        decision=json.loads(item.decision) if item.decision else None,
        evaluated_on=item.evaluated_on,
    )


def _is_conditional_failure(error: PutError | UpdateError | TransactWriteError) -> bool:
    code = str(error.cause_response_code)
    return "ConditionalCheck" in code or "TransactionCanceled" in code


class ReminderExperiments:
    def __init__(self, templates: frozenset[str], connection: Connection | None = None) -> None:
        self._templates = templates
        self._connection = connection or Connection()

    # -- the operators' side ---------------------------------------------------------------------------------

    def create(
        self, shop_id: str, level: int, variants: Sequence[Variant], min_per_arm: int = DEFAULT_MIN_PER_ARM
    ) -> Experiment:
        self._check(level, variants)
        experiment_id = "exp_" + secrets.token_hex(8)
        item = ReminderExperimentItem(
            _experiments_key(shop_id),
            f"EXP#{experiment_id}",
            experiment_id=experiment_id,
            level=level,
            variants=json.dumps([asdict(variant) for variant in variants]),
            min_per_arm=min_per_arm,
            status=ExperimentStatus.RUNNING.value,
            created_at=datetime.now(UTC),
        )
        slot = ReminderExperimentSlotItem(_experiments_key(shop_id), _level_slot(level), experiment_id=experiment_id)
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.save(item, condition=ReminderExperimentItem.pk.does_not_exist())
                transaction.save(slot, condition=ReminderExperimentSlotItem.pk.does_not_exist())
        except TransactWriteError as error:
            if _is_conditional_failure(error):
                raise InvalidRequest(
                    f"an experiment already runs for reminder level {level}; stop it first",
                    code="experiment_already_running",
                ) from error
            raise
        logger.info("reminder experiment created", extra={"experiment_id": experiment_id, "level": level})
        return _experiment(item, shop_id)

    def _check(self, level: int, variants: Sequence[Variant]) -> None:
        if level not in LEVELS:
            raise InvalidRequest("level must be 1, 2 or 3", code="invalid_level")
        names = [variant.name for variant in variants]
        if not variants or CONTROL in names or len(set(names)) != len(names):
            raise InvalidRequest(
                f"name one or more variants, each once, none called {CONTROL!r} (the control is implied)",
                code="invalid_variants",
            )
        for variant in variants:
            if variant.template not in self._templates:
                raise InvalidRequest(
                    f"unknown reminder template {variant.template!r}; known: {', '.join(sorted(self._templates))}",
                    code="unknown_template_variant",
                )
            if variant.send_hour is not None and not 0 <= variant.send_hour <= 23:
                raise InvalidRequest("send_hour must be 0-23 (the buyer's local time)", code="invalid_send_hour")
            if variant == Variant(variant.name):
                raise InvalidRequest(
                    f"variant {variant.name!r} changes neither template nor send hour", code="invalid_variants"
                )

    def get(self, shop_id: str, experiment_id: str) -> Experiment:
        try:
            return _experiment(ReminderExperimentItem.get(_experiments_key(shop_id), f"EXP#{experiment_id}"), shop_id)
        except ReminderExperimentItem.DoesNotExist as error:
            raise NotFound("no such experiment", code="unknown_experiment") from error

    def listing(self, shop_id: str) -> list[Experiment]:
        items = ReminderExperimentItem.query(
            _experiments_key(shop_id), ReminderExperimentItem.sk.startswith("EXP#"), scan_index_forward=False
        )
        return sorted((_experiment(item, shop_id) for item in items), key=lambda e: e.created_at, reverse=True)

    def stop(self, shop_id: str, experiment_id: str) -> Experiment:
        experiment = self.get(shop_id, experiment_id)
        if experiment.status is ExperimentStatus.STOPPED:
            raise Conflict("the experiment is already stopped", code="experiment_stopped")
        item = ReminderExperimentItem(_experiments_key(shop_id), f"EXP#{experiment_id}")
        slot = ReminderExperimentSlotItem(_experiments_key(shop_id), _level_slot(experiment.level))
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.update(
                    item,
                    actions=[
                        ReminderExperimentItem.status.set(ExperimentStatus.STOPPED.value),
                        ReminderExperimentItem.stopped_at.set(datetime.now(UTC)),
                    ],
                    condition=ReminderExperimentItem.status != ExperimentStatus.STOPPED.value,
                )
                transaction.delete(slot, condition=ReminderExperimentSlotItem.experiment_id == experiment_id)
        except TransactWriteError as error:
            if _is_conditional_failure(error):
                raise Conflict("the experiment is already stopped", code="experiment_stopped") from error
            raise
        logger.info("reminder experiment stopped", extra={"experiment_id": experiment_id})
        return self.get(shop_id, experiment_id)

    def report(self, shop_id: str, experiment_id: str) -> ExperimentReport:
        """Counts and rates per arm, the test, and the promotion (made here, once, when the test says so)."""
        experiment = self.get(shop_id, experiment_id)
        arms = self._arms(experiment)
        verdict = significance_verdict(arms, experiment.min_per_arm)
        if experiment.status is ExperimentStatus.RUNNING and verdict.winner:
            experiment = self._promote(experiment, verdict.winner, verdict)
        return ExperimentReport(experiment, arms, verdict)

    def _evaluate_once_a_day(self, experiment: Experiment, day: str) -> Experiment:
        """The day's first reminder runs the test (the day claimed by a conditional write, so one reminder does): a
        winner is promoted within a day even if nobody reads the report."""
        item = ReminderExperimentItem(_experiments_key(experiment.shop_id), f"EXP#{experiment.experiment_id}")
        try:
            item.update(
                actions=[ReminderExperimentItem.evaluated_on.set(day)],
                condition=ReminderExperimentItem.evaluated_on.does_not_exist()
                | (ReminderExperimentItem.evaluated_on != day),
            )
        except UpdateError as error:
            if not _is_conditional_failure(error):
                raise
            return experiment  # another reminder runs today's test
        verdict = significance_verdict(self._arms(experiment), experiment.min_per_arm)
        return self._promote(experiment, verdict.winner, verdict) if verdict.winner else experiment

    def _promote(self, experiment: Experiment, winner: str, verdict: Verdict) -> Experiment:
        item = ReminderExperimentItem(_experiments_key(experiment.shop_id), f"EXP#{experiment.experiment_id}")
        decision = {"p_value": verdict.p_value, "leader": verdict.leader, "runner_up": verdict.runner_up}
        try:
            item.update(
                actions=[
                    ReminderExperimentItem.status.set(ExperimentStatus.PROMOTED.value),
                    ReminderExperimentItem.promoted_variant.set(winner),
                    ReminderExperimentItem.promoted_at.set(datetime.now(UTC)),
                    ReminderExperimentItem.decision.set(json.dumps(decision)),
                ],
                condition=ReminderExperimentItem.status == ExperimentStatus.RUNNING.value,
            )
        except UpdateError as error:
            if not _is_conditional_failure(error):
                raise
            logger.info("experiment already decided", extra={"experiment_id": experiment.experiment_id})
        else:
            logger.info("reminder variant promoted", extra={"experiment_id": experiment.experiment_id, **decision})
            metrics.add_metric(name="ReminderVariantsPromoted", unit="Count", value=1)
        return self.get(experiment.shop_id, experiment.experiment_id)

    def _arms(self, experiment: Experiment) -> tuple[Arm, ...]:
        assigned = {
            item.sk.removeprefix("ORDER#"): item
            for item in ReminderAssignmentItem.query(_assignments_key(experiment.experiment_id))
        }
        activated = _activated_orders(assigned)
        with_tickets = _orders_with_tickets(experiment, assigned)
        per_arm: dict[str, list[str]] = defaultdict(list)
        for order_id, item in assigned.items():
            per_arm[item.variant].append(order_id)
        return tuple(
            Arm(
                variant.name,
                len(per_arm[variant.name]),
                sum(1 for order_id in per_arm[variant.name] if order_id in activated),
                sum(1 for order_id in per_arm[variant.name] if order_id in with_tickets),
            )
            for variant in experiment.variants
        )

    # -- the reminders' side ---------------------------------------------------------------------------------

    def running(self, shop_id: str, level: int) -> Experiment | None:
        """The experiment running (or promoted) for the shop's reminders at ``level``, if any."""
        try:
            slot = ReminderExperimentSlotItem.get(_experiments_key(shop_id), _level_slot(level))
        except ReminderExperimentSlotItem.DoesNotExist:
            return None
        experiment = self.get(shop_id, slot.experiment_id)
        return None if experiment.status is ExperimentStatus.STOPPED else experiment

    def choose(self, order: Order, level: int) -> Variant:
        """The variant the order's reminder at ``level`` gets (nothing recorded): the control without an experiment."""
        experiment = self.running(order.shop_id, level)
        return self._variant(experiment, order) if experiment else CONTROL_VARIANT

    def record(self, order: Order, level: int, now: datetime) -> Variant:
        """The variant the reminder is sent with; while the experiment runs, recorded for the order once."""
        experiment = self.running(order.shop_id, level)
        if experiment is None:
            return CONTROL_VARIANT
        if experiment.status is ExperimentStatus.RUNNING and experiment.evaluated_on != now.date().isoformat():
            experiment = self._evaluate_once_a_day(experiment, now.date().isoformat())
        variant = self._variant(experiment, order)
        if experiment.status is not ExperimentStatus.RUNNING:
            return variant
        assignment = ReminderAssignmentItem(
            _assignments_key(experiment.experiment_id),
            f"ORDER#{order.order_id}",
            variant=variant.name,
            assigned_at=now,
        )
        try:
            assignment.save(condition=ReminderAssignmentItem.pk.does_not_exist())
        except PutError as error:
            if not _is_conditional_failure(error):
                raise
            recorded = ReminderAssignmentItem.get(assignment.pk, assignment.sk)
            return experiment.variant(recorded.variant)
        metrics.add_metric(name="ReminderVariantsAssigned", unit="Count", value=1)
        return variant

    @staticmethod
    def _variant(experiment: Experiment, order: Order) -> Variant:
        if experiment.promoted_variant:
            return experiment.variant(experiment.promoted_variant)
        return experiment.variants[assign(experiment.experiment_id, order.order_id, len(experiment.variants))]


def _activated_orders(assigned: dict[str, ReminderAssignmentItem]) -> set[str]:
    keys = [(order_id, OrderItem.SK) for order_id in assigned]
    orders = OrderItem.batch_get(keys, attributes_to_get=["order_id", "sk", "kind", "pending_activation", "status"])
    return {
        order.order_id
        for order in orders
        if order.pending_activation is not None and order.pending_activation == 0 and order.status not in _NOT_ACTIVATED
    }


def _orders_with_tickets(experiment: Experiment, assigned: dict[str, ReminderAssignmentItem]) -> set[str]:
    """Assigned orders whose buyer opened a ticket after their reminder went out."""
    if not assigned:
        return set()
    keys = [
        (entry.ticket_id, TicketItem.SK)
        for entry in TicketItem.by_shop.query(experiment.shop_id, TicketItem.created_at >= experiment.created_at)
    ]
    tickets: Iterable[TicketItem] = TicketItem.batch_get(keys) if keys else ()
    return {
        ticket.order_id
        for ticket in tickets
        if ticket.order_id is not None
        and ticket.order_id in assigned
        and ticket.source != _REMINDER_TICKET_SOURCE
        and ticket.created_at >= assigned[ticket.order_id].assigned_at
    }
