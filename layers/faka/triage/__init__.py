"""Ticket triage in-process: intent, confidence, language, tone, entities and severity of a buyer's message.

    from faka.triage import classify, TriageContext
    result = classify("我的卡密无效", TriageContext(order_amount_minor=10000, currency="cny"))
    result.intent, result.severity, result.as_contract()

No network and no third-party packages: the model is a linear scorer loaded once per container from
``model.json.gz`` next to this file (see docs/triage.md for how it was trained and measured).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from faka.triage import model
from faka.triage.entities import extract
from faka.triage.language import detect_language
from faka.triage.sentiment import detect_sentiment
from faka.triage.severity import TriageContext, assess
from faka.triage.text import features, normalize

__all__ = ["INTENTS", "LOW_CONFIDENCE", "MAX_MESSAGE_CHARS", "Triage", "TriageContext", "classify"]

INTENTS = (
    "not_received",
    "invalid_key",
    "wrong_region",
    "activation_help",
    "refund_request",
    "payment_issue",
    "order_status",
    "description_mismatch",
    "account_security",
    "fraud_report",
    "talk_to_human",
    "other",
)
# Below this the caller asks the buyer to rephrase instead of acting on the intent; see docs/triage.md
# for the accuracy of the answers kept and the share of messages sent back at this threshold.
LOW_CONFIDENCE = 0.5
# Longer messages are pasted logs or e-mail threads; their first few thousand characters say what is wrong.
MAX_MESSAGE_CHARS = 4000


@dataclass(frozen=True)
class Triage:
    intent: str
    confidence: float
    language: str
    sentiment: str
    severity: int
    severity_reasons: list[str]
    entities: dict[str, Any]
    # Every intent's probability: what a clarifying question chooses between, and the prior for the answer to it.
    probabilities: dict[str, float] = field(default_factory=dict)

    def runner_up(self) -> tuple[str, float]:
        """The second most likely intent and its probability."""
        ranked = sorted(((p, i) for i, p in self.probabilities.items() if i != self.intent), reverse=True)
        return (ranked[0][1], ranked[0][0]) if ranked else ("other", 0.0)

    def as_contract(self) -> dict[str, Any]:
        """The ``faka classify`` line (docs/contract.md), plus the tone."""
        return {
            "intent": self.intent,
            "confidence": round(self.confidence, 4),
            "language": self.language,
            "severity": self.severity,
            "entities": self.entities,
            "sentiment": self.sentiment,
        }


@cache
def _model() -> model.LinearModel:
    return model.load()


def message_features(text: str) -> set[str]:
    """The model's view of a message: entities redacted, text normalised (what training uses too)."""
    return features(normalize(extract(text).redacted))


def classify(text: str, context: TriageContext | None = None) -> Triage:
    text = text[:MAX_MESSAGE_CHARS]
    extraction = extract(text)
    normalized = normalize(extraction.redacted)
    intent_model = _model()
    probabilities = intent_model.probabilities(features(normalized))
    best = max(range(len(probabilities)), key=probabilities.__getitem__)
    intent = intent_model.classes[best]
    sentiment = detect_sentiment(normalized, extraction.redacted, intent)
    severity, reasons = assess(intent, sentiment, extraction.entities, context or TriageContext())
    return Triage(
        intent=intent,
        confidence=probabilities[best],
        language=detect_language(extraction.redacted),
        sentiment=sentiment,
        severity=severity,
        severity_reasons=reasons,
        entities=extraction.entities,
        probabilities=dict(zip(intent_model.classes, probabilities, strict=True)),
    )
