"""Operator alerts reach the shop's IM channels and email through the outbound webhook machinery, against moto.

Each provider's request is received by an HTTP sink on this machine and checked against the provider's documented
format: the JSON body, and for DingTalk and Feishu the signature, recomputed here from the secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from faka.adapters.tables import WebhookDeliveryItem
from faka.config import get_settings
from faka.platform.alert_channels import AlertKind
from faka.wiring import services
from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import open_shop

BOT_TOKEN = "123456:AAbot-token"
DINGTALK_SECRET = "SECdingtalk-signing-secret"
FEISHU_SECRET = "feishu-signing-secret"


class Sink:
    """Every request as (path with query, headers, JSON body); answers the next scripted status, then 200."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        self.script: list[int] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                sink.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, json.loads(body)))
                self.send_response(sink.script.pop(0) if sink.script else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def to(self, prefix: str) -> list[tuple[str, dict[str, str], dict[str, Any]]]:
        return [request for request in self.requests if request[0].startswith(prefix)]


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
