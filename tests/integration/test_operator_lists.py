"""Every operator list pages with signed cursors bound to its shop (products, shops), and the OpenAPI document
describes the operator routes' bodies: typed answers, and the key import's JSON or CSV request."""

from __future__ import annotations

from typing import Any

from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import add_product, open_shop


def every_page(stack: Stack, path: str, headers: dict[str, str], limit: int) -> tuple[list[dict[str, Any]], int]:
    rows: list[dict[str, Any]] = []
    cursor, pages = "", 0
    while True:
        query = f"limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        page = stack.api("GET", path, headers=headers, query=query)
        assert page.status == 200, page.body
        rows += page.body["products" if "products" in page.body else "shops"]
        pages += 1
        if not (cursor := page.body["next_cursor"]):
            return rows, pages


def test_products_come_a_page_at_a_time_and_a_cursor_works_for_its_own_shop_only(stack: Stack) -> None:
    open_shop(stack)
    open_shop(stack, "moon")
    for n in range(7):
        add_product(stack, sku=f"card-{n}")
    moon = {**ADMIN, "X-Faka-Shop": "moon"}

    products, pages = every_page(stack, "/v1/admin/products", ADMIN, 3)

    assert [p["sku"] for p in products] == [f"card-{n}" for n in range(7)]
    assert pages == 3
    cursor = stack.api("GET", "/v1/admin/products", headers=ADMIN, query="limit=3").body["next_cursor"]
    refused = stack.api("GET", "/v1/admin/products", headers=moon, query=f"cursor={cursor}")
    assert refused.status == 400
    assert refused.body["code"] == "invalid_cursor"
    assert stack.api("GET", "/v1/admin/products", headers=ADMIN, query="limit=0").status == 400


def test_the_platform_pages_through_shops(stack: Stack) -> None:
    for shop_id in ("main", "moon", "star", "zeta"):
        open_shop(stack, shop_id)

    shops, pages = every_page(stack, "/v1/admin/shops", ADMIN, 3)

    assert [s["shop_id"] for s in shops] == ["main", "moon", "star", "zeta"]
    assert pages == 2


def test_the_openapi_document_types_the_operator_routes(stack: Stack) -> None:
    document = stack.api("GET", "/v1/openapi.json").body
    paths = document["paths"]

    key_import = paths["/v1/admin/products/{sku}/keys"]["post"]["requestBody"]["content"]
    assert set(key_import) == {"application/json", "text/csv"}
    assert "keys" in key_import["application/json"]["schema"]["properties"]
    for path, method, status in [
        ("/v1/admin/me", "get", "200"),
        ("/v1/admin/orders/{order_id}/resend", "post", "200"),
        ("/v1/admin/alert-channels", "get", "200"),
        ("/v1/admin/alert-channels", "put", "200"),
        ("/v1/admin/tickets", "get", "200"),
        ("/v1/admin/products", "get", "200"),
        ("/v1/admin/shops", "post", "201"),
        ("/v1/admin/products/{sku}/batches/{batch_id}", "put", "200"),
    ]:
        content = paths[path][method]["responses"][status]["content"]["application/json"]
        assert "$ref" in content["schema"], (path, method)
    assert "requestBody" in paths["/v1/admin/alert-channels"]["put"]
    export = paths["/v1/admin/orders/export"]["get"]["responses"]["200"]["content"]
    assert set(export) == {"text/csv", "application/json"}
