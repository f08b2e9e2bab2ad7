"""The language switcher: following a link changes the session's language only (a GET must
change nothing stored, or any site could rewrite an account's language with an <img>); a
signed-in reader saves the choice to the account with the switcher's form, a POST with
its CSRF token that works without JavaScript."""

from __future__ import annotations

import re

from sqlalchemy import select
from support.factories import UserFactory, login_as

from app.accounts.models import User
from app.extensions import db


def locale_of(user_id: int) -> str | None:
    db.session.expire_all()
    return db.session.scalar(select(User.locale).where(User.id == user_id))


def switcher_form(html: str) -> dict[str, str]:
    """The fields of the header's language form, as the browser would send them."""
    form = re.search(r'<form[^>]*action="/lang"[^>]*>(.*?)</form>', html, re.S)
    assert form, "no language form in the header"
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form[1]))
    fields["buttons"] = " ".join(re.findall(r'<button[^>]*name="code" value="(\w+)"', form[1]))
    return fields


def test_following_a_language_link_changes_the_session_but_not_the_account(client):
    user = UserFactory(locale="fr")
    db.session.commit()
    login_as(client, user)

    response = client.get("/lang/ar?next=/account")

    assert response.status_code == 302
    assert client.get("/account").get_data(as_text=True).split('<html lang="', 1)[1][:2] == "ar"
    assert locale_of(user.id) == "fr"


def test_a_signed_in_reader_saves_the_language_with_the_switchers_form(client):
    user = UserFactory(locale="fr")
    db.session.commit()
    login_as(client, user)
    fields = switcher_form(client.get("/account").get_data(as_text=True))

    response = client.post(
        "/lang", data={"csrf_token": fields["csrf_token"], "code": "ar", "next": "/account"}
    )

    assert fields["buttons"] == "ar en"
    assert fields["next"] == "/account?"
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")
    assert locale_of(user.id) == "ar"
    assert client.get("/account").get_data(as_text=True).split('<html lang="', 1)[1][:2] == "ar"


def test_saving_the_language_without_the_csrf_token_is_refused_and_changes_nothing(client):
    user = UserFactory(locale="fr")
    db.session.commit()
    login_as(client, user)

    response = client.post("/lang", data={"code": "ar"})

    assert response.status_code == 400
    assert locale_of(user.id) == "fr"


def test_an_unknown_language_is_refused_and_next_stays_on_the_site(client):
    user = UserFactory(locale="fr")
    db.session.commit()
    login_as(client, user)
    token = switcher_form(client.get("/account").get_data(as_text=True))["csrf_token"]

    unknown = client.post("/lang", data={"csrf_token": token, "code": "de"})
    kept = locale_of(user.id)
    outside = client.post(
        "/lang", data={"csrf_token": token, "code": "en", "next": "https://evil.example/"}
    )

    assert unknown.status_code == 422 and kept == "fr"
    assert outside.status_code == 302 and outside.headers["Location"] == "/"
    assert locale_of(user.id) == "en"


def test_visitors_get_plain_links_that_work_without_an_account(client):
    html = client.get("/fair-trade", headers={"Accept-Language": "fr"}).get_data(as_text=True)

    assert 'href="/lang/ar?next=' in html
    assert 'action="/lang"' not in html
