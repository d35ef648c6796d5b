"""Bodies of key activation: buyers' and suppliers' reports, the operators' record, the region advice, the activation
figures and the reminder experiments.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field

from api.schemas.common import Schema


class ActivationReport(Schema):
    status: Literal["activated", "failed"]


class ActivationView(Schema):
    activation: Literal["pending", "activated", "failed"]


class ActivationCallback(Schema):
    key: Annotated[str, Field(min_length=1, max_length=256)]
    status: Literal["activated", "failed"]
    at: AwareDatetime
    account_region: Annotated[str, Field(min_length=2, max_length=16, pattern=r"^[A-Za-z0-9-]+$")] | None = None


class ActivationReceipt(Schema):
    recorded: bool
    changed_lines: int


class OperatorActivation(Schema):
    status: Literal["activated", "failed"]
    line_no: Annotated[int, Field(ge=1)] | None = None
    account_region: Annotated[str, Field(min_length=2, max_length=16, pattern=r"^[A-Za-z0-9-]+$")] | None = None


class AdviceView(Schema):
    sku: str
    country: str
    recommended_region: str | None
    recommended_sku: str | None
    share: float | None = Field(description="The recommended region's share of activations by buyers from the country")
    sample: int | None
    message: str


class ActivationFigures(Schema):
    keys_delivered: int
    keys_activated: int
    activation_rate: float | None
    mean_hours_to_activation: float | None
    median_hours_to_activation_at_most: int | None
    activations_after_reminder_level: dict[str, int] = Field(description="Reminder level (0-3) → activations after it")
    escalation_state_transitions_per_order: dict[str, int] = Field(description="Path → its state machine transitions")
    templates: dict[str, dict[str, Any]] = Field(description="Guide template → sent, helpful_yes, helpful_no, rate")


class ReminderVariantDraft(Schema):
    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]
    template: str = Field(
        default="activation_reminder",
        description="A reminder template of templates/email/<locale>/, e.g. activation_reminder_two_minutes",
    )
    send_hour: int | None = Field(default=None, description="0-23, the buyer's local time; quiet hours still win")


class ExperimentDraft(Schema):
    level: int = Field(description="The reminder level tested: 1, 2 or 3 (24/48/72 h)")
    variants: list[ReminderVariantDraft] = Field(
        min_length=1, max_length=4, description="Besides the control (the reminder as it is), which is implied"
    )
    min_per_arm: int = Field(default=100, ge=10, le=1_000_000, description="Orders each arm needs before promotion")


class ReminderVariantView(Schema):
    name: str
    template: str
    send_hour: int | None


class ExperimentArmView(Schema):
    variant: str
    orders: int = Field(description="Orders whose reminder was sent with this arm while the experiment ran")
    activated: int
    activation_rate: float
    with_tickets: int = Field(description="Orders whose buyer opened a ticket after the reminder")
    ticket_rate: float


class ExperimentTestView(Schema):
    rule: str
    outcome: str = Field(description="significant | not_significant | below_minimum_sample")
    leader: str
    runner_up: str
    p_value: float | None


class ExperimentView(Schema):
    experiment_id: str
    level: int
    status: str = Field(description="running | promoted | stopped")
    min_per_arm: int
    variants: list[ReminderVariantView] = Field(description="The control first")
    created_at: str
    stopped_at: str | None
    promoted_variant: str | None
    promoted_at: str | None
    arms: list[ExperimentArmView]
    test: ExperimentTestView
    decision: dict[str, Any] | None = Field(description="The test that promoted promoted_variant")


class ExperimentList(Schema):
    experiments: list[ExperimentView]
