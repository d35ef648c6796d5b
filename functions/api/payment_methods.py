"""Operator routes for the shop's payment methods: which it enables, its currency, test or live, its merchant
credentials. Credentials go in and are sealed; they never come back out (only the account ids and the wallet)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from api.http import operator
from faka.payments.shop_methods import PaymentSettingsChange, public_view
from faka.wiring import services

router = APIGatewayRouter()

Method = Literal["stripe", "alipay", "wechat_pay", "usdt_trc20"]
Pem = Annotated[SecretStr, Field(min_length=64, max_length=8000)]
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AlipayAccount(_Strict):
    app_id: Id
    app_private_key_pem: Pem = Field(description="The application's RSA2 private key (PKCS#8 or PKCS#1 PEM)")
    alipay_public_key_pem: Pem = Field(description="Alipay's public key, from the open platform's console")
    seller_id: Id | None = Field(default=None, description="The shop's 2088… PID; notifications must name it")


class WechatPayAccount(_Strict):
    mchid: Id
    appid: Id
    merchant_serial_no: Annotated[str, Field(min_length=1, max_length=64)]
    merchant_private_key_pem: Pem
    apiv3_key: Annotated[SecretStr, Field(min_length=32, max_length=32)]
    platform_public_keys: dict[str, Pem] = Field(
        min_length=1, description="Each Wechatpay-Serial (PUB_KEY_ID_… or certificate serial) → its PEM"
    )


class UsdtWallet(_Strict):
    wallet: Annotated[str, Field(pattern=r"^T[1-9A-HJ-NP-Za-km-z]{33}$", description="The shop's TRON address")]
    tron_api_key: SecretStr | None = Field(default=None, description="A TronGrid API key, if the node asks for one")


class Credentials(_Strict):
    alipay: AlipayAccount | None = None
    wechat_pay: WechatPayAccount | None = None
    usdt_trc20: UsdtWallet | None = None


class PaymentMethodsDraft(_Strict):
    methods: list[Method] = Field(min_length=1, max_length=4, description="Enabled, in the order buyers see them")
    currency: Annotated[str, Field(pattern=r"^[a-z]{3}$")] | None = Field(
        default=None, description="The shop's currency (CNY: fen are its minor units)"
    )
    live: bool = Field(default=False, description="false: the providers' sandboxes; true: real money")
    credentials: Credentials = Field(
        default_factory=Credentials, description="Only the methods named are replaced; the others are kept"
    )
    stripe_payment_method_types: list[Literal["card", "alipay", "wechat_pay"]] = Field(
        default=["card"],
        min_length=1,
        max_length=3,
        description="What the shop's Stripe checkout offers, where the platform's Stripe account supports it",
    )


class PaymentMethodsView(BaseModel):
    methods: list[str]
    currency: str | None
    live: bool
    stripe_payment_method_types: list[str]
    credentials: dict[str, dict[str, Any]] = Field(description="Per method: configured, and its ids (no secret)")
    updated_at: str | None


def _revealed(account: BaseModel) -> dict[str, Any]:
    """The account's fields with their secrets' values, for sealing (the only place they are read)."""

    def plain(value: Any) -> Any:
        if isinstance(value, SecretStr):
            return value.get_secret_value()
        if isinstance(value, dict):
            return {key: plain(inner) for key, inner in value.items()}
        return value

    return {name: plain(getattr(account, name)) for name in type(account).model_fields if getattr(account, name)}


@router.get("/v1/admin/payment-methods")
def get_payment_methods() -> PaymentMethodsView:
    """The shop's payment settings; credentials only as whether they are set, with the account ids."""
    shop_id = operator(router.current_event)
    return PaymentMethodsView.model_validate(public_view(services().payment_methods.settings(shop_id)))


@router.put(
    "/v1/admin/payment-methods",
    responses={200: {"description": "Saved"}, 400: {"description": "Unknown method or unusable credentials"}},
)
def put_payment_methods(draft: Annotated[PaymentMethodsDraft, Body()]) -> PaymentMethodsView:
    """Set the shop's payment methods; each method's credentials are sealed with the key vault as they arrive."""
    shop_id = operator(router.current_event)
    credentials = {
        method: _revealed(account)
        for method in Credentials.model_fields
        if (account := getattr(draft.credentials, method)) is not None
    }
    change = PaymentSettingsChange(
        tuple(draft.methods),
        draft.currency,
        draft.live,
        credentials,
        tuple(draft.stripe_payment_method_types),
    )
    return PaymentMethodsView.model_validate(public_view(services().payment_methods.configure(shop_id, change)))
