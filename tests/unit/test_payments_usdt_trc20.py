"""USDT on TRON: unique amounts per open order, the watcher's reading of TronGrid, confirmations, matching
and classification, reconciliation, and refunds recorded by an operator.

TronGrid's answers come from ``tests/fixtures/tron`` (its documented TRC20 listing) and from the local
TronGrid stand-in, a sandbox chain the tests send transfers on and mine blocks of.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from faka.errors import InvalidRequest, NotFound, TooManyRequests
from faka.payments import usdt_trc20
from faka.payments.gateway import HttpRequest, HttpResponse, PaymentGatewayError
from faka.payments.usdt_trc20 import (
    AmountSlot,
    AmountSlots,
    InMemoryAmountSlots,
    ManualRefundRequired,
    TransferKind,
    TronGrid,
    UsdtTrc20Checkout,
)
from faka.shared.model import PaymentConfirmation
from faka_local.provider_standins import ProviderStandIns, TronGridStandIn

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "tron" / "trc20_transactions.json"
FIXTURE_WALLET = "TJmmqjb1DK9TTZbQXzRQ2AuA94z4gKAPFh"
WALLET = "TShopWallet11111111111111111111111"
BUYER = "TBuyerWallet1111111111111111111111"
STRANGER = "TStrangerWallet1111111111111111111"


def listing() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(FIXTURE.read_text())
    return document


class FixtureNode:
    """Answers the listing with the fixture (in pages when asked), and blocks: every transfer 20 deep."""

    def __init__(self, pages: int = 1) -> None:
        data = listing()["data"]
        size = -(-len(data) // pages)
        self.pages = [data[i : i + size] for i in range(0, len(data), size)]
        self.requests: list[HttpRequest] = []

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        target = urlsplit(request.url)
        if target.path == "/wallet/getnowblock":
            return _json({"block_header": {"raw_data": {"number": 70_000_020}}})
        if target.path == "/wallet/gettransactioninfobyid":
            return _json({"id": json.loads(request.body)["value"], "blockNumber": 70_000_000, "receipt": {}})
        index = int(dict(parse_qsl(target.query)).get("fingerprint", "0"))
        meta: dict[str, Any] = {"at": 1796532801234, "page_size": len(self.pages[index])}
        if index + 1 < len(self.pages):
            meta |= {"fingerprint": str(index + 1), "links": {"next": f"https://api.trongrid.io{target.path}?..."}}
        return _json({"data": self.pages[index], "success": True, "meta": meta})


def _json(body: dict[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(status, json.dumps(body).encode(), {"Content-Type": "application/json"})


SINCE = datetime(2026, 12, 6, tzinfo=UTC)


# --- reading TronGrid ---------------------------------------------------------------------------------------


def test_the_documented_listing_reads_as_usdt_transfers_to_the_wallet_only() -> None:
    chain = TronGrid(FixtureNode(), api_key="key-1")

    incoming = chain.transfers(FIXTURE_WALLET, SINCE)
    outgoing = chain.transfers(FIXTURE_WALLET, SINCE, incoming=False)

    assert [(t.amount, t.from_address) for t in incoming] == [
        (25_001_234, "TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL"),
        (9_990_000, "TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf"),
    ]
    assert incoming[0].at == datetime.fromtimestamp(1796532610, UTC)
    assert [(t.amount, t.to_address) for t in outgoing] == [(5_000_000, "TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL")]


def test_the_listing_asks_for_confirmed_usdt_transfers_since_a_time_and_follows_the_fingerprint() -> None:
    node = FixtureNode(pages=2)

    transfers = TronGrid(node, base_url="https://tron.example/", api_key="key-1").transfers(FIXTURE_WALLET, SINCE)

    assert len(transfers) == 2
    first, second = node.requests
    assert urlsplit(first.url).path == f"/v1/accounts/{FIXTURE_WALLET}/transactions/trc20"
    assert first.url.startswith("https://tron.example/v1/")
    query = dict(parse_qsl(urlsplit(first.url).query))
    assert query | {"limit": ""} == {
        "only_confirmed": "true",
        "only_to": "true",
        "contract_address": usdt_trc20.USDT_CONTRACT,
        "min_timestamp": str(int(SINCE.timestamp() * 1000)),
        "order_by": "block_timestamp,asc",
        "limit": "",
    }
    assert dict(parse_qsl(urlsplit(second.url).query)) == query | {"fingerprint": "1"}
    assert first.headers["TRON-PRO-API-KEY"] == "key-1"


@pytest.mark.parametrize(
    "answer",
    [
        _json({"success": False, "error": "rate limited"}),
        _json({"data": [{"transaction_id": "x", "token_info": {}}]}),
        HttpResponse(503, b"unavailable"),
        HttpResponse(200, b"<html>"),
    ],
)
def test_a_listing_that_is_not_a_success_is_a_gateway_error(answer: HttpResponse) -> None:
    with pytest.raises(PaymentGatewayError):
        TronGrid(lambda request: answer).transfers(FIXTURE_WALLET, SINCE)


def test_a_listed_usdt_transfer_faka_cannot_read_is_a_gateway_error() -> None:
    broken = listing()
    broken["data"][0]["value"] = "25.001234"

    with pytest.raises(PaymentGatewayError, match="cannot read"):
        TronGrid(lambda request: _json(broken)).transfers(FIXTURE_WALLET, SINCE)


# --- unique amounts -----------------------------------------------------------------------------------------


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def provider(
    chain: TronGridStandIn | FixtureNode,
    slots: AmountSlots | None = None,
    *,
    wallet: str = WALLET,
    clock: Clock | None = None,
    confirmations: int = usdt_trc20.DEFAULT_CONFIRMATIONS,
) -> UsdtTrc20Checkout:
    return UsdtTrc20Checkout(
        wallet=wallet,
        chain=TronGrid(chain),
        slots=slots or InMemoryAmountSlots(),
        expires_in=timedelta(minutes=30),
        confirmations=confirmations,
        clock=clock or (lambda: datetime.now(UTC)),
    )


def checkout(usdt: UsdtTrc20Checkout, order_id: str, price: int = 1000) -> dict[str, Any]:
    return usdt.checkout(order_id=order_id, amount=price, currency="usdt", description="d", email="", return_url="")


def test_checkout_names_the_wallet_and_a_unique_amount_below_the_cent_the_same_for_a_retry() -> None:
    usdt = provider(TronGridStandIn())

    answer = checkout(usdt, "01JORDER", 2500)

    assert (answer["provider"], answer["network"], answer["address"], answer["currency"]) == (
        "usdt_trc20",
        "TRC20",
        WALLET,
        "usdt",
    )
    whole, fraction = answer["amount"].split(".")
    assert whole == "25"
    assert len(fraction) == 6
    assert fraction.startswith("00")  # less than a cent more
    assert fraction != "000000"
    assert datetime.fromisoformat(answer["expires_at"]) > datetime.now(UTC) + timedelta(minutes=29)
    assert checkout(usdt, "01JORDER", 2500) == answer


def test_open_orders_of_one_wallet_never_share_an_amount_even_when_placed_at_once() -> None:
    usdt = provider(TronGridStandIn())
    amounts: dict[str, str] = {}

    def place(first: int) -> None:
        for n in range(first, first + 100):
            amounts[f"order-{n}"] = checkout(usdt, f"order-{n}", 1000)["amount"]

    threads = [threading.Thread(target=place, args=(i * 100,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(amounts) == 400
    assert len(set(amounts.values())) == 400


def test_a_suffix_passes_to_another_order_only_after_its_hold_ends() -> None:
    slots = InMemoryAmountSlots()
    start = datetime(2026, 12, 6, 12, tzinfo=UTC)
    first = AmountSlot(WALLET, "first", 1000, 42, start, start + timedelta(minutes=30), start + timedelta(minutes=90))
    second = AmountSlot(WALLET, "second", 500, 42, start, start, start)

    assert slots.claim(first, start)
    assert not slots.claim(second, start + timedelta(minutes=90))
    assert not slots.claim(first, start + timedelta(hours=3))  # the order already has its slot
    assert slots.claim(second, start + timedelta(minutes=91))
    assert slots.holder(WALLET, 42) == second
    assert slots.claim(AmountSlot("TOtherWallet", "third", 1, 42, start, start, start), start)


def test_when_no_amount_is_free_the_order_is_refused_clearly() -> None:
    class Full(InMemoryAmountSlots):
        def claim(self, slot: AmountSlot, now: datetime) -> bool:
            return False

    with pytest.raises(TooManyRequests) as raised:
        checkout(provider(TronGridStandIn(), Full()), "01JORDER")

    assert raised.value.code == "usdt_amounts_exhausted"


def test_checkout_takes_usdt_prices_only() -> None:
    with pytest.raises(InvalidRequest) as raised:
        provider(TronGridStandIn()).checkout(
            order_id="o", amount=100, currency="cny", description="", email="", return_url=""
        )

    assert raised.value.code == "currency_not_supported"


@given(price=st.integers(min_value=1, max_value=10**9), suffix=st.integers(min_value=1, max_value=9999))
def test_an_amount_written_for_the_wallet_app_is_exactly_price_and_suffix(price: int, suffix: int) -> None:
    slot = AmountSlot(WALLET, "o", price, suffix, SINCE, SINCE, SINCE)

    written = usdt_trc20.token_amount(slot.amount)

    assert Decimal(written) == Decimal(price) / 100 + Decimal(suffix) / 10**6
    assert (slot.amount // usdt_trc20.SUFFIXES, slot.amount % usdt_trc20.SUFFIXES) == (price, suffix)


# --- the watcher ---------------------------------------------------------------------------------------------


def sent(usdt_checkout: dict[str, Any]) -> int:
    return int(Decimal(usdt_checkout["amount"]) * 10**6)


@pytest.fixture
def chain() -> TronGridStandIn:
    return TronGridStandIn()


def watch(usdt: UsdtTrc20Checkout) -> list[tuple[TransferKind, str | None, PaymentConfirmation | None]]:
    return [(m.kind, m.order_id, m.payment) for m in usdt.watch(datetime.now(UTC) - timedelta(hours=3))]


def test_the_exact_amount_confirmed_is_the_order_paid(chain: TronGridStandIn) -> None:
    usdt = provider(chain)
    amount = sent(checkout(usdt, "01JORDER", 2500))
    tx_id = chain.send(BUYER, WALLET, amount)
    chain.mine(25)

    assert watch(usdt) == [
        (TransferKind.PAID, "01JORDER", PaymentConfirmation("01JORDER", 2500, "usdt", "usdt_trc20", tx_id))
    ]
    assert usdt.find_payments("01JORDER") == [PaymentConfirmation("01JORDER", 2500, "usdt", "usdt_trc20", tx_id)]


def test_a_transfer_waits_for_its_confirmations(chain: TronGridStandIn) -> None:
    usdt = provider(chain, confirmations=30)
    amount = sent(checkout(usdt, "01JORDER"))
    chain.send(BUYER, WALLET, amount)
    chain.mine(25)  # listed as confirmed by the node (19), not yet 30 deep

    assert watch(usdt) == [(TransferKind.UNCONFIRMED, "01JORDER", None)]
    assert usdt.find_payments("01JORDER") == []

    chain.mine(5)

    assert [kind for kind, _, _ in watch(usdt)] == [TransferKind.PAID]


def test_under_and_over_payment_are_the_orders_and_carry_what_arrived(chain: TronGridStandIn) -> None:
    usdt = provider(chain)
    under = sent(checkout(usdt, "01JUNDER", 2500))
    over = sent(checkout(usdt, "01JOVER", 2500))
    chain.send(BUYER, WALLET, under - 1_000_000)  # a dollar short, the order's own decimals
    chain.send(BUYER, WALLET, over + 50_000)  # five cents more
    chain.mine(25)

    [(under_kind, _, under_paid), (over_kind, _, over_paid)] = watch(usdt)

    assert (under_kind, under_paid and under_paid.order_id, under_paid and under_paid.amount) == (
        TransferKind.UNDERPAID,
        "01JUNDER",
        2400,
    )
    assert (over_kind, over_paid and over_paid.order_id, over_paid and over_paid.amount) == (
        TransferKind.OVERPAID,
        "01JOVER",
        2505,
    )


def test_the_exact_amount_after_the_order_expired_is_classified_expired(chain: TronGridStandIn) -> None:
    usdt = provider(chain)
    answer = checkout(usdt, "01JORDER")
    chain.send(BUYER, WALLET, sent(answer), at=datetime.fromisoformat(answer["expires_at"]) + timedelta(minutes=5))
    chain.mine(25)

    [(kind, order_id, payment)] = [
        (m.kind, m.order_id, m.payment) for m in usdt.watch(datetime.now(UTC) - timedelta(hours=1))
    ]

    assert (kind, order_id, payment and payment.amount) == (TransferKind.EXPIRED, "01JORDER", 1000)


def test_transfers_no_order_holds_are_unmatched(chain: TronGridStandIn) -> None:
    usdt = provider(chain)
    amount = sent(checkout(usdt, "01JORDER"))
    chain.send(BUYER, WALLET, 10_000_000)  # a round ten: no order's decimals
    chain.send(BUYER, WALLET, amount + 1)  # another suffix
    chain.send(BUYER, WALLET, amount, at=datetime.now(UTC) - timedelta(hours=2))  # before the order existed
    chain.send(BUYER, STRANGER, amount)  # to another wallet: never listed
    chain.mine(25)

    assert watch(usdt) == [
        (TransferKind.UNMATCHED, None, None),
        (TransferKind.UNMATCHED, None, None),
        (TransferKind.UNMATCHED, None, None),
    ]


def test_another_tokens_transfer_of_the_exact_amount_is_not_a_payment(chain: TronGridStandIn) -> None:
    fake_usdt = TronGridStandIn(contract="TFakeUsdtContract111111111111111111")
    usdt = provider(fake_usdt)
    fake_usdt.send(BUYER, WALLET, sent(checkout(usdt, "01JORDER")))
    fake_usdt.mine(25)

    assert watch(usdt) == []


def test_each_watch_run_sees_a_transfer_again_under_the_same_event_id(chain: TronGridStandIn) -> None:
    usdt = provider(chain)
    chain.send(BUYER, WALLET, sent(checkout(usdt, "01JORDER")))
    chain.mine(25)
    since = datetime.now(UTC) - timedelta(hours=1)

    first, again = usdt.watch(since), usdt.watch(since)

    assert first == again
    assert [m.event_id for m in first] == [f"usdt_trc20:{first[0].transfer.tx_id}"]


def test_reconciliation_of_an_order_without_an_amount_finds_nothing(chain: TronGridStandIn) -> None:
    assert provider(chain).find_payments("01JNEVER") == []


def test_the_documented_listing_pays_the_order_holding_its_suffix() -> None:
    slots = InMemoryAmountSlots()
    allocated = datetime.fromtimestamp(1796532000, UTC)
    slot = AmountSlot(
        FIXTURE_WALLET,
        "01JORDER",
        2500,
        1234,
        allocated,
        allocated + timedelta(minutes=30),
        allocated + timedelta(hours=2),
    )
    assert slots.claim(slot, allocated)
    usdt = provider(FixtureNode(), slots, wallet=FIXTURE_WALLET)

    matches = usdt.watch(SINCE)

    assert [(m.kind, m.order_id, m.transfer.amount) for m in matches] == [
        (TransferKind.PAID, "01JORDER", 25_001_234),
        (TransferKind.UNMATCHED, None, 9_990_000),
    ]


# --- refunds ------------------------------------------------------------------------------------------------


def test_a_refund_is_an_operators_to_send(chain: TronGridStandIn) -> None:
    with pytest.raises(ManualRefundRequired) as raised:
        provider(chain).refund(payment_ref="ab" * 32, amount=1000, idempotency_key="refund-1")

    assert (raised.value.status, raised.value.code) == (409, "manual_refund_required")


@pytest.fixture
def paid(chain: TronGridStandIn) -> tuple[UsdtTrc20Checkout, str]:
    usdt = provider(chain)
    payment_ref = chain.send(BUYER, WALLET, sent(checkout(usdt, "01JORDER", 2500)))
    chain.mine(25)
    return usdt, payment_ref


def test_an_operators_refund_back_to_the_payer_is_recorded_by_its_hash(
    chain: TronGridStandIn, paid: tuple[UsdtTrc20Checkout, str]
) -> None:
    usdt, payment_ref = paid
    refund_tx = chain.send(WALLET, BUYER, 25_000_000)
    chain.mine(25)

    recorded = usdt.record_operator_refund(
        order_id="01JORDER", payment_ref=payment_ref, amount=2500, tx_hash="0x" + refund_tx.upper()
    )

    assert recorded == refund_tx


@pytest.mark.parametrize(
    ("to", "value", "code"),
    [(STRANGER, 25_000_000, "refund_wrong_address"), (BUYER, 24_990_000, "refund_too_small")],
)
def test_an_operators_refund_that_did_not_pay_the_buyer_back_is_refused(
    chain: TronGridStandIn, paid: tuple[UsdtTrc20Checkout, str], to: str, value: int, code: str
) -> None:
    usdt, payment_ref = paid
    refund_tx = chain.send(WALLET, to, value)
    chain.mine(25)

    with pytest.raises(InvalidRequest) as raised:
        usdt.record_operator_refund(order_id="01JORDER", payment_ref=payment_ref, amount=2500, tx_hash=refund_tx)

    assert raised.value.code == code


def test_an_operators_refund_hash_must_be_a_confirmed_transfer_out(
    chain: TronGridStandIn, paid: tuple[UsdtTrc20Checkout, str]
) -> None:
    usdt, payment_ref = paid

    for tx_hash, code in (("not-a-hash", "invalid_tx_hash"), ("ab" * 32, "refund_not_found")):
        with pytest.raises(InvalidRequest) as raised:
            usdt.record_operator_refund(order_id="01JORDER", payment_ref=payment_ref, amount=2500, tx_hash=tx_hash)
        assert raised.value.code == code
    with pytest.raises(NotFound):
        usdt.record_operator_refund(order_id="01JOTHER", payment_ref=payment_ref, amount=2500, tx_hash="ab" * 32)


# --- the local sandbox ----------------------------------------------------------------------------------------


def test_the_sandbox_pays_a_usdt_order_its_exact_amount_confirmed_and_posts_nothing() -> None:
    slots = InMemoryAmountSlots()
    standins = ProviderStandIns(slots)
    usdt = UsdtTrc20Checkout(
        wallet=standins.shop_wallet, chain=TronGrid(standins.tron), slots=slots, expires_in=timedelta(minutes=30)
    )
    checkout(usdt, "01JORDER", 2500)

    assert standins.pay("usdt_trc20", order_id="01JORDER", amount=2500) is None

    [payment] = usdt.find_payments("01JORDER")
    assert (payment.order_id, payment.amount, payment.currency) == ("01JORDER", 2500, "usdt")
    with pytest.raises(LookupError):
        standins.pay("usdt_trc20", order_id="01JNOCHECKOUT", amount=2500)
    with pytest.raises(ValueError, match="no sandbox stand-in"):
        standins.pay("stripe", order_id="01JORDER", amount=2500)
