"""A shop's reminder experiment, end to end against moto: arms assigned and recorded once, each reminder sent with its
arm's template at its arm's hour, activations and tickets counted per arm, the leader promoted once, stop → control."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from faka import resources
from faka.activation.experiments import assign
from faka.adapters.tables.outreach import ReminderAssignmentItem, ReminderExperimentItem
from faka.config import get_settings
from faka.wiring import services
from faka_local.one_time_schedules import due_at, fire_due
from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import add_product, open_shop, pay, sent_mail
from tests.integration.test_activation import remind
from tests.integration.test_held_reminders import held_schedules

VARIANT_SUBJECT = "2 minutes to redeem"
CONTROL_SUBJECT = "Reminder: activate"
TWO_MINUTES = {"name": "two_minutes", "template": "activation_reminder_two_minutes"}


@pytest.fixture
def shop(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Stack:
    monkeypatch.setenv("FAKA_QUIET_HOURS", "off")
    services.cache_clear()
    get_settings.cache_clear()
    open_shop(stack)
    add_product(stack, keys=[f"EXPT-{n:04d}-AAAA" for n in range(120)])
    return stack


def delivered_order(stack: Stack) -> dict[str, Any]:
    """A delivered order of a buyer of its own (the outreach policy caps the reminders one buyer gets a day)."""
    response = stack.api(
        "POST",
        "/v1/orders",
        {"sku": "steam-20-us", "quantity": 1, "email": f"buyer-{uuid.uuid4().hex[:12]}@example.com"},
    )
    assert response.status == 201, response.body
    order = dict(response.body)
    assert pay(stack, order["order_id"], order["amount"]).body["result"] == "delivered"
    stack.deliver_events()
    return order


def start(stack: Stack, *variants: dict[str, Any], level: int = 1, min_per_arm: int = 100) -> dict[str, Any]:
    response = stack.api(
        "POST", "/v1/admin/experiments", {"level": level, "variants": list(variants), "min_per_arm": min_per_arm}, ADMIN
    )
    assert response.status == 201, response.body
    return dict(response.body)


def orders_per_arm(
    stack: Stack, experiment_id: str, enough: Callable[[dict[str, list[dict[str, Any]]]], bool]
) -> dict[str, list[dict[str, Any]]]:
    """Delivered orders, by the arm their reminder falls in, until ``enough`` says there are enough of them."""
    arms: dict[str, list[dict[str, Any]]] = {"control": [], "two_minutes": []}
    while not enough(arms):
        order = delivered_order(stack)
        arms[("control", "two_minutes")[assign(experiment_id, order["order_id"], 2)]].append(order)
        assert sum(map(len, arms.values())) <= 100, "the arms are far from even"
    return arms


def reminder_subjects(order_id: str) -> list[str]:
    return [
        mail.subject
        for mail in sent_mail()
        if order_id[:8] in mail.subject and mail.subject.startswith((VARIANT_SUBJECT, CONTROL_SUBJECT))
    ]


def report(stack: Stack, experiment_id: str) -> dict[str, Any]:
    response = stack.api("GET", f"/v1/admin/experiments/{experiment_id}", headers=ADMIN)
    assert response.status == 200, response.body
    return dict(response.body)


def test_each_order_gets_its_arms_template_and_the_arm_is_recorded_once(shop: Stack) -> None:
    experiment = start(shop, TWO_MINUTES)
    arms = orders_per_arm(shop, experiment["experiment_id"], lambda arms: all(len(v) >= 2 for v in arms.values()))

    for orders in arms.values():
        for order in orders:
            remind(shop, order["order_id"], 1)
            remind(shop, order["order_id"], 1)  # delivered twice: one reminder, one assignment

    for arm, orders in arms.items():
        for order in orders:
            [subject] = reminder_subjects(order["order_id"])
            assert subject.startswith(VARIANT_SUBJECT if arm == "two_minutes" else CONTROL_SUBJECT), subject
    recorded = {
        item.sk.removeprefix("ORDER#"): item.variant
        for item in ReminderAssignmentItem.query(f"EXPERIMENT#{experiment['experiment_id']}")
    }
    assert recorded == {order["order_id"]: arm for arm, orders in arms.items() for order in orders}
    body = report(shop, experiment["experiment_id"])
    assert [(arm["variant"], arm["orders"]) for arm in body["arms"]] == [
        ("control", len(arms["control"])),
        ("two_minutes", len(arms["two_minutes"])),
    ]
    assert (body["status"], body["test"]["outcome"]) == ("running", "below_minimum_sample")


def test_a_variants_send_hour_holds_its_reminder_until_that_hour_of_the_buyers_day(
    shop: Stack, notifier_clock: list[datetime]
) -> None:
    now = datetime.now(UTC)
    hour = (now + timedelta(hours=3)).hour  # the buyer's country is unknown: their day is UTC
    experiment = start(shop, {"name": "two_minutes", "template": "activation_reminder_two_minutes", "send_hour": hour})
    arms = orders_per_arm(shop, experiment["experiment_id"], lambda arms: all(arms.values()))
    control, variant = arms["control"][0]["order_id"], arms["two_minutes"][0]["order_id"]
    mails_before = len(sent_mail())

    remind(shop, control, 1)
    remind(shop, variant, 1)

    # The control goes now; the variant waits in one schedule for its hour.
    assert len(sent_mail()) == mails_before + 1
    assert reminder_subjects(control) == [sent_mail()[-1].subject]
    [schedule] = held_schedules(variant, 1)
    due = (now + timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    assert due_at(schedule) == due

    notifier_clock.append(due)
    assert fire_due(resources.ACTIVATION_DUE_SCHEDULE_GROUP, due) == 1
    shop.deliver_events()

    assert len(sent_mail()) == mails_before + 2
    assert reminder_subjects(variant) == [sent_mail()[-1].subject]
    assert sent_mail()[-1].subject.startswith(VARIANT_SUBJECT)


@pytest.mark.parametrize("promoted_by", ["reading_the_report", "the_next_days_first_reminder"])
def test_the_report_counts_activations_and_tickets_per_arm_and_the_leader_is_promoted_once(
    shop: Stack, promoted_by: str
) -> None:
    experiment = start(shop, TWO_MINUTES, min_per_arm=10)
    experiment_id = experiment["experiment_id"]
    arms = orders_per_arm(shop, experiment_id, lambda arms: all(len(v) >= 10 for v in arms.values()))
    for orders in arms.values():
        for order in orders:
            remind(shop, order["order_id"], 1)
    # Every buyer of the variant's arm activated their key; in the control's, none did and one asked for help.
    for order in arms["two_minutes"]:
        answer = shop.api("POST", f"/v1/admin/orders/{order['order_id']}/activation", {"status": "activated"}, ADMIN)
        assert answer.status == 200, answer.body
    asking = arms["control"][0]
    ticket = shop.api(
        "POST",
        "/v1/tickets",
        {"order_id": asking["order_id"], "access_token": asking["access_token"], "message": "How do I redeem it?"},
    )
    assert ticket.status in (200, 201), ticket.body
    shop.deliver_events()
    # A control-arm order whose reminder comes later: the winner, once promoted, whatever its arm would have been.
    later = orders_per_arm(shop, experiment_id, lambda arms: bool(arms["control"]))["control"][-1]
    if promoted_by == "the_next_days_first_reminder":
        # Today's test already ran (with the first reminder, on no data); the day turns and the next reminder runs it.
        ReminderExperimentItem("EXPERIMENTS#main", f"EXP#{experiment_id}").update(
            actions=[ReminderExperimentItem.evaluated_on.set("2000-01-01")]
        )
        remind(shop, later["order_id"], 1)
        stored = ReminderExperimentItem.get("EXPERIMENTS#main", f"EXP#{experiment_id}")
        assert (stored.status, stored.promoted_variant) == ("promoted", "two_minutes")

    body = report(shop, experiment_id)

    control, variant = body["arms"]
    n_control, n_variant = len(arms["control"]), len(arms["two_minutes"])
    assert control == {
        "variant": "control",
        "orders": n_control,
        "activated": 0,
        "activation_rate": 0.0,
        "with_tickets": 1,
        "ticket_rate": round(1 / n_control, 4),
    }
    assert (variant["orders"], variant["activated"], variant["activation_rate"], variant["with_tickets"]) == (
        n_variant,
        n_variant,
        1.0,
        0,
    )
    assert body["test"]["outcome"] == "significant"
    assert body["test"]["p_value"] < 0.05
    assert (body["status"], body["promoted_variant"]) == ("promoted", "two_minutes")
    assert body["decision"]["leader"] == "two_minutes"
    promoted_at = body["promoted_at"]
    assert report(shop, experiment_id)["promoted_at"] == promoted_at  # promoted once
    [listed] = shop.api("GET", "/v1/admin/experiments", headers=ADMIN).body["experiments"]
    assert (listed["experiment_id"], listed["promoted_variant"]) == (experiment_id, "two_minutes")

    # Later reminders at that level all get the winner; none is assigned any more.
    remind(shop, later["order_id"], 1)
    assert reminder_subjects(later["order_id"]) == [sent_mail()[-1].subject]
    assert sent_mail()[-1].subject.startswith(VARIANT_SUBJECT)
    assert report(shop, experiment_id)["arms"][0]["orders"] == n_control


def test_a_stopped_experiment_sends_the_control(shop: Stack) -> None:
    experiment = start(shop, TWO_MINUTES)
    experiment_id = experiment["experiment_id"]
    order = orders_per_arm(shop, experiment_id, lambda arms: bool(arms["two_minutes"]))["two_minutes"][0]

    stopped = shop.api("POST", f"/v1/admin/experiments/{experiment_id}/stop", headers=ADMIN)
    assert (stopped.status, stopped.body["status"]) == (200, "stopped")
    remind(shop, order["order_id"], 1)

    assert sent_mail()[-1].subject.startswith(CONTROL_SUBJECT)
    assert list(ReminderAssignmentItem.query(f"EXPERIMENT#{experiment_id}")) == []
    again = shop.api("POST", f"/v1/admin/experiments/{experiment_id}/stop", headers=ADMIN)
    assert (again.status, again.body["code"]) == (409, "experiment_stopped")
    start(shop, TWO_MINUTES)  # the level is free again


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            {"level": 1, "variants": [{"name": "b", "template": "activation_reminder_shouting"}]},
            "unknown_template_variant",
        ),
        ({"level": 1, "variants": [{"name": "b", "send_hour": 24}]}, "invalid_send_hour"),
        ({"level": 1, "variants": [{"name": "b", "send_hour": -1}]}, "invalid_send_hour"),
        ({"level": 4, "variants": [{"name": "b", "send_hour": 9}]}, "invalid_level"),
        ({"level": 1, "variants": [{"name": "control", "send_hour": 9}]}, "invalid_variants"),
        ({"level": 1, "variants": [{"name": "b"}]}, "invalid_variants"),
    ],
)
def test_a_bad_experiment_is_refused_with_a_code(shop: Stack, body: dict[str, Any], code: str) -> None:
    response = shop.api("POST", "/v1/admin/experiments", body, ADMIN)

    assert (response.status, response.body["code"]) == (400, code)
    assert shop.api("GET", "/v1/admin/experiments", headers=ADMIN).body == {"experiments": []}


def test_one_experiment_runs_per_reminder_level(shop: Stack) -> None:
    start(shop, TWO_MINUTES, level=2)
    second = shop.api("POST", "/v1/admin/experiments", {"level": 2, "variants": [{"name": "b", "send_hour": 9}]}, ADMIN)

    assert (second.status, second.body["code"]) == (400, "experiment_already_running")
    start(shop, {"name": "b", "send_hour": 9}, level=3)  # another level may run its own
    missing = shop.api("GET", "/v1/admin/experiments/exp_nothing", headers=ADMIN)
    assert (missing.status, missing.body["code"]) == (404, "unknown_experiment")
