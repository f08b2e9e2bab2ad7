"""Password reset (shared/API.md): 202 always, a single-use link valid one hour is e-mailed,
and setting the new password ends every session, remember-me cookie and API token."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from support.factories import PASSWORD, UserFactory, csrf_from

from app.accounts import services
from app.accounts.models import AccountLink
from app.core.db import utcnow
from app.extensions import db
from app.notifications.models import Notification

NEW_PASSWORD = "tighza-saffron-2026"


def reset_mails(email: str) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.kind == "password_reset", Notification.recipient_email == email)
            .order_by(Notification.id)
        )
    )


def token_in(notification: Notification) -> str:
    return notification.context["link"].rsplit("/", 1)[1]


def ask_reset(client, email: str):
    return client.post("/api/v1/auth/password-reset", json={"email": email})


def confirm(client, token: str, password: str = NEW_PASSWORD):
    return client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": password}
    )


def test_asking_answers_202_and_emails_a_link_for_an_account(client):
    user = UserFactory(email="fatima@example.ma")

    response = ask_reset(client, "Fatima@Example.ma")

    assert response.status_code == 202
    [mail] = reset_mails("fatima@example.ma")
    assert mail.recipient_user_id is None  # not on the inbox page: the link is for the mailbox
    assert mail.context["link"].startswith("http://localhost/password/reset/")
    link = db.session.scalar(select(AccountLink).where(AccountLink.user_id == user.id))
    assert link.expires_at - link.created_at == timedelta(hours=1)
    assert link.token_hash != token_in(mail)  # only the hash is stored


def test_asking_for_an_unknown_or_malformed_address_answers_the_same_202(client):
    for email in ("nobody@example.ma", "not an email"):
        response = ask_reset(client, email)
        assert response.status_code == 202
        assert response.get_data() == b""
    assert db.session.scalar(select(Notification.id)) is None


def test_the_link_sets_the_password_once(client):
    user = UserFactory(email="fatima@example.ma")
    ask_reset(client, user.email)
    token = token_in(reset_mails(user.email)[0])

    response = confirm(client, token)

    assert response.status_code == 200
    assert response.get_json()["id"] == user.id
    db.session.expire_all()
    assert services.authenticate(user.email, NEW_PASSWORD) == user
    assert services.authenticate(user.email, PASSWORD) is None
    again = confirm(client, token, "another-long-passphrase")
    assert again.status_code == 400
    assert again.get_json()["error"]["code"] == "invalid_token"


def test_an_expired_or_forged_token_answers_400_and_changes_nothing(client):
    user = UserFactory(email="fatima@example.ma")
    ask_reset(client, user.email)
    token = token_in(reset_mails(user.email)[0])
    link = db.session.scalar(select(AccountLink))
    link.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()

    for bad in (token, "forged-token", token[:-1] + ("A" if token[-1] != "A" else "B")):
        response = confirm(client, bad)
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "invalid_token"
    db.session.expire_all()
    assert services.authenticate(user.email, PASSWORD) == user


def test_only_the_newest_link_works(client):
    user = UserFactory(email="fatima@example.ma")
    ask_reset(client, user.email)
    ask_reset(client, user.email)
    first, second = (token_in(mail) for mail in reset_mails(user.email))

    assert confirm(client, first).status_code == 400
    assert confirm(client, second).status_code == 200


def test_a_weak_password_is_refused_and_the_link_still_works(client):
    user = UserFactory(email="fatima@example.ma")
    ask_reset(client, user.email)
    token = token_in(reset_mails(user.email)[0])

    response = confirm(client, token, "password123")

    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["password"]
    assert confirm(client, token).status_code == 200


def test_resetting_ends_every_session_remember_me_cookie_and_api_token(app, client, api_token):
    user = UserFactory(email="fatima@example.ma")
    headers = api_token(user)
    browser = app.test_client()
    browser.post(
        "/login",
        data={
            "csrf_token": csrf_from(browser, "/login"),
            "email": user.email,
            "password": PASSWORD,
            "remember": "y",
        },
    )
    assert browser.get("/api/v1/me").status_code == 200
    ask_reset(client, user.email)

    confirm(client, token_in(reset_mails(user.email)[0]))

    assert browser.get("/api/v1/me").status_code == 401
    browser.delete_cookie("session")
    assert browser.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_resetting_proves_the_address(client):
    user = UserFactory(email="fatima@example.ma", email_verified_at=None)
    ask_reset(client, user.email)

    confirm(client, token_in(reset_mails(user.email)[0]))

    db.session.expire_all()
    assert user.email_verified


# Pages --------------------------------------------------------------------------------------


def test_the_login_page_links_to_forgot_password(client):
    assert 'href="/password/forgot"' in client.get("/login").get_data(as_text=True)


def test_the_forgot_password_page_says_the_same_for_any_address(client):
    UserFactory(email="fatima@example.ma")
    answers = []
    for email in ("fatima@example.ma", "nobody@example.ma"):
        response = client.post(
            "/password/forgot",
            data={"csrf_token": csrf_from(client, "/password/forgot"), "email": email},
            follow_redirects=True,
        )
        answers.append((response.status_code, "If an account uses this address" in response.text))

    assert answers == [(200, True), (200, True)]
    assert len(reset_mails("fatima@example.ma")) == 1


def test_the_reset_page_sets_the_new_password(client):
    user = UserFactory(email="fatima@example.ma")
    services.request_password_reset(user.email, link_for=lambda token: f"/password/reset/{token}")
    path = reset_mails(user.email)[0].context["link"]

    assert client.get(path).status_code == 200
    response = client.post(
        path,
        data={
            "csrf_token": csrf_from(client, path),
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    db.session.expire_all()
    assert services.authenticate(user.email, NEW_PASSWORD) == user
    used = client.post(
        path,
        data={
            "csrf_token": csrf_from(client, path),
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert used.status_code == 400
    assert "already used" in used.text


def test_the_reset_requests_are_limited_per_address(client, app, monkeypatch):
    assert app.config["PASSWORD_RESET_RATE_LIMIT"] == "10 per hour"
    monkeypatch.setitem(app.config, "PASSWORD_RESET_RATE_LIMIT", "2 per hour")
    for _ in range(2):
        assert ask_reset(client, "nobody@example.ma").status_code == 202

    assert ask_reset(client, "nobody@example.ma").status_code == 429


def test_a_lone_surrogate_in_the_token_or_the_password_is_no_server_error(client):
    for body in (
        '{"token": "\\ud800", "password": "long-enough-passphrase"}',
        '{"token": "made-up", "password": "\\ud800 long-enough-passphrase"}',
    ):
        response = client.post(
            "/api/v1/auth/password-reset/confirm", data=body, content_type="application/json"
        )
        assert response.status_code == 400
    login = client.post(
        "/api/v1/auth/token",
        data='{"email": "a@example.ma", "password": "\\udfff-passphrase"}',
        content_type="application/json",
    )
    # The request guard refuses text no UTF-8 can carry before any view (docs/security.md).
    assert login.status_code == 400
