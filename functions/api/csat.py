"""The buyers' rating of the help they got (CSAT): the signed links in the "how did we do?" email. Apart from the help
desk (``api.help_desk``), whose paths are all an operator's, so a buyer's request does not load the desk's routes.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from api.http import parsed_body, validated
from api.pages import link_problem, page
from api.schemas.common import TEXT, request_body
from api.schemas.support import CsatRecorded, CsatSubmission
from faka.errors import FakaError
from faka.wiring import services

router = APIGatewayRouter()


@router.get("/v1/tickets/<ticket_id>/csat", include_in_schema=False)
def csat_form(ticket_id: str) -> Response[str]:
    """The link's own page: it records nothing, so mail scanners that open every link cannot rate for the buyer."""
    query = dict(router.current_event.query_string_parameters or {})
    try:
        services().help_desk.csat_link_params(ticket_id, query)
    except FakaError as error:
        return link_problem(error)
    chosen = int(query["s"]) if query.get("s", "").isdecimal() else None
    return page("csat_form.html.j2", chosen=chosen, form_action=f"?{urlencode(query)}")


@router.post(
    "/v1/tickets/<ticket_id>/csat",
    responses={
        200: {
            "description": "Recorded; the link's form gets a page",
            "content": {"application/json": {"model": CsatRecorded}, "text/html": TEXT},
        },
        400: {"description": "Invalid or expired link"},
    },
    openapi_extensions=request_body(
        "The rating, as JSON or from the link's form",
        {
            "application/json": CsatSubmission.model_json_schema(),
            "application/x-www-form-urlencoded": CsatSubmission.model_json_schema(),
        },
    ),
)
def csat_submit(ticket_id: str) -> Response[str]:
    """The buyer's rating, from the link's form or as JSON ``{"score", "comment"?}``; one per ticket (409 after)."""
    event = router.current_event
    content_type = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
    body = event.decoded_body or ""
    if content_type == "application/x-www-form-urlencoded":
        form = {
            key: int(value) if key in ("score", "nps") and value.isdecimal() else value
            for key, value in parse_qsl(body)
            if value or key != "nps"
        }
        submission = validated(CsatSubmission, form, "the rating")
    else:
        submission = parsed_body(CsatSubmission, body or "{}", "the rating")
    query = dict(event.query_string_parameters or {})
    services().help_desk.rate(ticket_id, query, submission.score, submission.comment, submission.nps)
    if content_type == "application/x-www-form-urlencoded":
        return page("link_done.html.j2", action="csat")
    return Response(status_code=200, content_type="application/json", body=json.dumps({"recorded": True}))
