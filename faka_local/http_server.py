"""The local stand-in for API Gateway, plus the local-only pages: outbox, operator alerts, sandbox checkout.

Requests under ``/v1/`` become REST proxy events for the function serving their path (``faka.resources.API_ROUTES``)
and its answer is sent back as API Gateway would send it. Everything under ``/_local/`` exists only here.
"""

from __future__ import annotations

import base64
import html
import json
import logging
import re
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import boto3

from faka import resources
from faka.config import get_settings
from faka.errors import NotFound
from faka.payments.providers import SandboxCheckout
from faka.payments.stripe_signing import stripe_signature
from faka.payments.stripe_webhook import checkout_completed_event
from faka.shared.model import Order, OrderStatus
from faka.wiring import services
from faka_local.apigateway import MAX_PAYLOAD_BYTES, rest_event
from faka_local.bedrock_standin import BedrockStandIn
from faka_local.im_standins import PREFIX as TELEGRAM_PREFIX
from faka_local.im_standins import TelegramStandIn
from faka_local.sandbox_payments import ALIPAY_PAGE_PATH, PROVIDER_METHODS, WECHAT_H5_PAGE_PATH, SandboxPayments
from faka_local.webhook_sink import WebhookSink

log = logging.getLogger("faka_local.http")
# Telegram alert channels post here locally (faka local sets FAKA_TELEGRAM_API_URL to <api>/_local/telegram).
TELEGRAM = TelegramStandIn()
# Reply drafts' model (FAKA_REPLY_DRAFTS=bedrock make local): boto3's bedrock-runtime client is pointed here.
BEDROCK = BedrockStandIn()

Invoke = Callable[[dict[str, Any]], dict[str, Any]]
PAY_PREFIX = "/_local/pay/"
_ORDER_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Stripe's zero-decimal currencies among those a shop is likely to sell in.
_ZERO_DECIMAL = frozenset({"jpy", "krw", "vnd", "clp", "twd"})
# Hop-by-hop or recomputed here: passing the function's own would corrupt the framing.
_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})
REPO_DIR = Path(__file__).resolve().parents[1]
# The static apps, each served under its folder's name as CloudFront serves them on AWS: the operator console
# and the buyers' storefront.
STATIC_DIRS = {"console": REPO_DIR / "console", "storefront": REPO_DIR / "storefront"}
CONSOLE_PREFIX = "/console/"
# The buyer pages' addresses (/, /s/{shop}/, /o/{order}, /lookup), shared with the CloudFront Function on AWS.
PAGE_ROUTES = [
    (re.compile(pattern), target)
    for pattern, target in json.loads((STATIC_DIRS["storefront"] / "routes.json").read_text())["routes"]
]
# Only these files are served, each with its type; anything else under a static folder is a 404.
_STATIC_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
# The same headers CloudFront adds (infra/constructs/console.py): the apps' code comes from themselves only.
STATIC_HEADERS = [
    ("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-cache"),
]


def static_target(path: str) -> str:
    """The file path a page address serves (``/o/{id}`` → ``/storefront/index.html``); other paths unchanged."""
    return next((target for pattern, target in PAGE_ROUTES if pattern.match(path)), path)


class EmulatorView(Protocol):
    def outbox(self) -> list[dict[str, Any]]: ...

    def operator_alerts(self) -> list[dict[str, Any]]: ...


class LocalGateway(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        *,
        invoke_api: Invoke,
        emulator: EmulatorView,
        webhook_secret: str,
        payments: SandboxPayments | None = None,
    ) -> None:
        super().__init__(address, _RequestHandler)
        self.invoke_api = invoke_api
        self.emulator = emulator
        self.webhook_secret = webhook_secret
        self.payments = payments
        self.webhook_sink = WebhookSink()


class _RequestHandler(BaseHTTPRequestHandler):
    server: LocalGateway
    # Keep-alive: browsers, curl and the fuzzer reuse connections.
    protocol_version = "HTTP/1.1"
    server_version = "faka-local"

    def do_GET(self) -> None:
        self._dispatch()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)

    def _dispatch(self) -> None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            self._problem(411, "length_required", "send a Content-Length; chunked bodies are not supported")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            self._problem(400, "bad_request", "the Content-Length header is not a length")
            return
        if length > MAX_PAYLOAD_BYTES:
            # Answered unread, as API Gateway does; the unread body makes the connection unusable.
            self.close_connection = True
            self._problem(413, "payload_too_large", f"a request body holds at most {MAX_PAYLOAD_BYTES} bytes")
            return
        body = self.rfile.read(length)
        url = urlsplit(self.path)
        # API Gateway hands the function the decoded path.
        path = unquote(url.path)
        if path == "/v1" or path.startswith("/v1/"):
            self._proxy(path, url.query, body)
        elif path == CONSOLE_PREFIX.rstrip("/"):
            # Relative links in the console resolve against /console/, never /console.
            self._send(301, b"", [("Location", CONSOLE_PREFIX)])
        elif (site := static_target(path).removeprefix("/").partition("/"))[0] in STATIC_DIRS:
            self._static(STATIC_DIRS[site[0]], site[2])
        elif path == ALIPAY_PAGE_PATH and self.server.payments is not None:
            self._html(200, _page("支付宝 Alipay sandbox", self.server.payments.alipay_page(self.path)))
        elif path == WECHAT_H5_PAGE_PATH and self.server.payments is not None:
            self._html(200, _page("微信支付 WeChat Pay sandbox", self.server.payments.wechat_h5_page(self.path)))
        elif path.startswith(PAY_PREFIX):
            self._sandbox_checkout(path.removeprefix(PAY_PREFIX), parse_qs(url.query))
        elif path == "/_local/refunds" and self.command == "GET":
            self._json(200, {"refunds": _sandbox().refunds()})
        elif path == "/_local/outbox" and self.command == "GET":
            self._json(200, {"messages": self.server.emulator.outbox()})
        elif path == "/_local/operator-alerts" and self.command == "GET":
            self._json(200, {"alerts": [_with_channels(alert) for alert in self.server.emulator.operator_alerts()]})
        elif TELEGRAM.handles(path) and self.command == "POST":
            self._json(*TELEGRAM.send_message(path, body))
        elif BEDROCK.handles(path) and self.command == "POST":
            self._json(*BEDROCK.converse(path, body))
        elif path == TELEGRAM_PREFIX and self.command == "GET":
            self._json(200, {"messages": TELEGRAM.messages()})
        elif path == "/_local/inbound-email" and self.command == "POST":
            self._receive_mail(body)
        elif path == "/_local/webhook-sink" and self.command == "POST":
            wanted = parse_qs(url.query).get("status", ["200"])[0]
            answer = int(wanted) if wanted.isdecimal() and 200 <= int(wanted) <= 599 else 200
            self._json(answer, self.server.webhook_sink.receive(body, dict(self.headers.items()), answer=answer))
        elif path == "/_local/webhook-sink" and self.command == "GET":
            self._json(200, {"received": self.server.webhook_sink.received()})
        else:
            self._problem(404, "no_route", f"no route for {self.command} {path}")

    def _static(self, folder: Path, relative: str) -> None:
        if self.command not in {"GET", "HEAD"}:
            self._problem(405, "method_not_allowed", "static files take GET")
            return
        parts = [part for part in relative.split("/") if part]
        # No "..", no dotfiles, nothing outside the folder even through a symlink.
        candidate = folder.joinpath(*parts, *(["index.html"] if not parts or relative.endswith("/") else [])).resolve()
        content_type = _STATIC_TYPES.get(candidate.suffix)
        if (
            any(part.startswith(".") or "\\" in part for part in parts)
            or not candidate.is_relative_to(folder.resolve())
            or content_type is None
            or not candidate.is_file()
        ):
            self._problem(404, "no_route", f"no file {relative} in {folder.name}")
            return
        self._send(200, candidate.read_bytes(), [("Content-Type", content_type), *STATIC_HEADERS])

    def _receive_mail(self, raw: bytes) -> None:
        """What SES receiving does with a message to the support address: store it raw under inbound/."""
        if not raw:
            self._problem(400, "empty_message", "POST the raw MIME message as the body")
            return
        key = f"{resources.INBOUND_MAIL_PREFIX}{uuid.uuid4().hex}"
        boto3.client("s3").put_object(Bucket=get_settings().mail_bucket, Key=key, Body=raw)
        self._json(202, {"stored": key})

    def _source_ip(self) -> str:
        forwarded = self.headers.get("X-Forwarded-For", "")
        return forwarded.split(",")[0].strip() or self.client_address[0]

    def _proxy(self, path: str, query: str, body: bytes) -> None:
        event = rest_event(
            self.command,
            path,
            # faka's API declares no binary media types, so API Gateway hands the function every body
            # as UTF-8 text, bytes that are not UTF-8 included.
            body=body.decode("utf-8", errors="replace") if body else None,
            headers=dict(self.headers.items()),
            query=query,
            source_ip=self._source_ip(),
        )
        self._answer_from_function(self._invoke(event))

    def _invoke(self, event: dict[str, Any]) -> dict[str, Any] | None:
        try:
            return self.server.invoke_api(event)
        except Exception:
            log.exception("the function serving %s %s raised", event["httpMethod"], event["path"])
            return None

    def _answer_from_function(self, result: dict[str, Any] | None) -> None:
        if result is None:
            # What API Gateway answers when the function itself fails.
            self._problem(502, "internal_error", "Internal server error")
            return
        raw = result.get("body") or ""
        payload = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode()
        # API Gateway merges the two maps; for a header named in both, multiValueHeaders wins.
        multi: dict[str, list[str]] = result.get("multiValueHeaders") or {}
        named_in_multi = {name.lower() for name in multi}
        headers = [(k, v) for k, v in (result.get("headers") or {}).items() if k.lower() not in named_in_multi]
        headers += [(name, value) for name, values in multi.items() for value in values]
        self._send(int(result["statusCode"]), payload, headers)

    def _sandbox_checkout(self, order_id: str, query: dict[str, list[str]]) -> None:
        if self.command not in {"GET", "HEAD", "POST"}:
            self._problem(405, "method_not_allowed", "the sandbox checkout takes GET and POST")
            return
        order = _find_order(order_id)
        if order is None:
            self._problem(404, "unknown_order", "no such order")
        elif self.command == "POST":
            # ?drop_webhook=1 pays without telling faka, as when a webhook is lost: reconciliation must find it.
            # ?charge_again=1 charges a paid order a second time, silently: a double charge for a ticket to find.
            if query.get("charge_again", ["0"])[0] in {"1", "true"}:
                payment_ref = _sandbox().record_payment(
                    order.order_id, order.amount, order.currency, webhook_sent=False, again=True
                )
                self._json(200, {"paid": True, "payment_ref": payment_ref, "webhook": "dropped"})
            elif order.payment_method in PROVIDER_METHODS:
                self._pay_with_provider(
                    order,
                    drop_webhook=query.get("drop_webhook", ["0"])[0] in {"1", "true"},
                    amount=query.get("amount", [""])[0],
                    return_url=self._same_origin(query.get("return_url", [""])[0]) or _order_page(order),
                )
            else:
                self._pay(
                    order,
                    drop_webhook=query.get("drop_webhook", ["0"])[0] in {"1", "true"},
                    return_url=self._same_origin(query.get("return_url", [""])[0]) or _order_page(order),
                )
        else:
            self._html(200, _checkout_page(order))

    def _same_origin(self, url: str) -> str | None:
        """``url`` as a path on this server, or None when it leads anywhere else (no open redirect)."""
        target = urlsplit(url)
        if target.scheme not in {"", "http", "https"} or target.netloc not in {"", self.headers.get("Host", "")}:
            return None
        if not target.path.startswith("/") or target.path.startswith("//"):
            return None
        return target._replace(scheme="", netloc="").geturl()

    def _pay(self, order: Order, *, drop_webhook: bool, return_url: str) -> None:
        """Do what Stripe does once the buyer has paid: send faka the signed event, through the real route."""
        _sandbox().record_payment(order.order_id, order.amount, order.currency, webhook_sent=not drop_webhook)
        if drop_webhook:
            self._json(200, {"paid": True, "webhook": "dropped"})
            return
        payload = checkout_completed_event(
            # One checkout session, one event: pressing Pay again is a redelivery, as from Stripe.
            event_id=f"evt_sandbox_{order.order_id}",
            session_id=SandboxCheckout.session_id(order.order_id),
            order_id=order.order_id,
            amount=order.amount,
            currency=order.currency,
            email=order.email,
        )
        event = rest_event(
            "POST",
            "/v1/webhooks/stripe",
            body=payload,
            source_ip="127.0.0.1",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": stripe_signature(payload, self.server.webhook_secret),
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            },
        )
        result = self._invoke(event)
        if result is None:
            self._problem(502, "internal_error", "the webhook route failed; see the log")
            return
        status = int(result["statusCode"])
        try:
            outcome = json.loads(result.get("body") or "null")
        except json.JSONDecodeError:
            outcome = result.get("body")
        paid = status == 200
        if self.headers.get_content_type() == "application/x-www-form-urlencoded":
            self._html(200 if paid else 502, _paid_page(order, status, outcome, return_url))
        else:
            self._json(200 if paid else 502, {"paid": paid, "webhook_status": status, "result": outcome})

    def _pay_with_provider(self, order: Order, *, drop_webhook: bool, amount: str, return_url: str) -> None:
        """Pay at the order's own provider stand-in, then post its signed notification to the provider's path
        (``?drop_webhook=1``: not posted, so reconciliation must ask the stand-in's query API; USDT has none to post:
        the watcher sees the transfer, ``?amount=`` in minor units sends another amount than the order's)."""
        payments = self.server.payments
        if payments is None:
            self._problem(404, "no_route", "faka local runs no provider stand-ins here")
            return
        notification = payments.pay(order, amount=int(amount) if amount.isdecimal() else None)
        if notification is None or drop_webhook:
            self._json(200, {"paid": True, "webhook": "dropped" if notification else "none: the watcher sees it"})
            return
        result = self._invoke(payments.notification_event(order, notification))
        if result is None:
            self._problem(502, "internal_error", "the notification route failed; see the log")
            return
        status, body = int(result["statusCode"]), result.get("body") or ""
        try:
            outcome = json.loads(body)
        except json.JSONDecodeError:
            outcome = body
        paid = status == 200
        if self.headers.get_content_type() == "application/x-www-form-urlencoded":
            self._html(200 if paid else 502, _paid_page(order, status, outcome, return_url))
        else:
            self._json(200 if paid else 502, {"paid": paid, "webhook_status": status, "result": outcome})

    def _json(self, status: int, body: Any) -> None:
        payload = json.dumps(body, ensure_ascii=False).encode()
        self._send(status, payload, [("Content-Type", "application/json; charset=utf-8")])

    def _problem(self, status: int, code: str, message: str) -> None:
        self._json(status, {"code": code, "message": message})

    def _html(self, status: int, page: str) -> None:
        self._send(status, page.encode(), [("Content-Type", "text/html; charset=utf-8")])

    def _send(self, status: int, payload: bytes, headers: list[tuple[str, str]]) -> None:
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in _FRAMING_HEADERS:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)


def _sandbox() -> SandboxCheckout:
    provider = services().payment_provider
    assert isinstance(provider, SandboxCheckout), "faka local always runs the sandbox payment provider"
    return provider


def _with_channels(alert: dict[str, Any]) -> dict[str, Any]:
    """An alert as the topic got it, and each alert channel of its shop it went to (telegram, wecom …) with status."""
    channels = (
        services().alert_channels.deliveries_of(alert["shop_id"], alert["alert_id"])
        if alert.get("shop_id") and alert.get("alert_id")
        else []
    )
    return {**alert, "channels": [{"channel": "sns"}, *channels]}


def _find_order(order_id: str) -> Order | None:
    if not _ORDER_ID.match(order_id):
        return None
    try:
        return services().orders.get(order_id)
    except NotFound:
        return None


def _money(amount: int, currency: str) -> str:
    if currency.lower() in _ZERO_DECIMAL:
        return f"{amount} {currency.upper()}"
    return f"{amount / 100:.2f} {currency.upper()}"


def _page(title: str, content: str, *, then: str | None = None) -> str:
    """``then``: where the browser goes next by itself, as a provider's page returns to the shop."""
    refresh = f'<meta http-equiv="refresh" content="1;url={html.escape(then)}">' if then else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">{refresh}
<title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}}
button{{font-size:1.1rem;padding:.6rem 2.4rem;border:0;border-radius:.4rem;background:#635bff;color:#fff}}
small{{color:#666}} code{{background:#f4f4f4;padding:.1rem .3rem}}</style></head>
<body>{content}</body></html>
"""


def _checkout_page(order: Order) -> str:
    pending = order.stored_status is OrderStatus.PENDING_PAYMENT
    status_note = (
        ""
        if pending
        else (
            f"<p>This order is <strong>{html.escape(order.stored_status.value)}</strong>: "
            "paying again is a redelivery and changes nothing.</p>"
        )
    )
    return _page(
        "Sandbox checkout",
        f"""<h1>Sandbox checkout</h1>
<p>Order <code>{html.escape(order.order_id)}</code>: {order.quantity} × <code>{html.escape(order.sku)}</code></p>
<p>Total <strong>{html.escape(_money(order.amount, order.currency))}</strong>
for {html.escape(order.email)}</p>
{status_note}<form method="post"><button type="submit">{"Pay" if pending else "Pay again"}</button></form>
<p><small>No money moves. Pay sends faka a Stripe-format signed <code>checkout.session.completed</code>
webhook for this amount, as Stripe would.</small></p>""",
    )


def _paid_page(order: Order, status: int, outcome: Any, return_url: str) -> str:
    result = outcome.get("result") if isinstance(outcome, dict) else None
    return _page(
        "Paid" if status == 200 else "Payment not accepted",
        f"""<h1>{"Paid" if status == 200 else "Payment not accepted"}</h1>
<p>Order <code>{html.escape(order.order_id)}</code>: the webhook answered {status}
{f"({html.escape(str(result))})" if result else ""}.</p>
<p>The keys go out by email: see <a href="/_local/outbox">the outbox</a>.</p>
<p><a href="{html.escape(return_url)}">Back to your order</a></p>""",
        then=return_url if status == 200 else None,
    )


def _order_page(order: Order) -> str:
    """Where the pay page returns when the order named no return URL: its page, whose token the browser kept."""
    return f"/o/{order.order_id}"
