"""The shop's knowledge base: the articles the assistant answers buyers' questions from, and a try-out of it.

Operators list every article their shop answers with (the platform's defaults and their own), write their own
or override a default (same id and locale), retire a default (``"enabled": false``) and delete their own.
An article is checked against the shop's tone rules like any other reply: one that breaks them is refused.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import Field

from api.http import json_response, operator
from api.schemas.common import Schema, answers, no_content
from api.schemas.support import ArticleList, ArticleView, KnowledgeAnswer
from faka.errors import InvalidRequest
from faka.knowledge import LOCALES, Article, answer
from faka.knowledge.store import ListedArticle
from faka.wiring import services

router = APIGatewayRouter()

Locale = Annotated[str, Field(pattern="^(" + "|".join(LOCALES) + ")$", description=" | ".join(LOCALES))]
_ARTICLE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_NOT_A_LOCALE: dict[int, OpenAPIResponse] = {400: {"description": "Not one of " + ", ".join(LOCALES)}}


class ArticleDraft(Schema):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    body: Annotated[str, Field(min_length=1, max_length=5000)]
    questions: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(
        default_factory=list, max_length=50, description="How buyers ask it: what the article is matched by, too"
    )
    enabled: bool = Field(default=True, description="false retires the platform's article of this id and locale")


class KnowledgeQuestion(Schema):
    question: Annotated[str, Field(min_length=1, max_length=2000)]
    locale: Locale = "en"


def _view(listed: ListedArticle) -> dict[str, Any]:
    article = listed.article
    return {
        "id": article.id,
        "locale": article.locale,
        "title": article.title,
        "body": article.body,
        "questions": list(article.questions),
        "source": listed.source,
        "enabled": listed.enabled,
        "updated_at": listed.updated_at.isoformat() if listed.updated_at else None,
    }


def _identifier(article_id: str) -> str:
    if not _ARTICLE_ID.fullmatch(article_id):
        raise InvalidRequest("an article id is 1-64 letters, digits, '.', '_' or '-'", code="invalid_article_id")
    return article_id


def _locale(locale: str) -> str:
    if locale not in LOCALES:
        raise InvalidRequest(f"locale must be one of {', '.join(LOCALES)}", code="unknown_locale")
    return locale


@router.get("/v1/admin/knowledge/articles", responses={200: answers(ArticleList, "The articles"), **_NOT_A_LOCALE})
def list_articles(locale: Annotated[str | None, Query()] = None) -> dict[str, Any]:
    shop_id = operator(router.current_event)
    listed = services().shop_knowledge.listing(shop_id, _locale(locale) if locale else None)
    return {"articles": [_view(item) for item in listed]}


@router.put(
    "/v1/admin/knowledge/articles/<article_id>/<locale>",
    responses={
        200: answers(ArticleView, "Saved"),
        400: {"description": "Unknown locale, bad id, or the text breaks the tone rules"},
    },
)
def put_article(article_id: str, locale: str, draft: Annotated[ArticleDraft, Body()]) -> dict[str, Any]:
    shop_id = operator(router.current_event)
    article = Article(_identifier(article_id), _locale(locale), draft.title, draft.body, tuple(draft.questions))
    rules = services().shop_tone.rules(shop_id)
    violations = rules.check("\n".join((article.title, article.body, *article.questions)))
    if violations:
        raise InvalidRequest(
            "the article breaks the shop's tone rules: " + ", ".join(f"{v.word} ({v.rule})" for v in violations),
            code="tone_violation",
            details=[v.as_detail() for v in violations],
        )
    return _view(services().shop_knowledge.put(shop_id, article, enabled=draft.enabled))


@router.delete(
    "/v1/admin/knowledge/articles/<article_id>/<locale>",
    responses={
        204: no_content("Deleted; a platform article of that id answers again"),
        404: {"description": "No such article of the shop"},
    },
)
def delete_article(article_id: str, locale: str) -> Response[str]:
    shop_id = operator(router.current_event)
    services().shop_knowledge.delete(shop_id, article_id, _locale(locale))
    return Response(status_code=204, body="")


@router.post("/v1/admin/knowledge/answer", responses={200: answers(KnowledgeAnswer, "The answer")})
def try_question(question: Annotated[KnowledgeQuestion, Body()]) -> Response[str]:
    """What the assistant would answer this question with, and how sure it is; null below the bar."""
    shop_id = operator(router.current_event)
    found = answer(question.question, question.locale, services().shop_knowledge.base(shop_id))
    body: dict[str, Any] = {"article": None, "score": None}
    if found is not None:
        article, score = found
        body = {
            "article": {**article.as_reference(), "locale": article.locale, "body": article.body},
            "score": round(score, 3),
        }
    return json_response(200, body)
