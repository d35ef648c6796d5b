"""Shop set-up and payments through the API, shared by the integration tests."""

from __future__ import annotations

import html
import json
import re
import uuid
from urllib.parse import urlsplit

import boto3
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from faka import resources
from faka.catalog.codes import identity_of
from faka.payments.stripe_signing import stripe_signature
from faka.payments.stripe_webhook import checkout_completed_event
from faka_local.event_sources import load_handler
from faka_local.lambda_context import LocalLambdaContext
from tests.integration.conftest import ADMIN, Response, Stack

WEBHOOK_SECRET = "whsec_test_secret"


def open_shop(stack: Stack, shop_id: str = "main") -> None:
    shop = {"shop_id": shop_id, "name": "Demo", "support_email": "help@example.com"}
    response = stack.api("POST", "/v1/admin/shops", shop, ADMIN)
    assert response.status == 201, response.body


def add_product(
    stack: Stack, sku: str = "steam-20-us", keys: list[str] | None = None, price: int = 2000, batch: str = "B1"
) -> None:
    product = {"sku": sku, "name": "Steam $20", "price": price, "currency": "usd", "region": "US", "platform": "steam"}
    assert stack.api("POST", "/v1/admin/products", product, ADMIN).status in (200, 201)
    if keys:
        response = stack.api("POST", f"/v1/admin/products/{sku}/keys", {"batch": batch, "keys": keys}, ADMIN)
        assert response.status == 200, response.body


def place_order(stack: Stack, sku: str = "steam-20-us", quantity: int = 1, locale: str = "en") -> dict:
    order = {"sku": sku, "quantity": quantity, "email": "buyer@example.com", "locale": locale}
    response = stack.api("POST", "/v1/orders", order)
    assert response.status == 201, response.body
    return dict(response.body)


def an_order_waiting_for_stock(stack: Stack) -> dict:
    """An order of the main shop's one product, which has no keys, paid and waiting for stock; its events delivered."""
    open_shop(stack)
    add_product(stack)
    order = place_order(stack)
    assert pay(stack, order["order_id"], 2000).body["result"] == "awaiting_stock"
    stack.deliver_events()
    return order


def payment_event(order_id: str, amount: int, currency: str = "usd", event_id: str | None = None) -> str:
    """A Stripe-format ``checkout.session.completed`` body."""
    return checkout_completed_event(
        event_id=event_id or f"evt_{uuid.uuid4().hex}",
        session_id=f"cs_sandbox_{order_id}",
        order_id=order_id,
        amount=amount,
        currency=currency,
        email="buyer@example.com",
    )


def signed_payment(order_id: str, amount: int, currency: str = "usd", event_id: str | None = None) -> tuple[str, str]:
    """A Stripe-format ``checkout.session.completed`` body and its Stripe-Signature header."""
    body = payment_event(order_id, amount, currency, event_id)
    return body, stripe_signature(body, WEBHOOK_SECRET)


def pay(stack: Stack, order_id: str, amount: int, currency: str = "usd", event_id: str | None = None) -> Response:
    body, signature = signed_payment(order_id, amount, currency, event_id)
    return stack.api("POST", "/v1/webhooks/stripe", raw=body, headers={"Stripe-Signature": signature})


def sent_mail() -> list:
    return list(ses_backends["123456789012"]["us-east-1"].sent_messages)


def where_stored(code: str) -> list[str]:
    """The tables and operator alerts that hold ``code`` in any spelling (case, dashes, spaces): none, for a key."""
    wanted = identity_of(code)
    client = boto3.client("dynamodb")
    holders = [
        table
        for table in client.list_tables()["TableNames"]
        for page in client.get_paginator("scan").paginate(TableName=table)
        if wanted in identity_of(json.dumps(page["Items"], ensure_ascii=False))
    ]
    topics = sns_backends["123456789012"]["us-east-1"].topics.values()
    alerts = [notification for topic in topics for notification in topic.sent_notifications]
    return holders + (["operator alerts"] if wanted in identity_of(json.dumps(alerts, ensure_ascii=False)) else [])


def mailed_link(to: str, page: str = "confirm") -> tuple[str, str]:
    """Path and query of the first link to a ``page`` (``confirm``, ``csat``) in the last such email to ``to``."""
    [mail, *_] = [m for m in reversed(sent_mail()) if m.destinations["ToAddresses"] == [to] and f"/{page}?" in m.body]
    found = re.search(rf'href="(https?://[^"]+/{page}\?[^"]+)"', mail.body)
    assert found, mail.body
    url = urlsplit(html.unescape(found.group(1)))
    return url.path, url.query


def run_reconcile_schedule() -> dict:
    """One firing of the reconciliation schedule: its function invoked with the scheduler's event, as on AWS."""
    handler = load_handler(resources.RECONCILE_FUNCTION)
    context = LocalLambdaContext(resources.RECONCILE_FUNCTION.physical_name)
    return dict(handler({"source": "aws.scheduler", "detail": {}}, context))
