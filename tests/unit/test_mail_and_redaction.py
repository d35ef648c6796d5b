from __future__ import annotations

import base64
from email.message import EmailMessage

import pytest

from faka.adapters.messaging import SesMailer, SnsOperatorAlerts
from faka.ports import Email
from faka.sales.redaction import mask_email, redact
from faka.support.inbound_mail import parse_mail, strip_quoted
from faka.triage import classify


@pytest.mark.parametrize(
    ("text", "hidden", "shown"),
    [
        ("my key ABCDE-FGHIJ-KLMN5 is invalid", "ABCDE-FGHIJ-KLMN5", "KLMN5"[-4:]),
        ("兑换码 TKT-AAAA-0001 用不了", "TKT-AAAA-0001", "0001"),
        ("code X7K9Q2M4P8R5T1W3", "X7K9Q2M4P8R5T1W3", "T1W3"),
        ("card 4242 4242 4242 4242 was charged twice", "4242 4242 4242 4242", "****4242"),
    ],
)
def test_keys_and_card_numbers_are_masked(text: str, hidden: str, shown: str) -> None:
    masked = redact(text)
    assert hidden not in masked
    assert shown in masked


@pytest.mark.parametrize("text", ["order 1234567890123456 arrived", "I paid 20 USD on 2026-11-30", "Steam wallet US"])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_link_credentials_quoted_from_an_email_are_masked() -> None:
    quoted = (
        "see https://shop.example/o/8f3a#t=op1.1767225600.9c1e4b7a2d5f60318e7b9a4c2d1e0f5a6b7c8d9e0f1a2b3c4d "
        "and https://shop.example/v1/links/worked?o=8f3a&exp=1767225600&sig=0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    )
    masked = redact(quoted)
    assert "9c1e4b7a2d5f6031" not in masked
    assert "0a1b2c3d4e5f6071" not in masked
    assert "#t=op1.***" in masked
    assert "sig=***" in masked
    assert "o=8f3a" in masked


def test_emails_are_masked_for_logs() -> None:
    assert mask_email("buyer.name@example.com") == "b***@example.com"


def test_only_what_the_buyer_wrote_above_the_quote_is_kept() -> None:
    for header in [
        "On Mon, 30 Nov 2026 at 10:00, Shop <s@x.io> wrote:",
        "在 2026年11月30日 10:00，商店 写道：",
        "El lun, 30 nov 2026 escribió:",
    ]:
        assert strip_quoted(f"Still broken.\n\n{header}\n> old answer\n> more") == "Still broken."
    assert strip_quoted("> quoted only\nmine") == "mine"


def test_an_html_only_mail_is_read_as_text_and_bad_attachments_are_refused() -> None:
    message = EmailMessage()
    message["From"] = "Buyer <buyer@example.com>"
    message["Subject"] = "Re: help [#T-0123456789abcdef0123456789abcdef]"
    message.set_content("<p>My <b>code</b> fails</p>", subtype="html")
    message.add_attachment(b"MZ...", maintype="application", subtype="x-msdownload", filename="tool.exe")
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="receipt.pdf")

    mail = parse_mail(bytes(message))

    assert mail.sender == "buyer@example.com"
    assert mail.ticket_id == "0123456789abcdef0123456789abcdef"
    assert "My code fails" in " ".join(mail.text.split())
    assert [a.name for a in mail.attachments] == ["receipt.pdf"]
    assert mail.refused_attachments == ["tool.exe"]


def raw_mail(headers: str, body: bytes = b"Hello, my code does not work.", content_type: str = "text/plain") -> bytes:
    head = "From: Buyer <buyer@example.com>\r\nTo: support@example.com\r\nMessage-ID: <m1@example.com>\r\n" + headers
    return f"{head}MIME-Version: 1.0\r\nContent-Type: {content_type}\r\n\r\n".encode() + body


def test_a_line_break_in_an_encoded_subject_never_reaches_a_header() -> None:
    injected = base64.b64encode(b"Help\r\nBcc: victim@example.com\r\n\r\nspam").decode()

    mail = parse_mail(raw_mail(f"Subject: =?utf-8?b?{injected}?=\r\n"))

    assert mail.subject == "Help Bcc: victim@example.com spam"


def test_ses_is_never_handed_a_header_with_a_line_break() -> None:
    sent: list[dict] = []

    class RecordingSes:
        def send_email(self, **request: object) -> dict:
            sent.append(request)
            return {"MessageId": "m-1"}

    SesMailer(RecordingSes(), "shop@example.com").send(
        Email("buyer@example.com\r\nBcc: x@evil.example", "Re: a\r\nBcc: x@evil.example\u2028b", "text", "<p>text</p>")
    )

    [request] = sent
    assert request["Destination"] == {"ToAddresses": ["buyer@example.com Bcc: x@evil.example"]}
    assert request["Message"]["Subject"]["Data"] == "Re: a Bcc: x@evil.example b"


@pytest.mark.parametrize(
    ("headers", "content_type", "kind"),
    [
        ("Auto-Submitted: auto-replied\r\n", "text/plain", "auto_reply"),
        ("Auto-Submitted: auto-generated\r\n", "text/plain", "automated"),
        ("Auto-Submitted: auto-notified; owner-email=x@example.com\r\n", "text/plain", "automated"),
        ("X-Autoreply: yes\r\n", "text/plain", "auto_reply"),
        ("X-Autorespond: Out of office\r\n", "text/plain", "auto_reply"),
        ("X-Auto-Response-Suppress: All\r\n", "text/plain", "auto_reply"),
        ("Precedence: auto_reply\r\n", "text/plain", "auto_reply"),
        ("Subject: Automatic reply: my order\r\n", "text/plain", "auto_reply"),
        ("Subject: 自动回复: 订单\r\n", "text/plain", "auto_reply"),
        ("X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent\r\n", "text/plain", "automated"),
        ("X-MS-Exchange-Message-Is-Ndr:\r\n", "text/plain", "bounce"),
        ("Precedence: bulk\r\n", "text/plain", "list"),
        ("Precedence: junk\r\n", "text/plain", "list"),
        ("Precedence: list\r\n", "text/plain", "list"),
        ("List-Id: <buyers.lists.example.com>\r\n", "text/plain", "list"),
        ("List-Unsubscribe: <mailto:leave@example.com>\r\n", "text/plain", "list"),
        ("Return-Path: <>\r\n", "text/plain", "automated"),
        ("", "multipart/report; report-type=delivery-status; boundary=b", "bounce"),
        ("", "multipart/report; report-type=feedback-report; boundary=b", "complaint"),
        ("", "multipart/report; report-type=disposition-notification; boundary=b", "read_receipt"),
        ("Auto-Submitted: no\r\nPrecedence: first-class\r\nReturn-Path: <buyer@example.com>\r\n", "text/plain", None),
    ],
)
def test_mail_no_person_wrote_is_told_apart_by_its_headers(headers: str, content_type: str, kind: str | None) -> None:
    assert parse_mail(raw_mail(headers, content_type=content_type)).automatic == kind


@pytest.mark.parametrize(
    ("sender", "kind"),
    [
        ("MAILER-DAEMON@mx.example.com", "bounce"),
        ("MAILER-DAEMON (Mail Delivery System)", "bounce"),
        ("postmaster@example.com", "bounce"),
        ("AWS Notifications <no-reply@sns.amazonaws.com>", "automated"),
    ],
)
def test_mailer_daemons_and_no_reply_senders_are_not_answered(sender: str, kind: str) -> None:
    raw = raw_mail("Subject: Undelivered Mail\r\n").replace(b"Buyer <buyer@example.com>", sender.encode())
    assert parse_mail(raw).automatic == kind


@pytest.mark.parametrize(
    ("sender", "address"),
    [
        ("buyer", ""),
        ("Buyer <buyer@localhost>", ""),
        ("a@example.com, b@example.com", ""),
        ("=?utf-8?b?Rm9vLCBCYXI=?= <foo.bar@example.com>", "foo.bar@example.com"),
    ],
)
def test_only_one_valid_address_is_answered(sender: str, address: str) -> None:
    raw = raw_mail("Subject: hi\r\n").replace(b"Buyer <buyer@example.com>", sender.encode())
    assert parse_mail(raw).sender == address


@pytest.mark.parametrize(
    ("label", "text", "encoding"),
    [
        ("gb2312", "朱镕基的喆字", "gbk"),  # Outlook labels code page 936 "gb2312"
        ("X-GBK", "卡密无效", "gbk"),
        ("cp936", "卡密无效", "gbk"),
        ("big5", "佢嘅卡號", "big5hkscs"),
        ("ks_c_5601-1987", "똠방각하", "cp949"),
        ("iso-8859-1", "“quoted” – ok", "windows-1252"),
    ],
)
def test_text_is_read_with_the_superset_of_the_charset_it_claims(label: str, text: str, encoding: str) -> None:
    encoded = base64.b64encode(text.encode(encoding)).decode()
    headers = f"Subject: =?{label}?b?{encoded}?=\r\nContent-Transfer-Encoding: base64\r\n"

    mail = parse_mail(raw_mail(headers, encoded.encode(), f"text/plain; charset={label}"))

    assert (mail.subject, mail.text) == (text, text)


def test_an_unknown_charset_is_read_as_well_as_it_can_be_rather_than_failing() -> None:
    headers = "Subject: =?x-unknown?q?caf=C3=A9?=\r\n"

    mail = parse_mail(raw_mail(headers, "café au lait".encode(), "text/plain; charset=x-unknown"))

    assert (mail.subject, mail.text) == ("café", "café au lait")


def test_an_html_only_mail_keeps_the_text_and_drops_styles_scripts_head_and_quotes() -> None:
    markup = (
        "<html><head><title>Order</title><style>body{margin:0} .x{color:red}</style></head><body>"
        "<script>var tracking = 1;</script><div>你好，我昨天买的 Steam 充值卡，卡密无效。</div>"
        "<p>订单&nbsp;号码 &amp; 截图</p><blockquote>您的卡密已送达</blockquote></body></html>"
    )

    mail = parse_mail(raw_mail("Subject: help\r\n", markup.encode(), "text/html; charset=utf-8"))

    assert mail.text == "你好，我昨天买的 Steam 充值卡，卡密无效。\n\n订单 号码 & 截图"
    assert classify(mail.text).language == "zh"


def test_an_operator_alerts_subject_stays_on_one_line() -> None:
    published: list[dict] = []

    class RecordingSns:
        def publish(self, **request: object) -> None:
            published.append(request)

    SnsOperatorAlerts(RecordingSns(), "arn:aws:sns:us-east-1:123456789012:ops").alert(
        "Refund asked: it does\r\nnot work", "details", shop_id="main"
    )

    assert published[0]["Subject"] == "Refund asked: it does not work"
