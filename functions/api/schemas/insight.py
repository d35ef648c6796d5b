"""Bodies of ratings and reports: buyers' ratings and the rating form, recommendations, the platform's shop figures,
KPIs, batch health and suggestions.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StrictInt

from api.schemas.common import Schema

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


class KpiSummary(Schema):
    shop_id: str
    first: str = Field(alias="from", description="The first day, YYYY-MM-DD")
    last: str = Field(alias="to", description="The last day, YYYY-MM-DD")
    overall: dict[str, Any] = Field(
        description="Orders, revenue, delivery, activation, tickets, CSAT, refunds, ratings"
    )
    products: dict[str, dict[str, Any]] = Field(description="SKU → the same figures")
    batches: dict[str, dict[str, Any]] = Field(description="Batch → the same figures")


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
