"""The help desk: operators work the queue of tickets that need a person, correct the assistant's reading of a
ticket and set the shop's tone rules. Every path is an operator's (the buyers' rating of the help is ``api.csat``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import Field

from api.http import operator
from api.http import shop_id as named_shop
from api.schemas.common import Schema, answers
from api.schemas.support import (
    DeskCase,
    DeskClaim,
    DeskEntryView,
    DeskNoteDraft,
    DeskQueue,
    DeskReassignment,
    DeskReply,
    DeskResolution,
    DeskTicketView,
    DraftUsage,
    ReplyDraftView,
    Requeued,
    ThreadMessage,
    TicketFigures,
    TrainingCorrectionList,
)
from faka.errors import NotFound
from faka.platform.access import Role
from faka.sales.order_search import MAX_PAGE, ListScope, all_shops
from faka.security import bearer_token
from faka.support.correction_export import corrections_page
from faka.support.desk_log import DeskEntry, DeskEntryKind
from faka.support.desk_views import DeskTicket
from faka.support.drafts import Draft, Usage
from faka.support.knowledge_answers import knowledge_stats_key
from faka.triage import INTENTS
from faka.wiring import services

router = APIGatewayRouter()

_TICKET_RESPONSES: dict[int, OpenAPIResponse] = {
    404: {"description": "No such ticket in this shop"},
    409: {"description": "Claimed by someone else, resolved, or changed meanwhile"},
}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _view(ticket: DeskTicket) -> dict[str, Any]:
    waiting = (
        int((datetime.now(UTC) - ticket.queued_at).total_seconds())
        if ticket.queued_at and ticket.place and ticket.place.position
        else None
    )
    return DeskTicketView(
        ticket_id=ticket.ticket_id,
        order_id=ticket.order_id,
        status=ticket.status,
        intent=ticket.intent,
        severity=ticket.severity,
        priority=ticket.priority,
        language=ticket.language,
        locale=ticket.locale,
        summary=ticket.summary,
        created_at=ticket.created_at.isoformat(),
        handoff_reason=ticket.handoff_reason,
        queued_at=_iso(ticket.queued_at),
        waiting_seconds=waiting,
        position=ticket.place.position if ticket.place else None,
        eta_minutes=ticket.place.eta_minutes if ticket.place else None,
        claimed_by=ticket.claimed_by,
        first_response_due=_iso(ticket.first_response_due),
        escalation_due=_iso(ticket.escalation_due),
        paused_seconds_left=ticket.paused_seconds_left,
        first_response_at=_iso(ticket.first_response_at),
        escalated_at=_iso(ticket.escalated_at),
        resolved_at=_iso(ticket.resolved_at),
        csat_score=ticket.csat_score,
        risk_score=ticket.risk_score,
        risk_signals=list(ticket.risk_signals),
        playbook=ticket.playbook,
        playbook_outcome=ticket.playbook_outcome,
    ).model_dump()


@router.get("/v1/admin/tickets/queue")
def ticket_queue(limit: Annotated[int, Query(ge=1, le=500)] = 100) -> DeskQueue:
    shop_id = operator(router.current_event)
    return DeskQueue.model_validate({"tickets": [_view(t) for t in services().help_desk.queue(shop_id, limit)]})


@router.get("/v1/admin/tickets/<ticket_id>", responses={200: {"description": "The case"}, **_TICKET_RESPONSES})
def ticket_case(ticket_id: str) -> DeskCase:
    ticket, messages = services().help_desk.case(ticket_id, operator(router.current_event))
    thread = [
        ThreadMessage(
            author=m.author, channel=m.channel, body=m.body, created_at=m.created_at.isoformat(), attachments=[]
        )
        for m in messages
    ]
    desk = services().help_desk
    entries = [_entry(entry) for entry in desk.log.entries(ticket_id)]
    drafts = services().reply_drafts
    draft = drafts.latest(ticket_id) if drafts is not None else None
    return DeskCase.model_validate(
        {
            **_view(ticket),
            "messages": thread,
            "notes": [entry for entry in entries if entry.kind == DeskEntryKind.NOTE],
            "history": [entry for entry in entries if entry.kind != DeskEntryKind.NOTE],
            "operators": desk.log.team(ticket.shop_id),
            "draft": _draft_view(draft) if draft else None,
        }
    )


def _entry(entry: DeskEntry) -> DeskEntryView:
    return DeskEntryView(
        kind=entry.kind.value,
        agent=entry.agent,
        created_at=entry.created_at.isoformat(),
        body=entry.body,
        from_agent=entry.from_agent,
        to_agent=entry.to_agent,
    )


@router.post("/v1/admin/tickets/<ticket_id>/claim", responses={200: {"description": "Claimed"}, **_TICKET_RESPONSES})
def claim_ticket(ticket_id: str, claim: Annotated[DeskClaim, Body()]) -> DeskTicketView:
    ticket = services().help_desk.claim(ticket_id, operator(router.current_event), claim.agent)
    return DeskTicketView.model_validate(_view(ticket))


@router.post("/v1/admin/tickets/<ticket_id>/reply", responses={200: {"description": "Sent"}, **_TICKET_RESPONSES})
def reply_to_ticket(ticket_id: str, reply: Annotated[DeskReply, Body()]) -> DeskTicketView:
    ticket = services().help_desk.reply(
        ticket_id,
        operator(router.current_event),
        reply.agent,
        message=reply.message,
        canned=reply.canned,
        await_buyer=reply.await_buyer,
        confirm=reply.confirm,
    )
    return DeskTicketView.model_validate(_view(ticket))


@router.post("/v1/admin/tickets/<ticket_id>/resolve", responses={200: {"description": "Resolved"}, **_TICKET_RESPONSES})
def resolve_ticket(ticket_id: str, resolution: Annotated[DeskResolution, Body()]) -> DeskTicketView:
    ticket = services().help_desk.resolve(ticket_id, operator(router.current_event), resolution.agent)
    return DeskTicketView.model_validate(_view(ticket))


@router.post(
    "/v1/admin/tickets/<ticket_id>/reopen", responses={200: {"description": "Queued again"}, **_TICKET_RESPONSES}
)
def reopen_ticket(ticket_id: str) -> Requeued:
    place = services().help_desk.reopen(ticket_id, operator(router.current_event))
    return Requeued(
        ticket_id=ticket_id, status="waiting_for_agent", position=place.position, eta_minutes=place.eta_minutes
    )


@router.post("/v1/admin/tickets/<ticket_id>/notes", responses={200: {"description": "Noted"}, **_TICKET_RESPONSES})
def add_ticket_note(ticket_id: str, note: Annotated[DeskNoteDraft, Body()]) -> DeskEntryView:
    """An internal note for the shop's operators, masked like buyer text; the buyer never sees it."""
    return _entry(services().help_desk.note(ticket_id, operator(router.current_event), note.agent, note.text))


@router.post(
    "/v1/admin/tickets/<ticket_id>/reassign",
    responses={
        200: {"description": "Handed over"},
        400: {"description": "unknown_operator: not an operator of this shop's help desk"},
        **_TICKET_RESPONSES,
    },
)
def reassign_ticket(ticket_id: str, reassignment: Annotated[DeskReassignment, Body()]) -> DeskTicketView:
    """Hand a claimed ticket to another operator of the shop; the ticket's history records who and when."""
    shop_id = operator(router.current_event)
    ticket = services().help_desk.reassign(ticket_id, shop_id, reassignment.agent, reassignment.to)
    return DeskTicketView.model_validate(_view(ticket))


@router.post(
    "/v1/admin/tickets/<ticket_id>/draft",
    responses={
        201: answers(ReplyDraftView, "Drafted; sent at once when sure, grounded and in tone"),
        404: {"description": "No such ticket in this shop, or reply drafts are off (reply_drafts_off)"},
    },
)
def draft_reply(ticket_id: str, ask: Annotated[DeskClaim, Body()]) -> Response[str]:
    """A model drafts the reply from the masked thread and the shop's articles; shown in the ticket's case."""
    drafts = services().reply_drafts
    if drafts is None:
        raise NotFound("reply drafts are off in this deployment", code="reply_drafts_off")
    draft = drafts.draft(ticket_id, operator(router.current_event), ask.agent)
    return Response(status_code=201, content_type="application/json", body=json.dumps(_draft_view(draft)))


def _usage(usage: Usage) -> DraftUsage:
    cost = None if usage.cost_micro_usd is None else usage.cost_micro_usd / 1_000_000
    return DraftUsage(input_tokens=usage.input_tokens, output_tokens=usage.output_tokens, cost_usd=cost)


def _draft_view(draft: Draft) -> dict[str, Any]:
    return ReplyDraftView(
        ticket_id=draft.ticket_id,
        text=draft.text,
        confidence=draft.confidence,
        status=draft.status,
        articles=list(draft.articles),
        tone_violations=list(draft.tone_violations),
        model_id=draft.model_id,
        usage=_usage(draft.usage),
        ticket_usage=_usage(draft.ticket_usage),
        created_by=draft.created_by,
        created_at=draft.created_at.isoformat(),
    ).model_dump()


@router.get("/v1/admin/reports/tickets", responses={200: answers(TicketFigures, "The shop's ticket figures")})
def ticket_figures() -> dict[str, Any]:
    from faka.insight.ticket_report import ticket_report

    shop_id = operator(router.current_event)
    desk = services().help_desk
    return ticket_report(
        services().counters,
        shop_id,
        desk.handed_off(shop_id),
        knowledge=services().counters.all_under(knowledge_stats_key(shop_id)),
        corrections=len(services().intent_corrections.for_shop(shop_id)),
    )


# -- teaching the assistant: corrections and tone ----------------------------------------------------------------


class IntentCorrection(Schema):
    intent: str = Field(description="The intent the ticket really has: " + ", ".join(INTENTS))


class CorrectionRecorded(Schema):
    ticket_id: str
    intent: str
    previous_intent: str
    corrections: int = Field(description="The shop's corrections so far; each adjusts its later tickets")


@router.post(
    "/v1/admin/tickets/<ticket_id>/correction",
    responses={
        200: {"description": "Recorded"},
        400: {"description": "Unknown intent"},
        404: {"description": "No such ticket in this shop"},
    },
)
def correct_intent(ticket_id: str, correction: Annotated[IntentCorrection, Body()]) -> CorrectionRecorded:
    """One click: the ticket's real intent. Stored for the shop; its later messages worded alike are read so."""
    shop_id = operator(router.current_event)
    corrections = services().intent_corrections
    recorded = corrections.correct_ticket(shop_id, ticket_id, correction.intent)
    return CorrectionRecorded(
        ticket_id=ticket_id,
        intent=recorded.intent,
        previous_intent=recorded.previous_intent,
        corrections=len(corrections.for_shop(shop_id)),
    )


@router.get(
    "/v1/admin/triage/corrections",
    responses={200: answers(TrainingCorrectionList, "A page of corrections"), 400: {"description": "Bad cursor"}},
)
def training_corrections(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = MAX_PAGE, cursor: Annotated[str | None, Query()] = None
) -> TrainingCorrectionList:
    """Operators' corrections as triage training rows (``faka triage retrain`` pulls them): the platform operator
    gets every shop's, a shop's operator its own."""
    event = router.current_event
    shop = named_shop(event)
    role = services().access.authorize(shop, bearer_token(event.headers.get("authorization")))
    shops = [s.shop_id for s in all_shops()] if role is Role.PLATFORM_OPERATOR else [shop]
    scope = ListScope("triage_corrections", shop)
    after = services().cursors.decode(scope, cursor) if cursor else None
    page = corrections_page(shops, limit, (after["shop"], after["ticket"]) if after else None)
    following = {"shop": page.after[0], "ticket": page.after[1]} if page.after else None
    next_cursor = services().cursors.encode(scope, following) if following else None
    return TrainingCorrectionList.model_validate({"corrections": page.rows, "next_cursor": next_cursor})


class ToneSettings(Schema):
    prohibited: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=500, description="Words and phrases never sent, added to the platform's"
    )
    informal: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=200, description="Forms of address too familiar for the shop"
    )
    greetings: dict[str, Annotated[str, Field(max_length=200)]] = Field(
        default_factory=dict, description="Locale → the greeting every reply starts with"
    )
    sign_offs: dict[str, Annotated[str, Field(max_length=200)]] = Field(
        default_factory=dict, description="Locale → the sign-off every reply ends with"
    )
    assistant_name: Annotated[str, Field(max_length=64)] = ""


class PlatformTone(Schema):
    prohibited: list[str]
    informal: list[str]


class ToneView(Schema):
    shop: ToneSettings = Field(description="What the shop adds to the platform's rules")
    platform: PlatformTone = Field(description="The platform's rules, which every shop keeps")


def _tone_view(shop_id: str) -> dict[str, Any]:
    tone = services().shop_tone
    rules = tone.rules(shop_id)
    return {
        "shop": rules.shop_part(tone.platform),
        "platform": {"prohibited": list(tone.platform.prohibited), "informal": list(tone.platform.informal)},
    }


@router.get("/v1/admin/tone", responses={200: answers(ToneView, "The tone rules")})
def tone_rules() -> dict[str, Any]:
    """The shop's tone rules and the platform's, which every shop keeps."""
    return _tone_view(operator(router.current_event))


@router.put("/v1/admin/tone", responses={200: answers(ToneView, "The tone rules, changed")})
def set_tone_rules(settings: Annotated[ToneSettings, Body()]) -> dict[str, Any]:
    shop_id = operator(router.current_event)
    services().shop_tone.set(shop_id, settings.model_dump())
    return _tone_view(shop_id)
