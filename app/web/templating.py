"""What every template may use: the reader's language and direction, money and dates."""

from __future__ import annotations

from flask import Flask

from app.core.language import (
    LANGUAGE_NAMES,
    RTL_LANGUAGES,
    current_language,
    format_date,
    format_datetime,
    format_time,
)
from app.core.money import format_money


def register_template_helpers(app: Flask) -> None:
    """The template context and filters of every page (the app factory calls this)."""

    @app.context_processor
    def language_context() -> dict:
        language = current_language()
        return {
            "current_language": language,
            "text_direction": "rtl" if language in RTL_LANGUAGES else "ltr",
            "language_names": LANGUAGE_NAMES,
        }

    @app.template_filter("money")
    def money_filter(cents: int | None) -> str:
        return "" if cents is None else format_money(cents, current_language())

    # In place of Flask-Babel's filters of the same names, which convert through pytz.
    app.jinja_env.filters.update(
        datetimeformat=format_datetime, dateformat=format_date, timeformat=format_time
    )
    app.jinja_env.globals["has_endpoint"] = lambda endpoint: endpoint in app.view_functions
