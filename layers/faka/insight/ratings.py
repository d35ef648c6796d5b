"""Buyers rate an order on the dimensions its product's category asks; the ratings table's stream keeps the
figures per product and per shop, the platform's recommendations, and follows up low scores.

The templates, thresholds and follow-up are data (``faka/rules/rating_templates.json``), validated when loaded.
Figures live in the outreach table as atomic counters (no scans):

* ``RATINGS#<shop>`` / ``<sku>``: one product's counters; a shop's products are one Query.
* ``RATINGS`` / ``<shop>``: one shop's counters; every shop's are one Query (the platform operator's view).
* ``RATING#<order>`` / ``TALLIED``: written in the same transaction as the counters, so a stream record
  delivered again adds nothing.
* ``RECOMMENDED`` / ``LEADERBOARD``: the platform's best recommended products, a bounded list kept in order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pynamodb.exceptions import PutError

from faka.adapters.counters import Counters
from faka.adapters.tables.outreach import RatingLeaderboardItem
from faka.adapters.tables.ratings import RatingItem
from faka.catalog.catalog import Catalog
from faka.errors import Conflict, InvalidRequest, NotFound
from faka.observability import logger, metrics
from faka.ports import EventPublisher, OperatorAlerts
from faka.shared.model import Order, OrderStatus
from faka.shared.rules_file import InvalidRulesFile, Limits, read

if TYPE_CHECKING:
    # Hints only: the help desk (and its models) loads with the tickets factory, on a low score's first follow-up;
    # the buyer-text masking (and the orders) with its factory, on a buyer's rating (the api), never for a tally.
    from faka.sales.redaction import BuyerText
    from faka.support.tickets import Tickets

RULES_FILE = Path(__file__).resolve().parents[1] / "rules" / "rating_templates.json"
# Storefronts send these three whatever the product (the public contract names them), so every template asks them.
CONTRACT_DIMENSIONS = ("delivery", "key_quality", "service")
SHOPS_PARTITION = "RATINGS"
LEADERBOARD_KEY = ("RECOMMENDED", "LEADERBOARD")
_LEADERBOARD_ATTEMPTS = 5

# The file's parts, read by faka.shared.rules_file: every rating the stream tallies reads them, so no pydantic.
Labels = dict[str, Annotated[str, Limits(min_length=1)]]


@dataclass(frozen=True, kw_only=True)
class Dimension:
    key: Annotated[str, Limits(pattern=r"[a-z][a-z_]{0,31}")]
    required: bool
    label: Labels


@dataclass(frozen=True, kw_only=True)
class Template:
    title: Labels
    dimensions: Annotated[tuple[Dimension, ...], Limits(min_length=1)]

    def __post_init__(self) -> None:
        keys = [d.key for d in self.dimensions]
        if len(set(keys)) != len(keys):
            raise ValueError(f"a dimension is listed twice: {keys}")
        required = {d.key for d in self.dimensions if d.required}
        if missing := [key for key in CONTRACT_DIMENSIONS if key not in required]:
            raise ValueError(f"must ask {missing} as required dimensions")


@dataclass(frozen=True, kw_only=True)
class Recommendation:
    min_ratings: Annotated[int, Limits(ge=1)]
    min_mean: Annotated[float, Limits(ge=1, le=5)]
    leaderboard_size: Annotated[int, Limits(ge=1, le=200)]


@dataclass(frozen=True, kw_only=True)
class FollowUp:
    intent: Annotated[str, Limits(min_length=1)]
    severity: Annotated[int, Limits(ge=1, le=5)]
    severity_when_any_score_is_1: Annotated[int, Limits(ge=1, le=5)]


@dataclass(frozen=True, kw_only=True)
class RatingRules:
    comment: str = ""
    platform_categories: dict[str, str]
    default_category: str
    low_score_at_most: Annotated[int, Limits(ge=1, le=4)]
    eligible_hours_after_delivery: Annotated[float, Limits(gt=0)]
    recommended: Recommendation
    follow_up: FollowUp
    categories: Annotated[dict[str, Template], Limits(min_length=1)]

    def __post_init__(self) -> None:
        named = {self.default_category, *self.platform_categories.values()}
        if unknown := sorted(named - set(self.categories)):
            raise ValueError(f"categories {unknown} are named but have no template")

    @classmethod
    def load(cls, locales: Collection[str], path: Path = RULES_FILE) -> RatingRules:
        """Read and check the file; every title and label must exist in each of ``locales``."""
        try:
            rules = read(cls, json.loads(path.read_text(encoding="utf-8")))
        except (OSError, InvalidRulesFile, json.JSONDecodeError) as error:
            raise InvalidRatingRules(f"{path}: {error}") from None
        for name, template in rules.categories.items():
            texts = {"title": template.title, **{f"dimension {d.key!r}": d.label for d in template.dimensions}}
            for what, labels in texts.items():
                if missing := sorted(set(locales) - set(labels)):
                    raise InvalidRatingRules(f"{path}: category {name!r}, {what}: no text for {missing}")
        return rules

    def category_for(self, platform: str) -> str:
        return self.platform_categories.get(platform, self.default_category)

    def check_scores(self, category: str, scores: Mapping[str, int]) -> None:
        """The scores answer exactly the category's dimensions: none it does not ask, every required one."""
        template = self.categories[category]
        asked = {d.key for d in template.dimensions}
        if unknown := sorted(set(scores) - asked):
            raise InvalidRequest(
                f"{category} ratings do not ask {unknown}",
                code="unknown_dimension",
                details={"unknown": unknown, "asked": sorted(asked)},
            )
        if missing := [d.key for d in template.dimensions if d.required and d.key not in scores]:
            raise InvalidRequest(
                f"{category} ratings need {missing}", code="missing_dimension", details={"missing": missing}
            )

    def is_low(self, scores: Mapping[str, int]) -> bool:
        return min(scores.values()) <= self.low_score_at_most


class InvalidRatingRules(ValueError):
    pass


@dataclass(frozen=True)
class Eligibility:
    """Whether an order may be rated now; if not, why (``code``) and from when (``eligible_at``, when known)."""

    open: bool
    code: str | None = None
    message: str = ""
    eligible_at: datetime | None = None


def eligibility(order: Order, now: datetime, hours_after_delivery: float) -> Eligibility:
    """A buyer rates what they could judge: a key confirmed activated, or one they have had for a while."""
    status = order.status_at(now)
    if status in (OrderStatus.PENDING_PAYMENT, OrderStatus.EXPIRED):
        return Eligibility(False, "not_paid", "an unpaid order cannot be rated")
    if status in (OrderStatus.REFUND_PENDING, OrderStatus.REFUNDED):
        return Eligibility(False, "refunded", "a refunded order cannot be rated")
    if any(line.activated for line in order.lines):
        return Eligibility(True)
    if order.delivered_at is None:
        return Eligibility(False, "not_delivered", "the order can be rated once its keys are delivered")
    opens_at = order.delivered_at + timedelta(hours=hours_after_delivery)
    if now >= opens_at:
        return Eligibility(True)
    return Eligibility(
        False, "rating_not_open", "the order can be rated once a key is activated, or from eligible_at", opens_at
    )


@dataclass(frozen=True)
class Rating:
    order_id: str
    shop_id: str
    sku: str
    category: str
    scores: dict[str, int]
    comment: str | None
    locale: str
    rated_at: datetime

    @classmethod
    def from_item(cls, item: RatingItem) -> Rating:
        return cls(
            order_id=item.order_id,
            shop_id=item.shop_id,
            sku=item.sku,
            category=item.category,
            scores={dimension: int(score) for dimension, score in json.loads(item.scores).items()},
            comment=item.comment,
            locale=item.locale,
            rated_at=item.rated_at,
        )


@dataclass(frozen=True)
class FormDimension:
    key: str
    label: str
    required: bool


@dataclass(frozen=True)
class RatingForm:
    order_id: str
    sku: str
    category: str
    locale: str
    title: str
    dimensions: list[FormDimension]
    eligibility: Eligibility
    rated: bool


@dataclass(frozen=True)
class Figures:
    """A product's or a shop's ratings: how many, their mean over every answered dimension, per dimension."""

    count: int
    mean: float | None
    low: int
    dimensions: dict[str, float]

    @classmethod
    def of(cls, counters: Mapping[str, float]) -> Figures:
        answers = counters.get("answers", 0)
        dimensions = {
            name.removeprefix("sum."): round(total / counters[f"n.{name.removeprefix('sum.')}"], 2)
            for name, total in sorted(counters.items())
            if name.startswith("sum.") and counters.get(f"n.{name.removeprefix('sum.')}")
        }
        return cls(
            count=int(counters.get("ratings", 0)),
            mean=round(counters.get("points", 0) / answers, 2) if answers else None,
            low=int(counters.get("low", 0)),
            dimensions=dimensions,
        )


@dataclass(frozen=True)
class Recommended:
    shop_id: str
    sku: str
    name: str
    mean: float
    count: int


class Ratings:
    def __init__(
        self,
        rules: RatingRules,
        catalog: Catalog,
        counters: Counters,
        events: EventPublisher,
        alerts: OperatorAlerts,
        tickets: Callable[[], Tickets],
        locale_for: Callable[[str], str],
        buyer_text: Callable[[], BuyerText],
    ) -> None:
        self.rules = rules
        self._catalog = catalog
        self._counters = counters
        self._events = events
        self._alerts = alerts
        # Built on first use: only a low score needs the help desk and its clients.
        self._tickets = tickets
        self._locale_for = locale_for
        self._buyer_text = buyer_text

    # -- buyers ----------------------------------------------------------------------------------------

    def form(self, order: Order, now: datetime) -> RatingForm:
        """What to ask about this order, in the buyer's language, and whether it may be rated yet."""
        category = self._category(order)
        template = self.rules.categories[category]
        locale = self._locale_for(order.locale)
        return RatingForm(
            order_id=order.order_id,
            sku=order.sku,
            category=category,
            locale=locale,
            title=template.title[locale],
            dimensions=[FormDimension(d.key, d.label[locale], d.required) for d in template.dimensions],
            eligibility=eligibility(order, now, self.rules.eligible_hours_after_delivery),
            rated=self.get(order.order_id) is not None,
        )

    def submit(self, order: Order, scores: Mapping[str, int], comment: str | None, now: datetime) -> Rating:
        gate = eligibility(order, now, self.rules.eligible_hours_after_delivery)
        if not gate.open:
            eligible_at = gate.eligible_at.isoformat() if gate.eligible_at else None
            raise Conflict(gate.message, code=gate.code, details={"eligible_at": eligible_at})
        category = self._category(order)
        self.rules.check_scores(category, scores)
        item = RatingItem(
            order.order_id,
            shop_id=order.shop_id,
            sku=order.sku,
            category=category,
            scores=json.dumps(dict(sorted(scores.items()))),
            # Buyers paste codes into complaints; what is stored and shown to operators never holds one.
            comment=self._buyer_text().mask(comment.strip(), order) if comment and comment.strip() else None,
            locale=order.locale,
            rated_at=now,
        )
        try:
            item.save(condition=RatingItem.order_id.does_not_exist())
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise Conflict("this order has been rated", code="already_rated") from None
            raise
        metrics.add_metric(name="OrdersRated", unit="Count", value=1)
        return Rating.from_item(item)

    def get(self, order_id: str) -> Rating | None:
        try:
            return Rating.from_item(RatingItem.get(order_id, consistent_read=True))
        except RatingItem.DoesNotExist:
            return None

    def _category(self, order: Order) -> str:
        return self.rules.category_for(self._catalog.product(order.shop_id, order.sku).platform)

    # -- the stream consumer ---------------------------------------------------------------------------

    def tally(self, rating: Rating) -> None:
        """Count a new rating once, follow it up, announce it, and keep the product's recommendation current.

        Runs for every stream record, at least once: the marker makes the counting and what precedes it
        happen once, and the recommendation is recomputed from the counters, so a repeat changes nothing.
        """
        marker = (f"RATING#{rating.order_id}", "TALLIED")
        if not self._counters.has_flag(*marker):
            low = self.rules.is_low(rating.scores)
            if low:
                self._follow_up(rating)
            self._events.publish(
                "OrderRated",
                {
                    "order_id": rating.order_id,
                    "shop_id": rating.shop_id,
                    "sku": rating.sku,
                    "scores": rating.scores,
                    "low": low,
                    "rated_at": rating.rated_at.isoformat(),
                    # Stored with key-like codes masked; the complaint analysis reads it.
                    "comment": rating.comment,
                },
            )
            amounts = {
                "ratings": 1,
                "low": int(low),
                "points": sum(rating.scores.values()),
                "answers": len(rating.scores),
                **{f"sum.{dimension}": score for dimension, score in rating.scores.items()},
                **{f"n.{dimension}": 1 for dimension in rating.scores},
            }
            counted = self._counters.add_once(
                marker, {(f"RATINGS#{rating.shop_id}", rating.sku): amounts, (SHOPS_PARTITION, rating.shop_id): amounts}
            )
            logger.info("rating tallied", extra={"order_id": rating.order_id, "low": low, "counted": counted})
        figures = Figures.of(self._counters.get(f"RATINGS#{rating.shop_id}", rating.sku))
        self._place_on_leaderboard(rating.shop_id, rating.sku, figures)

    def _follow_up(self, rating: Rating) -> None:
        """The shop's operators hear of it first; the ticket then puts it in front of a person."""
        scores = ", ".join(f"{dimension} {score}" for dimension, score in rating.scores.items())
        comment = f"\n\nComment: {rating.comment}" if rating.comment else ""
        self._alerts.alert(
            f"Low rating on order {rating.order_id}",
            f"Order {rating.order_id} ({rating.sku}) was rated {scores}.{comment}\n\n"
            "A follow-up ticket is in the help desk queue.",
            shop_id=rating.shop_id,
        )
        follow_up = self.rules.follow_up
        worst = min(rating.scores.values())
        self._tickets().open_once(
            key=f"{rating.order_id}:rating",
            shop_id=rating.shop_id,
            order_id=rating.order_id,
            intent=follow_up.intent,
            severity=follow_up.severity_when_any_score_is_1 if worst == 1 else follow_up.severity,
            source="rating",
            locale=rating.locale,
            summary=f"Low rating ({scores}) on order {rating.order_id}.{comment[:600]}",
        )

    # -- figures -------------------------------------------------------------------------------------------

    def is_recommended(self, figures: Figures) -> bool:
        wanted = self.rules.recommended
        return figures.count >= wanted.min_ratings and figures.mean is not None and figures.mean >= wanted.min_mean

    def product_figures(self, shop_id: str) -> dict[str, Figures]:
        return {sku: Figures.of(c) for sku, c in self._counters.all_under(f"RATINGS#{shop_id}").items()}

    def recommended_skus(self, shop_id: str) -> set[str]:
        return {sku for sku, figures in self.product_figures(shop_id).items() if self.is_recommended(figures)}

    def shop_figures(self) -> dict[str, Figures]:
        """Every shop with a rating, with its figures: one Query of one partition."""
        return {shop: Figures.of(c) for shop, c in self._counters.all_under(SHOPS_PARTITION).items()}

    def recommendations(self, limit: int) -> list[Recommended]:
        """The board's best ``limit`` that buyers can order: a product its shop delisted is passed over (one read of
        the board's products, whichever shops they are in)."""
        board = [Recommended(**entry) for entry in json.loads(self._leaderboard().entries)]
        listed = self._catalog.listed_among((entry.shop_id, entry.sku) for entry in board)
        return [entry for entry in board if (entry.shop_id, entry.sku) in listed][:limit]

    def _leaderboard(self) -> RatingLeaderboardItem:
        try:
            return RatingLeaderboardItem.get(*LEADERBOARD_KEY, consistent_read=True)
        except RatingLeaderboardItem.DoesNotExist:
            return RatingLeaderboardItem(*LEADERBOARD_KEY)

    def _place_on_leaderboard(self, shop_id: str, sku: str, figures: Figures) -> None:
        """Put the product on the board (or off it) by its current figures; a writer that lost a race retries."""
        for _ in range(_LEADERBOARD_ATTEMPTS):
            item = self._leaderboard()
            entries: list[dict[str, Any]] = json.loads(item.entries)
            placed = next((e for e in entries if (e["shop_id"], e["sku"]) == (shop_id, sku)), None)
            # Counts only grow: figures older than the board's (a slower record of the same product) are stale.
            if placed is not None and placed["count"] > figures.count:
                return
            board = [e for e in entries if e is not placed]
            if self.is_recommended(figures):
                assert figures.mean is not None
                entry = Recommended(shop_id, sku, self._product_name(shop_id, sku), figures.mean, figures.count)
                board.append(asdict(entry))
            board.sort(key=lambda e: (-e["mean"], -e["count"], e["shop_id"], e["sku"]))
            board = board[: self.rules.recommended.leaderboard_size]
            if board == entries:
                return
            item.entries = json.dumps(board)
            try:
                item.save()
            except PutError as error:
                if error.cause_response_code != "ConditionalCheckFailedException":
                    raise
                continue
            return
        raise RuntimeError(f"the recommendations leaderboard stayed contended placing {shop_id}/{sku}")

    def _product_name(self, shop_id: str, sku: str) -> str:
        try:
            return self._catalog.product(shop_id, sku).name
        except NotFound:
            return sku
