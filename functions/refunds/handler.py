"""The refund review state machine's Lambda tasks (statemachines/refund_review.asl.json), chosen by ``task``.

Each task is one call into :class:`faka.money.refunds.Refunds`. The domain's KeyActivated and NotDecided
leave here as they are: their class names are the errors the state machine's Catch rules match.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal, cast, get_args

from aws_lambda_powertools.utilities.typing import LambdaContext

from faka.money.refunds import Refunds
from faka.observability import logger, metrics, tracer
from faka.wiring import services

Task = Literal["assess", "request_review", "review_timed_out", "revoke_keys", "refund_payment", "reject"]


@dataclass(frozen=True)
class RefundTask:
    """A task's input, as the state machine's Payload writes it.

    Only this function's own state machine invokes it, so its input is checked for the shape the ASL writes (a
    mistyped task or a missing id fails before anything runs) without a pydantic model, which would load pydantic
    at every cold start for it alone.
    """

    task: Task
    refund_id: str
    task_token: str | None = None

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> RefundTask:
        if unknown := set(event) - {field.name for field in fields(cls)}:
            raise ValueError(f"a refund task has no {sorted(unknown)}")
        task, refund_id, token = event.get("task"), event.get("refund_id"), event.get("task_token")
        if task not in get_args(Task):
            raise ValueError(f"unknown refund task {task!r}")
        if not isinstance(refund_id, str) or not 0 < len(refund_id) <= 64:
            raise ValueError("a refund task needs the refund_id (1 to 64 characters)")
        if token is not None and not (isinstance(token, str) and token):
            raise ValueError("a task token is a non-empty string")
        return cls(cast(Task, task), refund_id, token)


def run(refunds: Refunds, task: RefundTask) -> dict[str, Any]:
    match task.task:
        case "assess":
            return {"next": refunds.assess(task.refund_id).value}
        case "request_review":
            if task.task_token is None:
                raise ValueError("request_review runs with .waitForTaskToken and needs the task token")
            refunds.request_review(task.refund_id, task.task_token)
        case "review_timed_out":
            return {"next": refunds.review_timed_out(task.refund_id).value}
        case "revoke_keys":
            refunds.revoke_keys(task.refund_id)
        case "refund_payment":
            refunds.refund_payment(task.refund_id)
        case "reject":
            refunds.reject(task.refund_id)
    return {}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    task = RefundTask.from_event(event)
    logger.append_keys(refund_id=task.refund_id, task=task.task)
    return run(services().refunds, task)
