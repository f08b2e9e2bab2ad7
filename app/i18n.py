"""Language choice (user's choice, then the browser) and the template helpers that depend on it."""

from __future__ import annotations

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


@bp.get("/lang/<code>")
def switch_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
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
