"""Which entry each money event makes: pure arithmetic, no storage.

Every entry is per shop and currency, over four accounts whose amounts sum to zero:

* ``shop`` — what the platform owes the shop (credited by its sales, debited by what it bears);
* ``commission`` — what the platform kept of the shop's sales;
* ``advances`` — what the platform paid out of its own pocket on the shop's behalf (platform-first compensation);
* ``funds`` — the buyers' money at the payment providers: a payment debits it (the money came in), a refund or a
  chargeback credits it (the money went out).

A payment credits the shop its amount less the shop's commission rate (basis points, rounded down, so the
platform never keeps more than its rate) and the platform that commission. A refund or a chargeback is borne by
the shop in full; the commission is not returned (the provider keeps its fee too). A platform-first compensation
(the shop missed its refund review SLA, ``compensated_by_platform``) is the platform's advance to the buyer,
charged to the shop at once: the advances account shows both halves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

BASIS_POINTS = 10_000


class Account(StrEnum):
    SHOP = "shop"
    COMMISSION = "commission"
    ADVANCES = "advances"
    FUNDS = "funds"


class EntryKind(StrEnum):
    PAYMENT = "payment"
    REFUND = "refund"
    CHARGEBACK = "chargeback"
    COMPENSATION = "compensation"


# The domain events that move money, as their detail types: the consumer sends these here.
LEDGER_EVENTS = ("OrderPaid", "RefundCompleted", "DisputeOpened", "ChargeRefunded")


Posting = tuple[Account, int]


@dataclass(frozen=True)
class Entry:
    """One double entry: ``cause`` names the event that made it, so the same event never makes two."""

    cause: str
    kind: EntryKind
    shop_id: str
    order_id: str
    currency: str
    occurred_at: datetime
    # Legs in the order they happened; an account may appear twice (an advance made and charged back).
    postings: tuple[Posting, ...]
    commission_bps: int | None = None
    ref: str | None = None

    def __post_init__(self) -> None:
        if sum(amount for _, amount in self.postings) != 0:
            raise ValueError(f"entry {self.cause} does not balance: {self.postings}")

    def net(self) -> dict[Account, int]:
        """What the entry changes each account's balance by."""
        changes: dict[Account, int] = {}
        for account, amount in self.postings:
            changes[account] = changes.get(account, 0) + amount
        return changes


def commission(amount: int, rate_bps: int) -> int:
    """The platform's share of a payment, rounded down."""
    return amount * rate_bps // BASIS_POINTS


def payment(amount: int, rate_bps: int) -> tuple[Posting, ...]:
    kept = commission(amount, rate_bps)
    return (Account.FUNDS, -amount), (Account.SHOP, amount - kept), (Account.COMMISSION, kept)


def borne_by_shop(amount: int) -> tuple[Posting, ...]:
    return (Account.FUNDS, amount), (Account.SHOP, -amount)


def compensation(amount: int) -> tuple[Posting, ...]:
    """The platform's advance paid to the buyer, then charged to the shop."""
    return (Account.ADVANCES, -amount), (Account.FUNDS, amount), (Account.SHOP, -amount), (Account.ADVANCES, amount)


def entry_for(detail_type: str, detail: Mapping[str, Any], occurred_at: datetime, rate_bps: int) -> Entry | None:
    """The entry a domain event makes, or None for one that moves no money."""
    common = {"shop_id": detail.get("shop_id", ""), "order_id": detail["order_id"], "occurred_at": occurred_at}
    currency = str(detail["currency"]).lower()
    amount = int(detail["amount"])
    match detail_type:
        case "OrderPaid":
            return Entry(
                f"OrderPaid:{detail['order_id']}",
                EntryKind.PAYMENT,
                currency=currency,
                postings=payment(amount, rate_bps),
                commission_bps=rate_bps,
                ref=detail.get("payment_ref"),
                **common,
            )
        case "RefundCompleted":
            compensated = bool(detail.get("compensated_by_platform"))
            return Entry(
                f"RefundCompleted:{detail['refund_id']}",
                EntryKind.COMPENSATION if compensated else EntryKind.REFUND,
                currency=currency,
                postings=compensation(amount) if compensated else borne_by_shop(amount),
                ref=detail["refund_id"],
                **common,
            )
        case "DisputeOpened":
            return Entry(
                f"DisputeOpened:{detail['dispute_id']}",
                EntryKind.CHARGEBACK,
                currency=currency,
                postings=borne_by_shop(amount),
                ref=detail["dispute_id"],
                **common,
            )
        case "ChargeRefunded":
            # One per step of the charge's refunded total: a second refund of the same charge is another entry.
            return Entry(
                f"ChargeRefunded:{detail['charge']}:{detail['refunded_total']}",
                EntryKind.REFUND,
                currency=currency,
                postings=borne_by_shop(amount),
                ref=detail["charge"],
                **common,
            )
    return None
