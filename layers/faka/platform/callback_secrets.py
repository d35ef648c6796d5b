"""Who may sign an activation callback: each supplier with its own secret, issued and rotated by the shop.

A key's callback is verified with the secret of its batch's supplier. A batch that names no supplier, or
names one the shop has not issued a secret to yet, is verified with the shop's own callback secret, which
is the deployment's signing secret (``FAKA_SIGNING_SECRET``) until the shop issues its own. Issuing a new
secret keeps the one it replaces valid for a grace period, so a caller can switch over without losing
callbacks. Secrets are sealed by the key vault, bound to their shop and supplier.

Buyer links are signed with a key of their own (:mod:`faka.shared.links`), never with any of these.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from pynamodb.exceptions import DoesNotExist, PutError

from faka.adapters.tables.catalog import CallbackSecretItem
from faka.adapters.tables.keys import KeyItem
from faka.catalog.catalog import Catalog
from faka.errors import Conflict
from faka.ports import KeyVault

ROTATION_GRACE = timedelta(hours=24)
# The supplier value under which a shop's own callback secret is kept.
SHOP_ITSELF = ""


def _context(shop_id: str, supplier: str) -> str:
    return f"callback-secret:{shop_id}:{supplier}"


class CallbackSecrets:
    def __init__(
        self,
        vault: KeyVault,
        catalog: Catalog,
        deployment_secret: str,
        *,
        grace: timedelta = ROTATION_GRACE,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._vault = vault
        self._catalog = catalog
        self._deployment_secret = deployment_secret
        self._grace = grace
        self._clock = clock

    def issue(self, shop_id: str, supplier: str = SHOP_ITSELF) -> str:
        """A new secret for the supplier (or the shop itself), shown this once; the one it replaces keeps
        working for the grace period."""
        pk, sk = CallbackSecretItem.key(shop_id, supplier)
        context = _context(shop_id, supplier)
        current = self._item(shop_id, supplier)
        replaced = self._vault.seal(self.valid(shop_id, supplier)[0], context=context)
        secret = f"fcs_{secrets.token_urlsafe(32)}"
        now = self._clock()
        item = CallbackSecretItem(
            pk,
            sk,
            sealed_secret=self._vault.seal(secret, context=context),
            previous_sealed_secret=replaced,
            previous_valid_until=now + self._grace,
            rotated_at=now,
        )
        unchanged = (
            CallbackSecretItem.pk.does_not_exist()
            if current is None
            else CallbackSecretItem.rotated_at == current.rotated_at
        )
        try:
            item.save(condition=unchanged)
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise Conflict("the secret was rotated meanwhile; try again", code="busy") from None
            raise
        return secret

    def valid(self, shop_id: str, supplier: str = SHOP_ITSELF) -> list[str]:
        """The secrets that sign this supplier's (or the shop's own) callbacks now, the newest first."""
        item = self._item(shop_id, supplier)
        if item is None:
            return self.valid(shop_id) if supplier != SHOP_ITSELF else [self._deployment_secret]
        context = _context(shop_id, supplier)
        found = [self._vault.open(item.sealed_secret, context=context)]
        if item.previous_sealed_secret and item.previous_valid_until and self._clock() < item.previous_valid_until:
            found.append(self._vault.open(item.previous_sealed_secret, context=context))
        return found

    def for_key(self, key: KeyItem) -> list[str]:
        """The secrets a callback about this key may be signed with: its batch's supplier's."""
        sku = key.product_ref.removeprefix(f"{key.shop_id}#")
        return self.valid(key.shop_id, self._catalog.supplier_of(key.shop_id, sku, key.batch_id))

    @staticmethod
    def _item(shop_id: str, supplier: str) -> CallbackSecretItem | None:
        try:
            return CallbackSecretItem.get(*CallbackSecretItem.key(shop_id, supplier), consistent_read=True)
        except DoesNotExist:
            return None
