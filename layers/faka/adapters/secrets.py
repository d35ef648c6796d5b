"""Secrets come from the environment locally and from Secrets Manager on AWS."""

from __future__ import annotations

from aws_lambda_powertools.utilities import parameters

from faka.errors import FakaError


class MissingSecret(FakaError):
    status = 500
    code = "misconfigured"


def resolve_secret(value: str, secret_id: str, *, name: str) -> str:
    if value:
        return value
    if secret_id:
        # Cached by Powertools for five minutes, so a rotated secret is picked up without a redeploy.
        return str(parameters.get_secret(secret_id, max_age=300))
    raise MissingSecret(f"{name} is not configured")
