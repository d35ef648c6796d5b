"""Request and response bodies of the HTTP API: the OpenAPI document is generated from these."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse, OpenAPIResponseContentSchema
from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, StrictInt

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


class ProductView(Schema):
    sku: str
    name: str
    description: str
    price: int = Field(description="Minor units")
    currency: str
    region: str
    platform: str
    stock: int
    listed: bool = Field(default=True, description="False while the shop has delisted it: only operators see it then")
    recommended: bool = Field(default=False, description="Rated well enough by enough buyers (GET /v1/recommendations)")
    payment_methods: list[str] = Field(default=[], description="The shop's enabled methods that take its currency")


class ProductList(Schema):
    products: list[ProductView]
    payment_methods: list[str] = Field(default=[], description="The shop's enabled payment methods, in its order")


class ProductDraft(Schema):
    sku: Sku
    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=4000)] = ""
    price: Annotated[StrictInt, Field(gt=0, lt=100_000_000)]
    currency: Currency
    region: Annotated[str, Field(min_length=2, max_length=16, pattern=r"^[A-Za-z0-9-]+$")]
    platform: Platform


class KeyImport(Schema):
    batch: Identifier
    supplier: Annotated[str, Field(max_length=200)] = ""
    # Told when the batch is quarantined for its defects.
    supplier_email: EmailStr | None = None
    keys: Annotated[
        list[Any],
        Field(
            min_length=1,
            max_length=10_000,
            description="Each a code, or a KeyWithParts (the code with its secret parts); anything else is rejected "
            "as invalid at its index",
        ),
    ]


class RejectedKey(Schema):
    index: int
    code: Literal["duplicate", "invalid"]


class ImportReport(Schema):
    batch: str
    imported: int
    rejected: list[RejectedKey]


class BatchStatusChange(Schema):
    status: Literal["active", "suspended"]


class ShopDraft(Schema):
    shop_id: Identifier
    name: Annotated[str, Field(min_length=1, max_length=200)]
    support_email: EmailStr


class ShopCreated(Schema):
    shop_id: str
    operator_token: str = Field(description="Shown once; store it now")


class OrderDraft(Schema):
    sku: Sku
    quantity: StrictInt
    email: EmailStr
    locale: Locale = "en"
    device_id: DeviceId | None = Field(default=None, description="Also accepted as the X-Faka-Device header")
    return_url: Annotated[str, Field(max_length=2000)] | None = Field(
        default=None,
        description="Where the payment page sends the buyer back to; same origin as the shop's pages only. "
        "Default: the order page, {public_base_url}/o/{order_id}",
    )
    payment_method: Literal["stripe", "alipay", "wechat_pay", "usdt_trc20"] | None = Field(
        default=None, description="One the shop enables (GET /v1/storefront); default its first taking the currency"
    )


class OrderCreated(Schema):
    order_id: str
    access_token: str
    status: str
    amount: int
    currency: str
    expires_at: str
    payment: dict[str, Any]


class DeliveredKey(Schema):
    line_no: int
    code: str
    parts: list[KeyPartView] = Field(default=[], description="The key's secret parts, masked like its code")


class OrderKeyView(Schema):
    line: int
    line_no: int = Field(description="The same as line (its first name)")
    code: str | None = Field(
        description="The key, unless fetched with ?reveal=false; never for a refunded or revoked key"
    )
    masked: str
    platform: str
    region: str
    state: Literal["delivered", "activated", "revoked", "refunded"]
    parts: list[OrderKeyPart] = Field(default=[], description="The key's secret parts (a PIN, a password …), in order")


class Milestone(Schema):
    status: str = Field(description="created, paid, delivered or expired")
    at: str


class GuideView(Schema):
    platform: str
    region: str
    locale: str
    steps: list[str]


class OrderActions(Schema):
    confirm_activation: bool
    refund: bool
    rate: bool
    chat: bool


class OrderView(Schema):
    order_id: str
    order_number: str = Field(description="The order's short number, as the emails quote it")
    shop_id: str
    locale: str
    email_masked: str
    status: str
    sku: str
    product_name: str
    platform: str
    region: str
    quantity: int
    amount: int
    currency: str
    created_at: str
    paid_at: str | None
    delivered_at: str | None
    timeline: list[Milestone]
    activation: Literal["pending", "activated", "failed"]
    keys: list[OrderKeyView]
    guide: GuideView
    actions: OrderActions
    actions_reasons: dict[str, str] = Field(description="Why each action that is false is not open")
    payment: dict[str, Any] | None = Field(
        default=None,
        description="How to pay, as POST /v1/orders answered it; only while the order is pending_payment",
    )


class ActivationReport(Schema):
    status: Literal["activated", "failed"]


class ActivationView(Schema):
    activation: Literal["pending", "activated", "failed"]


class StorefrontView(Schema):
    shop_id: str
    name: str
    currency: str | None = Field(description="The currency its products are priced in; none before the first")
    payment_methods: list[str]
    country: str | None = Field(description="The buyer's country, only as CloudFront saw it")
    locales: list[str]


class OrderLookup(Schema):
    email: EmailStr


class LookupAccepted(Schema):
    status: Literal["accepted"]


class OperatorOrderView(Schema):
    order_id: str
    shop_id: str
    status: str
    sku: str
    quantity: int
    amount: int
    currency: str
    email: str
    buyer_ip: str | None
    buyer_country: str | None
    flag_reason: str | None
    payment_ref: str | None
    keys: list[DeliveredKey] = Field(description="Masked")
    created_at: AwareDatetime
    paid_at: AwareDatetime | None
    delivered_at: AwareDatetime | None
    refund_ids: list[str] = Field(description="The refunds asked for on this order")


class WebhookReceipt(Schema):
    received: bool
    result: str
    order_id: str | None = None


class ActivationCallback(Schema):
    key: Annotated[str, Field(min_length=1, max_length=256)]
    status: Literal["activated", "failed"]
    at: AwareDatetime
    account_region: Annotated[str, Field(min_length=2, max_length=16, pattern=r"^[A-Za-z0-9-]+$")] | None = None


class ActivationReceipt(Schema):
    recorded: bool
    changed_lines: int


class OperatorActivation(Schema):
    status: Literal["activated", "failed"]
    line_no: Annotated[int, Field(ge=1)] | None = None
    account_region: Annotated[str, Field(min_length=2, max_length=16, pattern=r"^[A-Za-z0-9-]+$")] | None = None


class AdviceView(Schema):
    sku: str
    country: str
    recommended_region: str | None
    recommended_sku: str | None
    share: float | None = Field(description="The recommended region's share of activations by buyers from the country")
    sample: int | None
    message: str


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


class RefundAsk(Schema):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    lines: Annotated[list[Annotated[StrictInt, Field(ge=1, le=50)]], Field(min_length=1, max_length=50)] | None = Field(
        default=None, description="Order lines to refund; every line without a refund when omitted"
    )


class RefundAccepted(Schema):
    refund_id: str
    status: str


class RefundView(Schema):
    refund_id: str
    order_id: str
    status: str
    lines: list[int]
    amount: int = Field(description="Minor units")
    currency: str
    reason: str
    created_at: str
    decided_by: str | None
    decision_reason: str | None
    provider_ref: str | None
    completed_at: str | None


class RefundList(Schema):
    refunds: list[RefundView]


class OperatorRefundView(RefundView):
    shop_id: str
    risk_rules: list[str] | None
    review_deadline: str | None
    reminders: int
    escalated: bool
    compensated_by_platform: int | None


class OperatorRefundList(Schema):
    refunds: list[OperatorRefundView]


class RefundDecision(Schema):
    decision: Literal["approve", "reject"]
    reason: Annotated[str, Field(max_length=2000)] | None = None


class RefundPayout(Schema):
    tx_hash: Annotated[str, Field(min_length=1, max_length=80)] = Field(
        description="The TRON transaction that sent the USDT back to the address that paid"
    )


class RefundAppeal(Schema):
    message: Annotated[str, Field(min_length=1, max_length=4000)]


class AppealOpened(Schema):
    ticket_id: str
    status: str


class RefundPolicyView(Schema):
    auto_approve_limits: dict[Annotated[str, Field(pattern=r"^[a-z]{3}$")], Annotated[StrictInt, Field(ge=0)]] = Field(
        description="Largest refund approved without a person, in minor units per currency"
    )
    review_sla_seconds: Annotated[StrictInt, Field(gt=0, le=30 * 86400)]
    sla_policy: Literal["auto_approve", "flag_shop", "escalate"]


class HoldRelease(Schema):
    order_id: str
    result: str
    status: str


class HoldCancel(Schema):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


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


RATING_COMMENT_MAX_LENGTH = 2000
RatingDimension = Annotated[str, Field(pattern=r"^[a-z][a-z_]{0,31}$")]


class RatingSubmission(Schema):
    scores: Annotated[
        dict[RatingDimension, Annotated[StrictInt, Field(ge=1, le=5)]],
        Field(min_length=1, max_length=16, description="Dimension → 1-5; GET .../rating-form lists the dimensions"),
    ]
    comment: Annotated[str, Field(max_length=RATING_COMMENT_MAX_LENGTH)] | None = None


class RatingAccepted(Schema):
    order_id: str
    scores: dict[str, int]
    low: bool = Field(description="A score at or below the low mark: the shop follows it up")
    rated_at: str


class RatingFormDimension(Schema):
    key: str
    label: str = Field(description="In the buyer's locale")
    required: bool
    min: int = 1
    max: int = 5


class RatingFormView(Schema):
    order_id: str
    sku: str
    category: str
    locale: str
    title: str
    dimensions: list[RatingFormDimension]
    comment_max_length: int = RATING_COMMENT_MAX_LENGTH
    eligible: bool
    reason: str | None = Field(description="Why not yet: the code POST .../rating would answer with")
    eligible_at: str | None = Field(description="From when, if it only takes time; activating a key opens it sooner")
    rated: bool


class RecommendationView(Schema):
    shop_id: str
    sku: str
    name: str
    mean: float
    count: int


class RecommendationList(Schema):
    recommendations: list[RecommendationView]


class RatingFiguresView(Schema):
    count: int
    mean: float | None = Field(description="Over every answered dimension of every rating")
    low: int = Field(description="Ratings with a low score on some dimension")
    dimensions: dict[str, float] = Field(description="Mean per dimension")


class PlatformShopView(Schema):
    shop_id: str
    ratings: RatingFiguresView
    tickets: dict[str, Any] = Field(description="After-sales figures: the shop's overall ticket figures")


class PlatformShopList(Schema):
    shops: list[PlatformShopView]


WebhookEvent = Literal[
    "order.paid",
    "order.delivered",
    "order.awaiting_stock",
    "order.held",
    "order.refunded",
    "refund.requested",
    "refund.rejected",
    "ticket.opened",
    "ticket.resolved",
    "key.activated",
]


class WebhookDraft(Schema):
    url: Annotated[str, Field(min_length=1, max_length=2048, description="https; http only for localhost locally")]
    events: Annotated[list[WebhookEvent], Field(min_length=1)]


class WebhookView(Schema):
    webhook_id: str
    url: str
    events: list[str]
    created_at: AwareDatetime


class WebhookCreated(WebhookView):
    secret: str = Field(description="Signs every delivery (X-Faka-Signature); shown once, store it now")


class WebhookList(Schema):
    webhooks: list[WebhookView]


class WebhookDeliveryView(Schema):
    delivery_id: str
    event_id: str
    type: str
    status: Literal["pending", "delivered", "failed", "cancelled"]
    attempts: int
    response_code: int | None
    error: str | None
    last_attempt_at: AwareDatetime | None
    next_retry_at: AwareDatetime | None = Field(description="When the next attempt is due, while pending")
    delivered_at: AwareDatetime | None
    created_at: AwareDatetime


class WebhookDeliveryList(Schema):
    deliveries: list[WebhookDeliveryView]


class WebhookReplayed(Schema):
    replayed: int


class CsatRecorded(Schema):
    recorded: bool


class UnpaidOrderCancelled(Schema):
    order_id: str
    status: str = Field(description="expired: its payment window closed")


class EvidencePack(Schema):
    """What a chargeback answer needs, gathered from the order, its emails, its key page and its refunds."""

    order: dict[str, Any] = Field(description="The order as placed and paid: buyer, IP, country, device, amounts")
    delivery: dict[str, Any] = Field(description="When the keys went out, the delivery email and its events")
    key_page_views: dict[str, Any] = Field(
        description="How often the buyer's order page showed the keys: views, first_at, last_at"
    )
    activation: list[dict[str, Any]] = Field(description="Each line's activation status, when, the account region")
    refunds: list[dict[str, Any]]
    disputes: list[dict[str, Any]]


class KpiSummary(Schema):
    shop_id: str
    first: str = Field(alias="from", description="The first day, YYYY-MM-DD")
    last: str = Field(alias="to", description="The last day, YYYY-MM-DD")
    overall: dict[str, Any] = Field(
        description="Orders, revenue, delivery, activation, tickets, CSAT, refunds, ratings"
    )
    products: dict[str, dict[str, Any]] = Field(description="SKU → the same figures")
    batches: dict[str, dict[str, Any]] = Field(description="Batch → the same figures")


class TicketFigures(Schema):
    overall: dict[str, Any] = Field(description="Opened, auto-resolved, handed off, response times, CSAT, NPS")
    intents: dict[str, dict[str, Any]] = Field(description="Intent → the same figures")
    knowledge_base: dict[str, Any] = Field(description="Answers from articles and the buyers' verdicts, per article")
    knowledge_base_gaps: dict[str, Any] = Field(description="What people answered that no article did")
    intent_corrections: int


class ActivationFigures(Schema):
    keys_delivered: int
    keys_activated: int
    activation_rate: float | None
    mean_hours_to_activation: float | None
    median_hours_to_activation_at_most: int | None
    activations_after_reminder_level: dict[str, int] = Field(description="Reminder level (0-3) → activations after it")
    escalation_state_transitions_per_order: dict[str, int] = Field(description="Path → its state machine transitions")
    templates: dict[str, dict[str, Any]] = Field(description="Guide template → sent, helpful_yes, helpful_no, rate")


class BatchHealthView(Schema):
    sku: str
    batch_id: str
    supplier: str
    status: str
    imported: int
    issued: int
    activated: int
    activation_failures: int
    invalid_claims: int
    defect_rate: float | None
    quarantine_rule: str | None


class BatchHealthList(Schema):
    batches: list[BatchHealthView]


class SuggestionView(Schema):
    kind: str
    subject: str
    text: str
    evidence: dict[str, Any]


class SuggestionList(Schema):
    suggestions: list[SuggestionView]


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


class StripeEvent(Schema):
    """A Stripe event as Stripe signs and sends it (only the fields faka reads)."""

    id: str
    type: str = Field(description="checkout.session.completed, charge.refunded, charge.dispute.created, ...")
    data: dict[str, Any] = Field(description='{"object": the session, charge or dispute}')


class AlipayNotification(Schema):
    """Alipay's asynchronous notification, RSA2-signed (only the fields faka reads)."""

    notify_id: str
    app_id: str
    out_trade_no: str = Field(description="The order id")
    trade_no: str
    trade_status: str = Field(description="TRADE_SUCCESS or TRADE_FINISHED pays the order")
    total_amount: str
    sign_type: Literal["RSA2"]
    sign: str


class WechatPayNotification(Schema):
    """WeChat Pay's API v3 notification; the payment is in the AES-GCM encrypted ``resource``."""

    id: str
    event_type: str = Field(description="TRANSACTION.SUCCESS pays an order; REFUND.* settles a refund")
    resource_type: str
    resource: dict[str, str] = Field(description="algorithm, ciphertext, nonce, associated_data, original_type")


class KeyPartDraft(Schema):
    name: Annotated[str, Field(max_length=64, description="What the part is (pin, password …); empty: unnamed")] = ""
    value: Annotated[str, Field(max_length=1024)]


class KeyWithParts(Schema):
    """A key with its secret parts: one key, sold and delivered whole; duplicates are told by the code alone."""

    code: Annotated[str, Field(max_length=256)]
    parts: (
        Annotated[dict[str, Annotated[str, Field(max_length=1024)]], Field(max_length=16)]
        | Annotated[list[KeyPartDraft], Field(max_length=16)]
    ) = Field(default=[], description='{"pin": "1234"}, or [{"name", "value"}] in order (name optional)')


class KeyPartView(Schema):
    name: str = Field(description="Empty when the supplier's file named none")
    value: str


class OrderKeyPart(Schema):
    name: str = Field(description="Empty when the supplier's file named none")
    value: str | None = Field(description="Given whenever the key's code is")
    masked: str


class ReminderVariantDraft(Schema):
    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]
    template: str = Field(
        default="activation_reminder",
        description="A reminder template of templates/email/<locale>/, e.g. activation_reminder_two_minutes",
    )
    send_hour: int | None = Field(default=None, description="0-23, the buyer's local time; quiet hours still win")


class ExperimentDraft(Schema):
    level: int = Field(description="The reminder level tested: 1, 2 or 3 (24/48/72 h)")
    variants: list[ReminderVariantDraft] = Field(
        min_length=1, max_length=4, description="Besides the control (the reminder as it is), which is implied"
    )
    min_per_arm: int = Field(default=100, ge=10, le=1_000_000, description="Orders each arm needs before promotion")


class ReminderVariantView(Schema):
    name: str
    template: str
    send_hour: int | None


class ExperimentArmView(Schema):
    variant: str
    orders: int = Field(description="Orders whose reminder was sent with this arm while the experiment ran")
    activated: int
    activation_rate: float
    with_tickets: int = Field(description="Orders whose buyer opened a ticket after the reminder")
    ticket_rate: float


class ExperimentTestView(Schema):
    rule: str
    outcome: str = Field(description="significant | not_significant | below_minimum_sample")
    leader: str
    runner_up: str
    p_value: float | None


class ExperimentView(Schema):
    experiment_id: str
    level: int
    status: str = Field(description="running | promoted | stopped")
    min_per_arm: int
    variants: list[ReminderVariantView] = Field(description="The control first")
    created_at: str
    stopped_at: str | None
    promoted_variant: str | None
    promoted_at: str | None
    arms: list[ExperimentArmView]
    test: ExperimentTestView
    decision: dict[str, Any] | None = Field(description="The test that promoted promoted_variant")


class ExperimentList(Schema):
    experiments: list[ExperimentView]


class TrainingCorrection(Schema):
    text: str = Field(description="The ticket's first buyer message, keys, order ids, e-mails and amounts masked")
    intent: str = Field(description="The intent the operator corrected the ticket to")
    shop: str
    ticket: str
    corrected_at: str


class TrainingCorrectionList(Schema):
    corrections: list[TrainingCorrection] = Field(description="By shop, then ticket; each ticket's latest correction")
    next_cursor: str | None = Field(default=None, description="Pass as cursor for the next page; null after the last")
