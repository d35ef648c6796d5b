"""Rating routes: the buyer's form and rating, the platform's recommendations, each shop's figures for the platform."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from api.http import json_response, operator
from api.schemas.common import answers
from api.schemas.insight import (
    PlatformShopList,
    PlatformShopView,
    RatingAccepted,
    RatingFiguresView,
    RatingFormDimension,
    RatingFormView,
    RatingSubmission,
    RecommendationList,
    RecommendationView,
)
from faka.insight.ratings import Figures
from faka.security import bearer_token
from faka.shared.model import Order
from faka.wiring import services

router = APIGatewayRouter()

OrderId = Annotated[str, Path(max_length=64)]


def _buyers_order(order_id: str) -> Order:
    """The order, only for the holder of its token: anyone else gets the order page's 404."""
    return services().orders.get_for_buyer(order_id, bearer_token(router.current_event.headers.get("authorization")))


@router.get(
    "/v1/orders/<order_id>/rating-form",
    responses={200: {"description": "The form"}, 404: {"description": "Unknown order or wrong token"}},
)
def rating_form(order_id: OrderId) -> RatingFormView:
    """What to ask about this order, in the buyer's language, and whether it can be rated yet."""
    form = services().ratings.form(_buyers_order(order_id), datetime.now(UTC))
    gate = form.eligibility
    return RatingFormView(
        order_id=form.order_id,
        sku=form.sku,
        category=form.category,
        locale=form.locale,
        title=form.title,
        dimensions=[RatingFormDimension(key=d.key, label=d.label, required=d.required) for d in form.dimensions],
        eligible=gate.open and not form.rated,
        reason="already_rated" if form.rated else gate.code,
        eligible_at=gate.eligible_at.isoformat() if gate.eligible_at else None,
        rated=form.rated,
    )


@router.post(
    "/v1/orders/<order_id>/rating",
    responses={
        201: answers(RatingAccepted, "Rating accepted"),
        400: {"description": "A dimension the product's template does not ask, or a required one missing"},
        404: {"description": "Unknown order or wrong token"},
        409: {
            "description": "already_rated; not_paid; refunded; not_delivered; rating_not_open (details.eligible_at: "
            "rateable from then, or as soon as a key is activated)"
        },
    },
)
def rate_order(order_id: OrderId, submission: Annotated[RatingSubmission, Body()]) -> Response[str]:
    ratings = services().ratings
    rating = ratings.submit(_buyers_order(order_id), submission.scores, submission.comment, datetime.now(UTC))
    accepted = RatingAccepted(
        order_id=rating.order_id,
        scores=rating.scores,
        low=ratings.rules.is_low(rating.scores),
        rated_at=rating.rated_at.isoformat(),
    )
    return json_response(201, accepted.model_dump())


@router.get("/v1/recommendations")
def recommendations(limit: Annotated[int, Query(ge=1, le=50)] = 20) -> RecommendationList:
    """The platform's recommended products across its shops, best rated first."""
    return RecommendationList(
        recommendations=[
            RecommendationView(shop_id=r.shop_id, sku=r.sku, name=r.name, mean=r.mean, count=r.count)
            for r in services().ratings.recommendations(limit)
        ]
    )


def _figures_view(figures: Figures) -> RatingFiguresView:
    return RatingFiguresView(count=figures.count, mean=figures.mean, low=figures.low, dimensions=figures.dimensions)


@router.get(
    "/v1/admin/platform/shops",
    responses={200: {"description": "Every shop's figures"}, 403: {"description": "Not the platform operator"}},
)
def platform_shops() -> PlatformShopList:
    """Each rated shop's rating figures next to its ticket figures: the platform operator's comparison."""
    from faka.insight.ticket_report import ticket_report

    operator(router.current_event, platform_only=True)
    counters = services().counters
    return PlatformShopList(
        shops=[
            PlatformShopView(
                shop_id=shop,
                ratings=_figures_view(figures),
                tickets=ticket_report(counters, shop, ())["overall"],
            )
            for shop, figures in sorted(services().ratings.shop_figures().items())
        ]
    )
