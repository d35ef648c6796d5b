"""The shop's KPIs as a projection of its domain events: daily atomic counters, summed over a date range.

Each event adds to three kinds of item for the day it happened: ``<day>#ALL``, ``<day>#SKU#<sku>`` and
``<day>#BATCH#<sku>#<batch>``, in one of the shop's ``KPI#<shop>#<shard>`` partitions picked at random, so no
item or partition is written by every order of a shop (a flash sale of one SKU would otherwise put two updates
per order on each of two items); a report over a range is one query per shard, whatever the number of orders.
The consumer runs each event once (see ``functions/kpis``).
"""

from __future__ import annotations

import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from faka.adapters.counters import Counters
from faka.adapters.tables.tickets import TicketItem
from faka.errors import InvalidRequest
from faka.insight.batch_health import BatchHealth
from faka.insight.suggestions import Complaints
from faka.observability import metrics
from faka.sales.orders import Orders
from faka.shared.model import Order, OrderLine

MAX_RANGE_DAYS = 92
_ALL = "ALL"
KPI_SHARDS = 8


def kpi_key(shop_id: str, shard: int | None = None) -> str:
    """The shop's KPI partition ``shard``; without one, the single partition figures went to before sharding."""
    return f"KPI#{shop_id}" if shard is None else f"KPI#{shop_id}#{shard}"


def _kpi_partitions(shop_id: str) -> list[str]:
    return [kpi_key(shop_id), *(kpi_key(shop_id, shard) for shard in range(KPI_SHARDS))]


def _any_kpi_partition(shop_id: str) -> str:
    return kpi_key(shop_id, secrets.randbelow(KPI_SHARDS))


def _line_scope(order: Order, line: OrderLine) -> str | None:
    return f"BATCH#{line.sku or order.sku}#{line.batch_id}" if line.batch_id else None


class Kpis:
    def __init__(self, counters: Counters, orders: Orders, batch_health: BatchHealth, complaints: Complaints) -> None:
        self._counters = counters
        self._orders = orders
        self._batch_health = batch_health
        self._complaints = complaints

    def project(self, detail_type: str, detail: Mapping[str, Any], event_time: str) -> None:
        """Count one domain event on the day it happened (its own time field, else EventBridge's)."""
        amounts: dict[str, float]
        match detail_type:
            case "OrderPaid":
                order = self._orders.get(detail["order_id"])
                amounts = {"orders": 1, f"revenue_{detail['currency']}": int(detail["amount"])}
                self._add(order, detail.get("paid_at") or event_time, amounts, lines=())
                metrics.add_metric(name="Revenue", unit="Count", value=int(detail["amount"]))
            case "OrderDelivered":
                order = self._orders.get(detail["order_id"])
                issued = [line for line in order.lines if line.issued]
                amounts = {"delivered": 1, "keys_delivered": len(issued)}
                if order.paid_at and order.delivered_at:
                    latency = max(0.0, (order.delivered_at - order.paid_at).total_seconds())
                    amounts |= {"delivery_seconds": round(latency, 3), "timed_deliveries": 1}
                    metrics.add_metric(name="DeliveryLatencySeconds", unit="Seconds", value=latency)
                self._add(order, detail.get("delivered_at") or event_time, amounts, lines=issued)
                self._batch_health.note_issued(order)
            case "KeyActivated" | "KeyActivationFailed":
                order = self._orders.get(detail["order_id"])
                line = next(n for n in order.lines if n.line_no == int(detail["line_no"]))
                activated = detail_type == "KeyActivated"
                self._add(order, detail.get("at") or event_time, {"activated" if activated else "failed": 1}, [line])
                # Buyers' "it didn't work" is often the wrong account region; only the supplier's failure is a defect.
                if line.batch_id and (activated or detail.get("source") == "supplier"):
                    self._batch_health.note_activation(
                        order.shop_id, line.sku or order.sku, line.batch_id, activated=activated
                    )
            case "TicketOpened":
                self._ticket(detail, event_time)
            case "TicketHandedOff":
                handed: dict[str, float] = {"handed_off": 1}
                withdrawn = detail.get("withdrawn_auto_resolve_seconds")
                if withdrawn is not None:
                    # The assistant had resolved it: no longer counted as resolved by the assistant.
                    handed |= {"resolved_auto": -1, "resolve_seconds": -float(withdrawn), "resolved_timed": -1}
                self._ticket_figure(detail, event_time, handed)
            case "TicketResolved":
                figures = {
                    "resolved_auto" if detail["resolved_by"] == "assistant" else "resolved_by_people": 1,
                    "resolve_seconds": float(detail["resolve_seconds"]),
                    "resolved_timed": 1,
                }
                if detail.get("first_response_seconds") is not None:
                    figures |= {"first_response_seconds": float(detail["first_response_seconds"]), "first_responses": 1}
                self._ticket_figure(detail, detail.get("resolved_at") or event_time, figures)
            case "TicketRated":
                self._ticket_figure(
                    detail, detail.get("rated_at") or event_time, {"csat_count": 1, "csat_sum": detail["score"]}
                )
            case "KeyReplaced":
                self._batch_health.evaluate_product(detail["shop_id"], detail["sku"])
            case "RefundCompleted":
                order = self._orders.get(detail["order_id"])
                refunded = [n for n in order.lines if n.line_no in set(detail["lines"])]
                amounts = {"refunds": 1, f"refunded_{detail['currency']}": int(detail["amount"])}
                self._add(order, detail.get("completed_at") or event_time, amounts, refunded)
            case "OrderRated":
                order = self._orders.get(detail["order_id"])
                scores: Mapping[str, int] = detail.get("scores") or {}
                amounts = {"ratings": 1, "low_ratings": 1 if detail.get("low") else 0}
                for dimension, score in scores.items():
                    amounts |= {f"score_sum_{dimension}": int(score), f"score_count_{dimension}": 1}
                self._add(order, detail.get("rated_at") or event_time, amounts, order.lines)
                if detail.get("low"):
                    metrics.add_metric(name="LowRatings", unit="Count", value=1)
                if detail.get("comment"):
                    batches = sorted({line.batch_id for line in order.lines if line.batch_id})
                    self._complaints.note_review(order.shop_id, order.sku, batches, detail["comment"])

    def _ticket(self, detail: Mapping[str, Any], event_time: str) -> None:
        order = self._ticket_figure(detail, event_time, {"tickets": 1, f"intent_{detail['intent']}": 1})
        if order is None:
            return
        ticket = TicketItem.get(detail["ticket_id"], TicketItem.SK)
        batches = {line.batch_id for line in order.lines if line.batch_id}
        self._complaints.note_ticket(
            detail["shop_id"], order.sku, sorted(batches), detail["intent"], ticket.summary, source=ticket.source
        )

    def _ticket_figure(self, detail: Mapping[str, Any], when: str, amounts: Mapping[str, float]) -> Order | None:
        """A ticket figure, on the order's product and batches too when the ticket names an order."""
        if not detail.get("order_id"):
            self._counters.add(_any_kpi_partition(detail["shop_id"]), f"{when[:10]}#{_ALL}", amounts)
            return None
        order = self._orders.get(detail["order_id"])
        self._add(order, when, amounts, order.lines)
        return order

    def _add(self, order: Order, when: str, amounts: Mapping[str, float], lines: Iterable[OrderLine]) -> None:
        day = when[:10]
        pk = _any_kpi_partition(order.shop_id)
        self._counters.add(pk, f"{day}#{_ALL}", amounts)
        self._counters.add(pk, f"{day}#SKU#{order.sku}", amounts)
        # A batch's share of an order-level figure is what its lines carry; "keys_delivered" is per line.
        per_batch = Counter(scope for line in lines if (scope := _line_scope(order, line)))
        for scope, count in per_batch.items():
            share = {name: count if name == "keys_delivered" else value for name, value in amounts.items()}
            self._counters.add(pk, f"{day}#{scope}", share)


def summary(counters: Counters, shop_id: str, first: date, last: date) -> dict[str, Any]:
    if last < first:
        raise InvalidRequest("'to' is before 'from'", code="invalid_range")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise InvalidRequest(f"a report covers at most {MAX_RANGE_DAYS} days", code="invalid_range")
    scopes: dict[str, Counter[str]] = defaultdict(Counter)
    for pk in _kpi_partitions(shop_id):
        for sort_key, figures in counters.between(pk, f"{first.isoformat()}#", f"{last.isoformat()}#~").items():
            scopes[sort_key.split("#", 1)[1]].update(figures)
    return {
        "shop_id": shop_id,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "overall": kpi_figures(scopes.get(_ALL, Counter())),
        "products": {s.removeprefix("SKU#"): kpi_figures(c) for s, c in sorted(scopes.items()) if s.startswith("SKU#")},
        "batches": {
            s.removeprefix("BATCH#"): kpi_figures(c) for s, c in sorted(scopes.items()) if s.startswith("BATCH#")
        },
    }


def kpi_figures(c: Mapping[str, float]) -> dict[str, Any]:
    orders = int(c.get("orders", 0))
    keys = int(c.get("keys_delivered", 0))
    ratings = int(c.get("ratings", 0))
    dimensions = sorted(name.removeprefix("score_count_") for name in c if name.startswith("score_count_"))
    return {
        "orders": orders,
        "revenue": _per_currency(c, "revenue_"),
        "delivered_orders": int(c.get("delivered", 0)),
        "mean_delivery_seconds": _mean(c.get("delivery_seconds", 0), c.get("timed_deliveries", 0)),
        "keys_delivered": keys,
        "keys_activated": int(c.get("activated", 0)),
        "activation_failures": int(c.get("failed", 0)),
        "activation_rate": _ratio(c.get("activated", 0), keys),
        "tickets": int(c.get("tickets", 0)),
        "tickets_per_100_orders": round(100 * c.get("tickets", 0) / orders, 1) if orders else None,
        "tickets_by_intent": {
            name.removeprefix("intent_"): int(v) for name, v in sorted(c.items()) if name.startswith("intent_")
        },
        "auto_resolution_rate": _ratio(c.get("resolved_auto", 0), c.get("tickets", 0)),
        "handoff_rate": _ratio(c.get("handed_off", 0), c.get("tickets", 0)),
        "mean_first_response_seconds": _mean(c.get("first_response_seconds", 0), c.get("first_responses", 0)),
        "mean_resolve_seconds": _mean(c.get("resolve_seconds", 0), c.get("resolved_timed", 0)),
        "csat": {
            "count": int(c.get("csat_count", 0)),
            "mean": _mean(c.get("csat_sum", 0), c.get("csat_count", 0), digits=2),
        },
        "refunds": {"count": int(c.get("refunds", 0)), "amount": _per_currency(c, "refunded_")},
        "ratings": {
            "count": ratings,
            "low": int(c.get("low_ratings", 0)),
            "bad_review_rate": _ratio(c.get("low_ratings", 0), ratings),
            "mean_scores": {
                d: _mean(c.get(f"score_sum_{d}", 0), c.get(f"score_count_{d}", 0), digits=2) for d in dimensions
            },
        },
    }


def _per_currency(c: Mapping[str, float], prefix: str) -> dict[str, int]:
    return {name.removeprefix(prefix): int(v) for name, v in sorted(c.items()) if name.startswith(prefix)}


def _ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 3) if whole else None


def _mean(total: float, count: float, digits: int = 1) -> float | None:
    return round(total / count, digits) if count else None


def parse_day(value: str | None, name: str) -> date:
    try:
        return datetime.strptime(value or "", "%Y-%m-%d").date()
    except ValueError:
        raise InvalidRequest(f"'{name}' must be a date YYYY-MM-DD", code="invalid_range") from None
