"""Buyers' emails to the shop's support address: parsed, threaded onto their ticket, answered by email.

SES receiving stores each raw message in the mail bucket; this reads it, keeps only what the buyer
wrote (the quoted thread below a reply is dropped), stores allowed attachments and hands the text to
the ticket service. Replies carry ``[#T-<ticket id>]`` in the subject, which threads the next email.

Mail no person wrote (bounces, auto-replies, abuse reports, read receipts, list mail) is recorded and
never answered: answering an auto-reply is how two robots mail each other forever (RFC 3834).
"""

from __future__ import annotations

import codecs
import email
import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header
from email.message import EmailMessage, Message
from email.utils import getaddresses
from html.parser import HTMLParser
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit, single_metric
from email_validator import EmailNotValidError, validate_email

from faka import resources
from faka.adapters.messaging import header_safe
from faka.errors import FakaError, NotFound
from faka.observability import logger
from faka.ports import Email, Mailer
from faka.sales.orders import Orders
from faka.shared.links import LinkSigner
from faka.shared.templating import FALLBACK_LOCALE, MessageTemplates
from faka.support.ticket_records import Channel, TicketReply, TicketRequest
from faka.support.tickets import Tickets

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_SUBJECT_CHARACTERS = 200
ALLOWED_ATTACHMENT_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "application/pdf", "text/plain"})
TICKET_REFERENCE = re.compile(r"\[#T-([0-9a-f]{32})\]")
ORDER_ID = re.compile(r"\b([0-9a-f]{32})\b")
# Where a reply's quoted history starts, in the mail clients buyers use in English, Chinese and Spanish.
_QUOTE_HEADERS = re.compile(
    r"^(On .+ wrote:|在.+写道[:：]|El .+ escribió:|-{2,}\s*Original Message\s*-{2,}|-{2,}\s*原始邮件\s*-{2,}"
    r"|From: .+|发件人[:：].+|De: .+)\s*$",
    re.IGNORECASE,
)

# Labels mail clients write that Python's codecs do not know, or know as a narrower set than the
# sender meant: Outlook labels code page 936 "gb2312", Windows mail in Korean "ks_c_5601-1987", and
# browsers long ago agreed to read Latin-1 and ASCII as windows-1252 (WHATWG Encoding Standard).
_LABELS_OF_SUPERSET = {
    "gb18030": "gb2312 gbk x-gbk cp936 ms936 windows-936 euc-cn x-euc-cn csgb2312 gb_2312-80 chinese iso-ir-58",
    "big5hkscs": "big5 big-5 x-big5 cn-big5 csbig5 big5-hkscs",
    "cp949": "ks_c_5601-1987 ks_c_5601 ksc5601 ksc_5601 euc-kr x-euc-kr korean csksc56011987 windows-949",
    "cp932": "shift_jis shift-jis x-sjis sjis ms_kanji csshiftjis windows-31j",
    "windows-1252": "iso-8859-1 latin1 l1 us-ascii ascii ansi_x3.4-1968 cp819",
    "windows-1254": "iso-8859-9 latin5",
    "cp874": "tis-620 iso-8859-11",
    "utf-7": "unicode-1-1-utf-7 x-unicode-2-0-utf-7",
}
_CHARSET_SUPERSETS = {label: superset for superset, labels in _LABELS_OF_SUPERSET.items() for label in labels.split()}


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
    # Its Message-ID, or a digest of its bytes when it has none: the same message stored twice is one turn.
    message_id: str = ""
    # Why no person wrote it ("bounce", "auto_reply", ...), None for a buyer's own mail.
    automatic: str | None = None
    # The language the mail declares (Content-Language) or its charset implies: Big5 is Traditional Chinese.
    locale: str | None = None


@dataclass(frozen=True)
class EmailedReply:
    """The answer owed to one inbound message, kept until it is sent (a failed send is retried, not re-decided)."""

    to: str
    subject: str
    text: str
    ticket_id: str
    # The order page's link is a credential: added when sent (so never kept in the record), and only for the
    # order's own address.
    order_id: str | None = None
    locale: str | None = None


def decode_text(data: bytes, charset: str | None) -> str:
    """``data`` as text, read with the superset of the charset it claims; never fails on the charset."""
    label = (charset or "").strip().strip("\"'").lower()
    try:
        codec = codecs.lookup(_CHARSET_SUPERSETS.get(label, label or "utf-8")).name
    except LookupError:
        codec = "utf-8"
    return data.decode(codec, errors="replace")


def header_text(raw: str, fallback_charset: str | None = None) -> str:
    """A raw header value with its encoded words decoded, whatever charsets they (or raw 8-bit bytes) claim."""
    parts = []
    for chunk, charset in decode_header(raw):
        if isinstance(chunk, str):
            chunk = chunk.encode("utf-8", errors="surrogateescape")
        if charset is None:
            # Unlabelled 8-bit bytes: UTF-8 when they are, else whatever the body says it is written in.
            try:
                parts.append(chunk.decode("utf-8"))
                continue
            except UnicodeDecodeError:
                charset = fallback_charset
        parts.append(decode_text(chunk, charset))
    return "".join(parts)


class _TextOfHtml(HTMLParser):
    """What a reader sees of an HTML mail: no styles, scripts or head, no quoted thread, blocks on lines."""

    _HIDDEN = frozenset({"head", "style", "script", "title", "template", "noscript", "blockquote"})
    _BLOCKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._hidden_depth += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden_depth = max(0, self._hidden_depth - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    parser = _TextOfHtml()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def strip_quoted(text: str) -> str:
    """What the buyer wrote above the quoted history of the thread."""
    kept: list[str] = []
    for line in text.splitlines():
        if _QUOTE_HEADERS.match(line.strip()):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line)
    return "\n".join(kept).strip()


# -- mail no person wrote ----------------------------------------------------------------------------------

_REPORT_KINDS = {
    "delivery-status": "bounce",
    "feedback-report": "complaint",
    "disposition-notification": "read_receipt",
}
_DAEMONS = frozenset({"mailer-daemon", "mailerdaemon", "mail-daemon", "postmaster", "post_master"})
_NO_REPLY = frozenset({"no-reply", "noreply", "no_reply", "do-not-reply", "donotreply", "do_not_reply"})
# X-Auto-Response-Suppress is Outlook's "do not auto-answer this", which its own auto-replies carry.
_AUTO_REPLY_HEADERS = (
    "x-autoreply",
    "x-autorespond",
    "x-autogenerated",
    "x-mail-autoreply",
    "x-autoreply-from",
    "x-auto-response-suppress",
)
_LIST_HEADERS = ("list-id", "list-unsubscribe", "list-post", "x-mailing-list")
# Exchange stamps these on what its inbox rules, out-of-office assistant and transport agents generate.
_EXCHANGE_GENERATED = ("x-ms-exchange-generated-message-source", "x-ms-exchange-inbox-rules-loop")
_AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ _-]?(reply|response|respons)|autoreply|out of (the )?office|vacation reply"
    r"|自动回复|自動回覆|自動回信|respuesta automática|réponse automatique|abwesenheitsnotiz)\b",
    re.IGNORECASE,
)


def automatic_kind(message: Message, headers: dict[str, str], raw_from: str) -> str | None:
    """Why no person wrote ``message`` (RFC 3834, 3464, 5965, 8098, 2369 and what big mailers add), else None."""
    if message.get_content_type() == "multipart/report":
        return _REPORT_KINDS.get(str(message.get_param("report-type", "")).lower(), "bounce")
    mailbox = next((address for _, address in getaddresses([raw_from]) if address), "").partition("@")[0].lower()
    if mailbox in _DAEMONS or "x-ms-exchange-message-is-ndr" in headers:
        return "bounce"
    auto_submitted = headers.get("auto-submitted", "no").split(";")[0].strip().lower()
    if auto_submitted != "no":
        return "auto_reply" if auto_submitted == "auto-replied" else "automated"
    precedence = headers.get("precedence", "").strip().lower()
    if (
        any(name in headers for name in _AUTO_REPLY_HEADERS)
        or precedence == "auto_reply"
        or headers.get("x-apple-action", "").strip().upper() == "VACATION"
        or _AUTO_REPLY_SUBJECT.match(headers.get("subject", ""))
    ):
        return "auto_reply"
    if any(name in headers for name in _EXCHANGE_GENERATED):
        return "automated"
    if any(name in headers for name in _LIST_HEADERS) or precedence in {"bulk", "list", "junk"}:
        return "list"
    if headers.get("return-path", "").strip() == "<>" or mailbox in _NO_REPLY:
        return "automated"
    return None


# -- parsing -----------------------------------------------------------------------------------------------


def _reply_address(raw_from: str) -> str:
    """The one valid address a reply can go to, or "" (a From without a domain, two Froms, garbage)."""
    addresses = [address for _, address in getaddresses([raw_from]) if address]
    if len(addresses) != 1:
        return ""
    try:
        return validate_email(addresses[0], check_deliverability=False).normalized
    except EmailNotValidError:
        return ""


def _body_charset(message: Message) -> str | None:
    for part in message.walk():
        if part.get_content_maintype() == "text" and part.get_content_charset():
            return part.get_content_charset()
    return None


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    text = decode_text(payload if isinstance(payload, bytes) else b"", part.get_content_charset())
    return html_to_text(text) if part.get_content_type() == "text/html" else text


# Charsets that say which Chinese script a mail is written in (the reply is written in the same).
_TRADITIONAL_CHARSETS = ("big5", "big5-hkscs", "cp950", "x-mac-chinesetrad")
_SIMPLIFIED_CHARSETS = ("gb2312", "gbk", "gb18030", "hz-gb-2312", "euc-cn", "x-mac-chinesesimp")
_LOCALE_OF_CHARSET = dict.fromkeys(_TRADITIONAL_CHARSETS, "zh-TW") | dict.fromkeys(_SIMPLIFIED_CHARSETS, "zh-CN")


def _declared_locale(headers: dict[str, str], charset: str | None) -> str | None:
    declared = headers.get("content-language", "").split(",")[0].strip()
    return declared or _LOCALE_OF_CHARSET.get((charset or "").strip().strip("\"'").lower())


def parse_mail(raw: bytes) -> ParsedMail:
    # Some clients save a byte-order mark ahead of the headers; without this the first header is lost.
    message = email.message_from_bytes(raw.removeprefix(codecs.BOM_UTF8), policy=policy.default)
    if not isinstance(message, EmailMessage) or not message.keys():
        raise ValueError("not a MIME message")
    fallback = _body_charset(message)
    # Decoded here rather than by the header registry, which fails or garbles on charsets it does not know.
    raw_headers = {name.lower(): str(value) for name, value in reversed(list(message.raw_items()))}
    headers = {name: header_text(value, fallback) for name, value in raw_headers.items()}
    # The address is read before decoding: an encoded display name may hold a comma ("Foo, Bar").
    sender = _reply_address(raw_headers.get("from", ""))
    subject = header_safe(headers.get("subject", ""))[:MAX_SUBJECT_CHARACTERS]
    kind = automatic_kind(message, headers, raw_headers.get("from", ""))
    body = message.get_body(preferencelist=("plain", "html"))
    text = strip_quoted(_part_text(body)) if body is not None and kind is None else ""
    attachments: list[Attachment] = []
    refused: list[str] = []
    for part in message.iter_attachments() if kind is None else ():
        name = header_safe(part.get_filename() or "attachment")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if part.get_content_type() in ALLOWED_ATTACHMENT_TYPES and len(data) <= MAX_ATTACHMENT_BYTES:
            attachments.append(Attachment(name, part.get_content_type(), data))
        else:
            refused.append(name)
    reference = TICKET_REFERENCE.search(subject)
    return ParsedMail(
        sender,
        subject,
        text,
        reference.group(1) if reference else None,
        attachments,
        refused,
        message_id=header_safe(headers.get("message-id", "")) or f"sha256:{hashlib.sha256(raw).hexdigest()}",
        automatic=kind,
        locale=_declared_locale(headers, fallback),
    )


def _visible(text: str) -> bool:
    return any(not unicodedata.category(character).startswith(("Z", "C")) for character in text)


# -- the service -------------------------------------------------------------------------------------------


class InboundMail:
    def __init__(
        self,
        s3_client: Any,
        bucket: str,
        tickets: Tickets,
        mailer: Mailer,
        default_shop: str,
        *,
        orders: Orders,
        links: LinkSigner,
        templates: MessageTemplates,
    ) -> None:
        self._s3 = s3_client
        self._bucket = bucket
        self._tickets = tickets
        self._mailer = mailer
        self._default_shop = default_shop
        self._orders = orders
        self._links = links
        self._templates = templates

    def read(self, key: str) -> ParsedMail | None:
        """The stored message, or None (recorded with why) when there is nobody to answer."""
        raw = self._s3.get_object(Bucket=self._bucket, Key=key)["Body"].read()
        try:
            mail = parse_mail(raw)
        except ValueError:
            return self._ignored(key, "not_an_email")
        if mail.automatic:
            return self._ignored(key, mail.automatic)
        if not mail.sender:
            # Nobody to answer and nobody to hold the ticket for: kept in the bucket, never retried.
            return self._ignored(key, "no_reply_address")
        if not _visible(mail.text):
            return self._ignored(key, "empty")
        return mail

    def answer(self, key: str, mail: ParsedMail) -> EmailedReply:
        """Store the attachments and put the mail on its ticket (a new one, or the thread it replies to)."""
        stored = self._store_attachments(key, mail.attachments)
        answer = self._ticket_for(mail, stored)
        reply = answer.reply
        if mail.refused_attachments:
            reply += (
                "\n\n(" + ", ".join(mail.refused_attachments) + ": not kept — only images, PDF and text up to 5 MB.)"
            )
        subject = re.sub(r"^(re:\s*)+", "", TICKET_REFERENCE.sub("", mail.subject), flags=re.IGNORECASE).strip()
        ticket = answer.ticket
        return EmailedReply(
            mail.sender,
            f"Re: {subject} [#T-{ticket.ticket_id}]",
            reply,
            ticket.ticket_id,
            ticket.order_id,
            ticket.locale,
        )

    def send(self, reply: EmailedReply) -> None:
        text = reply.text
        if reply.order_id and (
            url := self._links.order_page_url_for(reply.order_id, self._orders.get(reply.order_id).email, reply.to)
        ):
            text += "\n\n" + self._templates.render_text(
                "ticket_reply_order_link", reply.locale or FALLBACK_LOCALE, {"order_url": url}
            )
        html_body = "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"
        self._mailer.send(Email(reply.to, reply.subject, text, html_body))

    @staticmethod
    def _ignored(key: str, kind: str) -> None:
        logger.info("ignored inbound mail", extra={"key": key, "kind": kind})
        with single_metric(name="InboundMailIgnored", unit=MetricUnit.Count, value=1, namespace="faka") as metric:
            metric.add_dimension(name="kind", value=kind)
        return None

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
            locale=mail.locale,
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
                    locale=mail.locale,
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
