"""Buyers' emails to the shop's support address: parsed, threaded onto their ticket, answered by email.

SES receiving stores each raw message in the mail bucket; this reads it, keeps only what the buyer
wrote (the quoted thread below a reply is dropped), stores allowed attachments and hands the text to
the ticket service. Replies carry ``[#T-<ticket id>]`` in the subject, which threads the next email.
"""

from __future__ import annotations

import email
import hashlib
import html
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr
from html.parser import HTMLParser
from typing import Any

from faka import resources
from faka.domain.tickets import Channel, TicketReply, TicketRequest, Tickets
from faka.errors import FakaError, NotFound
from faka.observability import logger
from faka.ports import Email, Mailer

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
ALLOWED_ATTACHMENT_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "application/pdf", "text/plain"})
TICKET_REFERENCE = re.compile(r"\[#T-([0-9a-f]{32})\]")
ORDER_ID = re.compile(r"\b([0-9a-f]{32})\b")
# Where a reply's quoted history starts, in the mail clients buyers use in English, Chinese and Spanish.
_QUOTE_HEADERS = re.compile(
    r"^(On .+ wrote:|在.+写道[:：]|El .+ escribió:|-{2,}\s*Original Message\s*-{2,}|-{2,}\s*原始邮件\s*-{2,}"
    r"|From: .+|发件人[:：].+|De: .+)\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ParsedMail:
    sender: str
    subject: str
    text: str
    ticket_id: str | None
    attachments: list[Attachment] = field(default_factory=list)
    refused_attachments: list[str] = field(default_factory=list)


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"br", "p", "div", "li", "tr"}:
            self.parts.append("\n")


def _html_to_text(markup: str) -> str:
    parser = _TextOfHtml()
    parser.feed(markup)
    return "".join(parser.parts)


def strip_quoted(text: str) -> str:
    """What the buyer wrote above the quoted history of the thread."""
    kept: list[str] = []
    for line in text.splitlines():
        if _QUOTE_HEADERS.match(line.strip()):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line)
    return "\n".join(kept).strip()


def parse_mail(raw: bytes) -> ParsedMail:
    message = email.message_from_bytes(raw, policy=policy.default)
    if not isinstance(message, EmailMessage):
        raise ValueError("not a MIME message")
    sender = parseaddr(str(message.get("From", "")))[1]
    subject = str(message.get("Subject", ""))
    body = message.get_body(preferencelist=("plain", "html"))
    content = body.get_content() if body is not None else ""
    text = _html_to_text(content) if body is not None and body.get_content_type() == "text/html" else content
    attachments: list[Attachment] = []
    refused: list[str] = []
    for part in message.iter_attachments():
        name = part.get_filename() or "attachment"
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if part.get_content_type() in ALLOWED_ATTACHMENT_TYPES and len(data) <= MAX_ATTACHMENT_BYTES:
            attachments.append(Attachment(name, part.get_content_type(), data))
        else:
            refused.append(name)
    reference = TICKET_REFERENCE.search(subject)
    return ParsedMail(
        sender, subject, strip_quoted(str(text)), reference.group(1) if reference else None, attachments, refused
    )


class InboundMail:
    def __init__(self, s3_client: Any, bucket: str, tickets: Tickets, mailer: Mailer, default_shop: str) -> None:
        self._s3 = s3_client
        self._bucket = bucket
        self._tickets = tickets
        self._mailer = mailer
        self._default_shop = default_shop

    def handle(self, key: str) -> TicketReply | None:
        raw = self._s3.get_object(Bucket=self._bucket, Key=key)["Body"].read()
        try:
            mail = parse_mail(raw)
        except ValueError:
            logger.warning("inbound object is not an email", extra={"key": key})
            return None
        if not mail.sender or not mail.text:
            logger.info("inbound email without sender or text", extra={"key": key})
            return None
        stored = self._store_attachments(key, mail.attachments)
        answer = self._ticket_for(mail, stored)
        ticket = answer.ticket
        reply = answer.reply
        if mail.refused_attachments:
            reply += (
                "\n\n(" + ", ".join(mail.refused_attachments) + ": not kept — only images, PDF and text up to 5 MB.)"
            )
        subject = re.sub(r"^(re:\s*)+", "", TICKET_REFERENCE.sub("", mail.subject), flags=re.IGNORECASE).strip()
        self._mailer.send(
            Email(mail.sender, f"Re: {subject} [#T-{ticket.ticket_id}]", reply, f"<p>{_escape(reply)}</p>")
        )
        return answer

    def _ticket_for(self, mail: ParsedMail, attachments: tuple[str, ...]) -> TicketReply:
        if mail.ticket_id:
            try:
                return self._tickets.continue_by_email(mail.ticket_id, mail.sender, mail.text, attachments)
            except NotFound:
                pass  # a forged or foreign reference: treated as a new ticket from this sender
        named = ORDER_ID.search(mail.text) or ORDER_ID.search(mail.subject)
        request = TicketRequest(
            shop_id=self._default_shop,
            message=mail.text,
            channel=Channel.EMAIL,
            email=mail.sender,
            order_id=named.group(1) if named else None,
            attachments=attachments,
        )
        try:
            return self._tickets.submit(request)
        except FakaError:
            # The order named is not the sender's: keep the ticket, without the order.
            return self._tickets.submit(
                TicketRequest(
                    shop_id=request.shop_id,
                    message=request.message,
                    channel=Channel.EMAIL,
                    email=mail.sender,
                    attachments=attachments,
                )
            )

    def _store_attachments(self, key: str, attachments: list[Attachment]) -> tuple[str, ...]:
        folder = hashlib.sha256(key.encode()).hexdigest()[:16]
        stored = []
        for attachment in attachments:
            name = re.sub(r"[^A-Za-z0-9._-]", "_", attachment.name)[:100]
            target = f"{resources.ATTACHMENTS_PREFIX}{folder}/{name}"
            self._s3.put_object(
                Bucket=self._bucket, Key=target, Body=attachment.data, ContentType=attachment.content_type
            )
            stored.append(target)
        return tuple(stored)


def _escape(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")
