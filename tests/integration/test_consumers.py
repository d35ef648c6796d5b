"""The SQS consumers (notifier, restock, inbound email) and the api function, driven with the sample AWS events."""

from __future__ import annotations

import base64
import json
from email.message import EmailMessage
from email.utils import make_msgid

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from faka import resources
from faka.adapters.messaging import SesMailer
from faka.adapters.tables.orders import OrderItem
from faka.config import Env, get_settings
from faka.ports import Email
from faka.wiring import services
from faka_local.event_sources import load_handler
from faka_local.lambda_context import LocalLambdaContext
from tests.integration.conftest import Stack
from tests.integration.helpers import add_product, open_shop, pay, place_order, sent_mail
from tests.integration.inbound_helpers import deliver, store, tickets
from tests.samples import load_sample, sqs_batch_of


def notify(batch: dict) -> dict:
    return dict(load_handler(resources.NOTIFIER_FUNCTION)(batch, LocalLambdaContext("faka-notifier")))


def test_a_notice_that_fails_is_returned_alone_and_a_repeat_sends_nothing(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack, keys=["K-1"])
    order = place_order(stack)
    pay(stack, order["order_id"], order["amount"])
    delivered = load_sample("eventbridge_order_delivered", order_id=order["order_id"])
    unknown = load_sample("eventbridge_order_delivered", order_id="no-such-order")
    batch = sqs_batch_of(delivered, unknown)

    response = notify(batch)

    assert response == {"batchItemFailures": [{"itemIdentifier": batch["Records"][1]["messageId"]}]}
    assert len(sent_mail()) == 1
    assert notify(sqs_batch_of(delivered)) == {"batchItemFailures": []}
    assert len(sent_mail()) == 1
    assert OrderItem.get(order["order_id"], OrderItem.SK).delivery_message_id


def test_the_api_function_reads_api_gateways_event_shape(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """A request as CloudFront forwards it to the regional API: its origin-verify header makes the country believed."""
    open_shop(stack)
    add_product(stack, keys=["K-1"])
    monkeypatch.setenv(Env.ORIGIN_VERIFY_SECRET, "sample-origin-secret")
    get_settings.cache_clear()
    services.cache_clear()
    event = load_sample("apigateway_create_order", origin_verify_secret="sample-origin-secret")

    response = load_handler(resources.API_FUNCTION)(event, LocalLambdaContext("faka-api"))

    assert response["statusCode"] == 201, response["body"]
    order = OrderItem.get(json.loads(response["body"])["order_id"], OrderItem.SK)
    assert (order.buyer_ip, order.buyer_country, order.locale) == ("198.51.100.23", "HK", "zh-CN")


def test_a_poison_message_ends_in_the_dead_letter_queue(stack: Stack) -> None:
    sqs = boto3.client("sqs")
    poison = load_sample("eventbridge_order_delivered", order_id="no-such-order")
    sqs.send_message(QueueUrl=stack.provisioned.queue_urls["notifier"], MessageBody=json.dumps(poison))

    for _ in range(resources.NOTIFIER_QUEUE.max_receive_count + 1):
        stack.consumers["notifier"].poll_once()

    dead = sqs.receive_message(QueueUrl=stack.provisioned.dlq_urls["notifier"]).get("Messages", [])
    assert [json.loads(m["Body"])["detail"]["order_id"] for m in dead] == ["no-such-order"]


# -- the inbound-email consumer ----------------------------------------------------------------------------


def buyer_mail(sender: str, subject: str, *, html: str | None = None, text: str = "My code does not work.") -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@example.com"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="mail.example.com")
    if html is None:
        message.set_content(text)
    else:
        message.set_content(html, subtype="html")
    return bytes(message)


def test_a_reply_that_fails_to_send_is_retried_without_opening_a_second_ticket(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = store(buyer_mail("buyer@example.com", "Help"))
    send = SesMailer.send
    failures = iter([RuntimeError("SES throttled the send")])

    def failing_once(self: SesMailer, email: Email) -> str:
        for failure in failures:
            raise failure
        return send(self, email)

    monkeypatch.setattr(SesMailer, "send", failing_once)

    # A batch whose every record failed is raised, so SQS redelivers the whole batch.
    with pytest.raises(BatchProcessingError, match="SES throttled the send"):
        deliver(name)
    assert deliver(name) == {"batchItemFailures": []}

    [ticket] = tickets()
    [reply] = sent_mail()
    assert reply.destinations["ToAddresses"] == ["buyer@example.com"] == [ticket.email]


@pytest.mark.parametrize("sender", ["buyer", "Buyer <buyer@localhost>", "", "a@example.com, b@example.com"])
def test_a_mail_without_one_valid_sender_is_recorded_not_retried(
    stack: Stack, sender: str, caplog: pytest.LogCaptureFixture
) -> None:
    name = store(buyer_mail(sender, "Help"))

    assert deliver(name) == {"batchItemFailures": []}

    assert tickets() == []
    assert sent_mail() == []
    assert [r.__dict__["kind"] for r in caplog.records if r.getMessage() == "ignored inbound mail"] == [
        "no_reply_address"
    ]


def report(report_type: str, part: str, sender: str = "MAILER-DAEMON@mx.example.net") -> bytes:
    """A multipart/report (RFC 6522) as mail servers send them, about a mail faka sent to a buyer."""
    return (
        f"From: {sender}\nTo: support@example.com\nSubject: Delivery Status Notification (Failure)\n"
        f"Message-ID: {make_msgid(domain='mx.example.net')}\nMIME-Version: 1.0\n"
        f'Content-Type: multipart/report; report-type={report_type}; boundary="b"\n\n'
        "--b\nContent-Type: text/plain\n\nThis is an automatically generated report about your message.\n\n"
        f"--b\nContent-Type: message/{report_type}\n\n{part}\n--b--\n"
    ).encode()


def with_headers(raw: bytes, **headers: str) -> bytes:
    head, _, body = raw.partition(b"\n\n")
    extra = "".join(f"{name.replace('_', '-')}: {value}\n" for name, value in headers.items())
    return head + b"\n" + extra.encode().rstrip(b"\n") + b"\n\n" + body


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (
            report(
                "delivery-status",
                "Reporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; b@example.com\n"
                "Action: failed\nStatus: 5.1.1\n",
            ),
            "bounce",
        ),
        (
            report(
                "feedback-report",
                "Feedback-Type: abuse\nUser-Agent: ExampleFBL/1.0\nVersion: 1\n",
                sender="fbl@isp.example.net",
            ),
            "complaint",
        ),
        (
            report(
                "disposition-notification",
                "Final-Recipient: rfc822; b@example.com\nDisposition: manual-action/MDN-sent-manually; displayed\n",
                sender="b@example.com",
            ),
            "read_receipt",
        ),
        (with_headers(buyer_mail("b@example.com", "I am away"), Auto_Submitted="auto-replied"), "auto_reply"),
        (with_headers(buyer_mail("b@example.com", "Re: your order"), X_Autoreply="yes"), "auto_reply"),
        (buyer_mail("b@example.com", "自动回复：我正在休假"), "auto_reply"),
        (with_headers(buyer_mail("news@example.org", "Weekly deals"), List_Id="<deals.example.org>"), "list"),
        (with_headers(buyer_mail("news@example.org", "Weekly deals"), Precedence="bulk"), "list"),
        (with_headers(buyer_mail("system@example.org", "Notice"), Return_Path="<>"), "automated"),
    ],
    ids=["dsn", "arf", "read-receipt", "auto-submitted", "x-autoreply", "subject", "list-id", "bulk", "null-sender"],
)
def test_mail_no_person_wrote_is_recorded_and_never_answered(
    stack: Stack, raw: bytes, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The corpus test (test_inbound_mail_corpus.py) replays public mails when they are present; these are built
    here, so the handler's part holds on every clone."""
    assert deliver(store(raw)) == {"batchItemFailures": []}

    assert tickets() == []
    assert sent_mail() == []
    assert [r.__dict__["kind"] for r in caplog.records if r.getMessage() == "ignored inbound mail"] == [kind]


def test_a_line_break_in_an_encoded_subject_stays_out_of_the_replys_headers(stack: Stack) -> None:
    injected = base64.b64encode(b"Help\r\nBcc: victim@example.com").decode()
    raw = buyer_mail("buyer@example.com", "x").replace(b"Subject: x", f"Subject: =?utf-8?b?{injected}?=".encode())

    assert deliver(store(raw)) == {"batchItemFailures": []}

    [reply] = sent_mail()
    [ticket] = tickets()
    assert reply.subject == f"Re: Help Bcc: victim@example.com [#T-{ticket.ticket_id}]"
    assert reply.destinations["ToAddresses"] == ["buyer@example.com"]


def test_a_chinese_html_only_mail_with_a_style_block_is_answered_in_chinese(stack: Stack) -> None:
    markup = (
        "<html><head><style>body{font-family:'Microsoft YaHei'} .content{margin:0 auto;color:#333}</style></head>"
        "<body><div class=content>你好，我昨天买的 Steam 充值卡，卡密无效，兑换的时候提示代码无效，请帮忙处理。</div>"
        "</body></html>"
    )

    assert deliver(store(buyer_mail("buyer@example.com", "卡密无效", html=markup))) == {"batchItemFailures": []}

    [ticket] = tickets()
    assert (ticket.language, ticket.locale) == ("zh", "zh-CN")
    assert "font-family" not in ticket.summary
    [reply] = sent_mail()
    assert any("\u4e00" <= character <= "\u9fff" for character in reply.body)


def test_a_failed_record_logs_its_cause_and_id_but_never_its_body(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "buyer@example.com wrote SECR2-ABCD-EFGH"
    broken = {"Records": [{"s3": {"object": {"size": 1}}}], "note": secret}
    batch = sqs_batch_of(broken, {"Records": []})

    response = dict(load_handler(resources.INBOUND_EMAIL_FUNCTION)(batch, LocalLambdaContext("faka-inbound-email")))

    assert response == {"batchItemFailures": [{"itemIdentifier": batch["Records"][0]["messageId"]}]}
    [logged] = [r for r in caplog.records if r.getMessage() == "record failed"]
    assert logged.__dict__["record_id"] == batch["Records"][0]["messageId"]
    assert logged.exc_info is not None
    assert isinstance(logged.exc_info[1], KeyError)
    assert all(secret not in r.getMessage() and "SECR2" not in str(r.__dict__) for r in caplog.records)


@pytest.mark.parametrize("queue", resources.QUEUES, ids=lambda spec: spec.name)
def test_every_queue_consumer_logs_why_a_record_failed(
    stack: Stack, queue: resources.QueueSpec, caplog: pytest.LogCaptureFixture
) -> None:
    batch = sqs_batch_of({"unreadable": True})
    batch["Records"][0]["body"] = "{not json"

    # A batch whose every record failed is raised, so the queue delivers it again and in the end dead-letters it.
    with pytest.raises(BatchProcessingError):
        load_handler(queue.consumer)(batch, LocalLambdaContext(queue.consumer.physical_name))

    [failed] = [r for r in caplog.records if r.getMessage() == "record failed"]
    assert failed.__dict__["record_id"] == batch["Records"][0]["messageId"]
    assert failed.exc_info is not None


@pytest.mark.parametrize("stream", resources.STREAMS, ids=lambda spec: spec.name)
def test_every_stream_consumer_logs_why_a_record_failed(
    stack: Stack, stream: resources.StreamSpec, caplog: pytest.LogCaptureFixture
) -> None:
    image = {"unreadable": {"BOOL": True}}
    record = {
        "eventID": "broken-1",
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "dynamodb": {"NewImage": image},
    }

    with pytest.raises(BatchProcessingError):
        load_handler(stream.consumer)({"Records": [record]}, LocalLambdaContext(stream.consumer.physical_name))

    [failed] = [r for r in caplog.records if r.getMessage() == "record failed"]
    assert failed.__dict__["record_id"] == "broken-1"
    assert failed.exc_info is not None
