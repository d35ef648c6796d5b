"""The shop's reminder experiments: create one, read how each arm does (and the promotion it led to), stop one.

See faka.activation.experiments for the assignment, the significance rule and what a promotion changes.
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from api.http import json_response, operator
from api.schemas.activation import ExperimentDraft, ExperimentList, ExperimentView
from api.schemas.common import answers
from faka.activation.experiments import SIGNIFICANCE, ExperimentReport, Variant
from faka.wiring import services

router = APIGatewayRouter()

RULE = f"two-sided two-proportion z-test on activation rate, leader vs runner-up, p < {SIGNIFICANCE}, min_per_arm each"


def _view(report: ExperimentReport) -> dict[str, Any]:
    experiment, verdict = report.experiment, report.verdict
    return {
        "experiment_id": experiment.experiment_id,
        "level": experiment.level,
        "status": experiment.status.value,
        "min_per_arm": experiment.min_per_arm,
        "variants": [{"name": v.name, "template": v.template, "send_hour": v.send_hour} for v in experiment.variants],
        "created_at": experiment.created_at.isoformat(),
        "stopped_at": experiment.stopped_at.isoformat() if experiment.stopped_at else None,
        "promoted_variant": experiment.promoted_variant,
        "promoted_at": experiment.promoted_at.isoformat() if experiment.promoted_at else None,
        "arms": [
            {
                "variant": arm.name,
                "orders": arm.orders,
                "activated": arm.activated,
                "activation_rate": round(arm.activation_rate, 4),
                "with_tickets": arm.with_tickets,
                "ticket_rate": round(arm.ticket_rate, 4),
            }
            for arm in report.arms
        ],
        "test": {
            "rule": RULE,
            "outcome": verdict.reason,
            "leader": verdict.leader,
            "runner_up": verdict.runner_up,
            "p_value": round(verdict.p_value, 6) if verdict.p_value is not None else None,
        },
        "decision": experiment.decision,
    }


@router.get("/v1/admin/experiments", responses={200: answers(ExperimentList, "The shop's experiments, newest first")})
def list_experiments() -> dict[str, Any]:
    shop_id = operator(router.current_event)
    experiments = services().reminder_experiments
    return {
        "experiments": [
            _view(experiments.report(shop_id, experiment.experiment_id)) for experiment in experiments.listing(shop_id)
        ]
    }


@router.post(
    "/v1/admin/experiments",
    responses={
        201: answers(ExperimentView, "Running"),
        400: {
            "description": "unknown_template_variant, invalid_send_hour, invalid_level, invalid_variants, or "
            "experiment_already_running (one per reminder level)"
        },
    },
)
def create_experiment(draft: Annotated[ExperimentDraft, Body()]) -> Response[str]:
    shop_id = operator(router.current_event)
    experiments = services().reminder_experiments
    variants = [Variant(v.name, v.template, v.send_hour) for v in draft.variants]
    experiment = experiments.create(shop_id, draft.level, variants, draft.min_per_arm)
    return json_response(201, _view(experiments.report(shop_id, experiment.experiment_id)))


@router.get(
    "/v1/admin/experiments/<experiment_id>",
    responses={200: answers(ExperimentView, "Counts, rates, the test and the decision"), 404: {"description": "None"}},
)
def get_experiment(experiment_id: str) -> dict[str, Any]:
    shop_id = operator(router.current_event)
    return _view(services().reminder_experiments.report(shop_id, experiment_id))


@router.post(
    "/v1/admin/experiments/<experiment_id>/stop",
    responses={
        200: answers(ExperimentView, "Stopped: its level's reminders are the control again"),
        404: {"description": "No such experiment"},
        409: {"description": "Already stopped"},
    },
)
def stop_experiment(experiment_id: str) -> dict[str, Any]:
    shop_id = operator(router.current_event)
    experiments = services().reminder_experiments
    experiments.stop(shop_id, experiment_id)
    return _view(experiments.report(shop_id, experiment_id))
