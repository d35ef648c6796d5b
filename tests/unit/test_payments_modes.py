"""The platform's Stripe secrets by mode: one key (or endpoint secret) as before, or one per mode."""

from __future__ import annotations

import json

import pytest

from faka.errors import InvalidRequest
from faka.payments.providers import is_live_key, stripe_keys
from faka.payments.stripe_signing import stripe_signature
from faka.payments.stripe_webhook import checkout_completed_event, verify_stripe_event, webhook_secrets


def test_one_stripe_key_serves_both_modes_and_a_key_per_mode_each_its_own() -> None:
    assert stripe_keys("sk_live_one\n") == {True: "sk_live_one", False: "sk_live_one"}
    assert stripe_keys('{"live": "sk_live_a", "test": "sk_test_b"}') == {True: "sk_live_a", False: "sk_test_b"}
    assert stripe_keys('{"test": "sk_test_b"}') == {True: "sk_test_b", False: "sk_test_b"}
    with pytest.raises(ValueError, match="a key or"):
        stripe_keys('{"sandbox": "sk_test_b"}')


def test_a_keys_mode_is_read_from_its_prefix() -> None:
    assert [is_live_key(key) for key in ("sk_live_a", "rk_live_a", "sk_test_a", "rk_test_a")] == [
        True,
        True,
        False,
        False,
    ]


def test_an_event_signed_with_either_modes_endpoint_secret_is_verified_and_says_its_mode() -> None:
    secrets = json.dumps({"live": "whsec_live", "test": "whsec_test"})
    body = checkout_completed_event(
        event_id="evt_1", session_id="cs_1", order_id="o1", amount=100, currency="usd", email="b@e.co", livemode=True
    )

    assert webhook_secrets(secrets) == ("whsec_live", "whsec_test")
    assert webhook_secrets("whsec_one") == ("whsec_one",)
    assert verify_stripe_event(body, stripe_signature(body, "whsec_test"), secrets).livemode is True
    assert verify_stripe_event(body, stripe_signature(body, "whsec_live"), secrets).event_id == "evt_1"
    with pytest.raises(InvalidRequest) as refused:
        verify_stripe_event(body, stripe_signature(body, "whsec_other"), secrets)
    assert refused.value.code == "invalid_signature"
