"""Batch health, the KPI projection and its report, and complaint suggestions, against moto."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from moto.sns.models import sns_backends

from faka import resources
from faka.adapters.tables.catalog import BatchItem
from faka.adapters.tables.tickets import TicketItem
from faka.payments.stripe_signing import stripe_signature
from faka.wiring import services
from faka_local.lambda_context import LocalLambdaContext
from faka_local.provision import Provisioned
from kpis.handler import lambda_handler
from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import add_product, open_shop, pay, place_order, sent_mail

SIGNING_SECRET = "test-signing-secret"
KEYS = [f"BH{i:04d}-AAAA-BBBB" for i in range(25)]


def buy(stack: Stack, quantity: int, locale: str = "en") -> dict:
    order = place_order(stack, quantity=quantity, locale=locale)
    assert pay(stack, order["order_id"], order["amount"]).body["result"] == "delivered"
    view = stack.api(
        "GET", f"/v1/orders/{order['order_id']}", headers={"Authorization": f"Bearer {order['access_token']}"}
    )
    return {**order, "keys": [k["code"] for k in view.body["keys"]]}


def supplier_says(stack: Stack, code: str, status: str) -> None:
    raw = json.dumps({"key": code, "status": status, "at": datetime.now(UTC).isoformat()})
    response = stack.api(
        "POST", "/v1/activations", raw=raw, headers={"X-Faka-Signature": stripe_signature(raw, SIGNING_SECRET)}
    )
    assert response.status == 200, response.body


def alerts(aws: Provisioned) -> list[str]:
    topic = sns_backends["123456789012"]["us-east-1"].topics[aws.operator_topic_arn]
    return [subject for _, _, subject, _, _ in topic.sent_notifications]


def test_a_batch_past_its_threshold_is_quarantined_once_and_its_buyers_told(
    stack: Stack, events_match_their_schemas: list[str]
) -> None:
    open_shop(stack)
    add_product(stack)
    body = {"batch": "B-17", "supplier": "Acme", "supplier_email": "supplier@example.com", "keys": KEYS}
    assert stack.api("POST", "/v1/admin/products/steam-20-us/keys", body, ADMIN).status == 200
    first, second = buy(stack, 10, locale="zh-CN"), buy(stack, 10)
    # The second buyer redeemed every key: nothing to tell them.
    for code in second["keys"]:
        supplier_says(stack, code, "activated")
    stack.deliver_events()
    assert BatchItem.get(*BatchItem.key("main", "steam-20-us", "B-17")).status == "active"

    # 1 failure in 20 issued keys is 5 %: the defect-rate rule fires; later failures change nothing.
    supplier_says(stack, first["keys"][0], "failed")
    supplier_says(stack, first["keys"][1], "failed")
    stack.deliver_events()

    batch = BatchItem.get(*BatchItem.key("main", "steam-20-us", "B-17"))
    assert (batch.status, batch.quarantine_rule, int(batch.activation_failures), int(batch.activated)) == (
        "suspended",
        "defect_rate",
        2,
        10,
    )
    assert events_match_their_schemas.count("BatchQuarantined") == 1
    assert alerts(stack.provisioned).count("Batch B-17 of steam-20-us quarantined") == 1
    notices = [m for m in sent_mail() if "B-17" in m.subject or "后续处理" in m.subject]
    assert sorted(m.destinations["ToAddresses"][0] for m in notices) == ["buyer@example.com", "supplier@example.com"]
    assert "暂停销售该批次" in next(m.body for m in notices if "后续处理" in m.subject)
    # Suspended keys leave the stock count: only the 5 unsold keys went.
    assert services().catalog.product("main", "steam-20-us").stock == 0

    report = stack.api("GET", "/v1/admin/reports/batches", headers=ADMIN).body["batches"]
    assert report == [
        {
            "sku": "steam-20-us",
            "batch_id": "B-17",
            "supplier": "Acme",
            "status": "suspended",
            "imported": 25,
            "issued": 20,
            "activated": 10,
            "activation_failures": 2,
            "invalid_claims": 0,
            "defect_rate": 0.1,
            "quarantine_rule": "defect_rate",
        }
    ]
    suggestions = stack.api("GET", "/v1/admin/reports/suggestions", headers=ADMIN).body["suggestions"]
    assert suggestions[0]["text"] == (
        "batch B-17 of supplier Acme: 0 invalid-key claims and 2 activation failures in 10 activations "
        "(20 keys sold) — quarantined"
    )


def test_the_summary_sums_the_days_of_a_range_per_product_and_batch(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack, keys=KEYS[:5], batch="B1")
    order = buy(stack, 2)
    supplier_says(stack, order["keys"][0], "activated")
    ticket = {"order_id": order["order_id"], "access_token": order["access_token"], "message": "wrong region!"}
    assert stack.api("POST", "/v1/tickets", ticket).status == 201
    stack.deliver_events()

    today = datetime.now(UTC).date()
    query = f"from={(today - timedelta(days=3)).isoformat()}&to={today.isoformat()}"
    summary = stack.api("GET", "/v1/admin/reports/summary", headers=ADMIN, query=query)
    assert summary.status == 200, summary.body
    overall = summary.body["overall"]
    assert (overall["orders"], overall["revenue"], overall["keys_delivered"], overall["keys_activated"]) == (
        1,
        {"usd": 4000},
        2,
        1,
    )
    assert overall["activation_rate"] == 0.5
    assert overall["tickets_per_100_orders"] == 100.0
    assert overall["mean_delivery_seconds"] is not None
    assert summary.body["products"]["steam-20-us"]["orders"] == 1
    assert summary.body["batches"]["steam-20-us#B1"]["keys_delivered"] == 2

    yesterday = (today - timedelta(days=1)).isoformat()
    empty = stack.api("GET", "/v1/admin/reports/summary", headers=ADMIN, query=f"from={yesterday}&to={yesterday}")
    assert empty.body["overall"]["orders"] == 0
    too_long = f"from={(today - timedelta(days=92)).isoformat()}&to={today.isoformat()}"
    assert stack.api("GET", "/v1/admin/reports/summary", headers=ADMIN, query=too_long).status == 400
    assert stack.api("GET", "/v1/admin/reports/summary", query=query).status == 401


def test_a_redelivered_event_is_counted_once(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack, keys=KEYS[:2])
    order = buy(stack, 1)
    stack.deliver_events()
    paid = {
        "version": "0",
        "id": "evt-kpi-1",
        "detail-type": "OrderPaid",
        "source": resources.EVENT_SOURCE,
        "time": datetime.now(UTC).isoformat(),
        "detail": {
            "order_id": order["order_id"],
            "shop_id": "main",
            "amount": 2000,
            "currency": "usd",
            "payment_ref": "pi_x",
            "paid_at": datetime.now(UTC).isoformat(),
        },
    }
    record = {
        "messageId": "m1",
        "receiptHandle": "r",
        "body": json.dumps(paid),
        "attributes": {},
        "eventSource": "aws:sqs",
    }
    for _ in range(2):
        result = lambda_handler({"Records": [record]}, LocalLambdaContext(resources.KPIS_FUNCTION.physical_name))
        assert result == {"batchItemFailures": []}
    today = datetime.now(UTC).date().isoformat()
    summary = stack.api("GET", "/v1/admin/reports/summary", headers=ADMIN, query=f"from={today}&to={today}")
    # The purchase's own OrderPaid, plus the injected one once.
    assert summary.body["overall"]["orders"] == 2


def test_ticket_complaints_become_a_product_suggestion(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack, keys=KEYS[:3])
    order = buy(stack, 1)
    for message in (
        "This card is the wrong region for my account",
        "wrong region, it says US only",
        "地区不对 wrong region",
    ):
        ticket = {"order_id": order["order_id"], "access_token": order["access_token"], "message": message}
        assert stack.api("POST", "/v1/tickets", ticket).status == 201
    stack.deliver_events()
    assert {t.intent for t in TicketItem.scan()} == {"wrong_region"}
    suggestions = stack.api("GET", "/v1/admin/reports/suggestions", headers=ADMIN).body["suggestions"]
    assert suggestions == [
        {
            "kind": "top_complaint",
            "subject": "steam-20-us",
            "text": "product steam-20-us: 'wrong region' is the top complaint (3 of 3: 3 tickets, 0 reviews) — make "
            "the region clearer in its name and description",
            "evidence": {
                "tickets": 3,
                "reviews": 0,
                "intents": {"wrong_region": 3},
                "top_phrases": [
                    {"phrase": "region", "tickets": 3},
                    {"phrase": "wrong", "tickets": 3},
                    {"phrase": "wrong region", "tickets": 3},
                ],
            },
        }
    ]


def test_tickets_the_system_opened_are_counted_as_tickets_but_never_as_complaints(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack, keys=KEYS[:3])
    order = buy(stack, 1)
    services().tickets.open_once(
        key=f"{order['order_id']}:escalation",
        shop_id="main",
        order_id=order["order_id"],
        intent="activation_help",
        severity=3,
        source="activation_escalation",
        summary=f"Key(s) of order {order['order_id']} not activated 72 h after delivery",
    )
    buyer = {"order_id": order["order_id"], "access_token": order["access_token"], "message": "wrong region, US only"}
    assert stack.api("POST", "/v1/tickets", buyer).status == 201
    stack.deliver_events()

    counted = services().complaints.by_subject("main")["SKU#steam-20-us"]
    assert counted["tickets"] == 1
    assert counted.get("intent:activation_help", 0) == 0
    assert not any(key.startswith("phrase:") and "activated" in key for key in counted)


def test_review_comments_are_read_as_complaints_too(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack, keys=KEYS[:3])
    order = buy(stack, 1)
    for comment in ("卡密失效，兑换不了", "the code was invalid, did not work", "key invalid on redeem"):
        services().kpis.project(
            "OrderRated",
            {
                "order_id": order["order_id"],
                "shop_id": "main",
                "sku": "steam-20-us",
                "scores": {"delivery": 5, "key_quality": 1, "service": 3},
                "low": True,
                "rated_at": datetime.now(UTC).isoformat(),
                "comment": comment,
            },
            datetime.now(UTC).isoformat(),
        )

    [suggestion] = stack.api("GET", "/v1/admin/reports/suggestions", headers=ADMIN).body["suggestions"]

    assert suggestion["subject"] == "steam-20-us"
    assert suggestion["evidence"]["reviews"] == 3
    assert suggestion["evidence"]["intents"] == {"invalid_key": 3}
    assert "'invalid key' is the top complaint (3 of 3: 0 tickets, 3 reviews)" in suggestion["text"]
