"""The admins' fee rule pages and the public /fair-trade page."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select
from support.factories import FairFactory, csrf_from, login_as

from app.core.db import utcnow
from app.extensions import db
from app.fees import services
from app.fees.defaults import MOROCCO
from app.fees.models import FeeRule

LIST = "/admin/fee-rules"


def form(csrf: str, **overrides: str) -> dict[str, str]:
    data = {
        "csrf_token": csrf,
        "name": "Fair-trade fee",
        "scope": "default",
        "scope_value": "",
        "commission_percent": "8",
        "solidarity_percent": "1.5",
        "min_fee": "1,00",
        "max_fee": "150",
        "producer_floor_percent": "85",
        "valid_from": "2030-01-01T00:00",
        "valid_to": "",
        "priority": "0",
    }
    data.update(overrides)
    return data


def test_the_rules_page_lists_rules_in_force_future_and_ended(client, admin):
    services.install_default_rules()
    services.add_rule(
        None,
        {
            "name": "Summer promotion",
            "scope": "default",
            "commission_bps": 500,
            "priority": 1,
            "valid_from": utcnow() + timedelta(days=3),
        },
    )

    page = login_as(client, admin).get(LIST)

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Associations pay half" in html
    assert "Summer promotion" in html
    assert html.index("Fair-trade fee") < html.index("Summer promotion")


def test_an_admin_adds_a_rule_typing_percents_and_dirhams(client, admin):
    login_as(client, admin)

    response = client.post(LIST, data=form(csrf_from(client, LIST)))

    assert response.status_code == 302
    rule = db.session.scalars(select(FeeRule)).one()
    assert (rule.commission_bps, rule.solidarity_bps, rule.producer_floor_bps) == (800, 150, 8500)
    assert (rule.min_fee_cents, rule.max_fee_cents) == (100, 15000)
    assert rule.valid_from == datetime(2030, 1, 1, tzinfo=MOROCCO)
    assert rule.created_by_id == admin.id


def test_solidarity_above_the_commission_comes_back_next_to_the_field(client, admin):
    login_as(client, admin)

    response = client.post(
        LIST, data=form(csrf_from(client, LIST), commission_percent="1", solidarity_percent="2")
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="solidarity_percent-errors"' in html
    assert "must not exceed the commission" in html
    assert db.session.scalar(select(FeeRule.id)) is None


def test_a_floor_above_100_percent_and_garbage_percents_are_refused(client, admin):
    login_as(client, admin)

    over = client.post(LIST, data=form(csrf_from(client, LIST), producer_floor_percent="120"))
    garbage = client.post(LIST, data=form(csrf_from(client, LIST), commission_percent="eight"))

    assert over.status_code == 422
    assert 'id="producer_floor_percent-errors"' in over.get_data(as_text=True)
    assert garbage.status_code == 422
    assert 'id="commission_percent-errors"' in garbage.get_data(as_text=True)


def test_an_admin_ends_a_rule_from_a_moment(client, admin):
    rule = services.add_rule(None, {"name": "Now", "scope": "default", "commission_bps": 800})
    page = f"{LIST}/{rule.id}"
    login_as(client, admin)
    end = (utcnow() + timedelta(days=2)).astimezone(MOROCCO)

    response = client.post(
        f"{page}/end",
        data={
            "csrf_token": csrf_from(client, page),
            "valid_to": end.strftime("%Y-%m-%dT%H:%M"),
            "confirmed": "yes",
        },
    )

    assert response.status_code == 302
    db.session.refresh(rule)
    assert rule.valid_to == end.replace(second=0, microsecond=0)


def test_ending_a_rule_in_the_past_comes_back_with_the_message(client, admin):
    rule = services.add_rule(None, {"name": "Now", "scope": "default", "commission_bps": 800})
    page = f"{LIST}/{rule.id}"
    login_as(client, admin)

    response = client.post(
        f"{page}/end",
        data={
            "csrf_token": csrf_from(client, page),
            "valid_to": "2001-01-01T00:00",
            "confirmed": "yes",
        },
    )

    assert response.status_code == 422
    assert 'id="valid_to-errors"' in response.get_data(as_text=True)


def test_fee_rule_pages_are_for_admins_only(client, shopper):
    assert client.get(LIST).status_code == 302  # to the login page
    assert login_as(client, shopper).get(LIST).status_code == 403


def test_the_fair_trade_page_explains_the_rules_in_force_from_the_data(client):
    fair = FairFactory(name="Salon de Khénifra")
    services.install_default_rules(fair)

    html = client.get("/fair-trade", headers={"Accept-Language": "fr"}).get_data(as_text=True)

    assert "Les associations paient moitié" in html
    assert "Associations pay half" not in html
    assert "Exposants de Salon de Khénifra" in html
    # The worked example of 120.00 MAD under the default rule.
    for amount in ("110,40", "8,40", "1,20"):
        assert amount in html
    assert "8 %" in html and "85 %" in html


def test_the_fair_trade_page_follows_a_changed_rule(client):
    default, _ = services.install_default_rules()
    switch = utcnow() + timedelta(seconds=1)
    services.end_rule(default, None, switch)
    services.add_rule(
        None,
        {
            "name": "Lower fee",
            "scope": "default",
            "commission_bps": 500,
            "solidarity_bps": 100,
            "producer_floor_bps": 8500,
            "valid_from": utcnow() - timedelta(days=1),
            "priority": 1,
        },
    )

    html = client.get("/fair-trade", headers={"Accept-Language": "fr"}).get_data(as_text=True)

    assert "Lower fee" in html
    assert "114,00" in html  # 120.00 - 5 %


def test_the_fair_trade_page_says_when_no_rule_is_in_force(client):
    response = client.get("/fair-trade", headers={"Accept-Language": "en"})

    assert response.status_code == 200
    assert "No fee rule is in force" in response.get_data(as_text=True)


def test_the_fair_trade_page_lists_the_order_of_rules_fair_first_in_each_language(client):
    first_words = {
        "fr": ("La règle de stand d'un salon", "La règle pour tous."),
        "ar": ("قاعدة رواق المعرض", "القاعدة العامة للجميع."),
        "en": ("A fair's stand rule", "The rule for everyone."),
    }
    for language, (fair_first, default_last) in first_words.items():
        html = client.get("/fair-trade", headers={"Accept-Language": language}).get_data(
            as_text=True
        )
        order = re.findall(r'<li data-scope="([a-z_]+)"', html)
        assert order == ["fair", "cooperative", "category", "legal_form", "default"]
        assert html.index(fair_first) < html.index(default_last)


def test_fee_rule_names_are_shown_in_the_readers_language(client):
    services.install_default_rules()

    arabic = client.get("/fair-trade", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    english = client.get("/fair-trade", headers={"Accept-Language": "en"}).get_data(as_text=True)

    assert "الجمعيات تدفع النصف" in arabic and "Associations pay half" not in arabic
    assert "Associations pay half" in english


def test_an_admin_names_a_rule_in_french_and_arabic(client, admin):
    login_as(client, admin)
    response = client.post(
        LIST,
        data=form(
            csrf_from(client, LIST),
            name="Honey week",
            name_fr="Semaine du miel",
            name_ar="أسبوع العسل",
            valid_from="2031-01-01T00:00",
        ),
    )

    assert response.status_code in (302, 303)
    rule = db.session.scalars(select(FeeRule).where(FeeRule.name == "Honey week")).one()
    assert rule.translated("name", "fr") == "Semaine du miel"
    assert rule.translated("name", "ar") == "أسبوع العسل"


def test_ending_a_rule_without_the_confirmation_asks_first_and_changes_nothing(client, admin):
    rule = services.add_rule(None, {"name": "Now", "scope": "default", "commission_bps": 800})
    page = f"{LIST}/{rule.id}"
    login_as(client, admin)
    end = (utcnow() + timedelta(days=2)).astimezone(MOROCCO).strftime("%Y-%m-%dT%H:%M")

    asked = client.post(
        f"{page}/end", data={"csrf_token": csrf_from(client, page), "valid_to": end}
    )

    assert asked.status_code == 200
    text = asked.get_data(as_text=True)
    assert 'name="confirmed" value="yes"' in text and f'value="{end}"' in text
    db.session.refresh(rule)
    assert rule.valid_to is None
