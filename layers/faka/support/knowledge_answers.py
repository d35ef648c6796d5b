"""The knowledge base's side of a ticket: which of the shop's articles answers a buyer's question, and the
shop's knowledge-base figures that the tickets feed.

An article answers a question that is no order problem (no order named, or the triage cannot tell what is wrong
with the one named), or every ticket of a confident intent no playbook can act on (account security). A question
no article answers and no playbook knows is counted, with its phrases, for the knowledge-gap report
(``UNANSWERED``); each article counts how often it answered and whether it helped (``ARTICLE#<id>``).
"""

from __future__ import annotations

from faka.adapters.counters import Counters
from faka.knowledge import RUNNER_UP_BAR, Article, runner_up
from faka.knowledge import answer as knowledge_answer
from faka.knowledge.phrases import phrases
from faka.knowledge.store import ShopKnowledge
from faka.sales.redaction import BuyerText
from faka.shared.model import Order
from faka.triage import LOW_CONFIDENCE, Triage

# Where the knowledge base's figures per shop are counted: ``ARTICLE#<id>`` (answered, helpful, not_helpful)
# and ``UNANSWERED`` (questions no article answered, and their phrases).
UNANSWERED = "UNANSWERED"
# One question adds at most this many phrases to the gap counts.
_GAP_PHRASES = 12


def knowledge_stats_key(shop_id: str) -> str:
    return f"KNOWLEDGE#{shop_id}"


def unclear(triage: Triage) -> bool:
    """Not sure what the buyer means, or sure it is none of the things a shop handles."""
    return triage.confidence < LOW_CONFIDENCE or triage.intent == "other"


class TicketKnowledge:
    """The shop's articles as tickets use them (none when the deployment has no knowledge base)."""

    def __init__(self, knowledge: ShopKnowledge | None, counters: Counters | None, buyer_text: BuyerText) -> None:
        self._knowledge = knowledge
        self._counters = counters
        self._buyer_text = buyer_text

    @property
    def available(self) -> bool:
        return self._knowledge is not None

    def article_for(
        self, shop_id: str, text: str, locale: str, order: Order | None, triage: Triage
    ) -> tuple[Article, float] | None:
        """The article answering a question that is no order problem: none named, or the one named is not the issue;
        or the article that answers every ticket of a confident intent no playbook can act on (account security)."""
        if self._knowledge is None:
            return None
        base = self._knowledge.base(shop_id)
        if not unclear(triage) and (named := base.for_intent(triage.intent, locale)) is not None:
            return named, triage.confidence
        if order is not None and not unclear(triage):
            return None
        found = knowledge_answer(text, locale, base, triage=triage)
        if found is None and order is None and unclear(triage) and self._counters is not None:
            # A question no article answers and no playbook knows: what the knowledge-gap report lists for the
            # shop to write.
            distinct = list(dict.fromkeys(phrases(self._buyer_text.mask(text, None))))[:_GAP_PHRASES]
            self._counters.add(
                knowledge_stats_key(shop_id), UNANSWERED, {"questions": 1} | {f"phrase:{p}": 1 for p in distinct}
            )
        return found

    def article_with_no_order(self, shop_id: str, question: str, locale: str) -> tuple[Article, float] | None:
        """The article for a first message the buyer, asked which order, said is about none: it need not be told
        apart from an order problem any more, and is answered from the runner-up's bar (the buyer is asked whether it
        helped, and a person takes a "no"; on the tuning set 9 of the 10 questions the confidence bar hands off get
        their right article so, 6 at the confidence bar)."""
        if self._knowledge is None:
            return None
        return knowledge_answer(question, locale, self._knowledge.base(shop_id), RUNNER_UP_BAR, no_order=True)

    def runner_up(self, shop_id: str, question: str, locale: str, shown: str) -> tuple[Article, float] | None:
        """The article offered next if ``shown`` does not help the buyer who asked ``question``."""
        if self._knowledge is None:
            return None
        return runner_up(question, locale, self._knowledge.base(shop_id), shown)

    def article(self, shop_id: str, article_id: str, locale: str) -> Article | None:
        """The shop's article in ``locale`` (or the nearest it has); None once it is no longer in the base."""
        if self._knowledge is None:
            return None
        base = self._knowledge.base(shop_id)
        return base.article(article_id, locale) if any(a.id == article_id for a in base.articles) else None

    def count(self, shop_id: str, article_id: str, figure: str) -> None:
        """One more ``figure`` (answered, helpful, not_helpful) for the article."""
        if self._counters is not None:
            self._counters.add(knowledge_stats_key(shop_id), f"ARTICLE#{article_id}", {figure: 1})
