"""Operators' prepared answers (``layers/faka/rules/canned_replies.json``), one text per locale, checked at load."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from faka.errors import InvalidRequest

CANNED_REPLIES_FILE = Path(__file__).resolve().parents[1] / "rules" / "canned_replies.json"
CANNED_LOCALES = ("en", "zh-CN", "zh-TW", "es")


class CannedReplies:
    """Operators' prepared answers, one text per locale, rendered in the ticket's locale."""

    def __init__(self, replies: dict[str, dict[str, str]]) -> None:
        self._env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
        self._templates = {
            name: {locale: self._env.from_string(text) for locale, text in texts.items()}
            for name, texts in replies.items()
        }

    @classmethod
    def load(cls, path: Path = CANNED_REPLIES_FILE) -> CannedReplies:
        replies = json.loads(path.read_text(encoding="utf-8"))["replies"]
        for name, texts in replies.items():
            missing = [locale for locale in CANNED_LOCALES if not texts.get(locale)]
            if missing:
                raise ValueError(f"canned reply {name!r}: no text for {', '.join(missing)}")
            try:
                cls({name: texts}).render(name, "en", ticket_ref="T", order_ref="O")
            except TemplateError as error:
                raise ValueError(f"canned reply {name!r}: {error}") from error
        return cls(replies)

    @property
    def names(self) -> list[str]:
        return sorted(self._templates)

    def render(self, name: str, locale: str, **context: Any) -> str:
        texts = self._templates.get(name)
        if texts is None:
            raise InvalidRequest(f"no canned reply {name!r}", code="unknown_canned_reply", details=self.names)
        template = texts.get(locale) or texts.get(locale.split("-")[0]) or texts["en"]
        return template.render(**context).strip()
