"""Builds the domain services from settings, once per container; handlers take what they use.

Each service is built on first use, so a function that never sends mail never creates an SES client.
"""

from __future__ import annotations

from functools import cached_property, lru_cache

import boto3
import stripe

from faka import resources
from faka.adapters.messaging import EventBridgePublisher, SesMailer, SnsOperatorAlerts
from faka.adapters.secrets import resolve_secret
from faka.adapters.vault import KmsKeyVault
from faka.config import Settings, get_settings
from faka.domain.access import OperatorAccess
from faka.domain.catalog import Catalog, Shops
from faka.domain.delivered import DeliveredKeys
from faka.domain.fulfilment import Fulfilment
from faka.domain.issuance import KeyIssuer
from faka.domain.notifications import Notices
from faka.domain.orders import Orders
from faka.domain.templating import MessageTemplates
from faka.payments.providers import SandboxCheckout, StripeCheckout
from faka.ports import PaymentProvider


class Services:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def events(self) -> EventBridgePublisher:
        return EventBridgePublisher(boto3.client("events"))

    @cached_property
    def vault(self) -> KmsKeyVault:
        pepper = resolve_secret("", resources.HASH_PEPPER_SECRET, name="key hash pepper")
        return KmsKeyVault(boto3.client("kms"), resources.KMS_KEY_ALIAS, pepper.encode())

    @cached_property
    def delivered_keys(self) -> DeliveredKeys:
        return DeliveredKeys(self.vault)

    @cached_property
    def shops(self) -> Shops:
        return Shops()

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog(self.vault, self.events)

    @cached_property
    def orders(self) -> Orders:
        return Orders(
            self.catalog,
            self.events,
            ttl_minutes=self.settings.order_ttl_minutes,
            max_quantity=self.settings.max_quantity,
        )

    @cached_property
    def fulfilment(self) -> Fulfilment:
        return Fulfilment(self.orders, KeyIssuer(), self.events)

    @cached_property
    def notices(self) -> Notices:
        return Notices(
            self.orders,
            self.catalog,
            self.shops,
            self.delivered_keys,
            MessageTemplates(self.settings.templates_dir),
            SesMailer(boto3.client("ses"), self.settings.sender_email),
            SnsOperatorAlerts(boto3.client("sns"), self.settings.operator_topic_arn),
            order_page_url=self.settings.public_base_url.rstrip("/") + "/v1/orders/{order_id}",
        )

    @cached_property
    def access(self) -> OperatorAccess:
        token = self.settings.admin_token or (
            resolve_secret("", self.settings.admin_token_secret_id, name="admin token")
            if self.settings.admin_token_secret_id
            else ""
        )
        return OperatorAccess(self.shops, token)

    @cached_property
    def payment_provider(self) -> PaymentProvider:
        if self.settings.payment_provider == "sandbox":
            return SandboxCheckout(self.settings.public_base_url)
        api_key = resolve_secret("", self.settings.stripe_api_key_secret_id, name="Stripe API key")
        base = self.settings.public_base_url.rstrip("/")
        return StripeCheckout(stripe.StripeClient(api_key), f"{base}/v1/orders/{{order_id}}", base)

    @cached_property
    def stripe_webhook_secret(self) -> str:
        return resolve_secret(
            self.settings.stripe_webhook_secret, self.settings.stripe_webhook_secret_id, name="Stripe webhook secret"
        )


@lru_cache(maxsize=1)
def services() -> Services:
    return Services(get_settings())
