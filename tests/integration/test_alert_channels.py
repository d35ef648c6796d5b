"""Operator alerts reach the shop's IM channels and email through the outbound webhook machinery, against moto.

Each provider's request is received by an HTTP sink on this machine and checked against the provider's documented
format: the JSON body, and for DingTalk and Feishu the signature, recomputed here from the secret.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from faka.adapters.tables.webhooks import WebhookDeliveryItem
from faka.config import get_settings
from faka.platform.alert_channels import AlertKind
from faka.wiring import services
from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import open_shop

BOT_TOKEN = "123456:AAbot-token"
DINGTALK_SECRET = "SECdingtalk-signing-secret"
FEISHU_SECRET = "feishu-signing-secret"


class Sink:
    """Every request as (path with query, headers, JSON body); answers the next scripted status (and JSON body),
    then 200 with the JSON body ``replies`` holds for the path's prefix. Under /dingtalk it answers as DingTalk
    does otherwise: a 200 that says whether the signature matched."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        self.script: list[int] = []
        self.replies: dict[str, dict[str, Any]] = {}
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                sink.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, json.loads(body)))
                status, answer = sink.answer(self.path)
                payload = json.dumps(answer).encode() if answer is not None else b""
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def to(self, prefix: str) -> list[tuple[str, dict[str, str], dict[str, Any]]]:
        return [request for request in self.requests if request[0].startswith(prefix)]

    def answer(self, path: str) -> tuple[int, dict[str, Any] | None]:
        if self.script:
            return self.script.pop(0), None
        for prefix, reply in self.replies.items():
            if path.startswith(prefix):
                return 200, reply
        if path.startswith("/dingtalk"):
            query = parse_qs(urlsplit(path).query)
            timestamp = query["timestamp"][0]
            digest = hmac.new(DINGTALK_SECRET.encode(), f"{timestamp}\n{DINGTALK_SECRET}".encode(), hashlib.sha256)
            if query["sign"] != [base64.b64encode(digest.digest()).decode()]:
                return 200, {"errcode": 310000, "errmsg": "sign not match"}
            return 200, {"errcode": 0, "errmsg": "ok"}
        return 200, None


@pytest.fixture
def sink(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sink]:
    sink = Sink()
    thread = threading.Thread(target=sink.server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("FAKA_WEBHOOK_ALLOW_LOOPBACK", "true")
    monkeypatch.setenv("FAKA_TELEGRAM_API_URL", f"{sink.base}/telegram")
    get_settings.cache_clear()
    services.cache_clear()
    open_shop(stack)
    yield sink
    sink.server.shutdown()
    sink.server.server_close()


def channels(sink: Sink) -> list[dict[str, Any]]:
    return [
        {"kind": "telegram", "target": "-1001234567", "secret": BOT_TOKEN},
        {"kind": "wecom", "target": f"{sink.base}/wecom/cgi-bin/webhook/send?key=robot-key"},
        {"kind": "dingtalk", "target": f"{sink.base}/dingtalk/robot/send?access_token=tok", "secret": DINGTALK_SECRET},
        {"kind": "feishu", "target": f"{sink.base}/feishu/open-apis/bot/v2/hook/abc", "secret": FEISHU_SECRET},
        {"kind": "email", "target": "ops@example.com", "alerts": ["low_rating", "sla_breach"]},
    ]


def configure(stack: Stack, body: dict[str, Any], headers: dict[str, str] = ADMIN) -> Any:
    response = stack.api("PUT", "/v1/admin/alert-channels", body, headers)
    assert response.status == 200, response.body
    return response.body


def sent_emails() -> list[Any]:
    return list(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)


def test_channels_are_saved_without_ever_showing_a_secret_and_keep_it_when_listed_again(
    stack: Stack, sink: Sink
) -> None:
    saved = configure(stack, {"channels": channels(sink)})

    assert [c["kind"] for c in saved["channels"]] == ["telegram", "wecom", "dingtalk", "feishu", "email"]
    assert {c["kind"]: c["has_secret"] for c in saved["channels"]}["telegram"] is True
    assert "low_rating" in saved["alert_kinds"]
    listed = stack.api("GET", "/v1/admin/alert-channels", headers=ADMIN)
    text = json.dumps(listed.body)
    assert BOT_TOKEN not in text
    assert DINGTALK_SECRET not in text
    assert FEISHU_SECRET not in text
    assert listed.body == saved

    # The console sends the list back without secrets: each channel keeps its own, and its id.
    again = [{k: v for k, v in c.items() if k != "secret"} for c in channels(sink)]
    kept = configure(stack, {"channels": again[:2]})
    assert [c["channel_id"] for c in kept["channels"]] == [c["channel_id"] for c in saved["channels"][:2]]
    assert kept["channels"][0]["has_secret"] is True


@pytest.mark.parametrize(
    ("channel", "reason"),
    [
        ({"kind": "telegram", "target": "-100123"}, "needs its secret"),
        ({"kind": "wecom", "target": "https://qyapi.weixin.qq.com/x", "secret": "s"}, "takes no secret"),
        ({"kind": "dingtalk", "target": "https://10.0.0.8/robot/send"}, "private"),
        ({"kind": "feishu", "target": "https://open.feishu.cn.internal/hook"}, "internal host"),
        ({"kind": "email", "target": "not-an-address"}, "not an email address"),
        ({"kind": "telegram", "target": "chat; drop", "secret": "t"}, "chat id"),
        ({"kind": "sms", "target": "+8613800000000"}, "does not match"),
    ],
)
def test_a_channel_that_cannot_work_is_400_with_the_reason(
    stack: Stack, sink: Sink, channel: dict[str, Any], reason: str
) -> None:
    response = stack.api("PUT", "/v1/admin/alert-channels", {"channels": [channel]}, ADMIN)

    assert response.status == 400, response.body
    assert reason in json.dumps(response.body)


def test_a_shop_sees_and_alerts_only_its_own_channels(stack: Stack, sink: Sink) -> None:
    configure(stack, {"channels": channels(sink)[1:2]})
    opened = stack.api("POST", "/v1/admin/shops", {"shop_id": "other", "name": "O", "support_email": "o@x.io"}, ADMIN)
    other = {"Authorization": f"Bearer {opened.body['operator_token']}", "X-Faka-Shop": "other"}

    assert stack.api("GET", "/v1/admin/alert-channels", headers=other).body["channels"] == []
    assert stack.api("GET", "/v1/admin/alert-channels", headers={**other, "X-Faka-Shop": "main"}).status == 403
    services().operator_alerts.alert("Other shop", "text", shop_id="other", kind=AlertKind.LOW_RATING)
    stack.deliver_events()
    assert sink.requests == []


def test_an_alert_reaches_each_channel_in_its_providers_format_and_signature(stack: Stack, sink: Sink) -> None:
    configure(stack, {"channels": channels(sink)})
    before = datetime.now(UTC)

    services().operator_alerts.of_kind(AlertKind.LOW_RATING).alert(
        "Low rating on order O-1", "Order O-1 was rated delivery 1.", shop_id="main"
    )
    stack.deliver_events()
    text = "Low rating on order O-1\n\nOrder O-1 was rated delivery 1."

    ((path, headers, body),) = sink.to("/telegram")
    assert path == f"/telegram/bot{BOT_TOKEN}/sendMessage"
    assert body == {"chat_id": "-1001234567", "text": text, "disable_web_page_preview": True}
    assert headers["content-type"].startswith("application/json")

    ((path, _, body),) = sink.to("/wecom")
    assert path == "/wecom/cgi-bin/webhook/send?key=robot-key"
    assert body == {"msgtype": "text", "text": {"content": text}}

    ((path, _, body),) = sink.to("/dingtalk")
    assert body == {"msgtype": "text", "text": {"content": text}}
    query = parse_qs(urlsplit(path).query)
    assert query["access_token"] == ["tok"]
    timestamp = query["timestamp"][0]
    assert int(timestamp) >= int(before.timestamp() * 1000) - 1000
    signed = hmac.new(DINGTALK_SECRET.encode(), f"{timestamp}\n{DINGTALK_SECRET}".encode(), hashlib.sha256).digest()
    # parse_qs reads an unencoded "+" as a space: equal only if the signature was URL-encoded.
    assert query["sign"] == [base64.b64encode(signed).decode()]

    ((path, _, body),) = sink.to("/feishu")
    assert path == "/feishu/open-apis/bot/v2/hook/abc"
    assert body["msg_type"] == "text"
    assert body["content"] == {"text": text}
    expected = hmac.new(f"{body['timestamp']}\n{FEISHU_SECRET}".encode(), b"", hashlib.sha256).digest()
    assert body["sign"] == base64.b64encode(expected).decode()
    assert abs(int(body["timestamp"]) - before.timestamp()) < 60

    (email,) = sent_emails()
    assert email.destinations["ToAddresses"] == ["ops@example.com"]
    assert email.subject == "Low rating on order O-1"


def test_a_channel_gets_only_the_kinds_it_chose(stack: Stack, sink: Sink) -> None:
    configure(stack, {"channels": [*channels(sink)[4:], {**channels(sink)[1], "alerts": ["held_order"]}]})

    services().operator_alerts.alert("Chargeback on order O-2", "details", shop_id="main", kind=AlertKind.CHARGEBACK)
    stack.deliver_events()

    assert sink.requests == []
    assert sent_emails() == []


def test_a_failing_endpoint_is_retried_then_delivered_without_blocking_the_alert(stack: Stack, sink: Sink) -> None:
    configure(stack, {"channels": channels(sink)[1:2]})
    sink.script = [502]

    services().operator_alerts.alert("Held", "order held", shop_id="main", kind=AlertKind.HELD_ORDER)
    # Raising the alert only queued the delivery: nothing was sent yet.
    assert sink.requests == []
    stack.deliver_events()
    (delivery,) = [i for i in WebhookDeliveryItem.scan() if i.event_type == "alert.held_order"]
    assert delivery.status == "pending"
    assert delivery.last_status_code == 502
    assert len(sink.to("/wecom")) == 1

    retried = services().webhook_deliveries
    due = delivery.next_attempt_at
    assert due is not None
    retried.clock = lambda: due
    retried.attempt(delivery.pk.removeprefix("DELIVERY#"))

    assert len(sink.to("/wecom")) == 2
    assert WebhookDeliveryItem.get(delivery.pk, delivery.sk).status == "delivered"


def test_an_alert_still_reaches_the_topic_when_the_channels_cannot_be_queued(
    stack: Stack, sink: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(stack, {"channels": channels(sink)[1:2]})
    deliveries = services().webhook_deliveries

    def broken(*args: Any) -> bool:
        raise RuntimeError("queue unavailable")

    monkeypatch.setattr(deliveries, "deliver", broken)

    services().operator_alerts.alert("Held", "order held", shop_id="main", kind=AlertKind.HELD_ORDER)

    topic = stack.provisioned.operator_topic_arn
    (notification,) = sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].topics[topic].sent_notifications
    assert notification[2] == "Held"
    assert notification[3]["kind"]["Value"] == "held_order"


def identity(moment: datetime) -> datetime:
    return moment


def spend_attempts() -> dict[str, WebhookDeliveryItem]:
    """Attempt every pending delivery when it is due until none is pending; the deliveries by channel kind."""
    deliveries = services().webhook_deliveries
    for _ in range(get_settings().webhook_max_attempts):
        pending = [item for item in WebhookDeliveryItem.scan() if item.status == "pending"]
        if not pending:
            break
        for item in pending:
            due = item.next_attempt_at
            assert due is not None
            deliveries.clock = functools.partial(identity, due)
            deliveries.attempt(item.pk.removeprefix("DELIVERY#"))
    kinds = {c.channel_id: c.kind.value for c in services().alert_channels.of_shop("main")}
    return {kinds[item.subscription_id]: item for item in WebhookDeliveryItem.scan()}


def shown(delivery: WebhookDeliveryItem) -> dict[str, Any]:
    """The delivery as the operator-alerts view shows it, with the alert's other channels."""
    alert_id = json.loads(delivery.payload)["alert_id"]
    return {d["target"]: d for d in services().alert_channels.deliveries_of("main", alert_id)}


REFUSALS: dict[str, tuple[dict[str, Any], str]] = {
    "telegram": (
        {"ok": False, "error_code": 403, "description": "Forbidden: bot was kicked from the group chat"},
        "Telegram refused it: 403 Forbidden: bot was kicked",
    ),
    "wecom": ({"errcode": 93000, "errmsg": "invalid webhook url"}, "WeCom refused it: errcode 93000"),
    "feishu": (
        {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"},
        "Feishu/Lark refused it: code 19021",
    ),
}


@pytest.mark.parametrize("kind", sorted(REFUSALS))
def test_a_200_in_which_the_provider_refuses_is_retried_then_dead_lettered_and_shown_failed(
    stack: Stack, sink: Sink, kind: str
) -> None:
    configure(stack, {"channels": [c for c in channels(sink) if c["kind"] == kind]})
    refusal, reason = REFUSALS[kind]
    attempts = get_settings().webhook_max_attempts
    sink.replies = {f"/{kind}": refusal}

    services().operator_alerts.alert("Held", "order held", shop_id="main", kind=AlertKind.HELD_ORDER)
    stack.deliver_events()
    delivery = spend_attempts()[kind]

    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", attempts, 200)
    assert delivery.last_error is not None
    assert delivery.last_error.startswith(reason)
    assert len(sink.requests) == attempts
    ((_, view),) = shown(delivery).items()
    assert (view["status"], view["last_error"]) == ("failed", delivery.last_error)
    sqs = boto3.client("sqs")
    dlq = stack.provisioned.dlq_urls["webhook-deliveries"]
    parked = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", [])
    assert [json.loads(m["Body"])["delivery_id"] for m in parked] == [delivery.pk.removeprefix("DELIVERY#")]


def test_a_200_in_which_the_provider_accepts_is_delivered(stack: Stack, sink: Sink) -> None:
    configure(stack, {"channels": [c for c in channels(sink) if c["kind"] in REFUSALS]})
    sink.replies = {
        "/telegram": {"ok": True, "result": {"message_id": 7}},
        "/wecom": {"errcode": 0, "errmsg": "ok"},
        "/feishu": {"code": 0, "msg": "success", "data": {}},
    }

    services().operator_alerts.alert("Held", "order held", shop_id="main", kind=AlertKind.HELD_ORDER)
    stack.deliver_events()

    assert {kind: d.status for kind, d in spend_attempts().items()} == dict.fromkeys(REFUSALS, "delivered")


def test_a_wrong_dingtalk_secret_shows_failed_not_delivered(stack: Stack, sink: Sink) -> None:
    right = next(c for c in channels(sink) if c["kind"] == "dingtalk")
    wrong = {**right, "target": f"{sink.base}/dingtalk/robot/send?access_token=other", "secret": "SECnot-the-robots"}
    configure(stack, {"channels": [right, wrong]})

    services().operator_alerts.alert("Held", "order held", shop_id="main", kind=AlertKind.HELD_ORDER)
    stack.deliver_events()
    spend_attempts()

    views = shown(next(iter(WebhookDeliveryItem.scan())))
    assert views[right["target"]]["status"] == "delivered"
    assert views[wrong["target"]]["status"] == "failed"
    assert views[wrong["target"]]["last_error"] == "DingTalk refused it: errcode 310000 sign not match"
