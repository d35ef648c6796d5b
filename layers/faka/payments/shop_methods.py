"""Each shop's payment methods: which it enables (in its order of preference), its currency, its test/live
switch, and its merchant credentials, sealed by the key vault and opened only to build the provider that uses them.

Stripe is the platform's own account (``FAKA_PAYMENT_PROVIDER``: Stripe on AWS, the sandbox locally) and needs no
credentials from the shop; Alipay, WeChat Pay and USDT (TRC20) are the shop's merchant accounts and wallet. A shop
with no settings takes Stripe only, as every shop did before. Every item lives in the catalog table:

* ``SHOP#<shop>`` / ``PAYMENT_METHODS``: the settings, credentials sealed per method (never logged, never answered);
* ``USDT_WALLETS`` / ``<shop>``: the shops taking USDT, which the watcher reads in one query;
* ``USDT#<wallet>`` / ``WATERMARK``: where the watcher's last run got to (the unique amounts a wallet waits for are
  :mod:`faka.payments.usdt_wallet`'s).

Nothing here talks to a provider: :class:`PaymentNetwork` says how (HTTPS on AWS, the in-process stand-ins of
``faka local`` and the tests).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, get_args

from pynamodb.attributes import BooleanAttribute, ListAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist

from faka import resources
from faka.adapters.tables.catalog import CatalogItem
from faka.errors import Conflict, InvalidRequest
from faka.payments.providers import OFFERED_STRIPE_PAYMENT_METHOD_TYPES, STRIPE_PAYMENT_METHOD_TYPES, StripeCheckout
from faka.ports import KeyVault, PaymentProvider
from faka.shared.model import Order

if TYPE_CHECKING:
    from faka.payments.gateway import HttpTransport
    from faka.payments.usdt_trc20 import AmountSlots

PaymentMethod = Literal["stripe", "alipay", "wechat_pay", "usdt_trc20"]
METHODS: tuple[str, ...] = get_args(PaymentMethod)
STRIPE, ALIPAY, WECHAT_PAY, USDT_TRC20 = METHODS
# What a shop that never chose takes: the platform's Stripe account, as before payment methods existed.
DEFAULT_METHODS = (STRIPE,)
# The currencies each method takes (prices' lower-case codes); Stripe takes any. USDT is pegged to the US dollar
# and faka takes it at par for USD prices: a cent of USD is a cent of USDT.
ACCEPTED_CURRENCIES: dict[str, frozenset[str] | None] = {
    STRIPE: None,
    ALIPAY: frozenset({"cny"}),
    WECHAT_PAY: frozenset({"cny"}),
    USDT_TRC20: frozenset({"usd"}),
}
# The fields each method's credentials hold; those named in PUBLIC_FIELDS are shown back to operators.
CREDENTIAL_FIELDS: dict[str, frozenset[str]] = {
    ALIPAY: frozenset({"app_id", "app_private_key_pem", "alipay_public_key_pem", "seller_id"}),
    WECHAT_PAY: frozenset(
        {"mchid", "appid", "merchant_serial_no", "merchant_private_key_pem", "apiv3_key", "platform_public_keys"}
    ),
    USDT_TRC20: frozenset({"wallet", "tron_api_key"}),
}
PUBLIC_FIELDS = frozenset({"app_id", "seller_id", "mchid", "appid", "wallet"})
TRONGRID_URL = "https://api.trongrid.io"
# TRON's Nile testnet, where a test-mode shop's USDT is watched: its TronGrid node and its test USDT token.
TRONGRID_TEST_URL = "https://nile.trongrid.io"
USDT_TEST_CONTRACT = "TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf"
_WALLETS_PK = "USDT_WALLETS"


def accepts(method: str, currency: str) -> bool:
    taken = ACCEPTED_CURRENCIES.get(method)
    return method in ACCEPTED_CURRENCIES and (taken is None or currency.lower() in taken)


class PaymentMethodsItem(CatalogItem, discriminator="payment_methods"):
    class Meta:
        table_name = resources.CATALOG_TABLE
        billing_mode = "PAY_PER_REQUEST"

    methods: ListAttribute[str] = ListAttribute(of=UnicodeAttribute)  # type: ignore[arg-type]
    currency = UnicodeAttribute(null=True)
    live = BooleanAttribute(default=False)
    # What the shop's Stripe checkout offers (card, alipay, wechat_pay); none: cards only.
    stripe_payment_method_types: ListAttribute[str] = ListAttribute(of=UnicodeAttribute, null=True)  # type: ignore[arg-type]
    # {method: sealed JSON of its credentials}, as JSON: the map's keys are data, not attributes.
    sealed_credentials = UnicodeAttribute(default="{}")
    # {method: {field: value}} of the fields operators may see again (ids, the wallet address).
    public_credentials = UnicodeAttribute(default="{}")
    updated_at = UTCDateTimeAttribute()

    @staticmethod
    def key(shop_id: str) -> tuple[str, str]:
        return f"SHOP#{shop_id}", "PAYMENT_METHODS"


class UsdtWalletItem(CatalogItem, discriminator="usdt_wallet"):
    """A shop taking USDT, listed for the watcher (one query finds every wallet to watch)."""

    class Meta:
        table_name = resources.CATALOG_TABLE
        billing_mode = "PAY_PER_REQUEST"

    wallet = UnicodeAttribute()


class UsdtWatermarkItem(CatalogItem, discriminator="usdt_watermark"):
    class Meta:
        table_name = resources.CATALOG_TABLE
        billing_mode = "PAY_PER_REQUEST"

    watched_from = UTCDateTimeAttribute()


@dataclass(frozen=True)
class PaymentNetwork:
    """How faka reaches each provider: their APIs over HTTPS on AWS; ``faka local`` and the tests hand in-process
    stand-ins. ``alipay_gateway_url``, when set, replaces Alipay's gateway in both modes (the local payment page).

    A shop's test/live switch picks the endpoints: Alipay's sandbox gateway or its own; WeChat Pay's API or
    ``wechat_pay_test_url`` (WeChat Pay API v3 has no sandbox of its own: a stand-in of it, or none, and then a
    test-mode shop cannot take WeChat Pay); TRON mainnet's USDT or a testnet's (Nile by default); Stripe's key of
    the shop's mode (faka.payments.providers.stripe_keys).
    """

    alipay: HttpTransport | None = None  # None: over HTTPS (faka.payments.gateway.urllib_transport)
    wechat_pay: HttpTransport | None = None
    tron: HttpTransport | None = None
    tron_url: str = TRONGRID_URL
    tron_test_url: str = TRONGRID_TEST_URL
    usdt_test_contract: str = USDT_TEST_CONTRACT
    alipay_gateway_url: str | None = None
    wechat_pay_test_url: str | None = None


@dataclass(frozen=True)
class PaymentSettings:
    shop_id: str
    methods: tuple[str, ...] = DEFAULT_METHODS
    currency: str | None = None
    live: bool = False
    # Methods whose credentials are stored, and what of them operators may see again.
    public_credentials: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    updated_at: datetime | None = None
    stripe_payment_method_types: tuple[str, ...] = STRIPE_PAYMENT_METHOD_TYPES

    def configured(self, method: str) -> bool:
        return method == STRIPE or method in self.public_credentials

    def methods_for(self, currency: str) -> list[str]:
        """The enabled methods that take ``currency``, in the shop's order."""
        return [method for method in self.methods if accepts(method, currency)]


@dataclass(frozen=True)
class PaymentSettingsChange:
    """An operator's change: ``credentials`` names only the methods whose credentials it replaces."""

    methods: tuple[str, ...]
    currency: str | None = None
    live: bool = False
    credentials: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    stripe_payment_method_types: tuple[str, ...] = STRIPE_PAYMENT_METHOD_TYPES


def _context(shop_id: str, method: str) -> str:
    return f"payment-credentials:{shop_id}:{method}"


class ShopPaymentMethods:
    """Reads and changes shops' payment settings, and builds the provider a shop's method pays through."""

    def __init__(
        self,
        vault: KeyVault,
        network: PaymentNetwork,
        slots: AmountSlots,
        stripe: Callable[[bool], PaymentProvider],
        *,
        public_base_url: str,
        expires_in: timedelta,
        confirmations: int,
    ) -> None:
        self._vault = vault
        self._network = network
        self._slots = slots
        self._stripe = stripe  # the platform's Stripe account in a mode (live: True)
        self._base_url = public_base_url.rstrip("/")
        self._expires_in = expires_in
        self._confirmations = confirmations
        self._built: dict[tuple[str, str, datetime | None], PaymentProvider] = {}
        self._lock = threading.Lock()

    def settings(self, shop_id: str) -> PaymentSettings:
        item = self._item(shop_id)
        if item is None:
            return PaymentSettings(shop_id)
        return PaymentSettings(
            shop_id,
            tuple(item.methods),
            item.currency,
            bool(item.live),
            json.loads(item.public_credentials),
            item.updated_at,
            tuple(item.stripe_payment_method_types or STRIPE_PAYMENT_METHOD_TYPES),
        )

    @staticmethod
    def _item(shop_id: str) -> PaymentMethodsItem | None:
        try:
            return PaymentMethodsItem.get(*PaymentMethodsItem.key(shop_id))
        except DoesNotExist:
            return None

    def configure(self, shop_id: str, change: PaymentSettingsChange) -> PaymentSettings:
        """Replace the shop's settings; credentials not named in the change are kept as they were."""
        if not change.methods or len(set(change.methods)) != len(change.methods):
            raise InvalidRequest("name each enabled method once, at least one", code="invalid_payment_methods")
        unknown = [m for m in [*change.methods, *change.credentials] if m not in METHODS]
        if unknown:
            raise InvalidRequest(f"unknown payment methods: {', '.join(unknown)}", code="invalid_payment_methods")
        types = change.stripe_payment_method_types
        if not types or len(set(types)) != len(types) or not set(types) <= OFFERED_STRIPE_PAYMENT_METHOD_TYPES:
            raise InvalidRequest(
                f"Stripe's payment method types are some of {', '.join(sorted(OFFERED_STRIPE_PAYMENT_METHOD_TYPES))}",
                code="invalid_payment_methods",
            )
        current = self._item(shop_id)
        sealed: dict[str, str] = json.loads(current.sealed_credentials) if current else {}
        public: dict[str, dict[str, Any]] = json.loads(current.public_credentials) if current else {}
        for method, credentials in change.credentials.items():
            fields = CREDENTIAL_FIELDS.get(method)
            if fields is None:
                raise InvalidRequest(f"{method} takes no credentials from the shop", code="invalid_credentials")
            self._check(method, credentials, live=change.live)
            sealed[method] = self._vault.seal(json.dumps(dict(credentials)), context=_context(shop_id, method))
            public[method] = {k: v for k, v in credentials.items() if k in PUBLIC_FIELDS}
        item = PaymentMethodsItem(
            *PaymentMethodsItem.key(shop_id),
            methods=list(change.methods),
            currency=change.currency.lower() if change.currency else None,
            live=change.live,
            stripe_payment_method_types=list(types),
            sealed_credentials=json.dumps(sealed),
            public_credentials=json.dumps(public),
            updated_at=datetime.now(UTC),
        )
        item.save()
        wallet = public.get(USDT_TRC20, {}).get("wallet")
        listing = UsdtWalletItem(_WALLETS_PK, shop_id, wallet=wallet or "")
        if wallet and USDT_TRC20 in change.methods:
            listing.save()
        else:
            listing.delete()
        return self.settings(shop_id)

    def _check(self, method: str, credentials: Mapping[str, Any], *, live: bool) -> None:
        """Refuse credentials a provider cannot be built from (a bad PEM, a short APIv3 key, a missing field)."""
        extra = set(credentials) - CREDENTIAL_FIELDS[method]
        if extra:
            raise InvalidRequest(f"{method} credentials take no {', '.join(sorted(extra))}", code="invalid_credentials")
        try:
            self._build("", method, credentials, live=live)
        except (TypeError, ValueError, KeyError) as error:
            raise InvalidRequest(
                f"the {method} credentials cannot be used: {type(error).__name__}", code="invalid_credentials"
            ) from None

    def for_checkout(self, shop_id: str, requested: str | None, currency: str) -> tuple[str, PaymentProvider]:
        """The method an order pays with and the provider that takes it; Stripe offers the shop's payment method types.

        Refused before anything is created: a method the shop does not enable or whose credentials it never set.
        """
        settings = self.settings(shop_id)
        method = self._choose(settings, requested, currency)
        provider = self._stripe(settings.live) if method == STRIPE else self.provider(shop_id, method)
        if isinstance(provider, StripeCheckout):
            provider = provider.offering(settings.stripe_payment_method_types)
        return method, provider

    @staticmethod
    def _choose(settings: PaymentSettings, requested: str | None, currency: str) -> str:
        """The one asked for, or the shop's first enabled method taking ``currency``."""
        if requested is not None and requested not in settings.methods:
            raise InvalidRequest(f"this shop does not take {requested}", code="payment_method_not_enabled")
        candidates = [requested] if requested else settings.methods_for(currency)
        method = next((m for m in candidates if accepts(m, currency)), None)
        if method is None:
            raise InvalidRequest(
                f"no payment method of this shop takes {currency.upper()}"
                if requested is None
                else f"{requested} does not take {currency.upper()}",
                code="payment_method_not_enabled",
            )
        if not settings.configured(method):
            raise Conflict(f"the shop has not set up its {method} account yet", code="payment_method_not_configured")
        return method

    def provider(self, shop_id: str, method: str | None) -> PaymentProvider:
        """The provider ``method`` pays through for this shop (orders placed before methods existed: Stripe)."""
        if method is None or method == STRIPE:
            return self._stripe(self.settings(shop_id).live)
        item = self._item(shop_id)
        sealed = json.loads(item.sealed_credentials).get(method) if item else None
        if item is None or sealed is None:
            raise Conflict(f"the shop has not set up its {method} account", code="payment_method_not_configured")
        key = (shop_id, method, item.updated_at)
        with self._lock:
            built = self._built.get(key)
        if built is None:
            credentials = json.loads(self._vault.open(sealed, context=_context(shop_id, method)))
            built = self._build(shop_id, method, credentials, live=bool(item.live))
            with self._lock:
                self._built[key] = built
        return built

    def for_order(self, order: Order) -> PaymentProvider:
        return self.provider(order.shop_id, order.payment_method)

    def stripe_livemode(self, shop_id: str | None) -> bool | None:
        """The ``livemode`` Stripe events for this shop's orders carry: its key's mode (the sandbox's is test).

        ``shop_id`` None: the one mode of every shop when the platform has one key, else None (it depends on the shop);
        so a deployment with one key reads no settings to check an event."""
        if shop_id is None:
            modes = {bool(getattr(self._stripe(live), "livemode", False)) for live in (True, False)}
            return modes.pop() if len(modes) == 1 else None
        return bool(getattr(self.provider(shop_id, STRIPE), "livemode", False))

    def notify_url(self, provider: str, shop_id: str) -> str:
        path = {ALIPAY: "alipay", WECHAT_PAY: "wechatpay"}[provider]
        return f"{self._base_url}/v1/webhooks/{path}?shop={shop_id}"

    def _build(self, shop_id: str, method: str, credentials: Mapping[str, Any], *, live: bool) -> PaymentProvider:
        # Imported when a shop's provider is first built: the storefront's reads never load cryptography for it.
        from faka.payments import alipay, wechat_pay
        from faka.payments.gateway import urllib_transport
        from faka.payments.usdt_trc20 import USDT_CONTRACT, TronGrid, UsdtTrc20Checkout
        from faka.payments.usdt_wallet import UsdtAtPar

        if method == ALIPAY:
            gateway = self._network.alipay_gateway_url or (alipay.GATEWAY_URL if live else alipay.SANDBOX_GATEWAY_URL)
            return alipay.AlipayCheckout(
                alipay.AlipayCredentials(
                    str(credentials["app_id"]),
                    str(credentials["app_private_key_pem"]),
                    str(credentials["alipay_public_key_pem"]),
                    credentials.get("seller_id") or None,
                ),
                self._network.alipay or urllib_transport,
                notify_url=self.notify_url(method, shop_id),
                expires_in=self._expires_in,
                gateway_url=gateway,
            )
        if method == WECHAT_PAY:
            keys = credentials["platform_public_keys"]
            if not isinstance(keys, dict) or not keys:
                raise ValueError("platform_public_keys maps each Wechatpay-Serial to its PEM")
            api_url = wechat_pay.API_URL if live else self._network.wechat_pay_test_url
            if api_url is None:
                raise Conflict(
                    "WeChat Pay has no test environment here (FAKA_WECHAT_PAY_TEST_URL): switch the shop to live",
                    code="payment_mode_unavailable",
                )
            return wechat_pay.WechatPayCheckout(
                wechat_pay.WechatPayCredentials(
                    mchid=str(credentials["mchid"]),
                    appid=str(credentials["appid"]),
                    merchant_serial_no=str(credentials["merchant_serial_no"]),
                    merchant_private_key_pem=str(credentials["merchant_private_key_pem"]),
                    apiv3_key=str(credentials["apiv3_key"]),
                    platform_public_keys={str(k): str(v) for k, v in keys.items()},
                ),
                self._network.wechat_pay or urllib_transport,
                notify_url=self.notify_url(method, shop_id),
                expires_in=self._expires_in,
                api_url=api_url,
            )
        if method == USDT_TRC20:
            wallet = str(credentials["wallet"])
            if not wallet.startswith("T") or not 30 <= len(wallet) <= 40:
                raise ValueError("a TRON address starts with T")
            chain = TronGrid(
                self._network.tron or urllib_transport,
                base_url=self._network.tron_url if live else self._network.tron_test_url,
                api_key=credentials.get("tron_api_key"),
                contract=USDT_CONTRACT if live else self._network.usdt_test_contract,
            )
            return UsdtAtPar(
                UsdtTrc20Checkout(
                    wallet=wallet,
                    chain=chain,
                    slots=self._slots,
                    expires_in=self._expires_in,
                    confirmations=self._confirmations,
                )
            )
        raise ValueError(f"no provider for {method}")

    @staticmethod
    def usdt_wallets() -> list[tuple[str, str]]:
        """(shop, wallet) of every shop taking USDT: the wallets the watcher reads."""
        return [(item.sk, item.wallet) for item in UsdtWalletItem.query(_WALLETS_PK)]

    @staticmethod
    def watched_from(wallet: str, default: datetime) -> datetime:
        try:
            return UsdtWatermarkItem.get(f"USDT#{wallet}", "WATERMARK").watched_from
        except DoesNotExist:
            return default

    @staticmethod
    def watched(wallet: str, until: datetime) -> None:
        UsdtWatermarkItem(f"USDT#{wallet}", "WATERMARK", watched_from=until).save()


def public_view(settings: PaymentSettings) -> dict[str, Any]:
    """The settings as operators may see them: no credential but the ids and the wallet address."""
    return {
        "methods": list(settings.methods),
        "currency": settings.currency,
        "live": settings.live,
        "stripe_payment_method_types": list(settings.stripe_payment_method_types),
        "credentials": {
            method: {"configured": settings.configured(method), **settings.public_credentials.get(method, {})}
            for method in _credentialed(settings.methods)
        },
        "updated_at": settings.updated_at.isoformat() if settings.updated_at else None,
    }


def _credentialed(methods: Iterable[str]) -> list[str]:
    return [method for method in methods if method in CREDENTIAL_FIELDS]
