"""Buyer messages rendered from ``templates/email/<locale>/`` with Jinja2 (autoescaped HTML)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment

FALLBACK_LOCALE = "en"


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str


class MessageTemplates:
    def __init__(self, templates_dir: Path) -> None:
        self._root = templates_dir / "email"
        self.locales = frozenset(p.name for p in self._root.iterdir() if p.is_dir())

    @cached_property
    def _env(self) -> Environment:
        # Jinja2 loads with the first message rendered: a function that only asks which locales there are (a rating's
        # tally, a rules file's check) never imports it.
        from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

        return Environment(
            loader=FileSystemLoader(self._root),
            autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def locale_for(self, requested: str) -> str:
        """The closest locale there are templates for: exact, same language, else English."""
        wanted = requested.replace("_", "-").lower()
        by_lower = {locale.lower(): locale for locale in self.locales}
        if wanted in by_lower:
            return by_lower[wanted]
        language = wanted.split("-")[0]
        same_language = sorted(locale for locale in self.locales if locale.lower().split("-")[0] == language)
        return same_language[0] if same_language else FALLBACK_LOCALE

    def guides(self) -> dict[str, set[str]]:
        """Each locale's guide names (``guides/<name>.html.j2``), for checking rules that name one."""
        return {
            locale: {p.name.removesuffix(".html.j2") for p in (self._root / locale / "guides").glob("*.html.j2")}
            for locale in self.locales
        }

    def render_text(self, name: str, locale: str, context: dict[str, Any]) -> str:
        """A plain-text message (``<locale>/<name>.txt``), e.g. a chat or ticket answer."""
        folder = self.locale_for(locale)
        return self._env.get_template(f"{folder}/{name}.txt").render({**context, "locale": folder}).strip()

    def render(self, name: str, locale: str, context: dict[str, Any]) -> RenderedMessage:
        folder = self.locale_for(locale)
        values = {**context, "locale": folder}
        subject = self._env.get_template(f"{folder}/{name}.subject.txt").render(values)
        return RenderedMessage(
            subject=" ".join(subject.split()),
            text=self._env.get_template(f"{folder}/{name}.txt").render(values),
            html=self._env.get_template(f"{folder}/{name}.html.j2").render(values),
        )
