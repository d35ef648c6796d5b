"""The refund review state machine's Lambda tasks (statemachines/refund_review.asl.json), chosen by ``task``.

Each task is one call into :class:`faka.money.refunds.Refunds`. The domain's KeyActivated and NotDecided
leave here as they are: their class names are the errors the state machine's Catch rules match.
"""

from __future__ import annotations

from typing import Any, Literal

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from faka.money.refunds import Refunds
from faka.observability import logger, metrics, tracer
from faka.wiring import services


class RefundTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    task: Literal["assess", "request_review", "review_timed_out", "revoke_keys", "refund_payment", "reject"]
    refund_id: str = Field(min_length=1, max_length=64)
    task_token: str | None = Field(default=None, min_length=1)


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
    task = RefundTask.model_validate(event)
    logger.append_keys(refund_id=task.refund_id, task=task.task)
    return run(services().refunds, task)
