"""Activation callbacks are signed per supplier, and buyer links with a key no supplier or shop holds."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from faka.adapters.tables.catalog import CallbackSecretItem
from faka.adapters.tables.orders import OrderItem
from faka.payments.stripe_signing import stripe_signature
from faka.platform.callback_secrets import CallbackSecrets
from faka.shared.links import LinkAction, LinkSigner
from faka.wiring import services
from faka_local.seed import seed
from tests.integration.conftest import ADMIN, Response, Stack
from tests.integration.helpers import add_product, open_shop, pay, place_order

SIGNING_SECRET = "test-signing-secret"


def buy_key(stack: Stack, sku: str) -> tuple[str, str]:
    """The order id and the key code of a delivered one-key order of ``sku``."""
    order = place_order(stack, sku=sku)
    assert pay(stack, order["order_id"], order["amount"]).status == 200
    view = stack.api(
        "GET", f"/v1/orders/{order['order_id']}", headers={"Authorization": f"Bearer {order['access_token']}"}
    )
    return order["order_id"], view.body["keys"][0]["code"]


def callback(stack: Stack, code: str, secret: str) -> Response:
    raw = json.dumps({"key": code, "status": "activated", "at": datetime.now(UTC).isoformat()})
    return stack.api("POST", "/v1/activations", raw=raw, headers={"X-Faka-Signature": stripe_signature(raw, secret)})


def issue(stack: Stack, supplier: str | None = None) -> str:
    path = f"/v1/admin/suppliers/{supplier}/secret" if supplier else "/v1/admin/callback-secret"
    response = stack.api("POST", path, headers=ADMIN)
    assert response.status == 201, response.body
    return str(response.body["secret"])


def pending(order_id: str) -> int:
    return int(OrderItem.get(order_id, OrderItem.SK).pending_activation)


@pytest.fixture
def two_suppliers(stack: Stack) -> dict[str, str]:
    """Products of suppliers "acme" and "bolt" in the main shop, each with its own callback secret."""
    open_shop(stack)
    for supplier in ("acme", "bolt"):
        add_product(stack, sku=f"{supplier}-card")
        keys = {
            "batch": f"{supplier}-1",
            "supplier": supplier,
            "keys": [f"{supplier.upper()}-{n:04d}" for n in range(3)],
        }
        assert stack.api("POST", f"/v1/admin/products/{supplier}-card/keys", keys, ADMIN).status == 200
    return {supplier: issue(stack, supplier) for supplier in ("acme", "bolt")}


def forged_link_answers(stack: Stack, order_id: str, secret: str) -> tuple[Response, Response]:
    """A "worked" link for the order signed with ``secret``: its page, then its form posted."""
    forged = urlsplit(LinkSigner(secret, "http://x").link(LinkAction.WORKED, {"o": order_id}))
    return stack.api("GET", forged.path, query=forged.query), stack.api("POST", forged.path, query=forged.query)


def test_the_callback_signing_secret_cannot_sign_a_buyer_link(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack, keys=["LINK-0001-AAAA"])
    order_id, _ = buy_key(stack, "steam-20-us")

    page, acted = forged_link_answers(stack, order_id, SIGNING_SECRET)

    assert (page.status, acted.status) == (400, 400)
    assert pending(order_id) == 1


def test_no_supplier_or_shop_callback_secret_signs_a_buyer_link(stack: Stack, two_suppliers: dict[str, str]) -> None:
    order_id, _ = buy_key(stack, "acme-card")
    for secret in (issue(stack), *two_suppliers.values()):
        page, acted = forged_link_answers(stack, order_id, secret)
        assert (page.status, acted.status) == (400, 400)
        assert "invalid_link" in acted.body
    assert pending(order_id) == 1


def test_a_supplier_cannot_confirm_another_suppliers_key(stack: Stack, two_suppliers: dict[str, str]) -> None:
    bolt_order, bolt_key = buy_key(stack, "bolt-card")

    by_acme = callback(stack, bolt_key, two_suppliers["acme"])
    by_nobody = callback(stack, bolt_key, "not-a-secret")
    by_bolt = callback(stack, bolt_key, two_suppliers["bolt"])

    # The same answer as a wrong signature: no hint that the key exists or whose it is.
    assert (by_acme.status, by_acme.body) == (by_nobody.status, by_nobody.body)
    assert (by_acme.status, by_acme.body["code"]) == (400, "invalid_signature")
    assert (by_bolt.status, by_bolt.body["changed_lines"]) == (200, 1)
    assert pending(bolt_order) == 0


def test_a_rotated_secret_keeps_working_only_for_the_grace_period(stack: Stack, two_suppliers: dict[str, str]) -> None:
    now = [datetime.now(UTC)]
    services().__dict__["callback_secrets"] = CallbackSecrets(
        services().vault, services().catalog, SIGNING_SECRET, grace=timedelta(hours=24), clock=lambda: now[0]
    )
    old = two_suppliers["acme"]
    _, key = buy_key(stack, "acme-card")

    new = issue(stack, "acme")
    now[0] += timedelta(hours=23)
    within_grace = callback(stack, key, old)
    now[0] += timedelta(hours=2)
    after_grace = callback(stack, key, old)
    with_new = callback(stack, key, new)

    assert within_grace.status == 200, within_grace.body
    assert (after_grace.status, after_grace.body["code"]) == (400, "invalid_signature")
    assert with_new.status == 200, with_new.body
    # Before its first secret, a supplier's callbacks were signed with the shop's: that one lapsed as well.
    assert callback(stack, key, SIGNING_SECRET).status == 400


def test_secrets_are_issued_by_the_shops_operators_and_stored_sealed(stack: Stack) -> None:
    open_shop(stack)
    assert stack.api("POST", "/v1/admin/suppliers/acme/secret").status == 401
    assert stack.api("POST", "/v1/admin/suppliers/acme/secret", headers={"Authorization": "Bearer no"}).status == 403

    secret = issue(stack, "acme")

    stored = CallbackSecretItem.get(*CallbackSecretItem.key("main", "acme"))
    assert secret not in json.dumps(stored.to_simple_dict(), default=str)
    assert services().callback_secrets.valid("main", "acme") == [secret, SIGNING_SECRET]


def test_the_seeded_shops_take_callbacks_signed_with_the_signing_secret(stack: Stack) -> None:
    seed(services())
    order_id, key = buy_key(stack, "steam-20-us")

    assert callback(stack, key, SIGNING_SECRET).status == 200
    assert pending(order_id) == 0
