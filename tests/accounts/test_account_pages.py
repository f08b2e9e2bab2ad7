from __future__ import annotations

import pytest
from sqlalchemy import func, select
from support.factories import PASSWORD, UserFactory, csrf_from, login_as

from app.accounts.models import User
from app.core.redirects import safe_next
from app.extensions import db

GOOD_PASSWORD = "argan-oil-from-azilal"


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def logged_in_user_id(client) -> str | None:
    with client.session_transaction() as session:
        return session.get("_user_id")


def register_form(client, **overrides) -> dict[str, str]:
    form = {
        "csrf_token": csrf_from(client, "/register"),
        "name": "Fatima Zahra",
        "email": "fatima@example.ma",
        "password": GOOD_PASSWORD,
        "confirm": GOOD_PASSWORD,
    }
    form.update(overrides)
    return form


def login_form(client, **overrides) -> dict[str, str]:
    form = {"csrf_token": csrf_from(client, "/login"), "email": "", "password": PASSWORD}
    form.update(overrides)
    return form


def test_register_page_shows_a_form_with_a_label_for_every_field(client):
    html = client.get("/register").get_data(as_text=True)
    for field in ("name", "email", "password", "confirm"):
        assert f'for="{field}"' in html
        assert f'name="{field}"' in html


def test_registering_creates_a_shopper_logs_them_in_and_sends_them_home(client):
    response = client.post("/register", data=register_form(client, email="Fatima@Example.MA"))

    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user.email == "fatima@example.ma"
    assert user.roles == ["shopper"]
    assert logged_in_user_id(client) == user.get_id()


def test_registering_remembers_the_language_the_page_was_read_in(client):
    client.get("/lang/ar")
    client.post("/register", data=register_form(client))
    assert db.session.scalar(select(User.locale)) == "ar"


def test_register_without_csrf_token_is_refused_and_creates_nothing(client):
    form = register_form(client)
    del form["csrf_token"]

    response = client.post("/register", data=form)

    assert response.status_code == 400
    assert count_users() == 0


def test_register_with_bad_input_shows_messages_next_to_the_fields_and_creates_nothing(client):
    response = client.post(
        "/register",
        data=register_form(client, name="", email="not-an-email", password="short", confirm="x"),
    )

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="name-errors"' in html
    assert 'id="password-errors"' in html
    assert 'id="confirm-errors"' in html
    assert "at least 10 characters" in html
    assert count_users() == 0


def test_register_with_an_invalid_email_shows_the_message_next_to_the_email(client):
    response = client.post("/register", data=register_form(client, email="fatima@localhost"))

    assert response.status_code == 422
    assert 'id="email-errors"' in response.get_data(as_text=True)
    assert count_users() == 0


def test_register_with_an_email_taken_in_another_case_says_so_next_to_the_email(client):
    UserFactory(email="fatima@example.ma")

    response = client.post("/register", data=register_form(client, email="FATIMA@example.ma"))

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="email-errors"' in html
    assert "already exists" in html
    assert count_users() == 1
    assert logged_in_user_id(client) is None


def test_login_with_the_right_password_in_any_letter_case_logs_in(client):
    user = UserFactory(email="youssef@example.ma")

    response = client.post("/login", data=login_form(client, email="Youssef@EXAMPLE.ma"))

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert logged_in_user_id(client) == user.get_id()


def test_login_with_a_wrong_password_re_renders_the_page_with_a_message(client):
    UserFactory(email="youssef@example.ma")

    response = client.post(
        "/login", data=login_form(client, email="youssef@example.ma", password="wrong-password")
    )

    assert response.status_code == 422
    assert "Wrong email or password." in response.get_data(as_text=True)
    assert logged_in_user_id(client) is None


def test_login_with_empty_fields_shows_messages_next_to_them(client):
    response = client.post("/login", data=login_form(client, email="", password=""))

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="email-errors"' in html
    assert 'id="password-errors"' in html


def test_login_without_csrf_token_is_refused(client):
    UserFactory(email="youssef@example.ma")
    form = login_form(client, email="youssef@example.ma")
    del form["csrf_token"]

    response = client.post("/login", data=form)

    assert response.status_code == 400
    assert logged_in_user_id(client) is None


def test_login_sends_the_user_back_to_the_same_site_page_they_came_from(client):
    UserFactory(email="youssef@example.ma")
    html = client.get("/login?next=/account").get_data(as_text=True)
    assert 'name="next" type="hidden" value="/account"' in html

    response = client.post(
        "/login", data=login_form(client, email="youssef@example.ma", next="/account")
    )

    assert response.headers["Location"] == "/account"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_login_refuses_to_send_the_user_to_another_site(client, target):
    UserFactory(email="youssef@example.ma")

    response = client.post(
        "/login", data=login_form(client, email="youssef@example.ma", next=target)
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_page_drops_a_foreign_next_from_its_form(client):
    html = client.get("/login?next=https://evil.example/").get_data(as_text=True)
    assert 'name="next" type="hidden" value=""' in html
    assert 'href="/register"' in html


@pytest.mark.parametrize("target", ["/", "/cart?page=2", "/account", "/products/huile-d-olive"])
def test_same_site_paths_are_safe_to_return_to(target):
    assert safe_next(target) == target


def test_logout_needs_a_post_with_csrf_token(client, shopper):
    login_as(client, shopper)

    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert logged_in_user_id(client) == shopper.get_id()

    token = csrf_from(client, "/account")
    response = client.post("/logout", data={"csrf_token": token})

    assert response.status_code == 302
    assert logged_in_user_id(client) is None


def test_account_page_needs_login_and_comes_back_after_it(client):
    response = client.get("/account")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/account"


def test_account_page_saves_name_and_preferred_language(client, shopper):
    login_as(client, shopper)

    response = client.post(
        "/account",
        data={"csrf_token": csrf_from(client, "/account"), "name": "Khadija", "locale": "ar"},
    )

    assert response.status_code == 302
    db.session.refresh(shopper)
    assert (shopper.name, shopper.locale) == ("Khadija", "ar")
    assert 'dir="rtl"' in client.get("/account").get_data(as_text=True)


def test_account_page_can_go_back_to_following_the_browser_language(client):
    user = UserFactory(locale="fr")
    login_as(client, user)

    client.post(
        "/account",
        data={"csrf_token": csrf_from(client, "/account"), "name": user.name, "locale": ""},
    )

    db.session.refresh(user)
    assert user.locale is None


def test_account_page_with_an_empty_name_re_renders_and_saves_nothing(client):
    user = UserFactory(name="Khadija", locale="fr")
    login_as(client, user)

    response = client.post(
        "/account",
        data={"csrf_token": csrf_from(client, "/account"), "name": " ", "locale": "de"},
    )

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="name-errors"' in html
    assert 'id="locale-errors"' in html
    db.session.refresh(user)
    assert (user.name, user.locale) == ("Khadija", "fr")
