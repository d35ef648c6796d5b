"""The outside services the domain needs, as small interfaces.

Each has one AWS adapter in :mod:`faka.adapters`; unit tests pass in-memory fakes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from faka.shared.model import PaymentConfirmation


class KeyVault(ABC):
    """Keeps card-key codes secret at rest and recognises a code already in stock."""

    @abstractmethod
    def seal(self, code: str, *, context: str) -> str:
        """Encrypt ``code``; ``context`` binds the ciphertext to its product so it cannot be moved."""

    @abstractmethod
    def open(self, sealed: str, *, context: str) -> str: ...

    @abstractmethod
    def fingerprint(self, code: str, *, context: str) -> str:
        """A keyed hash: equal for the same code of the same product, useless without the key."""


class EventPublisher(ABC):
    @abstractmethod
    def publish(self, detail_type: str, detail: Mapping[str, Any]) -> None: ...


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str


class Mailer(ABC):
    @abstractmethod
    def send(self, email: Email) -> str:
        """Send and return the provider's message id."""


class OperatorAlerts(ABC):
    @abstractmethod
    def alert(self, subject: str, message: str, *, shop_id: str, kind: str | None = None) -> None:
        """``kind`` (faka.platform.alert_channels.AlertKind) picks the shop's alert channels that receive it."""


class PaymentProvider(ABC):
    """Where a buyer pays. Stripe on AWS, the sandbox locally; Alipay, WeChat Pay or USDT plug in here."""

    name: str

    @abstractmethod
    def checkout(
        self, *, order_id: str, amount: int, currency: str, description: str, email: str, return_url: str
    ) -> dict[str, Any]:
        """Start a payment; returns what the storefront needs to send the buyer there (and back to ``return_url``)."""

    @abstractmethod
    def refund(self, *, payment_ref: str, amount: int, idempotency_key: str) -> str:
        """Pay ``amount`` (minor units) of a payment back; returns the provider's refund id.

        The same idempotency key never refunds twice, so a retried step cannot move money again.
        """

    @abstractmethod
    def find_payments(self, order_id: str) -> list[PaymentConfirmation]:
        """Every succeeded payment for the order, oldest first, whether or not their webhooks ever came."""

    def find_payment(self, order_id: str) -> PaymentConfirmation | None:
        """The order's first succeeded payment, if the provider has one."""
        return next(iter(self.find_payments(order_id)), None)

    @abstractmethod
    def order_for_payment(self, *, payment_ref: str | None, charge: str | None) -> str | None:
        """The faka order a payment (or a charge of it) was for, when a provider event names only those."""


@runtime_checkable
class OperatorPaysOut(Protocol):
    """A provider with no refund API (USDT): an operator sends the money back by hand, then records it here."""

    def payer_of(self, *, order_id: str, payment_ref: str) -> str:
        """Where the payment came from: the address the refund goes back to."""
        ...

    def record_operator_refund(self, *, order_id: str, payment_ref: str, amount: int, tx_hash: str) -> str:
        """Check the operator's transfer paid ``amount`` back to the payer; returns the refund's reference."""
        ...


class SendingHealth(ABC):
    """How the shop's mail is received: the outreach circuit breaker opens on bad rates."""

    @abstractmethod
    def rates(self) -> tuple[float, float]:
        """(bounce rate, complaint rate) over the provider's recent window."""
