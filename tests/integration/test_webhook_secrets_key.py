"""Webhook signing secrets are sealed under a KMS key of their own, never the card-key key.

The function that POSTs to operator-chosen URLs may open webhook secrets (kms:Decrypt on that key only), so
whatever it is tricked into cannot open a card key; a secret sealed under the card-key key would not open there.
"""

from __future__ import annotations

import base64

import boto3

from faka import resources
from faka.adapters.tables.keys import KeyItem
from faka.adapters.tables.webhooks import WebhookSubscriptionItem
from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import add_product, open_shop


def _sealing_key(sealed: str) -> str:
    """The KMS key that encrypted a vault value's data key (format ``v1.<data key>.<payload>``)."""
    _, encrypted_key, _ = sealed.split(".")
    kms = boto3.client("kms")
    # Decrypting the data key names the KMS key it was encrypted under.
    key_id: str = kms.decrypt(
        CiphertextBlob=base64.urlsafe_b64decode(encrypted_key), EncryptionContext={"purpose": "faka-card-keys"}
    )["KeyId"]
    return key_id


def _key_of(alias: str) -> str:
    metadata = boto3.client("kms").describe_key(KeyId=alias)["KeyMetadata"]
    return str(metadata["Arn"])


def test_webhook_secrets_and_card_keys_are_sealed_under_different_kms_keys(stack: Stack) -> None:
    open_shop(stack)
    add_product(stack, keys=["CARD-1"])
    draft = {"url": "https://shop.example.com/hooks", "events": ["order.delivered"]}
    hook = stack.api("POST", "/v1/admin/webhooks", draft, ADMIN).body

    subscription = WebhookSubscriptionItem.get(f"WEBHOOK#{hook['webhook_id']}", WebhookSubscriptionItem.SK)
    [card] = list(KeyItem.scan())

    assert _sealing_key(subscription.sealed_secret) == _key_of(resources.WEBHOOK_SECRETS_KEY_ALIAS)
    assert _sealing_key(card.sealed_code) == _key_of(resources.KMS_KEY_ALIAS)
