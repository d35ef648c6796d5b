"""Which page a buyer pays on: a phone's browser gets its provider's mobile flow (Alipay WAP pay, WeChat Pay H5), a
computer the desktop one (Alipay page pay, a WeChat Pay Native QR code to scan with the phone).

The device is read from the ``User-Agent`` of the request that places the order: the storefront's page sends it
from the buyer's own browser, so no field is needed, and a client that sends none pays as on a computer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from faka.ports import PaymentProvider

# What phones' browsers put in their User-Agent ("Mobi" covers Mobile and Mobile Safari); Android tablets too, whose
# buyers also pay in the Alipay or WeChat app rather than by scanning a code.
_MOBILE_BROWSER = re.compile(r"Mobi|Android|iPhone|iPod|HarmonyOS|Windows Phone|Opera Mini", re.IGNORECASE)


@dataclass(frozen=True)
class BuyerDevice:
    """The buyer's browser: on a phone or not, and its IP address when known (WeChat Pay H5 asks for it)."""

    mobile: bool
    ip: str | None

    @classmethod
    def of(cls, user_agent: str | None, ip: str | None) -> BuyerDevice:
        return cls(bool(user_agent and _MOBILE_BROWSER.search(user_agent)), ip)


@runtime_checkable
class MobileCheckout(Protocol):
    """A provider with a flow of its own for a phone's browser."""

    def mobile_checkout(
        self, *, order_id: str, amount: int, currency: str, description: str, return_url: str, device: BuyerDevice
    ) -> dict[str, Any]: ...


def start_checkout(
    provider: PaymentProvider,
    device: BuyerDevice,
    *,
    order_id: str,
    amount: int,
    currency: str,
    description: str,
    email: str,
    return_url: str,
) -> dict[str, Any]:
    """The provider's mobile flow for a phone, where it has one; its checkout otherwise."""
    if device.mobile and isinstance(provider, MobileCheckout):
        return provider.mobile_checkout(
            order_id=order_id,
            amount=amount,
            currency=currency,
            description=description,
            return_url=return_url,
            device=device,
        )
    return provider.checkout(
        order_id=order_id, amount=amount, currency=currency, description=description, email=email, return_url=return_url
    )
