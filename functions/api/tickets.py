"""Buyer tickets and chat turns: every message is classified and answered at once by the assistant."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import StrictBool

from api.http import json_response, open_shop_id, source_ip
from api.idempotency_key import IdempotencyKey, answer_once
from api.pages import link_problem, page
from api.schemas.common import DEVICE_ID_DESCRIPTION, DEVICE_ID_PATTERN, TEXT, Schema, answers
from api.schemas.support import (
    ChatAnswer,
    ChatTurn,
    QueuePlaceView,
    ThreadMessage,
    TicketCreated,
    TicketDraft,
    TicketThread,
)
from faka.errors import FakaError
from faka.security import bearer_token
from faka.wiring import services

if TYPE_CHECKING:
    from faka.support.ticket_records import TicketReply

router = APIGatewayRouter()


def _answer(answer: TicketReply) -> ChatAnswer:
    ticket = answer.ticket
    return ChatAnswer(
        ticket_id=ticket.ticket_id,
        status=ticket.status,
        intent=ticket.intent,
        severity=ticket.severity,
        reply=answer.reply,
        outcome=ticket.outcome,
        article=ticket.article,
    )


@router.post(
    "/v1/tickets",
    responses={
        201: answers(TicketCreated, "Ticket opened and answered"),
        404: {"description": "Unknown order"},
        409: {"description": "The Idempotency-Key was used with another body, or its first request is still running"},
    },
)
def open_ticket(
    draft: Annotated[TicketDraft, Body()],
    device_header: Annotated[
        str | None, Header(alias="x-faka-device", pattern=DEVICE_ID_PATTERN, description=DEVICE_ID_DESCRIPTION)
    ] = None,
    idempotency_key: IdempotencyKey = None,
) -> Response[str]:
    shop_id = open_shop_id(router.current_event)
    return answer_once(
        idempotency_key,
        ("POST /v1/tickets", shop_id, draft.order_id or str(draft.email or "")),
        draft.model_dump(mode="json"),
        lambda: _open_ticket(shop_id, draft, device_header),
    )


def _open_ticket(shop_id: str, draft: TicketDraft, device_header: str | None) -> Response[str]:
    # Imported here: the ticket records load the triage (its model), which a storefront request never needs.
    from faka.support.ticket_records import Channel, TicketRequest

    answer = services().tickets.submit(
        TicketRequest(
            shop_id=shop_id,
            message=draft.message,
            channel=Channel.API,
            order_id=draft.order_id,
            access_token=draft.access_token,
            email=str(draft.email) if draft.email else None,
            locale=draft.locale,
            ip=source_ip(router.current_event),
            device=draft.device_id or device_header,
        )
    )
    created = TicketCreated(
        ticket_id=answer.ticket.ticket_id,
        ticket_token=answer.ticket_token or "",
        status=answer.ticket.status,
        intent=answer.ticket.intent,
        severity=answer.ticket.severity,
        reply=answer.reply,
        outcome=answer.ticket.outcome,
        article=answer.ticket.article,
    )
    return json_response(201, created.model_dump())


@router.get(
    "/v1/tickets/<ticket_id>",
    responses={200: {"description": "The thread"}, 404: {"description": "Unknown ticket or wrong token"}},
)
def ticket_thread(ticket_id: str) -> TicketThread:
    token = bearer_token(router.current_event.headers.get("authorization"))
    ticket, messages = services().tickets.thread(ticket_id, token)
    place = services().help_desk.place(ticket.ticket_id)
    return TicketThread(
        ticket_id=ticket.ticket_id,
        status=ticket.status,
        intent=ticket.intent,
        severity=ticket.severity,
        order_id=ticket.order_id,
        messages=[
            ThreadMessage(
                author=m.author,
                channel=m.channel,
                body=m.body,
                created_at=m.created_at.isoformat(),
                attachments=list(m.attachments),
            )
            for m in messages
        ],
        queue=QueuePlaceView(position=place.position, eta_minutes=place.eta_minutes)
        if place and place.position
        else None,
    )


@router.post(
    "/v1/tickets/<ticket_id>/messages",
    responses={200: {"description": "The answer"}, 404: {"description": "Unknown ticket or wrong token"}},
)
def chat_turn(ticket_id: str, turn: Annotated[ChatTurn, Body()]) -> ChatAnswer:
    token = bearer_token(router.current_event.headers.get("authorization"))
    return _answer(services().tickets.converse(ticket_id, token, turn.message))


class ArticleFeedback(Schema):
    helpful: StrictBool


@router.post(
    "/v1/tickets/<ticket_id>/feedback",
    responses={
        200: {"description": "The answer"},
        404: {"description": "Unknown ticket or wrong token"},
        409: {"description": "The ticket was not answered from the knowledge base, or the buyer already said"},
    },
)
def article_feedback(ticket_id: str, feedback: Annotated[ArticleFeedback, Body()]) -> ChatAnswer:
    """The buyer's answer to "did this help?" after an answer from the knowledge base; "no" hands off to a person."""
    token = bearer_token(router.current_event.headers.get("authorization"))
    return _answer(services().tickets.article_feedback(ticket_id, token, feedback.helpful))


# -- the confirmation mailed to the order's address when a ticket named its order by email only ---------------


@router.get("/v1/tickets/<ticket_id>/confirm", include_in_schema=False)
def confirmation_page(ticket_id: str) -> Response[str]:
    """The link's own page: it only asks, so mail scanners that open every link confirm nothing."""
    query = dict(router.current_event.query_string_parameters or {})
    try:
        ticket, intent = services().tickets.confirmation(ticket_id, query)
    except FakaError as error:
        return link_problem(error)
    return page(
        "ticket_confirm.html.j2",
        intent=intent,
        order_id=ticket.order_id or "",
        ticket_ref=ticket.ticket_id[:12],
        form_action=f"?{urlencode(query)}",
    )


@router.post(
    "/v1/tickets/<ticket_id>/confirm",
    responses={
        200: {
            "description": "The request ran (once, however often posted); the link's form gets a page",
            "content": {"application/json": {"model": ChatAnswer}, "text/html": TEXT},
        },
        400: {"description": "Invalid or expired link"},
    },
)
def confirm_request(ticket_id: str) -> Response[str]:
    """The order's mailbox confirms the ticket's request (a refund, a replacement): the playbook runs it now."""
    event = router.current_event
    answer = services().tickets.confirm(ticket_id, dict(event.query_string_parameters or {}))
    if (event.headers.get("content-type") or "").startswith("application/x-www-form-urlencoded"):
        return page("ticket_confirmed.html.j2", reply=answer.reply)
    return json_response(200, _answer(answer).model_dump())
