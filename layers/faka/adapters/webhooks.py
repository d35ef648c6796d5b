"""Outbound webhook adapters: the SQS delivery queue and the HTTP client that POSTs to storefronts.

The client resolves the host itself, refuses any address :func:`faka.platform.webhooks.check_address`
refuses, and connects to the address it checked (TLS still verifies the host name), so a name that
re-resolves to a private address between the check and the connection reaches nothing. Redirects are
never followed: a 3xx is an answer, not a new target.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import urllib3

from faka import resources
from faka.platform.webhooks import DeliveryQueue, SendResult, WebhookSender, WebhookUrlRejected, check_address

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[Address]]
# Storefronts answer a webhook at once and work afterwards; a slow one is retried, not waited for.
CONNECT_TIMEOUT_SECONDS = 3.0
READ_TIMEOUT_SECONDS = 5.0
# The status, and the start of the body where an IM robot says it refused; reading more would let an endpoint
# keep the function busy.
_MAX_RESPONSE_BYTES = 4096


def resolve(host: str, port: int) -> list[Address]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(info[4][0]) for info in infos]


class HttpWebhookSender(WebhookSender):
    def __init__(self, *, allow_loopback: bool, resolver: Resolver = resolve) -> None:
        self._allow_loopback = allow_loopback
        self._resolve = resolver
        self._timeout = urllib3.Timeout(connect=CONNECT_TIMEOUT_SECONDS, read=READ_TIMEOUT_SECONDS)

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        parts = urlsplit(url)
        host = parts.hostname or ""
        https = parts.scheme.lower() == "https"
        port = parts.port or (443 if https else 80)
        try:
            addresses = self._resolve(host, port)
            if not addresses:
                return SendResult(None, "the host name has no address")
            for address in addresses:
                check_address(address, allow_loopback=self._allow_loopback)
        except OSError:
            return SendResult(None, "the host name does not resolve")
        except WebhookUrlRejected as rejected:
            return SendResult(None, rejected.message)
        pool: urllib3.HTTPConnectionPool
        options: dict[str, Any] = {"timeout": self._timeout, "retries": False, "maxsize": 1}
        if https:
            pool = urllib3.HTTPSConnectionPool(
                str(addresses[0]),
                port,
                server_hostname=host,
                assert_hostname=host,
                cert_reqs="CERT_REQUIRED",
                **options,
            )
        else:
            pool = urllib3.HTTPConnectionPool(str(addresses[0]), port, **options)
        target = parts.path or "/"
        if parts.query:
            target += f"?{parts.query}"
        try:
            with pool:
                response = pool.urlopen(
                    "POST",
                    target,
                    body=body,
                    headers={**headers, "Host": parts.netloc.rpartition("@")[2]},
                    redirect=False,
                    preload_content=False,
                )
                answer = response.read(_MAX_RESPONSE_BYTES)
                response.release_conn()
        except urllib3.exceptions.HTTPError as error:
            return SendResult(None, f"{type(error).__name__}: the request did not complete")
        refused = None if 200 <= response.status < 300 else f"HTTP {response.status}"
        return SendResult(response.status, refused, body=answer)


class SqsDeliveryQueue(DeliveryQueue):
    # SQS delays a message 15 minutes at most; a longer wait is served by the domain re-queueing an early message.
    MAX_DELAY_SECONDS = 900

    def __init__(self, sqs_client: Any, spec: resources.QueueSpec = resources.WEBHOOK_DELIVERIES_QUEUE) -> None:
        self._sqs = sqs_client
        self._url = sqs_client.get_queue_url(QueueName=spec.physical_name)["QueueUrl"]
        # Looked up when first needed: only the delivery function dead-letters, and only it may.
        self._dlq_name = spec.dlq_physical_name

    def enqueue(self, delivery_id: str, delay_seconds: int = 0) -> None:
        self._sqs.send_message(
            QueueUrl=self._url,
            MessageBody=json.dumps({"delivery_id": delivery_id}),
            DelaySeconds=max(0, min(self.MAX_DELAY_SECONDS, int(delay_seconds))),
        )

    def dead_letter(self, delivery_id: str) -> None:
        # "revive": an SQS redrive of this message back to the queue starts the delivery's schedule afresh.
        dlq_url = self._sqs.get_queue_url(QueueName=self._dlq_name)["QueueUrl"]
        self._sqs.send_message(QueueUrl=dlq_url, MessageBody=json.dumps({"delivery_id": delivery_id, "revive": True}))
