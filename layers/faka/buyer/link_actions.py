"""What the links in buyer emails do: "it worked", "it didn't work", "was this helpful?", opt-out.

Opening a link (GET) only shows a page that asks; the change happens when the buyer presses its button
(POST), so mail scanners and link checkers that open every link change nothing. Pressing it again
changes nothing more: an activation is recorded once per line, a failure report and a vote once per
link, and an opt-out is a flag.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from faka.activation.activation import Activations, ActivationSignal, ActivationStatus, SignalSource
from faka.activation.outreach import OutreachPolicy
from faka.activation.reminders import template_key
from faka.adapters.counters import Counters
from faka.errors import NotFound
from faka.sales.orders import Orders
from faka.shared.links import LinkAction, LinkSigner
from faka.shared.model import Order
from faka.support.tickets import Tickets


@dataclass(frozen=True)
class FollowedLink:
    action: LinkAction
    order: Order
    # The guide template a "was this helpful?" link asks about.
    template: str


def _acted_key(order_id: str) -> str:
    return f"LINK#{order_id}"


class LinkActions:
    def __init__(
        self,
        links: LinkSigner,
        orders: Orders,
        activations: Activations,
        tickets: Tickets,
        outreach: OutreachPolicy,
        counters: Counters,
    ) -> None:
        self._links = links
        self._orders = orders
        self._activations = activations
        self._tickets = tickets
        self._outreach = outreach
        self._counters = counters

    def open(self, action: str, query: Mapping[str, str]) -> FollowedLink:
        """The link's action and order, once its signature and expiry hold; changes nothing."""
        try:
            link_action = LinkAction(action)
        except ValueError:
            raise NotFound("no such link", code="no_route") from None
        params = self._links.verify(action, query)
        return FollowedLink(link_action, self._orders.get(params["o"]), params.get("t", "unknown"))

    def act(self, action: str, query: Mapping[str, str]) -> FollowedLink:
        """Do what the link says, at most once however often it is posted."""
        link = self.open(action, query)
        order = link.order
        if link.action is LinkAction.WORKED:
            self.report(order, ActivationStatus.ACTIVATED, source="email_link")
        elif link.action is LinkAction.FAILED:
            self.report(order, ActivationStatus.FAILED, source="email_link")
        elif link.action is LinkAction.OPT_OUT:
            self._outreach.opt_out(order.email)
        else:
            # One vote per order and guide: the first answer counts.
            self._counters.add_once(
                (_acted_key(order.order_id), f"vote#{link.template}"),
                {(template_key(order.shop_id), link.template): {link.action.value: 1}},
            )
        return link

    def report(self, order: Order, status: ActivationStatus, *, source: str) -> None:
        """The buyer's word that the order's keys worked or not (from an email link or the order page), at most once."""
        if status is ActivationStatus.ACTIVATED:
            signal = ActivationSignal(ActivationStatus.ACTIVATED, SignalSource.BUYER, datetime.now(UTC))
            self._activations.record(order.order_id, signal)
            return
        # A line can be reported failed again (a supplier may confirm the buyer's report), so the order's own
        # marker keeps a repeated report from counting the failure twice; the ticket is keyed and opens once.
        if self._counters.add_once((_acted_key(order.order_id), LinkAction.FAILED.value), {}):
            signal = ActivationSignal(ActivationStatus.FAILED, SignalSource.BUYER, datetime.now(UTC))
            self._activations.record(order.order_id, signal)
        self._tickets.open_once(
            key=f"{order.order_id}:buyer_reported_failure",
            shop_id=order.shop_id,
            order_id=order.order_id,
            intent="invalid_key",
            severity=3,
            source=source,
            locale=order.locale,
            summary=f"The buyer reports the key(s) of order {order.order_id} did not work.",
        )
