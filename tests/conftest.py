"""Test set-up shared by every suite: no test may reach real AWS, so credentials are dummies."""

from __future__ import annotations

import os

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": "faka",
        "POWERTOOLS_METRICS_NAMESPACE": "faka",
        "POWERTOOLS_DEV": "false",
        "FAKA_PAYMENT_PROVIDER": "sandbox",
        "FAKA_ADMIN_TOKEN": "test-admin-token",
        "FAKA_STRIPE_WEBHOOK_SECRET": "whsec_test_secret",
        "FAKA_SIGNING_SECRET": "test-signing-secret",
        "FAKA_SENDER_EMAIL": "shop@example.com",
        "FAKA_DEFAULT_SHOP": "main",
    }
)
for endpoint_variable in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
    os.environ.pop(endpoint_variable, None)
