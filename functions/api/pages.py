"""The small HTML pages buyers reach from email links: rendered from ``templates/pages`` with autoescaping.

Every page carries a strict Content-Security-Policy: no script at all, the one stylesheet allowed by its
hash, forms posted only to this origin. Links carry their signature in the query, so no Referer leaves.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import Response

from faka.errors import FakaError
from faka.wiring import services

if TYPE_CHECKING:
    from jinja2 import Environment


@cache
def _environment() -> tuple[Environment, dict[str, str]]:
    """Built on the first page: jinja2 costs a tenth of ``import boto3``, and most requests answer JSON."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
    from markupsafe import Markup

    root = services().settings.templates_dir / "pages"
    environment = Environment(
        loader=FileSystemLoader(root),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    stylesheet = (root / "page.css").read_text()
    environment.globals["stylesheet"] = Markup(stylesheet)  # noqa: S704 - our own file, not input
    digest = base64.b64encode(hashlib.sha256(stylesheet.encode()).digest()).decode()
    headers = {
        "Content-Security-Policy": (
            f"default-src 'none'; style-src 'sha256-{digest}'; form-action 'self'; base-uri 'none'; "
            "frame-ancestors 'none'"
        ),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }
    return environment, headers


def page(template: str, *, status: int = 200, **context: Any) -> Response[str]:
    environment, headers = _environment()
    body = environment.get_template(template).render(context)
    return Response(status_code=status, content_type="text/html; charset=utf-8", body=body, headers=dict(headers))


def link_problem(error: FakaError) -> Response[str]:
    """An expired, tampered or unusable link, as a page the buyer can read (the status says what went wrong)."""
    return page("link_invalid.html.j2", status=error.status, code=error.code, message=error.message)
