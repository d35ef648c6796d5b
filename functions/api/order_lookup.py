"""The order lookup: a buyer without their order's link asks for it by email."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from api.http import json_response, open_shop_id, source_ip
from api.schemas.common import answers
from api.schemas.orders import LookupAccepted, OrderLookup
from faka.buyer.order_lookup import LookupRequest
from faka.wiring import services

router = APIGatewayRouter()


@router.post(
    "/v1/order-lookup",
    responses={
        202: answers(LookupAccepted, "Accepted, whether or not the address has orders: only its mailbox learns which"),
        429: {"description": "Too many lookups from this IP or for this address in the last hour (rate_limited)"},
    },
)
def look_up_orders(lookup: Annotated[OrderLookup, Body()]) -> Response[str]:
    request = LookupRequest(open_shop_id(router.current_event), str(lookup.email), source_ip(router.current_event))
    services().order_lookup.request(request, datetime.now(UTC))
    return json_response(202, LookupAccepted(status="accepted").model_dump())
