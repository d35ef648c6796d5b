"""Storefront webhooks through the real handlers against moto, delivered to an HTTP receiver on this machine.

Backoff is checked by moving a clock, not by waiting: the emulator's SQS clock (which releases delayed
messages) and the delivery service's clock advance together.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import moto.sqs.models
import pytest
import stripe

from faka.adapters.tables.webhooks import WebhookSubscriptionItem
from faka.config import get_settings
from faka.sales import fulfilment
from faka.wiring import services
from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import add_product, open_shop, pay, place_order

KEYS = ["WHK1-AAAA-BBBB-0001", "WHK1-AAAA-BBBB-0002"]


class Receiver:
    """A storefront's endpoint: records every request and answers the next scripted status (then 200)."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], str]] = []
        self.script: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.script.pop(0) if receiver.script else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/faka"

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.requests]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = 0.0
        real = moto.sqs.models.unix_time_millis
        monkeypatch.setattr(moto.sqs.models, "unix_time_millis", lambda: real() + self.offset * 1000)

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.offset)

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def clock(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Clock:
    monkeypatch.setenv("FAKA_WEBHOOK_ALLOW_LOOPBACK", "true")
    monkeypatch.setenv("FAKA_WEBHOOK_RETRY_SECONDS", "10")
    monkeypatch.setenv("FAKA_WEBHOOK_MAX_ATTEMPTS", "3")
    get_settings.cache_clear()
    services.cache_clear()
    clock = Clock(monkeypatch)
    services().webhook_deliveries.clock = clock.now
    open_shop(stack)
    add_product(stack, keys=KEYS)
    return clock


def subscribe(stack: Stack, url: str, events: list[str], headers: dict[str, str] = ADMIN) -> dict[str, Any]:
    response = stack.api("POST", "/v1/admin/webhooks", {"url": url, "events": events}, headers)
    assert response.status == 201, response.body
    return dict(response.body)


def sell(stack: Stack) -> str:
    order = place_order(stack)
    assert pay(stack, order["order_id"], order["amount"]).status == 200
    stack.deliver_events()
    return str(order["order_id"])


def deliveries(stack: Stack, webhook_id: str) -> list[dict[str, Any]]:
    response = stack.api("GET", f"/v1/admin/webhooks/{webhook_id}/deliveries", headers=ADMIN)
    assert response.status == 200, response.body
    return list(response.body["deliveries"])


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


@pytest.mark.usefixtures("clock")
def test_a_delivered_order_arrives_once_signed_without_its_key_even_when_the_event_is_consumed_twice(
    stack: Stack, receiver: Receiver
) -> None:
    hook = subscribe(stack, receiver.url, ["order.delivered", "order.paid"])
    assert hook["secret"].startswith("whsec_")

    order_id = sell(stack)

    by_type = {body["type"]: body for body in receiver.bodies()}
    assert sorted(by_type) == ["order.delivered", "order.paid"]
    delivered = by_type["order.delivered"]
    assert delivered["data"]["order_id"] == order_id
    assert set(delivered) == {"id", "type", "created", "data"}
    for headers, body in receiver.requests:
        stripe.WebhookSignature.verify_header(body, headers["x-faka-signature"], hook["secret"], tolerance=300)
        assert headers["x-faka-event-id"] == json.loads(body)["id"]
        assert not any(key in body for key in KEYS)

    # SQS delivers at least once: the same EventBridge event reaches the fan-out again.
    sqs = boto3.client("sqs")
    again = {"id": delivered["id"], "detail-type": "OrderDelivered", "time": "2026-11-30T10:00:00Z"}
    again["detail"] = {**delivered["data"], "shop_id": "main"}
    sqs.send_message(QueueUrl=stack.provisioned.queue_urls["webhook-events"], MessageBody=json.dumps(again))
    stack.deliver_events()

    assert len(receiver.requests) == 2
    assert {d["status"] for d in deliveries(stack, hook["webhook_id"])} == {"delivered"}


@pytest.mark.usefixtures("clock")
def test_an_order_announced_again_under_new_event_ids_reaches_the_subscriber_once_with_one_id(
    stack: Stack, receiver: Receiver, events_match_their_schemas: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = subscribe(stack, receiver.url, ["order.delivered", "order.paid"])
    order = place_order(stack)
    assert pay(stack, order["order_id"], order["amount"], event_id="evt_session_completed").status == 200
    # A second notification the notifier's lag later, before the delivery email went: OrderPaid and OrderDelivered
    # are published again, each under a new EventBridge id.
    monkeypatch.setattr(fulfilment, "ANNOUNCEMENT_LAG", timedelta(0))
    assert pay(stack, order["order_id"], order["amount"], event_id="evt_other_notice").status == 200
    assert events_match_their_schemas.count("OrderDelivered") == 2

    stack.deliver_events()

    assert sorted(body["type"] for body in receiver.bodies()) == ["order.delivered", "order.paid"]
    assert len(deliveries(stack, hook["webhook_id"])) == 2
    # The id names the occurrence: the next order's payment and delivery have ids of their own.
    other = sell(stack)
    ids = {(body["type"], body["data"]["order_id"]) for body in receiver.bodies()}
    assert ids == {(kind, o) for kind in ("order.paid", "order.delivered") for o in (order["order_id"], other)}
    assert len({body["id"] for body in receiver.bodies()}) == 4


def test_a_failing_endpoint_is_retried_with_growing_delays_until_it_answers(
    stack: Stack, receiver: Receiver, clock: Clock
) -> None:
    hook = subscribe(stack, receiver.url, ["order.delivered"])
    receiver.script = [500, 503]

    sell(stack)
    [first] = deliveries(stack, hook["webhook_id"])
    assert (first["status"], first["attempts"], first["response_code"]) == ("pending", 1, 500)
    assert at(first["next_retry_at"]) - at(first["last_attempt_at"]) == timedelta(seconds=10)

    stack.deliver_events()
    clock.advance(9)
    stack.deliver_events()
    assert len(receiver.requests) == 1, "retried before its delay"

    clock.advance(1)
    stack.deliver_events()
    [second] = deliveries(stack, hook["webhook_id"])
    assert (second["attempts"], second["response_code"]) == (2, 503)
    assert at(second["next_retry_at"]) - at(second["last_attempt_at"]) == timedelta(seconds=40)

    clock.advance(39)
    stack.deliver_events()
    assert len(receiver.requests) == 2, "retried before its delay"
    clock.advance(1)
    stack.deliver_events()

    [third] = deliveries(stack, hook["webhook_id"])
    assert (third["status"], third["attempts"], third["response_code"]) == ("delivered", 3, 200)
    assert len(receiver.requests) == 3
    assert len({body for _, body in receiver.requests}) == 1, "every attempt sends the same body"


def test_spent_attempts_dead_letter_the_delivery_and_redrive_or_replay_send_it_again(
    stack: Stack, receiver: Receiver, clock: Clock
) -> None:
    hook = subscribe(stack, receiver.url, ["order.delivered"])
    receiver.script = [500, 500, 500]
    sell(stack)
    for delay in (10, 40):
        clock.advance(delay)
        stack.deliver_events()

    [failed] = deliveries(stack, hook["webhook_id"])
    assert (failed["status"], failed["attempts"], failed["next_retry_at"]) == ("failed", 3, None)
    sqs = boto3.client("sqs")
    dlq = stack.provisioned.dlq_urls["webhook-deliveries"]
    [parked] = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", [])
    assert json.loads(parked["Body"]) == {"delivery_id": failed["delivery_id"], "revive": True}

    # What an SQS redrive (start-message-move-task) does: the message goes back to its source queue.
    sqs.send_message(QueueUrl=stack.provisioned.queue_urls["webhook-deliveries"], MessageBody=parked["Body"])
    sqs.delete_message(QueueUrl=dlq, ReceiptHandle=parked["ReceiptHandle"])
    stack.deliver_events()
    [redriven] = deliveries(stack, hook["webhook_id"])
    assert (redriven["status"], redriven["attempts"]) == ("delivered", 1)
    assert len(receiver.requests) == 4

    replayed = stack.api("POST", f"/v1/admin/webhooks/deliveries/{failed['delivery_id']}/replay", headers=ADMIN)
    assert replayed.status == 202, replayed.body
    stack.deliver_events()
    assert len(receiver.requests) == 5
    assert receiver.requests[-1][0]["x-faka-event-id"] == receiver.requests[0][0]["x-faka-event-id"]


def test_replay_failed_sends_every_failed_delivery_of_the_subscription_again(
    stack: Stack, receiver: Receiver, clock: Clock
) -> None:
    hook = subscribe(stack, receiver.url, ["order.delivered", "order.paid"])
    receiver.script = [500] * 6
    sell(stack)
    for delay in (10, 40):
        clock.advance(delay)
        stack.deliver_events()
    assert {d["status"] for d in deliveries(stack, hook["webhook_id"])} == {"failed"}
    in_progress = stack.api(
        "POST",
        f"/v1/admin/webhooks/deliveries/{deliveries(stack, hook['webhook_id'])[0]['delivery_id']}/replay",
        headers=ADMIN,
    )
    assert in_progress.status == 202

    replayed = stack.api("POST", f"/v1/admin/webhooks/{hook['webhook_id']}/replay-failed", headers=ADMIN)
    assert replayed.status == 202
    assert replayed.body == {"replayed": 1}, "the one replayed before is pending, not failed"
    stack.deliver_events()
    assert {d["status"] for d in deliveries(stack, hook["webhook_id"])} == {"delivered"}


@pytest.mark.usefixtures("clock")
def test_subscriptions_are_validated_listed_without_their_secret_and_stored_sealed(stack: Stack) -> None:
    refused = stack.api(
        "POST", "/v1/admin/webhooks", {"url": "http://shop.example.com/h", "events": ["order.paid"]}, ADMIN
    )
    assert (refused.status, refused.body["code"]) == (400, "invalid_webhook_url")
    metadata = {"url": "https://169.254.169.254/latest", "events": ["order.paid"]}
    assert stack.api("POST", "/v1/admin/webhooks", metadata, ADMIN).body["code"] == "invalid_webhook_url"
    unknown = stack.api(
        "POST", "/v1/admin/webhooks", {"url": "https://shop.example.com/h", "events": ["order.lost"]}, ADMIN
    )
    assert (unknown.status, unknown.body["code"]) == (400, "invalid_request")

    hook = subscribe(stack, "https://shop.example.com/h", ["order.delivered"])
    listed = stack.api("GET", "/v1/admin/webhooks", headers=ADMIN).body["webhooks"]
    assert [h["webhook_id"] for h in listed] == [hook["webhook_id"]]
    assert "secret" not in listed[0]
    stored = WebhookSubscriptionItem.get(f"WEBHOOK#{hook['webhook_id']}", WebhookSubscriptionItem.SK)
    assert hook["secret"] not in json.dumps(stored.attribute_values, default=str)

    assert stack.api("DELETE", f"/v1/admin/webhooks/{hook['webhook_id']}", headers=ADMIN).status == 204
    assert stack.api("GET", "/v1/admin/webhooks", headers=ADMIN).body["webhooks"] == []


def test_another_shops_operator_can_neither_see_nor_delete_a_subscription(
    stack: Stack, receiver: Receiver, clock: Clock
) -> None:
    hook = subscribe(stack, receiver.url, ["order.delivered"])
    sell(stack)
    [delivery] = deliveries(stack, hook["webhook_id"])
    opened = stack.api(
        "POST", "/v1/admin/shops", {"shop_id": "moon", "name": "Moon", "support_email": "m@example.com"}, ADMIN
    )
    moon = {"Authorization": f"Bearer {opened.body['operator_token']}", "X-Faka-Shop": "moon"}

    assert stack.api("GET", "/v1/admin/webhooks", headers=moon).body["webhooks"] == []
    for method, path in (
        ("DELETE", f"/v1/admin/webhooks/{hook['webhook_id']}"),
        ("GET", f"/v1/admin/webhooks/{hook['webhook_id']}/deliveries"),
        ("POST", f"/v1/admin/webhooks/{hook['webhook_id']}/replay-failed"),
    ):
        response = stack.api(method, path, headers=moon)
        assert (response.status, response.body["code"]) == (404, "unknown_webhook"), path
    replay = stack.api("POST", f"/v1/admin/webhooks/deliveries/{delivery['delivery_id']}/replay", headers=moon)
    assert (replay.status, replay.body["code"]) == (404, "unknown_delivery")
    as_main = stack.api("GET", "/v1/admin/webhooks", headers={**moon, "X-Faka-Shop": "main"})
    assert as_main.status == 403

    assert len(stack.api("GET", "/v1/admin/webhooks", headers=ADMIN).body["webhooks"]) == 1
