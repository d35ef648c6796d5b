"""Against ``faka local``: a client generated from the OpenAPI document it serves lists, orders, pays and reads the
delivered key, as an integrator's code would."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import LocalFaka
from tests.generated_client import GeneratedApi, generate_client

pytestmark = pytest.mark.e2e

DELIVERY_SECONDS = 30


def _delivered(api: GeneratedApi, order: Any) -> Any:
    deadline = time.monotonic() + DELIVERY_SECONDS
    while (view := api.order_view(order)).status != "delivered" and time.monotonic() < deadline:
        time.sleep(0.2)
    return view


def test_a_client_generated_from_the_served_document_buys_a_key(local_faka: LocalFaka, tmp_path: Path) -> None:
    document = local_faka.get("/v1/openapi.json").json()
    api = GeneratedApi(generate_client(document, tmp_path), local_faka.api_url)

    order = api.place_order("steam-20-us", "generated-client@example.com")
    # The sandbox's payment page, as the buyer's browser would post it (no operation of the API: faka local only).
    paid = api.client().get_httpx_client().post(f"/_local/pay/{order.order_id}")
    view = _delivered(api, order)

    assert paid.status_code == 200, paid.text
    assert view.status == "delivered"
    assert [bool(key.code) for key in view.keys] == [True]
