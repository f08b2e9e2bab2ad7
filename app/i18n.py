"""Language choice (user's choice, then the browser) and the template helpers that depend on it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from babel import dates
from flask import (
    Blueprint,
    Flask,
    current_app,
    has_request_context,
    redirect,
    request,
    session,
)
from flask_babel import get_locale
from flask_login import current_user

bp = Blueprint("i18n", __name__)

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

    `format` is short, medium, long, full or a CLDR pattern.
    """
    if value is None:
        return ""
    return dates.format_datetime(local_datetime(value), format, locale=_format_locale())


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


def _format_locale() -> str:
    return FORMAT_LOCALES.get(current_language(), "en")


@bp.get("/lang/<code>")
def switch_language(code: str):
    """The reader's choice, for this session and, when logged in, for the account: the
    e-mails and messages the workers send later follow it too."""
    from app.accounts.services import set_locale

    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
        if current_user.is_authenticated and current_user.locale != code:
            set_locale(current_user, code)
    return redirect(_safe_next(request.args.get("next")))


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would let phishing links borrow our name."""
    from app.accounts.views import safe_next

    return safe_next(target) or "/"


def register(app: Flask) -> None:
    from app.core.money import format_money

    app.register_blueprint(bp)

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
