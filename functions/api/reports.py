"""Operator reports: KPIs over a date range, batch health, and suggestions drawn from complaints."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from api.http import operator
from api.schemas.common import answers
from api.schemas.insight import BatchHealthList, KpiSummary, SuggestionList
from faka.insight.kpis import parse_day, summary
from faka.insight.suggestions import suggestions
from faka.wiring import services

router = APIGatewayRouter()


@router.get(
    "/v1/admin/reports/summary",
    responses={
        200: answers(KpiSummary, "The KPIs over the range"),
        400: {"description": "Missing, malformed or too long range"},
    },
)
def kpi_summary(
    first: Annotated[str | None, Query(alias="from")] = None,
    last: Annotated[str | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    shop_id = operator(router.current_event)
    return summary(services().counters, shop_id, parse_day(first, "from"), parse_day(last, "to"))


@router.get("/v1/admin/reports/batches", responses={200: answers(BatchHealthList, "Every batch")})
def batch_health() -> dict[str, Any]:
    shop_id = operator(router.current_event)
    return {
        "batches": [
            {
                "sku": b.sku,
                "batch_id": b.batch_id,
                "supplier": b.supplier,
                "status": b.status,
                **b.counts(),
                "defect_rate": b.defect_rate,
                "quarantine_rule": b.quarantine_rule,
            }
            for b in services().batch_health.batches(shop_id)
        ]
    }


@router.get("/v1/admin/reports/suggestions", responses={200: answers(SuggestionList, "What the complaints suggest")})
def complaint_suggestions() -> dict[str, Any]:
    shop_id = operator(router.current_event)
    found = suggestions(services().batch_health.batches(shop_id), services().complaints.by_subject(shop_id))
    return {"suggestions": [asdict(s) for s in found]}
