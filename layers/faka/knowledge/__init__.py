"""Knowledge base: FAQ articles per locale, and the article that answers a buyer's question, if one does.

    from faka.knowledge import answer, default_knowledge_base
    found = answer("卡密在哪查看？", "zh-CN", default_knowledge_base())
    if found is not None:
        article, score = found  # article.id "find-key", in zh-CN; score is a cosine in [0, 1]

Retrieval is lexical and in-process (no model, no network): every article is indexed by its title, its
example questions and its body, in all four locales, as TF-IDF vectors over the triage's own features
(Chinese character 1–3-grams, so text without spaces needs no segmenter; Latin words, word pairs and
character 3–4-grams, so typos still match; Traditional characters folded to Simplified), plus the platform
the text names (the triage's entity, so "PS4", "PSN" and "索尼" all say PlayStation) and the kind of timing
question it asks (``question_kinds``: "多久" of a refund is not the delivery's). A question is scored against
every locale's wording and the article comes back in the buyer's locale.
``benchmarks/knowledge.py`` measured this against the alternatives and chose the bar, on
``data/knowledge/tuning.jsonl`` (written apart from the held-out set, used for tuning only); the held-out
set ``data/knowledge/heldout.jsonl`` is only ever scored, never read to choose a change.

A question about the buyer's own order ("I did not receive my key for order …") is not an FAQ: it is
left to the triage and the playbooks. Such a question names an order, e-mail or key, or reads more like
one of the knowledge base's ``order_problems`` examples than like any article (the more readily when the
triage reads it as a problem with an order); ``answer`` returns None.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from faka.knowledge.question_kinds import question_kinds
from faka.triage import Triage, classify
from faka.triage.entities import extract
from faka.triage.text import features, normalize

__all__ = [
    "CONFIDENCE_BAR",
    "LOCALES",
    "RUNNER_UP_BAR",
    "Article",
    "KnowledgeBase",
    "answer",
    "default_knowledge_base",
    "load_articles",
    "locale_of",
    "runner_up",
]

LOCALES = ("zh-CN", "zh-TW", "en", "es")
ARTICLES_DIR = Path(__file__).with_name("articles")
# Below this score the question is handed off rather than answered (benchmarks/knowledge.py: the bar
# that keeps wrong articles and answered order problems under ~7 % while answering ~87 % correctly).
CONFIDENCE_BAR = 0.15
# When the buyer says the article did not help, the best other article is offered from this score on
# (benchmarks/knowledge.py, "runner-up": on the tuning set the right article came second for most wrong answers).
RUNNER_UP_BAR = 0.1
# Questions are short; a pasted e-mail thread is not an FAQ question, and its first part says what it is about.
MAX_QUESTION_CHARS = 2000
# Entities that tie a question to one order: a question carrying one is about that order, not the FAQ.
_ORDER_ENTITIES = ("order_id", "email", "key_fragments")
# Intents the shop can do nothing about but explain, order or not: the triage's intent names the article (when
# the shop's knowledge base has it: a shop that retires the article gets such tickets handed to a person).
# Such an article answers only through the intent, never by its words alone: "my account was stolen" is a
# problem the triage reads, not an FAQ (data/knowledge/heldout.jsonl counts it among the order problems).
INTENT_ARTICLES = {"account_security": "account-security"}
# Intents of a problem with one order, which a playbook acts on once the order is known: a question the triage
# reads as one of them, at least this sure, needs less to be taken for an order problem (``read_problem_margin``):
# "为什么我的卡密兑换不了？" shares "卡密" and "兑换" with the articles, and the triage knows it is a complaint.
ORDER_PROBLEM_INTENTS = frozenset(
    {"not_received", "invalid_key", "wrong_region", "payment_issue", "description_mismatch", "refund_request"}
)
SURE_ORDER_PROBLEM = 0.8


@dataclass(frozen=True)
class Article:
    id: str
    locale: str
    title: str
    body: str
    questions: tuple[str, ...] = ()

    def as_reference(self) -> dict[str, str]:
        """What a ticket answer names: ``{"id", "title"}``."""
        return {"id": self.id, "title": self.title}


def locale_of(tag: str) -> str:
    """One of LOCALES for a language tag: zh-Hant/zh-HK/zh-MO → zh-TW, other zh → zh-CN, es-* → es, else en."""
    lowered = tag.replace("_", "-").lower()
    if lowered.startswith("zh"):
        return "zh-TW" if any(part in lowered for part in ("tw", "hk", "mo", "hant")) else "zh-CN"
    return "es" if lowered.startswith("es") else "en"


def _weighted(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    """Sublinear TF-IDF, L2-normalised; features the index has never seen carry no weight."""
    weights = {f: (1 + math.log(n)) * idf[f] for f, n in counts.items() if f in idf}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {f: w / norm for f, w in weights.items()} if norm else {}


def _idf(documents: Sequence[Counter[str]]) -> dict[str, float]:
    frequency = Counter(feature for document in documents for feature in document)
    return {f: math.log((len(documents) + 1) / (n + 1)) + 1 for f, n in frequency.items()}


class _Index:
    """Cosine similarity of a question with each of a set of texts, through an inverted index."""

    def __init__(self, documents: Sequence[Counter[str]]) -> None:
        self.idf = _idf(documents)
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for number, document in enumerate(documents):
            for feature, weight in _weighted(document, self.idf).items():
                self._postings.setdefault(feature, []).append((number, weight))

    def cosines(self, question: Counter[str]) -> dict[int, float]:
        totals: dict[int, float] = {}
        for feature, weight in _weighted(question, self.idf).items():
            for number, other in self._postings.get(feature, ()):
                totals[number] = totals.get(number, 0.0) + weight * other
        return totals


def _features(text: str, platform_emphasis: int = 1, kind_emphasis: int = 1) -> Counter[str]:
    """The triage's features, plus the platform the text names (the triage's entity: "PS4", "索尼", "eShop"…)
    counted ``platform_emphasis`` times, so a question naming PlayStation leans on the PlayStation article
    rather than on an article phrased like it for another platform; and the kind of timing question it asks
    (``question_kinds``: how long for a refund, for a reply, before expiry, or for the delivery) counted
    ``kind_emphasis`` times."""
    normalized = normalize(text)
    counts = Counter(features(normalized))
    platform = extract(text).entities.get("platform")
    if isinstance(platform, str) and platform_emphasis:
        counts["p:" + platform] = platform_emphasis
    if kind_emphasis:
        counts.update(dict.fromkeys(question_kinds(normalized), kind_emphasis))
    return counts


# The label of the order-problem examples among the article ids.
_ORDER_PROBLEM = ""


@dataclass
class KnowledgeBase:
    """Articles (any locales; one ``id`` per topic across locales) indexed for ``answer``.

    An article's score mixes two cosines: with its closest single text (title, body or one example
    question: a question phrased like one of them) and with all its texts in every locale together (so a
    rare word such as "Alipay" or "eShop" anywhere in the article counts, whatever language asks).
    ``closest_text_weight`` is that mix. A question whose order-problem score reaches
    ``order_problem_margin`` times its best article's is taken for an order problem, or ``read_problem_margin``
    times when the triage reads it as an order problem (``ORDER_PROBLEM_INTENTS``, ``SURE_ORDER_PROBLEM``). The
    platform a text
    names counts as one more feature, ``platform_emphasis`` times (0: not at all), and the kind of timing
    question it asks ``kind_emphasis`` times. All were chosen in benchmarks/knowledge.py.
    """

    articles: Sequence[Article]
    order_problems: Sequence[str] = ()
    closest_text_weight: float = 0.3
    order_problem_margin: float = 0.8
    read_problem_margin: float = 0.6
    platform_emphasis: int = 1
    kind_emphasis: int = 3
    _by_id: dict[tuple[str, str], Article] = field(init=False, repr=False)
    _labels: list[str] = field(init=False, repr=False)
    _texts: _Index = field(init=False, repr=False)
    _topic_labels: list[str] = field(init=False, repr=False)
    _topics: _Index = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {(article.id, article.locale): article for article in self.articles}
        emphasis = (self.platform_emphasis, self.kind_emphasis)
        texts = [
            (article.id, _features(text, *emphasis))
            for article in self.articles
            if article.id not in INTENT_ARTICLES.values()
            for text in (article.title, article.body, *article.questions)
        ]
        texts += [(_ORDER_PROBLEM, _features(text, *emphasis)) for text in self.order_problems]
        self._labels = [label for label, _ in texts]
        self._texts = _Index([counts for _, counts in texts])
        topics: dict[str, Counter[str]] = {}
        for label, counts in texts:
            topics.setdefault(label, Counter()).update(counts)
        self._topic_labels = list(topics)
        self._topics = _Index(list(topics.values()))

    def scores(self, question: str) -> dict[str, float]:
        """Each article id's score for the question; the order-problem examples' score under ``""``."""
        counts = _features(question, self.platform_emphasis, self.kind_emphasis)
        closest: dict[str, float] = {}
        for number, cosine in self._texts.cosines(counts).items():
            label = self._labels[number]
            closest[label] = max(closest.get(label, 0.0), cosine)
        topics = {self._topic_labels[number]: cosine for number, cosine in self._topics.cosines(counts).items()}
        weight = self.closest_text_weight
        return {
            label: weight * closest.get(label, 0.0) + (1 - weight) * topics.get(label, 0.0)
            for label in closest.keys() | topics.keys()
        }

    def for_intent(self, intent: str, locale: str) -> Article | None:
        """The article that answers every ticket of ``intent`` (INTENT_ARTICLES), if this base has it."""
        article_id = INTENT_ARTICLES.get(intent)
        if article_id is None or not any(i == article_id for i, _ in self._by_id):
            return None
        return self.article(article_id, locale_of(locale))

    def article(self, article_id: str, locale: str) -> Article:
        """The article in ``locale``, else in English, else in whichever locale it exists."""
        for wanted in (locale, "en"):
            found = self._by_id.get((article_id, wanted))
            if found is not None:
                return found
        return next(a for (i, _), a in self._by_id.items() if i == article_id)


def answer(
    question: str,
    locale: str,
    articles: KnowledgeBase | Iterable[Article],
    bar: float = CONFIDENCE_BAR,
    *,
    no_order: bool = False,
    triage: Triage | None = None,
) -> tuple[Article, float] | None:
    """The article answering ``question``, in ``locale`` (a tag such as "zh-TW" or "es-MX"), and its score;
    None below ``bar``, for a question about one order, or one closer to an order problem than to any article
    (unless ``no_order``: the buyer, asked which order, said there is none). ``triage``: the question's reading,
    when the caller has it (else the question is classified here)."""
    base = articles if isinstance(articles, KnowledgeBase) else KnowledgeBase(tuple(articles))
    question = question[:MAX_QUESTION_CHARS]
    entities = extract(question).entities
    if any(name in entities for name in _ORDER_ENTITIES):
        return None
    scores = base.scores(question)
    order_problem = scores.pop(_ORDER_PROBLEM, 0.0)
    if not scores:
        return None
    article_id = max(scores, key=scores.__getitem__)
    score = scores[article_id]
    if score < bar:
        return None
    if not no_order and order_problem >= _problem_margin(base, triage or classify(question)) * score:
        return None
    return base.article(article_id, locale_of(locale)), score


def runner_up(
    question: str, locale: str, base: KnowledgeBase, shown: str, bar: float = RUNNER_UP_BAR
) -> tuple[Article, float] | None:
    """The best article but ``shown`` for ``question``, at ``bar`` or above: what the buyer is offered when
    ``shown`` did not help."""
    scores = base.scores(question[:MAX_QUESTION_CHARS])
    for left_out in (_ORDER_PROBLEM, shown):
        scores.pop(left_out, None)
    if not scores:
        return None
    article_id = max(scores, key=scores.__getitem__)
    if scores[article_id] < bar:
        return None
    return base.article(article_id, locale_of(locale)), scores[article_id]


def _problem_margin(base: KnowledgeBase, triage: Triage) -> float:
    """How close to its best article's score a question's order-problem score must come for it to be taken for one."""
    read_as_problem = triage.intent in ORDER_PROBLEM_INTENTS and triage.confidence >= SURE_ORDER_PROBLEM
    return base.read_problem_margin if read_as_problem else base.order_problem_margin


def load_articles(locale: str | None = None) -> tuple[Article, ...]:
    """The platform's default articles (``articles/<locale>.json``), for one locale or all four."""
    return tuple(article for name in _locales(locale) for article in _file(name)[0])


def _locales(locale: str | None) -> tuple[str, ...]:
    return LOCALES if locale is None else (locale_of(locale),)


@cache
def _file(locale: str) -> tuple[tuple[Article, ...], tuple[str, ...]]:
    data = json.loads((ARTICLES_DIR / f"{locale}.json").read_text(encoding="utf-8"))
    articles = tuple(
        Article(item["id"], locale, item["title"], item["body"], tuple(item.get("questions", ())))
        for item in data["articles"]
    )
    return articles, tuple(data.get("order_problems", ()))


@cache
def default_knowledge_base() -> KnowledgeBase:
    """The default articles of every locale, indexed once per container."""
    return KnowledgeBase(load_articles(), tuple(problem for name in LOCALES for problem in _file(name)[1]))
