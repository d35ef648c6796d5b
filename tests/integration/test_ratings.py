"""Ratings against moto: who may rate what and when, the stream consumer's figures, follow-ups and recommendations."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto.sns.models import sns_backends

from faka import resources
from faka.adapters.tables.orders import OrderItem
from faka.adapters.tables.tickets import TicketItem
from faka.insight.ratings import Ratings
from faka.wiring import services
from faka_local.event_sources import StreamConsumer
from faka_local.provision import Provisioned
from tests.integration.conftest import ADMIN, Response, Stack
from tests.integration.helpers import add_product, open_shop, pay, place_order, where_stored

GOOD = {"delivery": 5, "key_quality": 5, "service": 5}


@pytest.fixture
def ratings_stream(aws: Provisioned) -> StreamConsumer:
    return StreamConsumer(boto3.Session(), resources.RATINGS_STREAM, aws.stream_dlq_urls[resources.RATINGS_STREAM.name])


@pytest.fixture
def shop(stack: Stack) -> Stack:
    open_shop(stack)
    add_product(stack, keys=[f"RATE-{n:04d}-KEY" for n in range(12)])
    return stack


def bearer(order: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {order['access_token']}"}


def delivered_order(stack: Stack, locale: str = "en") -> dict:
    order = place_order(stack, locale=locale)
    assert pay(stack, order["order_id"], order["amount"]).body["result"] == "delivered"
    return order


def activated_order(stack: Stack) -> dict:
    order = delivered_order(stack)
    response = stack.api("POST", f"/v1/admin/orders/{order['order_id']}/activation", {"status": "activated"}, ADMIN)
    assert response.status == 200, response.body
    return order


def rate(stack: Stack, order: dict, scores: dict, comment: str | None = None) -> Response:
    body: dict = {"scores": scores} if comment is None else {"scores": scores, "comment": comment}
    return stack.api("POST", f"/v1/orders/{order['order_id']}/rating", body, bearer(order))


def operator_alerts() -> list[tuple[str, str]]:
    topics = sns_backends["123456789012"]["us-east-1"].topics.values()
    return [
        (subject, attributes["shop_id"]["Value"])
        for topic in topics
        if topic.name == resources.OPERATOR_TOPIC
        for _, _, subject, attributes, _ in topic.sent_notifications
    ]


def test_the_form_asks_the_categorys_dimensions_in_the_buyers_language(shop: Stack) -> None:
    order = delivered_order(shop, locale="zh-CN")

    form = shop.api("GET", f"/v1/orders/{order['order_id']}/rating-form", headers=bearer(order))

    assert form.status == 200, form.body
    assert (form.body["category"], form.body["locale"]) == ("game_card", "zh-CN")
    assert [(d["key"], d["label"], d["required"]) for d in form.body["dimensions"]] == [
        ("delivery", "发货速度", True),
        ("key_quality", "卡密质量", True),
        ("service", "服务态度", True),
        ("region_fit", "与账号地区相符", False),
    ]
    assert (form.body["eligible"], form.body["reason"]) == (False, "rating_not_open")


def test_a_delivered_order_opens_for_rating_when_a_key_is_activated(shop: Stack) -> None:
    order = delivered_order(shop)
    delivered_at = OrderItem.get(order["order_id"], OrderItem.SK).delivered_at

    early = rate(shop, order, GOOD)
    assert (early.status, early.body["code"]) == (409, "rating_not_open")
    assert early.body["details"]["eligible_at"] == (delivered_at + timedelta(hours=72)).isoformat()

    shop.api("POST", f"/v1/admin/orders/{order['order_id']}/activation", {"status": "activated"}, ADMIN)
    accepted = rate(shop, order, {**GOOD, "region_fit": 4})

    assert accepted.status == 201, accepted.body
    assert accepted.body["scores"] == {"delivery": 5, "key_quality": 5, "region_fit": 4, "service": 5}
    assert accepted.body["low"] is False


def test_an_order_delivered_72_hours_ago_can_be_rated_without_activation(shop: Stack) -> None:
    order = delivered_order(shop)
    item = OrderItem.get(order["order_id"], OrderItem.SK)
    item.update(actions=[OrderItem.delivered_at.set(datetime.now(UTC) - timedelta(hours=72, minutes=1))])

    assert rate(shop, order, GOOD).status == 201


def test_one_rating_per_order(shop: Stack) -> None:
    order = activated_order(shop)
    assert rate(shop, order, GOOD).status == 201

    again = rate(shop, order, GOOD)

    assert (again.status, again.body["code"]) == (409, "already_rated")
    form = shop.api("GET", f"/v1/orders/{order['order_id']}/rating-form", headers=bearer(order)).body
    assert (form["rated"], form["eligible"], form["reason"]) == (True, False, "already_rated")


def test_scores_must_answer_exactly_the_template(shop: Stack) -> None:
    order = activated_order(shop)

    unknown = rate(shop, order, {**GOOD, "value": 3})  # a gift-card dimension, not a game card's
    missing = rate(shop, order, {"delivery": 5, "key_quality": 5})
    out_of_range = rate(shop, order, {**GOOD, "service": 6})

    assert (unknown.status, unknown.body["code"], unknown.body["details"]["unknown"]) == (
        400,
        "unknown_dimension",
        ["value"],
    )
    assert (missing.status, missing.body["code"], missing.body["details"]["missing"]) == (
        400,
        "missing_dimension",
        ["service"],
    )
    assert (out_of_range.status, out_of_range.body["code"]) == (400, "invalid_request")
    assert rate(shop, order, GOOD).status == 201


def test_unpaid_and_refunded_orders_cannot_be_rated(shop: Stack) -> None:
    unpaid = place_order(shop)
    refunded = activated_order(shop)
    OrderItem.get(refunded["order_id"], OrderItem.SK).update(actions=[OrderItem.status.set("refunded")])

    assert rate(shop, unpaid, GOOD).body["code"] == "not_paid"
    answer = rate(shop, refunded, GOOD)
    assert (answer.status, answer.body["code"]) == (409, "refunded")


def test_another_buyers_order_or_a_wrong_token_looks_missing(shop: Stack) -> None:
    mine, theirs = activated_order(shop), activated_order(shop)

    with_my_token = shop.api("POST", f"/v1/orders/{theirs['order_id']}/rating", {"scores": GOOD}, bearer(mine))
    no_token = shop.api("POST", f"/v1/orders/{theirs['order_id']}/rating", {"scores": GOOD})
    form = shop.api("GET", f"/v1/orders/{theirs['order_id']}/rating-form", headers=bearer(mine))

    assert [r.status for r in (with_my_token, no_token, form)] == [404, 404, 404]
    assert with_my_token.body["code"] == "unknown_order"


def test_the_stream_keeps_product_and_shop_figures_once_per_rating(
    shop: Stack, ratings_stream: StreamConsumer, events_match_their_schemas: list[str]
) -> None:
    first, second = activated_order(shop), activated_order(shop)
    rate(shop, first, {"delivery": 5, "key_quality": 4, "service": 3})
    rate(shop, second, {"delivery": 3, "key_quality": 4, "service": 5, "region_fit": 4})

    assert ratings_stream.drain() == 2
    replay = StreamConsumer(boto3.Session(), resources.RATINGS_STREAM, "")  # reads the stream from the start again
    assert replay.drain() == 2

    ratings = services().ratings
    figures = ratings.product_figures("main")["steam-20-us"]
    assert (figures.count, figures.low, figures.mean) == (2, 0, 4.0)
    assert figures.dimensions == {"delivery": 4.0, "key_quality": 4.0, "region_fit": 4.0, "service": 4.0}
    assert ratings.shop_figures()["main"].count == 2
    assert events_match_their_schemas.count("OrderRated") == 2


def test_a_low_score_alerts_the_shop_then_opens_a_queued_ticket(shop: Stack, ratings_stream: StreamConsumer) -> None:
    order = activated_order(shop)
    accepted = rate(shop, order, {"delivery": 5, "key_quality": 1, "service": 4}, comment="key RATE-0000-KEY failed")

    assert accepted.body["low"] is True
    ratings_stream.drain()

    assert operator_alerts()[-1] == (f"Low rating on order {order['order_id']}", "main")
    [ticket] = [t for t in TicketItem.scan() if t.source == "rating"]
    assert (ticket.order_id, ticket.severity, ticket.shop_id) == (order["order_id"], 4, "main")
    assert ticket.queue_key is not None  # waiting for a person
    assert "RATE-0000-KEY" not in ticket.summary
    assert services().ratings.product_figures("main")["steam-20-us"].low == 1


def test_a_record_that_keeps_failing_ends_in_the_streams_dead_letter_queue(
    shop: Stack, aws: Provisioned, ratings_stream: StreamConsumer, monkeypatch: pytest.MonkeyPatch
) -> None:
    poison, fine = activated_order(shop), activated_order(shop)
    rate(shop, poison, GOOD)
    rate(shop, fine, GOOD)
    tally = Ratings.tally

    def failing_tally(self: Ratings, rating: object) -> None:
        if getattr(rating, "order_id", None) == poison["order_id"]:
            raise RuntimeError("injected fault")
        tally(self, rating)  # type: ignore[arg-type]

    monkeypatch.setattr(Ratings, "tally", failing_tally)
    ratings_stream.drain()

    dlq = boto3.client("sqs").receive_message(QueueUrl=aws.stream_dlq_urls[resources.RATINGS_STREAM.name])
    [failure] = [json.loads(m["Body"]) for m in dlq["Messages"]]
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert services().ratings.product_figures("main")["steam-20-us"].count == 1


def test_well_rated_products_are_recommended_across_the_platform(shop: Stack, ratings_stream: StreamConsumer) -> None:
    add_product(shop, sku="psn-10-us", keys=["PSN-0001-KEY"])
    orders = [activated_order(shop) for _ in range(10)]
    for order in orders[:9]:
        rate(shop, order, GOOD)
    ratings_stream.drain()
    assert not recommended_in_products(shop)
    assert shop.api("GET", "/v1/recommendations").body == {"recommendations": []}

    rate(shop, orders[9], {"delivery": 4, "key_quality": 5, "service": 4})
    ratings_stream.drain()

    assert recommended_in_products(shop) == {"steam-20-us"}
    [entry] = shop.api("GET", "/v1/recommendations").body["recommendations"]
    assert entry == {"shop_id": "main", "sku": "steam-20-us", "name": "Steam $20", "mean": 4.93, "count": 10}


def test_the_platform_operator_sees_each_shops_rating_figures(shop: Stack, ratings_stream: StreamConsumer) -> None:
    rate(shop, activated_order(shop), {"delivery": 2, "key_quality": 5, "service": 5})
    ratings_stream.drain()
    token = shop.api(
        "POST", "/v1/admin/shops", {"shop_id": "moon", "name": "Moon", "support_email": "m@example.com"}, ADMIN
    )

    view = shop.api("GET", "/v1/admin/platform/shops", headers=ADMIN)
    as_shop = shop.api(
        "GET",
        "/v1/admin/platform/shops",
        headers={"Authorization": f"Bearer {token.body['operator_token']}", "X-Faka-Shop": "moon"},
    )

    assert view.status == 200, view.body
    [main] = view.body["shops"]
    assert (main["shop_id"], main["ratings"]["count"], main["ratings"]["low"]) == ("main", 1, 1)
    assert main["ratings"]["dimensions"] == {"delivery": 2.0, "key_quality": 5.0, "service": 5.0}
    assert main["tickets"]["opened"] == 1  # the low score's follow-up
    assert as_shop.status == 403


def recommended_in_products(stack: Stack) -> set[str]:
    return {p["sku"] for p in stack.api("GET", "/v1/products").body["products"] if p["recommended"]}


def test_a_key_quoted_in_a_rating_comment_is_masked_in_the_alert_the_ticket_and_the_tables(
    stack: Stack, ratings_stream: StreamConsumer
) -> None:
    open_shop(stack)
    # A code no pattern can tell from a number: only the shop's own keys make it secret.
    add_product(stack, keys=["4410 9921 3307"])
    order = activated_order(stack)
    comment = "code 441099213307 was already used when it arrived"

    assert rate(stack, order, {"delivery": 1, "key_quality": 1, "service": 1}, comment=comment).status == 201
    ratings_stream.drain()

    [ticket] = [t for t in TicketItem.scan() if t.source == "rating"]
    assert "3307" in ticket.summary
    assert where_stored("4410 9921 3307") == []
