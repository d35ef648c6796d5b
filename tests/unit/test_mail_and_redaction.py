from __future__ import annotations

from email.message import EmailMessage

import pytest

from faka.domain.inbound_mail import parse_mail, strip_quoted
from faka.domain.redaction import mask_email, redact


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
