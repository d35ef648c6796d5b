"""Operators find, page through and export a shop's orders, and list shops, against moto."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from faka import resources
from faka.adapters.tables.orders import OrderItem
from faka.sales.order_search import EXPORT_COLUMNS
from faka.trust.identity import buyer_ref
from faka_local.apigateway import rest_event
from faka_local.event_sources import load_handler
from faka_local.lambda_context import LocalLambdaContext
from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import add_product, open_shop, place_order

START = datetime(2026, 11, 1, tzinfo=UTC)


def _seed(shop_id: str, count: int, *, email: str = "many@example.com", sku: str = "steam-20-us") -> list[str]:
    """``count`` delivered orders a minute apart from START, written to the table directly (fast; not under test)."""
    ids = [f"{shop_id}-{n:04d}" for n in range(count)]
    with OrderItem.batch_write() as batch:
        for n, order_id in enumerate(ids):
            created = START + timedelta(minutes=n)
            batch.save(
                OrderItem(
                    order_id,
                    OrderItem.SK,
                    shop_id=shop_id,
                    sku=sku,
                    quantity=1,
                    amount=2000,
                    currency="usd",
                    email=email,
                    locale="en",
                    status="delivered",
                    access_token_sha256="x",
                    created_at=created,
                    expires_at=created + timedelta(minutes=30),
                    buyer_ref=buyer_ref(email),
                )
            )
    return ids


def _shop_operator(stack: Stack, shop_id: str) -> dict[str, str]:
    shop = {"shop_id": shop_id, "name": shop_id.title(), "support_email": f"help@{shop_id}.example.com"}
    response = stack.api("POST", "/v1/admin/shops", shop, ADMIN)
    assert response.status == 201, response.body
    return {"Authorization": f"Bearer {response.body['operator_token']}", "X-Faka-Shop": shop_id}


def _content_type(path: str) -> str:
    # The REST proxy answer carries its headers in multiValueHeaders, which the Api fixture does not keep.
    result = load_handler(resources.API_FUNCTION)(
        rest_event("GET", path, headers=ADMIN), LocalLambdaContext("faka-api")
    )
    return str(
        {**(result.get("headers") or {}), **{k: v[0] for k, v in (result.get("multiValueHeaders") or {}).items()}}[
            "Content-Type"
        ]
    )


def test_250_orders_paged_100_at_a_time_without_duplicates_or_gaps(stack: Stack) -> None:
    open_shop(stack)
    seeded = _seed("main", 250)
    seen: list[str] = []
    sizes: list[int] = []
    query = "limit=100"
    while True:
        response = stack.api("GET", "/v1/admin/orders", headers=ADMIN, query=query)
        assert response.status == 200, response.body
        sizes.append(len(response.body["orders"]))
        seen += [o["order_id"] for o in response.body["orders"]]
        if not response.body["next_cursor"]:
            break
        query = f"limit=100&cursor={response.body['next_cursor']}"
    assert sizes[:3] == [100, 100, 50]
    assert seen == list(reversed(seeded))  # newest first, each exactly once


def test_filters_by_email_status_sku_and_date(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack, keys=["AAAA-BBBB-CCCC-0001"])
    placed = place_order(stack)
    _seed("main", 5, email="other@example.com", sku="other-sku")

    by_email = stack.api("GET", "/v1/admin/orders", headers=ADMIN, query="email=Buyer@Example.com")
    assert [o["order_id"] for o in by_email.body["orders"]] == [placed["order_id"]]
    assert by_email.body["orders"][0]["email"] != "buyer@example.com"  # masked

    pending = stack.api("GET", "/v1/admin/orders", headers=ADMIN, query="status=pending_payment")
    assert [o["order_id"] for o in pending.body["orders"]] == [placed["order_id"]]
    by_sku = stack.api("GET", "/v1/admin/orders", headers=ADMIN, query="sku=other-sku")
    assert len(by_sku.body["orders"]) == 5
    window = f"from={(START + timedelta(minutes=1)).isoformat()}&to={(START + timedelta(minutes=2)).isoformat()}"
    dated = stack.api("GET", "/v1/admin/orders", headers=ADMIN, query=window.replace("+", "%2B"))
    assert [o["order_id"] for o in dated.body["orders"]] == ["main-0002", "main-0001"]
    whole_day = stack.api("GET", "/v1/admin/orders", headers=ADMIN, query="sku=other-sku&from=2026-11-01&to=2026-11-01")
    assert len(whole_day.body["orders"]) == 5  # a bare "to" date takes in that whole day


def test_a_foreign_or_tampered_cursor_is_refused(stack: Stack) -> None:
    open_shop(stack)
    other = _shop_operator(stack, "other")
    _seed("main", 3)
    _seed("other", 3)
    first = stack.api("GET", "/v1/admin/orders", headers=ADMIN, query="limit=1")
    cursor = first.body["next_cursor"]
    assert cursor

    foreign = stack.api("GET", "/v1/admin/orders", headers=other, query=f"limit=1&cursor={cursor}")
    assert (foreign.status, foreign.body["code"]) == (400, "invalid_cursor")
    other_search = stack.api("GET", "/v1/admin/orders", headers=ADMIN, query=f"sku=x&cursor={cursor}")
    assert (other_search.status, other_search.body["code"]) == (400, "invalid_cursor")
    payload, _, signature = cursor.partition(".")
    tampered = f"{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}.{signature}"
    forged = stack.api("GET", "/v1/admin/orders", headers=ADMIN, query=f"limit=1&cursor={tampered}")
    assert (forged.status, forged.body["code"]) == (400, "invalid_cursor")
    garbage = stack.api("GET", "/v1/admin/orders", headers=ADMIN, query="cursor=%%%")
    assert (garbage.status, garbage.body["code"]) == (400, "invalid_cursor")


def test_bad_filters_and_ranges_are_400_with_the_reason(stack: Stack) -> None:
    open_shop(stack)
    cases = {
        "colour=red": "unknown_filter",
        "status=lost": "invalid_filter",
        "from=yesterday": "invalid_filter",
        "from=2025-01-01&to=2026-06-01": "date_range_too_long",
        "limit=101": "invalid_limit",
        "limit=0": "invalid_limit",
        "limit=%C2%B2": "invalid_limit",  # a superscript two is a digit to str.isdigit, not to int
        "from=0001-01-01": "date_range_too_long",
    }
    for query, code in cases.items():
        response = stack.api("GET", "/v1/admin/orders", headers=ADMIN, query=query)
        assert (response.status, response.body["code"]) == (400, code), query
    export = stack.api("GET", "/v1/admin/orders/export", headers=ADMIN, query="limit=5")
    assert (export.status, export.body["code"]) == (400, "unknown_filter")


def test_a_shop_operator_sees_its_own_shop_only(stack: Stack) -> None:
    open_shop(stack)
    other = _shop_operator(stack, "other")
    _seed("main", 2)
    own = _seed("other", 2)

    listed = stack.api("GET", "/v1/admin/orders", headers=other)
    assert sorted(o["order_id"] for o in listed.body["orders"]) == own
    exported = stack.api("GET", "/v1/admin/orders/export", headers=other)
    assert sorted(row["order_id"] for row in csv.DictReader(io.StringIO(exported.body))) == own
    reaching = stack.api("GET", "/v1/admin/orders", headers={**other, "X-Faka-Shop": "main"})
    assert reaching.status == 403

    assert stack.api("GET", "/v1/admin/shops", headers=other).body == {
        "shops": [{"shop_id": "other", "name": "Other", "support_email": "help@other.example.com"}],
        "next_cursor": None,
    }
    every = stack.api("GET", "/v1/admin/shops", headers=ADMIN).body["shops"]
    assert sorted(s["shop_id"] for s in every) == ["main", "other"]


def test_export_is_csv_with_a_header_and_an_empty_range_gives_only_the_header(stack: Stack) -> None:
    open_shop(stack)
    _seed("main", 3)
    window = f"from={START.date().isoformat()}&to={(START + timedelta(days=1)).date().isoformat()}"
    exported = stack.api("GET", "/v1/admin/orders/export", headers=ADMIN, query=window)
    assert exported.status == 200
    assert _content_type("/v1/admin/orders/export").startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.body)))
    assert rows[0] == list(EXPORT_COLUMNS)
    assert [r[0] for r in rows[1:]] == ["main-0002", "main-0001", "main-0000"]
    assert all(
        "@" not in r[EXPORT_COLUMNS.index("email")] or "***" in r[EXPORT_COLUMNS.index("email")] for r in rows[1:]
    )

    empty = stack.api("GET", "/v1/admin/orders/export", headers=ADMIN, query="from=2020-01-01&to=2020-01-31")
    assert empty.status == 200
    assert empty.body == ",".join(EXPORT_COLUMNS) + "\r\n"
