"""A shop's own knowledge-base articles, stored beside its catalog, and the knowledge base a shop answers from.

The platform's default articles (``articles/<locale>.json``) answer for every shop. A shop adds its own
articles and overrides a default one by writing an article with the default's id and locale; it retires a
default it does not want (say, a payment method it does not take) by writing that id with ``enabled`` false.
Each shop's knowledge base is indexed once per container and rebuilt when an operator changes it here, or at
the latest ``REFRESH_SECONDS`` after a change made in another container.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from pynamodb.attributes import BooleanAttribute, ListAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DeleteError

from faka import resources
from faka.adapters.tables.catalog import CatalogItem
from faka.errors import NotFound
from faka.knowledge import Article, KnowledgeBase, default_knowledge_base, locale_of

# How stale another container's index of a shop's articles may be, in seconds.
REFRESH_SECONDS = 60.0
_PREFIX = "ARTICLE#"


class ShopArticleItem(CatalogItem, discriminator="kb_article"):
    """One article of one shop in one locale: ``SHOP#<shop>`` / ``ARTICLE#<id>#<locale>``."""

    class Meta(CatalogItem.Meta):
        table_name = resources.CATALOG_TABLE

    article_id = UnicodeAttribute()
    locale = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    questions = ListAttribute(of=UnicodeAttribute, default=list)
    enabled = BooleanAttribute(default=True)
    updated_at = UTCDateTimeAttribute()

    @staticmethod
    def key(shop_id: str, article_id: str, locale: str) -> tuple[str, str]:
        return f"SHOP#{shop_id}", f"{_PREFIX}{article_id}#{locale}"


@dataclass(frozen=True)
class ListedArticle:
    """An article as the operator sees it: where it comes from and whether the shop answers with it."""

    article: Article
    source: str  # "platform" (a default) or "shop"
    enabled: bool = True
    updated_at: datetime | None = None


class ShopKnowledge:
    def __init__(self) -> None:
        self._indexed: dict[str, tuple[float, KnowledgeBase]] = {}

    def base(self, shop_id: str) -> KnowledgeBase:
        """What the shop's buyers are answered from: the defaults with the shop's own articles over them."""
        cached = self._indexed.get(shop_id)
        if cached is not None and time.monotonic() - cached[0] < REFRESH_SECONDS:
            return cached[1]
        own = self._items(shop_id)
        defaults = default_knowledge_base()
        if not own:
            base = defaults
        else:
            replaced = {(item.article_id, item.locale) for item in own}
            kept = [a for a in defaults.articles if (a.id, a.locale) not in replaced]
            base = KnowledgeBase(
                (*kept, *(_article(item) for item in own if item.enabled)),
                defaults.order_problems,
                defaults.closest_text_weight,
                defaults.order_problem_margin,
            )
        self._indexed[shop_id] = (time.monotonic(), base)
        return base

    def listing(self, shop_id: str, locale: str | None = None) -> list[ListedArticle]:
        """Every article the shop has or inherits, its own first; ``locale`` narrows to one locale."""
        wanted = None if locale is None else locale_of(locale)
        own = [item for item in self._items(shop_id) if wanted in (None, item.locale)]
        replaced = {(item.article_id, item.locale) for item in own}
        listed = [ListedArticle(_article(item), "shop", bool(item.enabled), item.updated_at) for item in own]
        listed += [
            ListedArticle(article, "platform")
            for article in default_knowledge_base().articles
            if wanted in (None, article.locale) and (article.id, article.locale) not in replaced
        ]
        return listed

    def put(self, shop_id: str, article: Article, *, enabled: bool = True) -> ListedArticle:
        pk, sk = ShopArticleItem.key(shop_id, article.id, article.locale)
        item = ShopArticleItem(
            pk,
            sk,
            article_id=article.id,
            locale=article.locale,
            title=article.title,
            body=article.body,
            questions=list(article.questions),
            enabled=enabled,
            updated_at=datetime.now(UTC),
        )
        item.save()
        self._indexed.pop(shop_id, None)
        return ListedArticle(article, "shop", enabled, item.updated_at)

    def delete(self, shop_id: str, article_id: str, locale: str) -> None:
        """Remove the shop's own version; a default it replaced answers again."""
        try:
            ShopArticleItem(*ShopArticleItem.key(shop_id, article_id, locale_of(locale))).delete(
                condition=ShopArticleItem.pk.exists()
            )
        except DeleteError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise NotFound("the shop has no such article", code="unknown_article") from None
            raise
        self._indexed.pop(shop_id, None)

    @staticmethod
    def _items(shop_id: str) -> list[ShopArticleItem]:
        return list(ShopArticleItem.query(f"SHOP#{shop_id}", ShopArticleItem.sk.startswith(_PREFIX)))


def _article(item: ShopArticleItem) -> Article:
    return Article(item.article_id, item.locale, item.title, item.body, tuple(str(q) for q in item.questions or ()))
