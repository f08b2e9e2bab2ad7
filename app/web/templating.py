"""What every template may use: the reader's language and direction, money and dates.

Right to left: on a page, an amount, a phone number or a code is a left-to-right island in
the sentence around it. ``money`` writes Babel's formatting of the amount for the reader's
locale (fr_MA, ar_MA) in a left-to-right isolate, ``<bdi class="money" dir="ltr">-22,28
درهم</bdi>``: the minus stays on the left of the digits on an Arabic page, and the amount
does not mix with its neighbours. ``ltr`` isolates a phone number ("+212 6..." never
"6... 212+"), a code (ST-..., a RIB, an ICE) or a Latin name the same way. Both escape
what they are given.
"""

from __future__ import annotations

from flask import Flask, request
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from app.core.language import (
    LANGUAGE_NAMES,
    RTL_LANGUAGES,
    current_language,
    format_bps_percent,
    format_date,
    format_datetime,
    format_number,
    format_time,
)
from app.core.money import currency_word, format_money

#: Where cached HTML wants the reader's form fields (autoescaped text can hold no "<!--").
CART_FORM_TOKENS = Markup("<!--cart-form-tokens-->")


def with_cart_form_tokens(html: str) -> Markup:
    """``html`` with each add-to-cart form given the reader's CSRF token and this page as
    where to come back (cached product cards cannot hold either)."""
    html = escape(html)  # a block of the page: Markup already, kept as it is
    if CART_FORM_TOKENS not in html:
        return html
    here = request.full_path.rstrip("?")
    fields = Markup(
        '<input type="hidden" name="csrf_token" value="{}">'
        '<input type="hidden" name="next" value="{}">'
    ).format(generate_csrf(), here)
    return html.replace(CART_FORM_TOKENS, fields)


def register_template_helpers(app: Flask) -> None:
    """The template context and filters of every page (the app factory calls this)."""

    @app.context_processor
    def language_context() -> dict:
        language = current_language()
        return {
            "current_language": language,
            "text_direction": "rtl" if language in RTL_LANGUAGES else "ltr",
            "language_names": LANGUAGE_NAMES,
            "currency_word": currency_word(language),
            # What follows a label ("Total : 45,00 DH"): French puts a no-break space first.
            "colon": "\u00a0:" if language == "fr" else ":",
        }

    @app.template_filter("money")
    def money_filter(cents: int | None) -> Markup | str:
        if cents is None:
            return ""
        amount = format_money(cents, current_language())
        return Markup('<bdi class="money" dir="ltr">{}</bdi>').format(amount)

    @app.template_filter("ltr")
    def left_to_right(text: object) -> Markup | str:
        """A phone number, a code or a Latin name, isolated left to right ("" for None)."""
        if text is None or text == "":
            return ""
        return Markup('<bdi dir="ltr">{}</bdi>').format(text)

    # In place of Flask-Babel's filters of the same names, which convert through pytz.
    app.jinja_env.filters.update(
        datetimeformat=format_datetime, dateformat=format_date, timeformat=format_time
    )
    # Numbers as the reader's language writes them (94,8 in French): the one way to show them.
    app.jinja_env.filters.update(
        number=format_number,
        percent=format_bps_percent,
        with_cart_form_tokens=with_cart_form_tokens,
    )
    app.jinja_env.globals["has_endpoint"] = lambda endpoint: endpoint in app.view_functions
