"""What every body of the API shares: the base model, the field types several bodies use, and the helpers that document
a route's answers and the bodies it reads itself.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse, OpenAPIResponseContentSchema
from pydantic import BaseModel, ConfigDict, Field

Sku = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
IDENTIFIER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=IDENTIFIER_PATTERN)]
Currency = Annotated[str, Field(pattern=r"^[a-z]{3}$", description="ISO 4217, lower case")]
Locale = Annotated[str, Field(max_length=35, pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")]
DEVICE_ID_PATTERN = r"^[A-Za-z0-9_-]{8,128}$"
DEVICE_ID_DESCRIPTION = "The storefront's fingerprint of the buyer's device; counted by the device burst rule"
DeviceId = Annotated[str, Field(pattern=DEVICE_ID_PATTERN, description=DEVICE_ID_DESCRIPTION)]
Platform = Literal["steam", "psn", "xbox", "switch", "apple", "google", "epic", "battlenet", "riot", "other"]


class Schema(BaseModel):
    """Every body of the API. Each is built when a request or the OpenAPI document first needs it, not at import: a
    cold start answers one route, and building all of them up front cost every cold start ~30 ms of CPU."""

    model_config = ConfigDict(defer_build=True)


def answers(model: type[BaseModel], description: str) -> OpenAPIResponse:
    """A success whose JSON body is ``model``, for a route that answers a ``Response`` (to choose its status code):
    Powertools documents the return annotation, which there is ``Response[str]``, a bare string."""
    return {"description": description, "content": {"application/json": {"model": model}}}


def no_content(description: str) -> OpenAPIResponse:
    """A 204: its content given empty, else Powertools documents the return annotation's string as its body."""
    return {"description": description, "content": {}}


def request_body(description: str, content: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The ``requestBody`` of a route that reads its body itself (to check a signature over the raw bytes, or to take
    more than JSON), which Powertools cannot see; given as the route's ``openapi_extensions``.

    ``content``: media type → its schema (a flat model's ``model_json_schema()``: one with nested models would refer
    to ``$defs`` the document does not have).
    """
    media = {media_type: {"schema": schema} for media_type, schema in content.items()}
    return {"requestBody": {"required": True, "description": description, "content": media}}


# A text answer's (CSV, HTML, plain text) media type content.
TEXT: OpenAPIResponseContentSchema = {"schema": {"type": "string"}}


class Health(Schema):
    status: Literal["ok"]


class Problem(Schema):
    code: str = Field(description="Stable, machine-readable error code")
    message: str
    details: Any = None
