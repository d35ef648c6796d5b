"""Playbooks: what a classified ticket about an order gets done without a person, decided from the facts.

Each intent has one explicit decision (the table in ``docs/tickets.md``); its limits are data
(``faka/rules/playbooks.json``). A playbook acts through the same paths as the rest of faka (delivery,
the exactly-once key swap, the refund review, the payment check), so a ticket submitted twice changes
nothing twice. Claims ("not received", "invalid key", "wrong region") pass the claim-fraud guard first;
a held claim, anything outside the limits, and every intent that needs judgement go to a person.

What a playbook may do also depends on how the ticket proved its order (``Proof``): answering questions
and sending the delivery to the order's own address need only the order's email; refunds, reissues and
exchanges need the order's access token, or else a confirmation mailed to the order's address; sending
keys to any other address needs the access token (otherwise a person takes over).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from faka.adapters.counters import Counters
from faka.catalog.catalog import Catalog
from faka.errors import FakaError
from faka.observability import logger, metrics
from faka.ports import EventPublisher, PaymentProvider
from faka.sales.buyer_mail import BuyerMail
from faka.sales.fulfilment import Fulfilment
from faka.sales.issuance import ClaimOutcome, KeyIssuer
from faka.sales.notifications import Notices
from faka.sales.orders import Orders
from faka.sales.redaction import mask_email
from faka.shared.links import LinkSigner
from faka.shared.model import FULFILLABLE, Order, OrderLine, OrderStatus, PaymentConfirmation, Product
from faka.shared.rules_file import InvalidRulesFile, Limits, read
from faka.support.resolutions import CONFIRM_ACTION, Claim, Next, Outcome, Proof, Resolution, confirmation_path
from faka.triage import INTENTS
from faka.trust.claims import CLAIM_INTENTS, ClaimGuard, GuardRules
from faka.trust.identity import buyer_ref
from faka.trust.page_views import views_key
from faka.trust.risk import RiskRules

# Hints only: the refunds and the mail history (SES's event models) load when a playbook first needs them.
if TYPE_CHECKING:
    from faka.money.refunds import Refunds
    from faka.sales.mail_events import MailEvents

RULES_FILE = Path(__file__).resolve().parents[1] / "rules" / "playbooks.json"


# The file's parts, read by faka.shared.rules_file: a buyer's ticket builds the playbooks, so no pydantic.
@dataclass(frozen=True, kw_only=True)
class BuyerLimit:
    count: Annotated[int, Limits(ge=0)]
    days: Annotated[int, Limits(gt=0, le=365)]


@dataclass(frozen=True, kw_only=True)
class WrongRegion:
    comment: str = ""
    exchange: bool


def _known_intent(intent: str) -> None:
    if intent not in INTENTS:
        raise ValueError(f"unknown intent {intent!r}")


@dataclass(frozen=True, kw_only=True)
class PlaybookRules:
    comment: str = ""
    to_person: tuple[Annotated[str, Limits(check=_known_intent)], ...]
    replacements_per_order: Annotated[int, Limits(ge=0)]
    replacements_per_buyer: BuyerLimit
    auto_reissue_value_caps: dict[str, Annotated[int, Limits(ge=0)]]
    wrong_region: WrongRegion
    claim_guard: GuardRules

    @classmethod
    def load(cls, path: Path = RULES_FILE) -> PlaybookRules:
        try:
            return read(cls, json.loads(path.read_text()))
        except (OSError, InvalidRulesFile, json.JSONDecodeError) as error:
            raise ValueError(f"{path}: {error}") from None


def _person(reason: str, **reply: Any) -> Resolution:
    return Resolution(Outcome.HANDED_OFF, Next.PERSON, reason, reply)


class Playbooks:
    def __init__(
        self,
        rules: PlaybookRules,
        *,
        orders: Orders,
        catalog: Catalog,
        fulfilment: Fulfilment,
        issuer: KeyIssuer,
        notices: Notices,
        refunds: Callable[[], Refunds],
        provider_for: Callable[[Order], PaymentProvider],
        mail: Callable[[], MailEvents],
        counters: Counters,
        risk_rules: RiskRules,
        guides: set[str],
        events: EventPublisher,
        buyer_mail: BuyerMail,
        links: LinkSigner,
    ) -> None:
        self._rules = rules
        self._events = events
        self._orders = orders
        self._catalog = catalog
        self._fulfilment = fulfilment
        self._issuer = issuer
        self._notices = notices
        # Taken when first needed: the refund review opens tickets (appeals) through the ticket service itself.
        self._refunds = refunds
        # A payment question is asked of the provider the order was paid with.
        self._provider_for = provider_for
        # What SES reported about the delivery email: read for a "not received" claim.
        self._mail = mail
        self._counters = counters
        self._guides = guides
        self._buyer_mail = buyer_mail
        self._links = links
        self.guard = ClaimGuard(counters, rules.claim_guard, risk_rules)

    def run(self, claim: Claim, now: datetime | None = None) -> Resolution:
        now = now or datetime.now(UTC)
        resolution = self._decide(claim, now)
        metrics.add_metric(name=f"Playbook_{resolution.outcome.value}", unit="Count", value=1)
        logger.info(
            "playbook ran",
            extra={"ticket_id": claim.ticket_id, "intent": claim.intent, "outcome": resolution.outcome},
        )
        return resolution

    def _decide(self, claim: Claim, now: datetime) -> Resolution:
        order = claim.order
        if order is not None and claim.previous_outcome == Outcome.ASKED_FOR_ADDRESS and claim.entities.get("email"):
            return self._resend_to(order, str(claim.entities["email"]), claim.proof)
        if claim.intent in self._rules.to_person:
            return _person(f"{claim.intent} needs a person")
        if order is None:
            return _person("no order named")
        if claim.intent in CLAIM_INTENTS:
            risk = self.guard.screen(claim.claimant, order, claim.intent, now, counted=claim.counted)
            if risk.held:
                return Resolution(
                    Outcome.HELD_FOR_REVIEW,
                    Next.PERSON,
                    "claim-fraud guard: " + ", ".join(risk.signals),
                    evidence=self.evidence(order),
                    risk=risk,
                )
            resolution = self._claim(claim, order, now)
            return Resolution(
                resolution.outcome, resolution.next, resolution.reason, resolution.reply, resolution.evidence, risk
            )
        if claim.intent == "activation_help":
            return self._guide(order, self._product(order).platform)
        if claim.intent == "order_status":
            return Resolution(Outcome.ANSWERED_STATUS, Next.RESOLVED, reply=self._status(order))
        if claim.intent == "refund_request":
            return self._once_confirmed(claim, order, lambda: self._refund(order, claim.ticket_id))
        if claim.intent == "payment_issue":
            return self._payment_check(claim, order)
        if claim.intent == "description_mismatch":
            return self._not_as_described(order)
        return _person(f"no playbook for {claim.intent}")

    # -- claims ------------------------------------------------------------------------------------------

    def _claim(self, claim: Claim, order: Order, now: datetime) -> Resolution:
        if claim.intent == "not_received" or order.stored_status is not OrderStatus.DELIVERED:
            return self._not_received(claim, order)
        line = self._claimed_line(order)
        if line is None:
            return _person("no single unused key the claim can be about")
        if (limit := self._over_limits(order, now)) is not None:
            return _person(limit)
        if claim.intent == "invalid_key":
            return self._once_confirmed(claim, order, lambda: self._reissue(order, line, now))
        return self._wrong_region(claim, order, line, now)

    def _not_received(self, claim: Claim, order: Order) -> Resolution:
        status = order.stored_status
        if status is OrderStatus.PENDING_PAYMENT:
            return self._payment_check(claim, order)
        if status in FULFILLABLE:
            outcome = self._fulfilment.fulfil(order)
            delivered = self._orders.get(order.order_id).stored_status is OrderStatus.DELIVERED
            logger.info("fulfilled from a ticket", extra={"order_id": order.order_id, "result": outcome.result})
            return Resolution(
                Outcome.DELIVERED_NOW if delivered else Outcome.AWAITING_STOCK, Next.RESOLVED, reply=self._status(order)
            )
        if status is not OrderStatus.DELIVERED:
            return _person(f"order is {status.value}")
        evidence = self.evidence(order)
        message_id = evidence["delivery_email"]["message_id"]
        if message_id and self._mail().bounced(message_id):
            if not claim.proof.may_redirect:
                return _order_link_needed(evidence)
            return Resolution(Outcome.ASKED_FOR_ADDRESS, Next.BUYER, "delivery email bounced", evidence=evidence)
        self._notices.send_delivery(order.order_id)
        return Resolution(Outcome.RESENT_WITH_EVIDENCE, Next.RESOLVED, reply={"evidence": evidence}, evidence=evidence)

    def _resend_to(self, order: Order, address: str, proof: Proof) -> Resolution:
        if not proof.may_redirect:
            return _order_link_needed(self.evidence(order))
        if order.stored_status is not OrderStatus.DELIVERED:
            return _person(f"order is {order.stored_status.value}")
        self._notices.send_delivery(order.order_id, to=address)
        return Resolution(Outcome.RESENT_TO_NEW_ADDRESS, Next.RESOLVED, reply={"address": address})

    @staticmethod
    def _claimed_line(order: Order) -> OrderLine | None:
        """The unused key the claim is about when there is only one; with several, a person asks which."""
        unused = [line for line in order.lines if line.issued and not line.revoked and not line.activated]
        return unused[0] if len(unused) == 1 else None

    def _over_limits(self, order: Order, now: datetime) -> str | None:
        rules = self._rules
        cap = rules.auto_reissue_value_caps.get(order.currency)
        if cap is None or order.amount > cap:
            return f"order value {order.amount} {order.currency} above the automatic reissue cap"
        if sum(line.replacements for line in order.lines) >= rules.replacements_per_order:
            return "replacements per order reached"
        if self._replacements_by(order.email, now) >= rules.replacements_per_buyer.count:
            return "replacements per buyer reached"
        return None

    def _reissue(self, order: Order, line: OrderLine, now: datetime) -> Resolution:
        outcome = self._issuer.reissue(order, line, defective=True)
        if outcome is ClaimOutcome.ISSUED:
            # The batch health check counts the old key's batch at once, not at the batch's next event.
            self._events.publish(
                "KeyReplaced",
                {
                    "order_id": order.order_id,
                    "shop_id": order.shop_id,
                    "sku": line.sku or order.sku,
                    "batch_id": line.batch_id,
                    "line_no": line.line_no,
                    "replaced_at": now.isoformat(),
                },
            )
        return self._after_swap(order, outcome, now, Outcome.REPLACED)

    def _wrong_region(self, claim: Claim, order: Order, line: OrderLine, now: datetime) -> Resolution:
        product = self._product(order)
        wanted = str(claim.entities.get("region") or line.account_region or "").upper()
        variant = self._variant(product, wanted, order) if self._rules.wrong_region.exchange and wanted else None
        if variant is None:
            return self._guide(order, "cross_border")

        def exchange() -> Resolution:
            outcome = self._issuer.reissue(order, line, defective=False, into_sku=variant.sku)
            resolution = self._after_swap(order, outcome, now, Outcome.EXCHANGED)
            return Resolution(
                resolution.outcome, resolution.next, resolution.reason, {**resolution.reply, "region": variant.region}
            )

        return self._once_confirmed(claim, order, exchange)

    def _after_swap(self, order: Order, outcome: ClaimOutcome, now: datetime, done: Outcome) -> Resolution:
        if outcome is ClaimOutcome.ALREADY_ISSUED:
            # Another claim on the same key committed first: the buyer already has the new key.
            return Resolution(Outcome.ALREADY_REPLACED, Next.RESOLVED)
        if outcome is ClaimOutcome.OUT_OF_STOCK:
            return Resolution(Outcome.REFUND_OFFERED, Next.BUYER, "no replacement in stock")
        self._note_replacement(order.email, now)
        self._notices.send_delivery(order.order_id)
        metrics.add_metric(name="KeysReissued", unit="Count", value=1)
        return Resolution(done, Next.RESOLVED)

    def _variant(self, product: Product, region: str, order: Order) -> Product | None:
        unit_price = order.amount // max(order.quantity, 1)
        candidates = [
            p
            for p in self._catalog.listed(order.shop_id)
            if p.sku != product.sku
            and p.platform == product.platform
            and p.region.upper() == region
            and p.currency == order.currency
            and p.price <= unit_price
            and p.stock > 0
        ]
        return min(candidates, key=lambda p: (-p.price, p.sku), default=None)

    # -- other intents -----------------------------------------------------------------------------------

    def _guide(self, order: Order, guide: str) -> Resolution:
        return Resolution(
            Outcome.GUIDE_SENT,
            Next.RESOLVED,
            reply={"guide": guide if guide in self._guides else "generic", "product": self._product(order)},
        )

    @staticmethod
    def _not_as_described(order: Order) -> Resolution:
        """A refund is offered for codes nobody has redeemed; the buyer's "refund" then asks for it as any refund
        request does (the order's token or mailbox, the refund review). A redeemed code was seen: a person judges."""
        if any(line.activated for line in order.lines):
            return _person("not as described, on a code already redeemed")
        return Resolution(Outcome.REFUND_OFFERED, Next.BUYER, "not as described: refund offered", {"mismatch": True})

    def _refund(self, order: Order, ticket_id: str) -> Resolution:
        try:
            refund = self._refunds().request(order, reason=f"asked in ticket {ticket_id[:12]}")
        except FakaError as error:
            return _person(f"refund refused: {error.code}")
        return Resolution(
            Outcome.REFUND_REQUESTED,
            Next.RESOLVED,
            reply={"refund_id": refund.refund_id, "refund_status": refund.status.value},
        )

    def _payment_check(self, claim: Claim, order: Order) -> Resolution:
        payments = self._provider_for(order).find_payments(order.order_id)
        if order.stored_status is not OrderStatus.PENDING_PAYMENT:
            return self._double_charge(claim, order, payments)
        if not payments:
            return _person("no payment found at the provider")
        self._fulfilment.record_payment(payments[0])
        return Resolution(Outcome.PAYMENT_FOUND, Next.RESOLVED, reply=self._status(order))

    def _double_charge(self, claim: Claim, order: Order, payments: list[PaymentConfirmation]) -> Resolution:
        """Every payment beyond the one the order was paid with is paid back in full, once per payment."""
        kept = order.payment_ref if order.payment_ref in {p.payment_ref for p in payments} else None
        duplicates = [p for p in payments if p.payment_ref != kept][0 if kept else 1 :]
        if not duplicates and kept:
            # The provider holds exactly the payment the order was paid with: that fact answers the question
            # ("charged but it says failed", "charged twice" when the second is a bank's hold).
            return Resolution(Outcome.ANSWERED_STATUS, Next.RESOLVED, reply={**self._status(order), "paid_once": True})
        if not duplicates:
            return _person(f"payment question on a {order.stored_status.value} order, no payment found")

        def refund_duplicates() -> Resolution:
            refunds = self._refunds()
            refunded = [refunds.refund_duplicate(payment) for payment in duplicates]
            amount = sum(p.amount for p in duplicates)
            return Resolution(
                Outcome.DUPLICATE_REFUNDED,
                Next.RESOLVED,
                reply={"duplicates": len(refunded), "amount": amount, "currency": order.currency.upper()},
            )

        return self._once_confirmed(claim, order, refund_duplicates)

    def _once_confirmed(self, claim: Claim, order: Order, act: Callable[[], Resolution]) -> Resolution:
        """``act`` when the ticket holds the order's token (or this is its mailed confirmation); otherwise nothing
        moves: the order's own address is asked to confirm, so knowing an order id and its email is not enough."""
        if claim.proof.may_act:
            return act()
        link = self._links.url(
            confirmation_path(claim.ticket_id), CONFIRM_ACTION, {"t": claim.ticket_id, "i": claim.intent}
        )
        self._buyer_mail.send(
            order,
            "ticket_confirmation",
            {"confirm_url": link, "intent": claim.intent, "ticket_ref": claim.ticket_id[:12]},
        )
        logger.info("confirmation mailed to the order's address", extra={"ticket_id": claim.ticket_id})
        return Resolution(
            Outcome.CONFIRMATION_SENT,
            Next.BUYER,
            "acting on money or keys needs the order's access token or its mailbox",
            reply={"to": mask_email(order.email)},
        )

    # -- facts -------------------------------------------------------------------------------------------

    def evidence(self, order: Order) -> dict[str, Any]:
        """The timestamped record a "not received" claim is answered with (and a person or dispute reads)."""
        current = self._orders.get(order.order_id)
        message_id = current.delivery_message_id
        views = self._counters.get(*views_key(order.order_id))
        return {
            "order_id": current.order_id,
            "status": current.stored_status.value,
            "paid_at": _iso(current.paid_at),
            "keys_issued_at": _iso(current.delivered_at),
            "keys_issued": sum(1 for line in current.lines if line.issued),
            "delivery_email": {
                "to": current.email,
                "message_id": message_id,
                "events": [e.as_evidence() for e in self._mail().for_message(message_id)] if message_id else [],
            },
            "order_page_views": {
                "views": int(views.get("visits", 0)),
                "first_at": _epoch(views.get("first_at")),
                "last_at": _epoch(views.get("last_at")),
            },
            "activation": [
                {"line_no": line.line_no, "status": line.activation_status or "unknown"} for line in current.lines
            ],
        }

    def _status(self, order: Order) -> dict[str, Any]:
        current = self._orders.get(order.order_id)
        return {"order_status": current.stored_status.value, "delivered_at": _iso(current.delivered_at)}

    def _product(self, order: Order) -> Product:
        return self._catalog.product(order.shop_id, order.sku)

    def _replacements_by(self, email: str, now: datetime) -> int:
        since = (now - timedelta(days=self._rules.replacements_per_buyer.days - 1)).strftime("%Y-%m-%d")
        return int(self._counters.total(_replacements_key(email), "replacements", since))

    def _note_replacement(self, email: str, now: datetime) -> None:
        expires = int((now + timedelta(days=self._rules.replacements_per_buyer.days)).timestamp())
        self._counters.add(_replacements_key(email), now.strftime("%Y-%m-%d"), {"replacements": 1}, expires_at=expires)


def _order_link_needed(evidence: dict[str, Any]) -> Resolution:
    """The delivery bounced, and the ticket does not hold the order's token: keys go nowhere but the order's own
    address, so the buyer is pointed to their order page and a person takes over."""
    return Resolution(
        Outcome.ORDER_LINK_NEEDED,
        Next.PERSON,
        "delivery email bounced; only the order's access token may send keys to another address",
        evidence=evidence,
    )


def _replacements_key(email: str) -> str:
    return f"REPLACEMENTS#{buyer_ref(email)}"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _epoch(value: float | None) -> str | None:
    return datetime.fromtimestamp(value, UTC).isoformat() if value else None
