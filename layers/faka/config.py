"""Runtime settings, read from the environment once per container.

The environment variable names are defined here and nowhere else: CDK sets them on every function and
the local runtime sets the same ones for its in-process handlers. Resource names that never vary
between deployments are not settings: they come from :mod:`faka.resources`.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field


class Env:
    """Environment variable names."""

    OPERATOR_TOPIC_ARN = "FAKA_OPERATOR_TOPIC_ARN"
    ADMIN_TOKEN = "FAKA_ADMIN_TOKEN"
    ADMIN_TOKEN_SECRET_ID = "FAKA_ADMIN_TOKEN_SECRET_ID"
    STRIPE_WEBHOOK_SECRET = "FAKA_STRIPE_WEBHOOK_SECRET"
    STRIPE_WEBHOOK_SECRET_ID = "FAKA_STRIPE_WEBHOOK_SECRET_ID"
    STRIPE_API_KEY_SECRET_ID = "FAKA_STRIPE_API_KEY_SECRET_ID"
    SIGNING_SECRET = "FAKA_SIGNING_SECRET"
    SIGNING_SECRET_ID = "FAKA_SIGNING_SECRET_ID"
    PAYMENT_PROVIDER = "FAKA_PAYMENT_PROVIDER"
    SENDER_EMAIL = "FAKA_SENDER_EMAIL"
    DEFAULT_SHOP = "FAKA_DEFAULT_SHOP"
    PUBLIC_BASE_URL = "FAKA_PUBLIC_BASE_URL"
    TEMPLATES_DIR = "FAKA_TEMPLATES_DIR"
    ORDER_TTL_MINUTES = "FAKA_ORDER_TTL_MINUTES"
    MAX_QUANTITY = "FAKA_MAX_QUANTITY"


_REPO_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# In Lambda the layer unpacks under /opt; the layer build puts the templates there.
_LAYER_TEMPLATES = Path("/opt/templates")


class Settings(BaseModel):
    operator_topic_arn: str = Field(default="", alias=Env.OPERATOR_TOPIC_ARN)
    admin_token: str = Field(default="", alias=Env.ADMIN_TOKEN)
    admin_token_secret_id: str = Field(default="", alias=Env.ADMIN_TOKEN_SECRET_ID)
    stripe_webhook_secret: str = Field(default="", alias=Env.STRIPE_WEBHOOK_SECRET)
    stripe_webhook_secret_id: str = Field(default="", alias=Env.STRIPE_WEBHOOK_SECRET_ID)
    stripe_api_key_secret_id: str = Field(default="", alias=Env.STRIPE_API_KEY_SECRET_ID)
    signing_secret: str = Field(default="", alias=Env.SIGNING_SECRET)
    signing_secret_id: str = Field(default="", alias=Env.SIGNING_SECRET_ID)
    payment_provider: Literal["stripe", "sandbox"] = Field(default="stripe", alias=Env.PAYMENT_PROVIDER)
    sender_email: str = Field(default="shop@example.com", alias=Env.SENDER_EMAIL)
    default_shop: str = Field(default="main", alias=Env.DEFAULT_SHOP)
    public_base_url: str = Field(default="http://127.0.0.1:3000", alias=Env.PUBLIC_BASE_URL)
    templates_dir: Path = Field(
        default=_LAYER_TEMPLATES if _LAYER_TEMPLATES.is_dir() else _REPO_TEMPLATES, alias=Env.TEMPLATES_DIR
    )
    order_ttl_minutes: int = Field(default=30, alias=Env.ORDER_TTL_MINUTES, gt=0)
    max_quantity: int = Field(default=10, alias=Env.MAX_QUANTITY, gt=0, le=50)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.model_validate({k: v for k, v in os.environ.items() if k.startswith("FAKA_")})

