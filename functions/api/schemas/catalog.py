"""Bodies of the catalog: products as buyers and operators see them, the operators' product, shop and key import
requests, and the keys' secret parts.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import EmailStr, Field, StrictInt

from api.schemas.common import Currency, Identifier, Platform, Schema, Sku


class ProductView(Schema):
    sku: str
    name: str
    description: str
    price: int = Field(description="Minor units")
    currency: str
    region: str
    platform: str
    stock: int
    listed: bool = Field(default=True, description="False while the shop has delisted it: only operators see it then")
    recommended: bool = Field(default=False, description="Rated well enough by enough buyers (GET /v1/recommendations)")
    payment_methods: list[str] = Field(default=[], description="The shop's enabled methods that take its currency")


class ProductList(Schema):
    products: list[ProductView]
    payment_methods: list[str] = Field(default=[], description="The shop's enabled payment methods, in its order")


class ProductDraft(Schema):
    sku: Sku
    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=4000)] = ""
    price: Annotated[StrictInt, Field(gt=0, lt=100_000_000)]
    currency: Currency
    region: Annotated[str, Field(min_length=2, max_length=16, pattern=r"^[A-Za-z0-9-]+$")]
    platform: Platform


class KeyImport(Schema):
    batch: Identifier
    supplier: Annotated[str, Field(max_length=200)] = ""
    # Told when the batch is quarantined for its defects.
    supplier_email: EmailStr | None = None
    keys: Annotated[
        list[Any],
        Field(
            min_length=1,
            max_length=10_000,
            description="Each a code, or a KeyWithParts (the code with its secret parts); anything else is rejected "
            "as invalid at its index",
        ),
    ]


class RejectedKey(Schema):
    index: int
    code: Literal["duplicate", "invalid"]


class ImportReport(Schema):
    batch: str
    imported: int
    rejected: list[RejectedKey]


class BatchStatusChange(Schema):
    status: Literal["active", "suspended"]


class ShopDraft(Schema):
    shop_id: Identifier
    name: Annotated[str, Field(min_length=1, max_length=200)]
    support_email: EmailStr


class ShopCreated(Schema):
    shop_id: str
    operator_token: str = Field(description="Shown once; store it now")


class KeyPartDraft(Schema):
    name: Annotated[str, Field(max_length=64, description="What the part is (pin, password …); empty: unnamed")] = ""
    value: Annotated[str, Field(max_length=1024)]


class KeyWithParts(Schema):
    """A key with its secret parts: one key, sold and delivered whole; duplicates are told by the code alone."""

    code: Annotated[str, Field(max_length=256)]
    parts: (
        Annotated[dict[str, Annotated[str, Field(max_length=1024)]], Field(max_length=16)]
        | Annotated[list[KeyPartDraft], Field(max_length=16)]
    ) = Field(default=[], description='{"pin": "1234"}, or [{"name", "value"}] in order (name optional)')


class KeyPartView(Schema):
    name: str = Field(description="Empty when the supplier's file named none")
    value: str
