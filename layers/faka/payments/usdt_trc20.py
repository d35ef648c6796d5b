"""USDT on TRON (TRC20): each order is paid by sending a unique amount to the shop's wallet, and a scheduled
watcher reads the wallet's incoming transfers from a TronGrid-compatible API and matches them to orders.

How an amount names its order: an order's price is in cents of USDT, and USDT has six decimals, so the four
decimals below the cent (``0.000001`` to ``0.009999``, less than a cent) are free. Each order holds one such
suffix in its wallet from checkout until an hour after it expired; the buyer pays ``price + suffix``. A
transfer whose last four decimals are an order's suffix is that order's: exactly the amount → paid; more or
less (a whole number of cents off) → over- or under-paid; after the order expired → expired. Anything else
is unmatched, for an operator. Nothing is sent on chain: refunds are sent by an operator and recorded
here with their transaction hash.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import quote, urlencode

from faka.errors import Conflict, InvalidRequest, NotFound, TooManyRequests
from faka.payments.gateway import HttpRequest, HttpTransport, PaymentGatewayError
from faka.ports import PaymentProvider
from faka.shared.model import PaymentConfirmation

PROVIDER = "usdt_trc20"
CURRENCY = "usdt"
TRONGRID_URL = "https://api.trongrid.io"
USDT_CONTRACT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"  # Tether USD on TRON mainnet
TOKEN_DECIMALS = 6
PRICE_DECIMALS = 2  # order amounts are cents of USDT
SUFFIXES = 10 ** (TOKEN_DECIMALS - PRICE_DECIMALS)  # suffixes 1..9999 (0 is what a careless buyer sends)
# TRON finalises a block once 19 later blocks were produced (2/3 of the 27 super representatives).
DEFAULT_CONFIRMATIONS = 19
# As long as reconciliation keeps asking about an expired order: a late payment still finds its order.
LATE_PAYMENT_HOLD = timedelta(hours=1)
_CLAIM_ATTEMPTS = 8
_PAGE_SIZE = 200
_TX_HASH = re.compile(r"[0-9a-f]{64}")


class ManualRefundRequired(Conflict):
    """USDT is paid back by an operator from the shop's wallet, then recorded with its transaction hash."""

    code = "manual_refund_required"


@dataclass(frozen=True)
class AmountSlot:
    """An order's unique amount in a wallet: ``price`` cents plus ``suffix`` millionths below the cent."""

    wallet: str
    order_id: str
    price: int
    suffix: int
    allocated_at: datetime
    expires_at: datetime
    held_until: datetime

    @property
    def amount(self) -> int:
        """What the buyer sends, in the token's base units (millionths of a USDT)."""
        return self.price * SUFFIXES + self.suffix

    def holds(self, at: datetime) -> bool:
        return self.allocated_at <= at <= self.held_until


class AmountSlots(ABC):
    """Which unique amounts a wallet waits for. Written for a DynamoDB table: one item per (wallet, suffix),
    claimed with ``attribute_not_exists(pk) OR held_until < :now``, and one per order, in one transaction."""

    @abstractmethod
    def claim(self, slot: AmountSlot, now: datetime) -> bool:
        """Give ``slot.suffix`` in ``slot.wallet`` to ``slot.order_id``; False when another order holds it
        at ``now`` or the order already has a slot (a concurrent checkout of the same order)."""

    @abstractmethod
    def of_order(self, order_id: str) -> AmountSlot | None: ...

    @abstractmethod
    def holder(self, wallet: str, suffix: int) -> AmountSlot | None:
        """The slot that last claimed ``suffix`` in ``wallet``, held or not."""


class InMemoryAmountSlots(AmountSlots):
    """For tests and ``faka local``: the same rules in a dict, under a lock (the local runtime is threaded)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_suffix: dict[tuple[str, int], AmountSlot] = {}
        self._by_order: dict[str, AmountSlot] = {}

    def claim(self, slot: AmountSlot, now: datetime) -> bool:
        with self._lock:
            current = self._by_suffix.get((slot.wallet, slot.suffix))
            if slot.order_id in self._by_order or (current is not None and current.held_until >= now):
                return False
            self._by_suffix[(slot.wallet, slot.suffix)] = self._by_order[slot.order_id] = slot
            return True

    def of_order(self, order_id: str) -> AmountSlot | None:
        return self._by_order.get(order_id)

    def holder(self, wallet: str, suffix: int) -> AmountSlot | None:
        return self._by_suffix.get((wallet, suffix))


@dataclass(frozen=True)
class Trc20Transfer:
    tx_id: str
    from_address: str
    to_address: str
    amount: int  # base units
    at: datetime


class TronGrid:
    """The few TronGrid calls the watcher needs, over an injected transport (any TronGrid-compatible node)."""

    def __init__(
        self,
        transport: HttpTransport,
        *,
        base_url: str = TRONGRID_URL,
        api_key: str | None = None,
        contract: str = USDT_CONTRACT,
    ) -> None:
        self._transport = transport
        self._base_url = base_url.rstrip("/")
        self._headers = {"Accept": "application/json", **({"TRON-PRO-API-KEY": api_key} if api_key else {})}
        self.contract = contract

    def transfers(self, wallet: str, since: datetime, *, incoming: bool = True) -> list[Trc20Transfer]:
        """Confirmed transfers of the contract's token to (or from) ``wallet`` since ``since``, oldest first."""
        query: dict[str, str] = {
            "only_confirmed": "true",
            "only_to" if incoming else "only_from": "true",
            "contract_address": self.contract,
            "min_timestamp": str(int(since.timestamp() * 1000)),
            "order_by": "block_timestamp,asc",
            "limit": str(_PAGE_SIZE),
        }
        found: list[Trc20Transfer] = []
        while True:
            page = self._call("GET", f"/v1/accounts/{quote(wallet)}/transactions/trc20?{urlencode(query)}")
            if page.get("success") is not True or not isinstance(page.get("data"), list):
                raise PaymentGatewayError("TronGrid's transfer list is not a success")
            found.extend(self._transfer(item) for item in page["data"] if self._counts(item, wallet, incoming))
            fingerprint = (page.get("meta") or {}).get("fingerprint")
            if not fingerprint:
                return sorted(found, key=lambda t: t.at)
            query["fingerprint"] = str(fingerprint)

    def _counts(self, item: Any, wallet: str, incoming: bool) -> bool:
        """A transfer of this very token, in the asked direction (a node need not honour every filter)."""
        token = item.get("token_info") or {}
        return (
            item.get("type") == "Transfer"
            and token.get("address") == self.contract
            and int(token.get("decimals", -1)) == TOKEN_DECIMALS
            and item.get("to" if incoming else "from") == wallet
        )

    @staticmethod
    def _transfer(item: dict[str, Any]) -> Trc20Transfer:
        try:
            return Trc20Transfer(
                tx_id=str(item["transaction_id"]),
                from_address=str(item["from"]),
                to_address=str(item["to"]),
                amount=int(str(item["value"])),
                at=datetime.fromtimestamp(int(item["block_timestamp"]) / 1000, UTC),
            )
        except (KeyError, TypeError, ValueError):
            raise PaymentGatewayError("TronGrid listed a transfer faka cannot read") from None

    def latest_block(self) -> int:
        block = self._call("POST", "/wallet/getnowblock", {})
        try:
            return int(block["block_header"]["raw_data"]["number"])
        except (KeyError, TypeError, ValueError):
            raise PaymentGatewayError("TronGrid's latest block has no number") from None

    def block_of(self, tx_id: str) -> int | None:
        """The block a successful transaction is in; None when the node does not know it (yet) or it failed."""
        info = self._call("POST", "/wallet/gettransactioninfobyid", {"value": tx_id})
        if "blockNumber" not in info or (info.get("receipt") or {}).get("result", "SUCCESS") != "SUCCESS":
            return None
        return int(info["blockNumber"])

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = dict(self._headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode() if body is not None else b""
        answer = self._transport(HttpRequest(method, self._base_url + path, headers, data))
        if answer.status != 200:
            raise PaymentGatewayError(f"TronGrid {path.split('?')[0]} answered HTTP {answer.status}")
        try:
            parsed = json.loads(answer.body)
        except ValueError:
            raise PaymentGatewayError(f"TronGrid {path.split('?')[0]} answered something not JSON") from None
        if not isinstance(parsed, dict):
            raise PaymentGatewayError(f"TronGrid {path.split('?')[0]} answered something not an object")
        return parsed


class TransferKind(StrEnum):
    PAID = "paid"
    UNDERPAID = "underpaid"
    OVERPAID = "overpaid"
    EXPIRED = "expired"  # the order's amount, sent after the order expired
    UNMATCHED = "unmatched"  # no order holds this amount: an operator looks
    UNCONFIRMED = "unconfirmed"  # an order's, but not yet enough blocks on top: asked again next run


@dataclass(frozen=True)
class TransferMatch:
    """What one incoming transfer is. ``payment`` is set for paid, under-, over-paid and expired ones: its
    amount is what arrived, in the order's cents, so recording it flags an amount that differs."""

    kind: TransferKind
    transfer: Trc20Transfer
    order_id: str | None = None
    payment: PaymentConfirmation | None = None

    @property
    def event_id(self) -> str:
        """Stable across watcher runs (each sees the same transfer again): the caller deduplicates on it."""
        return f"{PROVIDER}:{self.transfer.tx_id}"


class UsdtTrc20Checkout(PaymentProvider):
    """A shop's TRON wallet taking USDT; the payment reference is the transfer's transaction hash."""

    name = PROVIDER

    def __init__(
        self,
        *,
        wallet: str,
        chain: TronGrid,
        slots: AmountSlots,
        expires_in: timedelta,
        confirmations: int = DEFAULT_CONFIRMATIONS,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._wallet = wallet
        self._chain = chain
        self._slots = slots
        self._expires_in = expires_in
        self._confirmations = confirmations
        self._clock = clock

    def checkout(
        self, *, order_id: str, amount: int, currency: str, description: str, email: str, return_url: str
    ) -> dict[str, Any]:
        """The address and the exact amount to send (the same ones again for the same order)."""
        if currency.lower() != CURRENCY:
            raise InvalidRequest(f"USDT (TRC20) takes prices in {CURRENCY.upper()} only", code="currency_not_supported")
        if amount <= 0:
            raise InvalidRequest("a USDT payment needs a positive amount", code="invalid_amount")
        slot = self._slot(order_id, amount)
        return {
            "provider": self.name,
            "network": "TRC20",
            "address": slot.wallet,
            "amount": token_amount(slot.amount),
            "currency": CURRENCY,
            "expires_at": slot.expires_at.isoformat(),
        }

    def _slot(self, order_id: str, price: int) -> AmountSlot:
        existing = self._slots.of_order(order_id)
        if existing is not None:
            return existing
        now = self._clock().replace(microsecond=0)
        for _ in range(_CLAIM_ATTEMPTS):
            expires_at = now + self._expires_in
            slot = AmountSlot(
                wallet=self._wallet,
                order_id=order_id,
                price=price,
                suffix=1 + secrets.randbelow(SUFFIXES - 1),
                allocated_at=now,
                expires_at=expires_at,
                held_until=expires_at + LATE_PAYMENT_HOLD,
            )
            if self._slots.claim(slot, now):
                return slot
            existing = self._slots.of_order(order_id)
            if existing is not None:
                return existing
        raise TooManyRequests("no unique USDT amount is free in this wallet now", code="usdt_amounts_exhausted")

    def watch(self, since: datetime) -> list[TransferMatch]:
        """Every confirmed incoming transfer since ``since``, classified. Runs overlap on purpose (a transfer is
        seen again next run): recording a payment is idempotent and deduplicated on ``event_id``."""
        return self._classify(self._chain.transfers(self._wallet, since))

    def _classify(self, transfers: list[Trc20Transfer]) -> list[TransferMatch]:
        latest: int | None = None
        matches = []
        for transfer in transfers:
            slot = self._slots.holder(self._wallet, transfer.amount % SUFFIXES)
            if slot is None or not slot.holds(transfer.at):
                matches.append(TransferMatch(TransferKind.UNMATCHED, transfer))
                continue
            if self._confirmations > 0:
                latest = self._chain.latest_block() if latest is None else latest
                block = self._chain.block_of(transfer.tx_id)
                if block is None or latest - block + 1 < self._confirmations:
                    matches.append(TransferMatch(TransferKind.UNCONFIRMED, transfer, slot.order_id))
                    continue
            payment = PaymentConfirmation(
                slot.order_id, transfer.amount // SUFFIXES, CURRENCY, self.name, transfer.tx_id
            )
            matches.append(TransferMatch(_kind(slot, transfer), transfer, slot.order_id, payment))
        return matches

    def find_payments(self, order_id: str) -> list[PaymentConfirmation]:
        slot = self._slots.of_order(order_id)
        if slot is None:
            return []
        transfers = [
            t for t in self._chain.transfers(self._wallet, slot.allocated_at) if t.amount % SUFFIXES == slot.suffix
        ]
        return [m.payment for m in self._classify(transfers) if m.payment and m.order_id == order_id]

    def order_for_payment(self, *, payment_ref: str | None, charge: str | None) -> str | None:
        # A TRON transfer cannot be charged back, so no provider event ever names a payment without its order.
        return None

    def refund(self, *, payment_ref: str, amount: int, idempotency_key: str) -> str:
        raise ManualRefundRequired(
            "USDT is refunded by an operator from the shop's wallet, then recorded with its transaction hash"
        )

    def payer_of(self, *, order_id: str, payment_ref: str) -> str:
        return self._payment(order_id, payment_ref).from_address

    def _payment(self, order_id: str, payment_ref: str) -> Trc20Transfer:
        slot = self._slots.of_order(order_id)
        if slot is None:
            raise NotFound(f"order {order_id} was not paid in USDT", code="payment_not_found")
        paid = next((t for t in self._chain.transfers(self._wallet, slot.allocated_at) if t.tx_id == payment_ref), None)
        if paid is None:
            raise NotFound(f"no USDT payment {payment_ref} to this wallet", code="payment_not_found")
        return paid

    def record_operator_refund(self, *, order_id: str, payment_ref: str, amount: int, tx_hash: str) -> str:
        """Check that ``tx_hash`` sent at least ``amount`` cents of USDT from the shop's wallet back to the
        address that paid ``payment_ref``; returns it as the refund's reference."""
        tx_hash = tx_hash.strip().lower().removeprefix("0x")
        if not _TX_HASH.fullmatch(tx_hash):
            raise InvalidRequest("a TRON transaction hash is 64 hexadecimal characters", code="invalid_tx_hash")
        paid = self._payment(order_id, payment_ref)
        sent = next(
            (t for t in self._chain.transfers(self._wallet, paid.at, incoming=False) if t.tx_id == tx_hash), None
        )
        if sent is None:
            raise InvalidRequest(
                "no confirmed USDT transfer with this hash left the shop's wallet", code="refund_not_found"
            )
        if sent.to_address != paid.from_address:
            raise InvalidRequest("the transfer did not go back to the address that paid", code="refund_wrong_address")
        if sent.amount < amount * SUFFIXES:
            raise InvalidRequest(f"the transfer sent {token_amount(sent.amount)} USDT", code="refund_too_small")
        return tx_hash


def _kind(slot: AmountSlot, transfer: Trc20Transfer) -> TransferKind:
    if transfer.amount < slot.amount:
        return TransferKind.UNDERPAID
    if transfer.amount > slot.amount:
        return TransferKind.OVERPAID
    return TransferKind.EXPIRED if transfer.at > slot.expires_at else TransferKind.PAID


def token_amount(base_units: int) -> str:
    """``10001234`` → ``"10.001234"``: what a wallet app is told to send, all six decimals written."""
    whole, fraction = divmod(base_units, 10**TOKEN_DECIMALS)
    return f"{whole}.{fraction:0{TOKEN_DECIMALS}d}"
