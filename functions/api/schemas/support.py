"""Bodies of after-sales support: buyers' tickets and chat, the operators' help desk (queue, cases, replies, notes,
reply drafts), satisfaction surveys, ticket figures, intent corrections and the knowledge base.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import EmailStr, Field, StrictInt

from api.schemas.common import DeviceId, Identifier, Locale, Schema


class TicketView(Schema):
    ticket_id: str
    order_id: str | None
    status: str
    intent: str
    confidence: float
    language: str
    sentiment: str
    severity: int
    severity_reasons: list[str] = Field(description="Why the severity is what it is")
    entities: dict[str, Any] = Field(description="Order ids, amounts, platforms, regions; key fragments masked")
    source: str
    summary: str = Field(description="The start of the buyer's message, key codes and card numbers masked")
    created_at: str
    claimed_by: str | None = Field(default=None, description="The operator working on it, if any")


class TicketList(Schema):
    tickets: list[TicketView]
    next_cursor: str | None = Field(default=None, description="Pass as cursor for the next page; null after the last")


class TicketDraft(Schema):
    order_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    access_token: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    email: EmailStr | None = None
    message: Annotated[str, Field(min_length=1, max_length=10_000)]
    locale: Locale | None = None
    device_id: DeviceId | None = Field(default=None, description="Also accepted as the X-Faka-Device header")


class TicketCreated(Schema):
    ticket_id: str
    ticket_token: str = Field(description="Shows the thread and continues the conversation; shown once")
    status: str
    intent: str
    severity: int
    reply: str
    outcome: str | None = Field(
        default=None, description="What the assistant did: replaced, resent_with_evidence, held_for_review, ..."
    )
    article: dict[str, str] | None = Field(
        default=None, description='With outcome answered_from_knowledge_base: the article, {"id", "title"}'
    )


class ChatTurn(Schema):
    message: Annotated[str, Field(min_length=1, max_length=10_000)]


class ChatAnswer(Schema):
    ticket_id: str
    status: str
    intent: str
    severity: int
    reply: str
    outcome: str | None = Field(
        default=None, description="What the assistant did: replaced, resent_with_evidence, held_for_review, ..."
    )
    article: dict[str, str] | None = Field(
        default=None, description='With outcome answered_from_knowledge_base: the article, {"id", "title"}'
    )


class ThreadMessage(Schema):
    author: str
    channel: str
    body: str
    created_at: str
    attachments: list[str]


class QueuePlaceView(Schema):
    position: int = Field(description="1 = the next ticket a person takes")
    eta_minutes: int = Field(description="From the shop's measured handling time per ticket ahead")


class TicketThread(Schema):
    ticket_id: str
    status: str
    intent: str
    severity: int
    order_id: str | None
    messages: list[ThreadMessage]
    queue: QueuePlaceView | None = Field(default=None, description="Its place while it waits for a person")


Agent = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w .@-]+$", description="The operator's name")]


class DeskTicketView(Schema):
    ticket_id: str
    order_id: str | None
    status: str
    intent: str
    severity: int
    priority: int | None = Field(description="The severity, plus one after an escalation; higher is served first")
    language: str
    locale: str
    summary: str = Field(description="The start of the buyer's message, key codes and card numbers masked")
    created_at: str
    handoff_reason: str | None
    queued_at: str | None
    waiting_seconds: int | None = Field(description="Since the ticket was queued, while it waits")
    position: int | None = Field(description="1 = next; 0 = a person has it")
    eta_minutes: int | None
    claimed_by: str | None
    first_response_due: str | None
    escalation_due: str | None
    paused_seconds_left: dict[str, int] = Field(description="Clocks paused while waiting on the buyer")
    first_response_at: str | None
    escalated_at: str | None
    resolved_at: str | None
    csat_score: int | None
    risk_score: float | None
    risk_signals: list[str]
    playbook: str | None
    playbook_outcome: str | None


class DeskQueue(Schema):
    tickets: list[DeskTicketView]


class DeskEntryView(Schema):
    kind: str = Field(description="note, claimed, reassigned or resolved")
    agent: str = Field(description="The operator who wrote the note or took the step")
    created_at: str
    body: str | None = Field(default=None, description="A note's text, key codes and card numbers masked")
    from_agent: str | None = Field(default=None, description="Reassigned: who had the ticket")
    to_agent: str | None = Field(default=None, description="Reassigned: who has it now")


class DraftUsage(Schema):
    input_tokens: int
    output_tokens: int
    cost_usd: float | None = Field(description="Priced from the model's per-token prices; null for an unpriced model")


class ReplyDraftView(Schema):
    """A reply a model wrote for the operator, from the masked thread and the shop's articles (an extension)."""

    ticket_id: str
    text: str = Field(description="Key codes masked; the operator edits it and sends it as their reply")
    confidence: float = Field(description="The model's, 0 without a grounding article")
    status: str = Field(description="draft: waiting for an operator; sent: sure, grounded and in tone, so sent")
    articles: list[dict[str, str]] = Field(description='The articles it was given: [{"id", "title"}]')
    tone_violations: list[dict[str, str]] = Field(description='[{"rule", "word"}]: never sent automatically')
    model_id: str
    usage: DraftUsage = Field(description="This draft's tokens and cost")
    ticket_usage: DraftUsage = Field(description="Every draft of the ticket so far")
    created_by: str
    created_at: str


class DeskCase(DeskTicketView):
    messages: list[ThreadMessage] = Field(description="The thread; key codes and card numbers masked")
    notes: list[DeskEntryView] = Field(description="Internal notes for the shop's operators; never shown to the buyer")
    history: list[DeskEntryView] = Field(description="Who claimed, handed over and resolved the ticket, oldest first")
    operators: list[str] = Field(description="The shop's help desk team: whom the ticket can be handed to")
    draft: ReplyDraftView | None = Field(default=None, description="The latest reply draft, when drafts are on")


class DeskClaim(Schema):
    agent: Agent


class DeskReply(Schema):
    agent: Agent = "operator"
    message: Annotated[str, Field(min_length=1, max_length=10_000)] | None = None
    canned: Identifier | None = Field(default=None, description="A canned reply's id, rendered in the ticket's locale")
    await_buyer: bool = Field(default=False, description="The reply asks the buyer something; the ticket waits on them")
    confirm: bool = Field(
        default=False,
        description="Send a reply that breaks the shop's tone rules anyway (prohibited words masked); without it, 400",
    )


class DeskResolution(Schema):
    agent: Agent = "operator"


class DeskNoteDraft(Schema):
    agent: Agent = "operator"
    text: Annotated[str, Field(min_length=1, max_length=4000, description="Masked like buyer text before it is kept")]


class DeskReassignment(Schema):
    agent: Agent = Field(default="operator", description="Who hands the ticket over")
    to: Agent = Field(description="The operator of the same shop who takes it")


class Requeued(Schema):
    ticket_id: str
    status: str
    position: int
    eta_minutes: int


class CsatSubmission(Schema):
    score: Annotated[StrictInt, Field(ge=1, le=5)]
    nps: Annotated[StrictInt, Field(ge=0, le=10, description="How likely to recommend the shop, 0-10")] | None = None
    comment: Annotated[str, Field(max_length=2000)] | None = None


class CsatRecorded(Schema):
    recorded: bool


class TicketFigures(Schema):
    overall: dict[str, Any] = Field(description="Opened, auto-resolved, handed off, response times, CSAT, NPS")
    intents: dict[str, dict[str, Any]] = Field(description="Intent → the same figures")
    knowledge_base: dict[str, Any] = Field(description="Answers from articles and the buyers' verdicts, per article")
    knowledge_base_gaps: dict[str, Any] = Field(description="What people answered that no article did")
    intent_corrections: int


class ArticleView(Schema):
    id: str
    locale: str
    title: str
    body: str
    questions: list[str]
    source: str = Field(description="platform or shop")
    enabled: bool
    updated_at: str | None


class ArticleList(Schema):
    articles: list[ArticleView]


class AnsweringArticle(Schema):
    id: str
    title: str
    locale: str
    body: str


class KnowledgeAnswer(Schema):
    article: AnsweringArticle | None = Field(description="null when no article is close enough")
    score: float | None


class TrainingCorrection(Schema):
    text: str = Field(description="The ticket's first buyer message, keys, order ids, e-mails and amounts masked")
    intent: str = Field(description="The intent the operator corrected the ticket to")
    shop: str
    ticket: str
    corrected_at: str


class TrainingCorrectionList(Schema):
    corrections: list[TrainingCorrection] = Field(description="By shop, then ticket; each ticket's latest correction")
    next_cursor: str | None = Field(default=None, description="Pass as cursor for the next page; null after the last")
