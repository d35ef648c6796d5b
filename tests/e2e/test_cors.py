"""A storefront on another origin calls faka local from a browser: the preflight and the call both pass CORS."""

from __future__ import annotations

from tests.e2e.conftest import LocalFaka

STOREFRONT = "http://localhost:5173"


def test_a_browser_on_another_origin_may_place_orders_and_read_the_catalog(local_faka: LocalFaka) -> None:
    preflight = local_faka.http.options(
        f"{local_faka.api_url}/v1/orders",
        headers={
            "Origin": STOREFRONT,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,idempotency-key,x-faka-shop",
        },
        timeout=30,
    )
    catalog = local_faka.get("/v1/products", headers={"Origin": STOREFRONT})

    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"].split(",")
    allowed = {name.lower() for name in preflight.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "idempotency-key", "x-faka-shop", "authorization"} <= allowed
    assert (catalog.status_code, catalog.headers["Access-Control-Allow-Origin"]) == (200, "*")
