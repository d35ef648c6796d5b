"""A Python client generated from faka's OpenAPI document with openapi-python-client, as an API user makes one.

The README's "Generating a client" gives the same command and configuration.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
# The key import also takes text/csv, a request media type the generator has no type for: it is sent as bytes.
# No post hooks: they format the generated code with ruff, which the tests do not need.
CONFIG = {"content_type_overrides": {"text/csv": "application/octet-stream"}, "post_hooks": []}


def generate_client(document: dict[str, Any], directory: Path) -> ModuleType:
    """The client package generated from ``document`` into ``directory``, imported.

    The package is named after the document's hash, so two documents in one test session are two packages.
    Fails with the generator's output when it warns: a warning is a part of the API the client leaves out.
    """
    text = json.dumps(document, sort_keys=True)
    package = f"faka_client_{hashlib.sha256(text.encode()).hexdigest()[:12]}"
    (directory / "openapi.json").write_text(text)
    (directory / "config.json").write_text(json.dumps({**CONFIG, "package_name_override": package}))
    generated = subprocess.run(  # noqa: S603 - the generator installed with the dev dependencies
        [
            str(GENERATOR),
            "generate",
            *("--path", str(directory / "openapi.json")),
            *("--config", str(directory / "config.json")),
            *("--meta", "none"),
            *("--output-path", str(directory / package)),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    output = generated.stdout + generated.stderr
    assert generated.returncode == 0, output
    assert "warning" not in output.lower(), output
    sys.path.insert(0, str(directory))
    try:
        return importlib.import_module(package)
    finally:
        sys.path.remove(str(directory))


@dataclass(frozen=True)
class GeneratedApi:
    """The generated package pointed at one faka: its clients, its operations and its models."""

    package: ModuleType
    base_url: str
    # How the clients reach faka: over the network when None.
    httpx_args: dict[str, Any] = field(default_factory=dict)

    def client(self, token: str | None = None) -> Any:
        """An anonymous client, or one sending ``token`` as its bearer credential."""
        options = {"base_url": self.base_url, "raise_on_unexpected_status": True, "httpx_args": self.httpx_args}
        return self.package.AuthenticatedClient(token=token, **options) if token else self.package.Client(**options)

    def call(self, operation_id: str, **arguments: Any) -> Any:
        """One operation, by the document's operationId (``create_order_v1_orders_post`` …), its answer parsed."""
        return importlib.import_module(f"{self.package.__name__}.api.default.{operation_id}").sync(**arguments)

    @property
    def models(self) -> ModuleType:
        return importlib.import_module(f"{self.package.__name__}.models")

    def place_order(self, sku: str, email: str) -> Any:
        """A product of the listing ordered, as a storefront on this client would: the ``OrderCreated``."""
        listing = self.call("list_products_v1_products_get", client=self.client())
        assert isinstance(listing, self.models.ProductList), listing
        assert sku in [product.sku for product in listing.products if product.stock > 0]
        draft = self.models.OrderDraft(sku=sku, quantity=1, email=email)
        created = self.call("create_order_v1_orders_post", client=self.client(), body=draft)
        assert isinstance(created, self.models.OrderCreated), created
        return created

    def order_view(self, order: Any) -> Any:
        """The buyer's view of an order, with its access token: the ``OrderView``."""
        view = self.call(
            "get_order_v1_orders_order_id_get", order_id=order.order_id, client=self.client(order.access_token)
        )
        assert isinstance(view, self.models.OrderView), view
        return view
