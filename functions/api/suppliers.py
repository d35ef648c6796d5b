"""Operator routes for the secrets that sign activation callbacks: one per supplier, one for the shop itself."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import BaseModel, Field

from api.http import json_response, operator
from faka.platform.callback_secrets import ROTATION_GRACE, SHOP_ITSELF
from faka.wiring import services

router = APIGatewayRouter()

SupplierId = Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")]


class CallbackSecretIssued(BaseModel):
    supplier: str | None = Field(description="The supplier it signs for; null for the shop's own secret")
    secret: str = Field(description="Signs POST /v1/activations (X-Faka-Signature); shown once, store it now")
    previous_valid_for_seconds: int = Field(description="How long the secret it replaces keeps working")


_ISSUED: dict[int, OpenAPIResponse] = {
    201: {
        "description": "The new secret, shown this once",
        "content": {"application/json": {"model": CallbackSecretIssued}},
    }
}


def _issued(supplier: str) -> Response[str]:
    shop_id = operator(router.current_event)
    secret = services().callback_secrets.issue(shop_id, supplier)
    grace = int(ROTATION_GRACE.total_seconds())
    issued = CallbackSecretIssued(supplier=supplier or None, secret=secret, previous_valid_for_seconds=grace)
    return json_response(201, issued.model_dump())


@router.post("/v1/admin/suppliers/<supplier_id>/secret", responses=_ISSUED)
def issue_supplier_secret(supplier_id: SupplierId) -> Response[str]:
    """Issue or rotate the secret that the supplier named by the shop's key batches signs its callbacks with."""
    return _issued(supplier_id)


@router.post("/v1/admin/callback-secret", responses=_ISSUED)
def issue_shop_secret() -> Response[str]:
    """Issue or rotate the shop's own callback secret, for batches that name no supplier."""
    return _issued(SHOP_ITSELF)
