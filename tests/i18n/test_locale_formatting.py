"""Money, numbers and dates read the way each language writes them, at Morocco's time.

Dates go through zoneinfo, not Flask-Babel's pytz: pytz's Africa/Casablanca puts Morocco
on UTC+0 from 20 September 2026, when the country's clocks stay on UTC+1.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import pytz
from flask import Flask, render_template_string
from hypothesis import given, settings
from hypothesis import strategies as st
from support.factories import UserFactory, csrf_from, login_as

from app.core.language import format_date, format_datetime, local_datetime, select_locale
from app.extensions import db

#: 3 November 2026, 14:05 UTC: 15:05 on Moroccan clocks (UTC+1 outside Ramadan).
AUTUMN_2026 = datetime(2026, 11, 3, 14, 5, tzinfo=UTC)


def _render(app: Flask, source: str, language: str, **context) -> str:
    with app.test_request_context(headers={"Accept-Language": language}):
        return render_template_string(source, **context)


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("fr", "3 nov. 2026, 15:05"),
        ("en", "Nov 3, 2026, 3:05\u202fPM"),
        ("ar", "03\u200f/11\u200f/2026، 15:05"),
    ],
)
def test_instants_show_at_moroccan_time_to_the_minute_in_each_language(
    app: Flask, language: str, shown: str
):
    assert _render(app, "{{ when|datetimeformat }}", language, when=AUTUMN_2026) == shown


def test_late_2026_is_utc_plus_one_although_pytz_says_otherwise(app: Flask) -> None:
    with app.app_context():
        assert local_datetime(AUTUMN_2026).utcoffset().total_seconds() == 3600
    # What Flask-Babel's own filters would have shown: pytz's rule for Morocco. If a pytz
    # release fixes it this line fails, and the zoneinfo detour can go.
    assert AUTUMN_2026.astimezone(pytz.timezone("Africa/Casablanca")).hour == 14


def test_ramadan_hour_follows_the_time_zone_database(app: Flask) -> None:
    """Morocco moves to UTC+0 during Ramadan (about 18 February to 20 March 2026)."""
    with app.app_context():
        during = local_datetime(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
        after = local_datetime(datetime(2026, 4, 1, 12, 0, tzinfo=UTC))
    assert (during.hour, after.hour) == (12, 13)


@settings(max_examples=50, deadline=None)
@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31)))
def test_every_instant_is_shown_on_the_moroccan_clock(app: Flask, naive: datetime) -> None:
    instant = naive.replace(tzinfo=UTC)
    morocco = instant.astimezone(ZoneInfo("Africa/Casablanca"))
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert format_datetime(instant, "yyyy-MM-dd HH:mm") == morocco.strftime("%Y-%m-%d %H:%M")
        assert format_date(instant, "yyyy-MM-dd") == morocco.date().isoformat()


@pytest.mark.parametrize(
    ("language", "shown"),
    [("fr", "3 novembre 2026"), ("en", "November 3, 2026"), ("ar", "3 نونبر 2026")],
)
def test_days_use_the_month_names_of_morocco(app: Flask, language: str, shown: str) -> None:
    assert _render(app, "{{ day|dateformat('long') }}", language, day=date(2026, 11, 3)) == shown


@pytest.mark.parametrize(
    ("language", "shown"),
    [("fr", "1\u202f234,50 DH"), ("en", "1,234.50 MAD"), ("ar", "1.234,50 درهم")],
)
def test_money_is_written_the_way_each_language_writes_it(app: Flask, language: str, shown: str):
    isolated = f'<bdi class="money" dir="ltr">{shown}</bdi>'  # never reordered in Arabic text
    assert _render(app, "{{ cents|money }}", language, cents=123450) == isolated


def test_a_product_page_shows_its_price_in_the_reader_s_language(client) -> None:
    from support.factories import ProductFactory

    product = ProductFactory(price_cents=123450)

    arabic = client.get(f"/products/{product.id}", headers={"Accept-Language": "ar"})
    french = client.get(f"/products/{product.id}", headers={"Accept-Language": "fr"})

    assert "1.234,50 درهم" in arabic.get_data(as_text=True)
    assert "1\u202f234,50 DH" in french.get_data(as_text=True)


def test_the_language_is_the_reader_s_choice_then_their_account_s_then_the_browser_s(
    app: Flask, client
) -> None:
    reader = UserFactory(locale="ar")

    def page_language(**headers: str) -> str:
        html = client.get("/", headers=headers).get_data(as_text=True)
        return html.split('<html lang="', 1)[1][:2]

    assert page_language(**{"Accept-Language": "fr"}) == "fr"
    login_as(client, reader)
    assert page_language(**{"Accept-Language": "fr"}) == "ar"
    client.get("/lang/en")
    assert page_language(**{"Accept-Language": "fr"}) == "en"


def test_a_logged_in_reader_s_switch_is_kept_on_the_account_for_later_e_mails(client) -> None:
    """Saved by the switcher's form (a POST with its CSRF token); a link changes the session
    only (tests/i18n/test_language_switcher.py)."""
    reader = UserFactory(locale="fr")
    login_as(client, reader)

    client.post("/lang", data={"code": "ar", "csrf_token": csrf_from(client, "/account")})

    db.session.refresh(reader)
    assert reader.locale == "ar"


def test_a_visitor_s_switch_stays_in_the_session(client) -> None:
    client.get("/lang/ar")

    assert client.get("/").get_data(as_text=True).split('<html lang="', 1)[1][:2] == "ar"


def test_outside_a_request_messages_use_the_default_language(app: Flask) -> None:
    with app.app_context():
        assert select_locale() == app.config["BABEL_DEFAULT_LOCALE"]


def test_french_is_the_default_language_outside_the_test_suite() -> None:
    from config import load_config

    for environment in ("development", "production"):
        settings_ = load_config(
            environment,
            environ={
                "SECRET_KEY": "x" * 40,
                "DATABASE_URL": "postgresql://db/souk",
                "PLATFORM_RIB": "007 780 0009876543210987 75",
            },
        )
        assert settings_["BABEL_DEFAULT_LOCALE"] == "fr"


def test_the_switcher_on_every_page_offers_the_other_languages(client) -> None:
    html = client.get("/fair-trade", headers={"Accept-Language": "ar"}).get_data(as_text=True)

    assert '<strong lang="ar">العربية</strong>' in html
    assert 'href="/lang/fr?next=' in html
    assert 'href="/lang/en?next=' in html


@pytest.mark.parametrize(
    ("language", "percent", "number"),
    [("fr", "94,8", "27\u202f600,5"), ("en", "94.8", "27,600.5"), ("ar", "94,8", "27.600,5")],
)
def test_percents_and_numbers_are_written_as_the_readers_language_writes_them(
    app: Flask, language: str, percent: str, number: str
):
    source = "{{ 9480|percent(1) }}|{{ value|number }}"
    shown = _render(app, source, language, value=Decimal("27600.50"))
    assert shown == f"{percent}|{number}"
