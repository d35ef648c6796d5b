"""Ticket figures per shop: how many the assistant settled, how many reached a person, how fast, how rated
(CSAT 1–5, NPS 0–10), what the knowledge base answered and whether it helped, and the knowledge-base gaps —
what the tickets that needed a person, and the questions no article answered, were about."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from faka.adapters.counters import Counters
from faka.adapters.tables.tickets import TicketItem
from faka.knowledge.phrases import phrases
from faka.support.help_desk import ticket_stats_key
from faka.support.knowledge_answers import UNANSWERED

TOP_PHRASES = 15
TOP_INTENTS = 5


def ticket_report(
    counters: Counters,
    shop_id: str,
    handed_off: Iterable[TicketItem],
    *,
    knowledge: Mapping[str, Mapping[str, float]] | None = None,
    corrections: int = 0,
) -> dict[str, Any]:
    """``knowledge``: the shop's knowledge-base counters (``faka.support.knowledge_answers.knowledge_stats_key``)."""
    per_intent = counters.all_under(ticket_stats_key(shop_id))
    overall: Counter[str] = Counter()
    for figures in per_intent.values():
        overall.update(figures)
    knowledge = knowledge or {}
    gaps = knowledge_base_gaps(handed_off)
    gaps["unanswered_questions"] = _unanswered(knowledge.get(UNANSWERED, {}))
    return {
        "overall": _figures(overall),
        "intents": {intent: _figures(figures) for intent, figures in sorted(per_intent.items())},
        "knowledge_base": _articles(knowledge),
        "knowledge_base_gaps": gaps,
        "intent_corrections": corrections,
    }


def _articles(knowledge: Mapping[str, Mapping[str, float]]) -> dict[str, Any]:
    """Each article's answers and verdicts, the least helpful first (the ones to rewrite)."""
    figures = {
        sort_key.removeprefix("ARTICLE#"): {
            name: int(c.get(name, 0)) for name in ("answered", "helpful", "not_helpful")
        }
        for sort_key, c in knowledge.items()
        if sort_key.startswith("ARTICLE#")
    }
    ranked = sorted(figures.items(), key=lambda item: (-item[1]["not_helpful"], -item[1]["answered"], item[0]))
    articles = [{"id": article_id, **counts} for article_id, counts in ranked]
    total: Counter[str] = Counter()
    for counts in figures.values():
        total.update(counts)
    return {
        "answered": total["answered"],
        "helpful": total["helpful"],
        "not_helpful": total["not_helpful"],
        "helpful_rate": _ratio(total["helpful"], total["helpful"] + total["not_helpful"]),
        "articles": articles,
    }


def _unanswered(counts: Mapping[str, float], top: int = TOP_PHRASES) -> dict[str, Any]:
    """Questions with no order problem that no article answered, and the phrases they used most."""
    used = sorted(
        ((k.removeprefix("phrase:"), int(v)) for k, v in counts.items() if k.startswith("phrase:")),
        key=lambda item: (-item[1], item[0]),
    )
    return {
        "questions": int(counts.get("questions", 0)),
        "top_phrases": [{"phrase": p, "questions": n} for p, n in used[:top]],
    }


def _figures(c: Mapping[str, float]) -> dict[str, Any]:
    opened = int(c.get("opened", 0))
    handed_off = int(c.get("handed_off", 0))
    auto_resolved = int(c.get("auto_resolved", 0))
    csat_count = int(c.get("csat_count", 0))
    return {
        "opened": opened,
        "auto_resolved": auto_resolved,
        "handed_off": handed_off,
        "resolved_by_people": int(c.get("resolved", 0)),
        "reopened": int(c.get("reopened", 0)),
        "escalated": int(c.get("escalated", 0)),
        "first_response_breaches": int(c.get("first_response_breached", 0)),
        "auto_resolution_rate": _ratio(auto_resolved, opened),
        "handoff_rate": _ratio(handed_off, opened),
        "mean_auto_resolve_seconds": _mean(c, "auto_resolve_seconds", "auto_resolved"),
        "mean_first_response_seconds": _mean(c, "first_response_seconds", "first_responses"),
        "mean_resolve_seconds": _mean(c, "resolve_seconds", "resolved"),
        "csat": {"count": csat_count, "mean": _mean(c, "csat_sum", "csat_count", digits=2)},
        "nps": _nps(c),
    }


def _nps(c: Mapping[str, float]) -> dict[str, Any]:
    """Net promoter score: the share of promoters (9–10) less the share of detractors (0–6), −100 to 100."""
    count = int(c.get("nps_count", 0))
    score = round(100 * (c.get("nps_promoters", 0) - c.get("nps_detractors", 0)) / count, 1) if count else None
    return {"count": count, "score": score}


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _mean(c: Mapping[str, float], total: str, count: str, digits: int = 1) -> float | None:
    n = c.get(count, 0)
    return round(c.get(total, 0) / n, digits) if n else None


def knowledge_base_gaps(handed_off: Iterable[TicketItem], top: int = TOP_PHRASES) -> dict[str, Any]:
    """What the tickets a person had to take were about: their intents and the phrases they used most."""
    intents: Counter[str] = Counter()
    used: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    sample = 0
    for item in handed_off:
        sample += 1
        intents[item.intent] += 1
        reasons[item.handoff_reason or "unknown"] += 1
        # Counted once per ticket, so one long message does not outweigh many buyers.
        used.update(set(phrases(item.summary)))
    return {
        "tickets": sample,
        "top_intents": [{"intent": i, "tickets": n} for i, n in intents.most_common(TOP_INTENTS)],
        "handoff_reasons": dict(reasons.most_common()),
        "top_phrases": [{"phrase": p, "tickets": n} for p, n in used.most_common(top) if n > 1],
    }
