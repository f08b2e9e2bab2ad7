"""The reader's language (their choice, then the browser's) and Morocco's dates in it.

Flask-Babel asks ``select_locale`` and ``select_timezone``; pages, the API and
the domains' labels ask ``current_language``. The template filters built on
these are registered by ``app.web.templating``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

RTL_LANGUAGES = frozenset({"ar"})
LANGUAGE_NAMES = {"ar": "العربية", "fr": "Français", "en": "English"}
#: Dates follow Morocco's conventions, like money (app.core.money): Latin digits, and the
#: month names used in Morocco (نونبر in Arabic).
FORMAT_LOCALES = {"ar": "ar_MA", "fr": "fr_MA", "en": "en"}


def select_locale() -> str:
    """The reader's language; outside a request (CLI, workers) the default, unless forced."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in languages:
        return user_locale
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]).split("_")[0]


def reader_timezone() -> ZoneInfo:
    """Morocco's time zone (BABEL_DEFAULT_TIMEZONE), from the system's zoneinfo database.

    Not pytz's, which Flask-Babel uses: its Africa/Casablanca rules put Morocco on UTC+0
    from 20 September 2026 on, an hour behind the clocks of the country.
    """
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_datetime(value: datetime) -> datetime:
    """`value` as Morocco's wall-clock time; a naive value is taken as UTC (how it is stored)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(reader_timezone())


def format_datetime(value: datetime | None, format: str = "medium") -> str:
    """An instant in the reader's language at Morocco's local time ("" for None).

    `format` is short, medium, long, full or a CLDR pattern. "medium" reads the day in words
    and the time to the minute ("3 déc. 2026, 14:22"): seconds (and the "00:00:00" of a day
    stored as midnight) are noise to a shopper.
    """
    if value is None:
        return ""
    local = local_datetime(value)
    locale = _format_locale()
    if format != "medium":
        return dates.format_datetime(local, format, locale=locale)
    day = dates.format_date(local.date(), "medium", locale=locale)
    hour = dates.format_time(local.timetz().replace(tzinfo=None), "short", locale=locale)
    joined = Locale.parse(locale).datetime_formats["medium"]
    return str(joined).replace("{0}", hour).replace("{1}", day)


def format_date(value: date | datetime | None, format: str = "medium") -> str:
    """A day in the reader's language; an instant counts on Morocco's calendar ("" for None)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_datetime(value).date()
    return dates.format_date(value, format, locale=_format_locale())


def format_time(value: time | datetime | None, format: str = "short") -> str:
    """A time of day in the reader's language; an instant at Morocco's local time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_datetime(value).timetz().replace(tzinfo=None)
    return dates.format_time(value, format, locale=_format_locale())


def format_number(value: int | Decimal | None, decimals: int = 2) -> str:
    """A number in the reader's language with at most ``decimals`` decimals: "94,8" in French,
    "94.8" in English ("" for None)."""
    if value is None:
        return ""
    pattern = "#,##0." + "#" * decimals if decimals else "#,##0"
    return numbers.format_decimal(value, pattern, locale=_format_locale())


def format_bps_percent(bps: int | None, decimals: int = 2) -> str:
    """Basis points as the number of a percentage, without the sign: 9480 -> "94,8" in French."""
    if bps is None:
        return ""
    return format_number(Decimal(bps) / 100, decimals)


def _format_locale() -> str:
    return FORMAT_LOCALES.get(current_language(), "en")
