"""Supplier batch health: defects counted per batch, and a batch past its threshold quarantined exactly once.

Defects are invalid-key claims (counted on the batch by every verified replacement, see
:mod:`faka.sales.issuance`) and supplier activation failures (counted here from ``KeyActivationFailed``).
A rule in ``rules/batch_health.json`` fires on a ratio of defects to issued or activated keys, only once
the sample is large enough. The quarantine is a conditional write on the batch, so however many events
evaluate it at once, one suspends the batch and announces ``BatchQuarantined``; the announcement's
consumer then tells the operators, the supplier and each buyer still holding an unredeemed key of it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pynamodb.exceptions import UpdateError

from faka.adapters.counters import Counters
from faka.adapters.tables.catalog import BatchItem
from faka.catalog.catalog import Catalog, Shops
from faka.observability import logger, metrics
from faka.ports import Email, EventPublisher, Mailer, OperatorAlerts
from faka.sales.buyer_mail import BuyerMail
from faka.shared.model import BatchStatus, Order
from faka.shared.templating import FALLBACK_LOCALE, MessageTemplates

RULES_FILE = Path(__file__).resolve().parents[1] / "rules" / "batch_health.json"

Figure = Literal["issued", "activated", "activation_failures", "invalid_claims"]


class HealthRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    description: str
    defects: Annotated[tuple[Literal["activation_failures", "invalid_claims"], ...], Field(min_length=1)]
    per: Literal["issued", "activated"]
    at_least: Annotated[float, Field(gt=0, le=1)]
    # The minimum sample: a rule says nothing about a batch with fewer keys (``per``) or defects than this.
    min_per: Annotated[int, Field(ge=0)]
    min_defects: Annotated[int, Field(ge=1)]

    def fires(self, figures: BatchFigures) -> bool:
        defects = sum(getattr(figures, name) for name in self.defects)
        base = getattr(figures, self.per)
        return base >= self.min_per and defects >= self.min_defects and defects / max(base, 1) >= self.at_least


class HealthRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: Annotated[tuple[HealthRule, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_names(self) -> HealthRules:
        names = [rule.name for rule in self.rules]
        if len(set(names)) != len(names):
            raise ValueError(f"rule names must be unique: {names}")
        return self

    @classmethod
    def load(cls, path: Path = RULES_FILE) -> HealthRules:
        return cls.model_validate(json.loads(path.read_text(encoding="utf-8")))

    def first_fired(self, figures: BatchFigures) -> HealthRule | None:
        return next((rule for rule in self.rules if rule.fires(figures)), None)


@dataclass(frozen=True)
class BatchFigures:
    shop_id: str
    sku: str
    batch_id: str
    supplier: str
    status: str
    imported: int
    issued: int
    activated: int
    activation_failures: int
    invalid_claims: int
    quarantine_rule: str | None = None

    @property
    def defects(self) -> int:
        return self.activation_failures + self.invalid_claims

    @property
    def defect_rate(self) -> float | None:
        return round(self.defects / self.issued, 4) if self.issued else None

    def counts(self) -> dict[str, int]:
        return {
            "imported": self.imported,
            "issued": self.issued,
            "activated": self.activated,
            "activation_failures": self.activation_failures,
            "invalid_claims": self.invalid_claims,
        }


def _figures(item: BatchItem, sold: int) -> BatchFigures:
    """A batch's figures; ``sold``: its keys the claims counted on the sold-key shards (Catalog.sold_keys)."""
    return BatchFigures(
        shop_id=item.shop_id,
        sku=item.sku,
        batch_id=item.batch_id,
        supplier=item.supplier,
        status=item.status,
        imported=int(item.imported),
        issued=int(item.issued) + sold,
        activated=int(item.activated or 0),
        activation_failures=int(item.activation_failures or 0),
        invalid_claims=int(item.invalid_claims or 0),
        quarantine_rule=item.quarantine_rule,
    )


def batch_lines_key(shop_id: str, sku: str, batch_id: str) -> str:
    """The per-batch list of order lines that received a key of the batch (sort keys ``<order>#<line>``)."""
    return f"BATCH_LINES#{shop_id}#{sku}#{batch_id}"


class BatchHealth:
    def __init__(
        self,
        rules: HealthRules,
        catalog: Catalog,
        shops: Shops,
        counters: Counters,
        events: EventPublisher,
        alerts: OperatorAlerts,
        buyer_mail: BuyerMail,
        mailer: Mailer,
        templates: MessageTemplates,
    ) -> None:
        self._rules = rules
        self._catalog = catalog
        self._shops = shops
        self._counters = counters
        self._events = events
        self._alerts = alerts
        self._buyer_mail = buyer_mail
        self._mailer = mailer
        self._templates = templates

    def batches(self, shop_id: str) -> list[BatchFigures]:
        pk, _ = BatchItem.key(shop_id, "", "")
        sold = self._catalog.sold_keys(shop_id)
        return [
            _figures(item, sold[(item.sku, item.batch_id)])
            for item in BatchItem.query(pk, BatchItem.sk.startswith("BATCH#"))
        ]

    def _sold(self, item: BatchItem) -> int:
        return self._catalog.sold_keys(item.shop_id, item.sku)[(item.sku, item.batch_id)]

    def note_issued(self, order: Order) -> None:
        """Remember which order lines hold a key of which batch: whom to tell if the batch is quarantined."""
        for line in order.lines:
            if line.batch_id:
                self._counters.put_flag(
                    batch_lines_key(order.shop_id, line.sku or order.sku, line.batch_id),
                    f"{order.order_id}#{line.line_no}",
                )

    def note_activation(self, shop_id: str, sku: str, batch_id: str, *, activated: bool) -> None:
        figure = BatchItem.activated if activated else BatchItem.activation_failures
        BatchItem(*BatchItem.key(shop_id, sku, batch_id)).update(
            actions=[figure.add(1)], condition=BatchItem.pk.exists()
        )
        self.evaluate(shop_id, sku, batch_id)

    def evaluate_product(self, shop_id: str, sku: str) -> None:
        """After an invalid-key claim: the replaced key's batch is one of the product's, not the line's new one."""
        pk, _ = BatchItem.key(shop_id, sku, "")
        for item in BatchItem.query(pk, BatchItem.sk.startswith(f"BATCH#{sku}#")):
            self._quarantine_if_unhealthy(item)

    def evaluate(self, shop_id: str, sku: str, batch_id: str) -> None:
        self._quarantine_if_unhealthy(BatchItem.get(*BatchItem.key(shop_id, sku, batch_id), consistent_read=True))

    def _quarantine_if_unhealthy(self, item: BatchItem) -> None:
        if item.quarantined_at is not None:
            return
        figures = _figures(item, self._sold(item))
        rule = self._rules.first_fired(figures)
        if rule is None:
            return
        now = datetime.now(UTC)
        try:
            item.update(
                actions=[BatchItem.quarantined_at.set(now), BatchItem.quarantine_rule.set(rule.name)],
                condition=BatchItem.quarantined_at.does_not_exist(),
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return  # another event quarantined it first
            raise
        try:
            self._catalog.set_batch_status(figures.shop_id, figures.sku, figures.batch_id, BatchStatus.SUSPENDED)
            self._events.publish(
                "BatchQuarantined",
                {
                    "shop_id": figures.shop_id,
                    "sku": figures.sku,
                    "batch_id": figures.batch_id,
                    "supplier": figures.supplier,
                    "rule": rule.name,
                    "reason": rule.description,
                    "counts": figures.counts(),
                    "quarantined_at": now.isoformat(),
                },
            )
        except Exception:
            # Give the retry of this event the quarantine back, or the batch would stay marked but on sale.
            item.update(
                actions=[BatchItem.quarantined_at.remove(), BatchItem.quarantine_rule.remove()],
                condition=BatchItem.quarantined_at == now,
            )
            raise
        logger.warning("batch quarantined", extra={"batch_id": figures.batch_id, "rule": rule.name})
        metrics.add_metric(name="BatchesQuarantined", unit="Count", value=1)

    def tell_operators_and_supplier(self, detail: dict[str, Any]) -> None:
        item = BatchItem.get(*BatchItem.key(detail["shop_id"], detail["sku"], detail["batch_id"]))
        counts = ", ".join(f"{name} {value}" for name, value in detail["counts"].items())
        self._alerts.alert(
            f"Batch {detail['batch_id']} of {detail['sku']} quarantined",
            f"Batch {detail['batch_id']} of {detail['sku']} (supplier {detail['supplier'] or 'unknown'}) was suspended "
            f"for new sales: {detail['reason']} (rule {detail['rule']}). Figures: {counts}. Buyers holding unredeemed "
            "keys of it are being told; resume it with PUT /v1/admin/products/{sku}/batches/{batch} once it is "
            "cleared.",
            shop_id=detail["shop_id"],
        )
        if item.supplier_email:
            message = self._templates.render(
                "batch_quarantined_supplier",
                FALLBACK_LOCALE,
                {
                    "batch": _figures(item, self._sold(item)),
                    "reason": detail["reason"],
                    "shop_name": self._shops.get(detail["shop_id"]).name,
                },
            )
            self._mailer.send(Email(item.supplier_email, message.subject, message.text, message.html))

    def holders(self, shop_id: str, sku: str, batch_id: str) -> Iterator[str]:
        """The orders with a line that received a key of the batch (whether they still hold it is checked later)."""
        seen: set[str] = set()
        for line_ref in self._counters.all_under(batch_lines_key(shop_id, sku, batch_id)):
            order_id = line_ref.rsplit("#", 1)[0]
            if order_id not in seen:
                seen.add(order_id)
                yield order_id

    def notify_buyer(self, order: Order, sku: str, batch_id: str) -> str | None:
        """Tell the buyer about the lines still holding an unredeemed key of the batch; None when there are none."""
        lines = [
            line
            for line in order.lines
            if line.batch_id == batch_id and (line.sku or order.sku) == sku and not line.activated and not line.revoked
        ]
        if not lines:
            return None
        message_id = self._buyer_mail.send(order, "batch_quarantined", {"lines": lines})
        metrics.add_metric(name="BatchQuarantineNotices", unit="Count", value=1)
        return message_id
