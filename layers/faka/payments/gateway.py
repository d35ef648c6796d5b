"""What Alipay, WeChat Pay and the TRON watcher share: an HTTP transport they are given, RSA signatures,
money as text, and what a verified notification says.

The providers never open a connection themselves: each takes an :class:`HttpTransport`, so tests and
``faka local`` hand them an in-process stand-in and AWS hands them :func:`urllib_transport`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Generic, Protocol, TypeVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

HTTP_TIMEOUT_SECONDS = 10

Notice = TypeVar("Notice")


@dataclass(frozen=True)
class HttpRequest:
    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        """A header by name, whatever its case (HTTP header names are case-insensitive)."""
        wanted = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == wanted), None)


class HttpTransport(Protocol):
    """Sends one request and returns the answer, whatever its status; raises only when no answer came."""

    def __call__(self, request: HttpRequest) -> HttpResponse: ...


class PaymentGatewayError(Exception):
    """The provider's API failed or answered something faka cannot trust; the caller's retry is the remedy."""


def urllib_transport(request: HttpRequest) -> HttpResponse:
    """The real transport: the standard library's client, with a timeout (no SDK, no extra dependency)."""
    if not request.url.startswith("https://"):
        raise PaymentGatewayError(f"payment APIs are reached over https only, not {request.url}")
    outgoing = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        request.url, data=request.body or None, headers=dict(request.headers), method=request.method
    )
    try:
        with urllib.request.urlopen(outgoing, timeout=HTTP_TIMEOUT_SECONDS) as answer:  # noqa: S310
            return HttpResponse(answer.status, answer.read(), dict(answer.headers.items()))
    except urllib.error.HTTPError as error:
        return HttpResponse(error.code, error.read(), dict(error.headers.items()))
    except (urllib.error.URLError, TimeoutError) as error:
        raise PaymentGatewayError(f"no answer from {request.url}: {error}") from None


@dataclass(frozen=True)
class Ignored:
    """A genuine notification that asks nothing of faka (a trade created, closed unpaid...): acknowledged."""

    reason: str


@dataclass(frozen=True)
class VerifiedNotice(Generic[Notice]):
    """A notification whose signature was checked. ``event_id`` is stable across the provider's retries of
    the same notification: the caller deduplicates on it (a replay parses to the same notice)."""

    event_id: str
    notice: Notice


def load_private_key(pem: str | bytes) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode() if isinstance(pem, str) else pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("an RSA private key is needed")
    return key


def load_public_key(pem: str | bytes) -> rsa.RSAPublicKey:
    """A public key from PEM: a bare key, or an X.509 certificate (WeChat Pay's platform certificates)."""
    data = pem.encode() if isinstance(pem, str) else pem
    key: object
    if b"-----BEGIN CERTIFICATE-----" in data:
        from cryptography import x509  # only for certificates: most shops have bare public keys

        key = x509.load_pem_x509_certificate(data).public_key()
    else:
        key = serialization.load_pem_public_key(data)
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("an RSA public key is needed")
    return key


def rsa_sha256_sign(key: rsa.RSAPrivateKey, message: bytes) -> str:
    """SHA256withRSA (PKCS#1 v1.5), base64: Alipay's RSA2 and WeChat Pay's WECHATPAY2-SHA256-RSA2048."""
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def rsa_sha256_valid(key: rsa.RSAPublicKey, message: bytes, signature: str) -> bool:
    try:
        key.verify(base64.b64decode(signature, validate=True), message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


# A merchant's request number (Alipay out_request_no, WeChat Pay out_refund_no) holds at most 64 characters.
REFERENCE_MAX = 64


def bounded_reference(idempotency_key: str) -> str:
    """faka's idempotency key as a provider request number: itself, or its SHA-256 (64 hex) when longer."""
    if len(idempotency_key) <= REFERENCE_MAX:
        return idempotency_key
    return hashlib.sha256(idempotency_key.encode()).hexdigest()


_DECIMAL_AMOUNT = re.compile(r"(0|[1-9]\d*)(\.\d{1,2})?")


def yuan_to_fen(text: str) -> int:
    """``"88.88"`` → 8888: Alipay's decimal amount as integer minor units, refusing anything else."""
    if not _DECIMAL_AMOUNT.fullmatch(text):
        raise ValueError(f"not an amount in yuan: {text!r}")
    return int(Decimal(text) * 100)


def fen_to_yuan(fen: int) -> str:
    if fen < 0:
        raise ValueError("a negative amount")
    return f"{fen // 100}.{fen % 100:02d}"
