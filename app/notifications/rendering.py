"""Render a notification's subject and body from its kind's plain-text templates.

A Jinja environment of its own rather than Flask's: messages are rendered by
workers with no request, so nothing may depend on the request's language; the
`money` filter formats in the message's language instead, and `ltr` isolates a code or a
number left to right in an Arabic sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context

from app.core.money import ltr_in_text, money_in_text
from app.notifications.kinds import check_context

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "notifications"

_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body: str


@pass_context
def _money(context: Any, cents: int) -> str:
    return money_in_text(cents, context["locale"])


@pass_context
def _ltr(context: Any, text: str) -> str:
    return ltr_in_text(text, context["locale"])


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        undefined=StrictUndefined,
        autoescape=False,  # noqa: S701 - plain-text messages, never HTML
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    environment.filters["money"] = _money
    environment.filters["ltr"] = _ltr
    return environment


def render(kind: str, locale: str, context: dict[str, Any]) -> RenderedMessage:
    """Subject (one line) and body of a `kind` message in `locale` (ar, fr or en).

    Optional context keys that are absent render as None. Raises ValueError for
    a context that does not fit the kind, and jinja2.TemplateNotFound for a
    language or kind without templates.
    """
    registered = check_context(kind, context)
    variables = dict.fromkeys(registered.known)
    variables.update(context)
    variables["locale"] = locale
    environment = _environment()
    subject = environment.get_template(f"{kind}/subject.{locale}.txt").render(variables)
    body = environment.get_template(f"{kind}/body.{locale}.txt").render(variables)
    return RenderedMessage(
        subject=" ".join(subject.split()),
        body=_BLANK_LINES.sub("\n\n", body.strip()) + "\n",
    )
