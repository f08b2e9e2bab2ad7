"""Sessions end when they should: logging out, changing or resetting the password and being
suspended end every session and remember-me cookie of the account (its session generation
is part of every cookie); API tokens can be revoked, expire after 90 days unused, and
record when they were last used (without a write on every request)."""

from __future__ import annotations

from datetime import timedelta

from support.factories import PASSWORD, AdminFactory, UserFactory, csrf_from, issue_token

from app.accounts import services
from app.accounts.models import ApiToken
from app.accounts.operations import token_hash
from app.core.db import utcnow
from app.extensions import db

NEW_PASSWORD = "tighza-saffron-2026"


def logged_in_browser(app, user, *, remember: bool = False):
    """A browser of its own, logged in through the login page."""
    browser = app.test_client()
    data = {"csrf_token": csrf_from(browser, "/login"), "email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert browser.post("/login", data=data).status_code == 302
    return browser


def only_remember_me(browser):
    """The browser restarted: its session cookie is gone, the remember-me cookie is left."""
    browser.delete_cookie("session")
    return browser


def who(browser) -> int | None:
    response = browser.get("/api/v1/me")
    return response.get_json()["id"] if response.status_code == 200 else None


def test_logging_out_ends_the_sessions_and_remember_me_cookies_on_every_device(app):
    user = UserFactory()
    laptop = logged_in_browser(app, user)
    phone = logged_in_browser(app, user, remember=True)
    kept = only_remember_me(logged_in_browser(app, user, remember=True))
    assert who(laptop) == who(phone) == who(kept) == user.id

    laptop.post("/logout", data={"csrf_token": csrf_from(laptop, "/account")})

    assert who(laptop) is None
    assert who(phone) is None
    assert who(only_remember_me(phone)) is None
    assert who(kept) is None


def test_logging_out_leaves_the_api_tokens_of_apps(app, client, api_token):
    user = UserFactory()
    headers = api_token(user)
    browser = logged_in_browser(app, user)

    browser.post("/logout", data={"csrf_token": csrf_from(browser, "/account")})

    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_logging_in_again_after_logout_works(app):
    user = UserFactory()
    browser = logged_in_browser(app, user)
    browser.post("/logout", data={"csrf_token": csrf_from(browser, "/account")})

    assert who(logged_in_browser(app, user)) == user.id


def test_changing_the_password_logs_out_other_devices_and_tokens_but_not_this_browser(
    app, client, api_token
):
    user = UserFactory()
    headers = api_token(user)
    other = only_remember_me(logged_in_browser(app, user, remember=True))
    browser = logged_in_browser(app, user, remember=True)

    response = browser.post(
        "/account/password",
        data={
            "csrf_token": csrf_from(browser, "/account/password"),
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert who(browser) == user.id
    assert who(only_remember_me(browser)) == user.id  # its remember-me cookie was renewed
    assert who(other) is None
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    db.session.expire_all()
    assert services.authenticate(user.email, NEW_PASSWORD) == user


def test_changing_the_password_needs_the_current_one(app):
    user = UserFactory()
    browser = logged_in_browser(app, user)

    response = browser.post(
        "/account/password",
        data={
            "csrf_token": csrf_from(browser, "/account/password"),
            "current_password": "not-my-password",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )

    assert response.status_code == 422
    assert "This is not your current password." in response.get_data(as_text=True)
    assert services.authenticate(user.email, PASSWORD) == user


def test_suspending_an_account_ends_its_sessions_cookies_and_tokens(app, client, api_token):
    user = UserFactory()
    headers = api_token(user)
    browser = logged_in_browser(app, user)
    remembered = only_remember_me(logged_in_browser(app, user, remember=True))

    services.suspend_account(user, AdminFactory(), "fraudulent orders")

    assert who(browser) is None
    assert who(remembered) is None
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert services.authenticate(user.email, PASSWORD) is None


def test_a_reinstated_account_logs_in_again_but_old_sessions_stay_ended(app):
    user, admin = UserFactory(), AdminFactory()
    browser = logged_in_browser(app, user)
    services.suspend_account(user, admin)

    services.reinstate_account(user, admin)

    assert who(browser) is None
    assert who(logged_in_browser(app, user)) == user.id


def test_only_admins_suspend_and_nobody_suspends_themselves():
    import pytest

    from app.core.errors import Forbidden

    admin, user = AdminFactory(), UserFactory()
    with pytest.raises(Forbidden):
        services.suspend_account(admin, user)
    with pytest.raises(Forbidden):
        services.suspend_account(admin, admin)
    assert admin.active


def test_a_session_cookie_without_the_generation_names_nobody(client):
    """Cookies made before sessions had generations (a plain id) are not honoured."""
    user = UserFactory()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)

    assert who(client) is None
    assert services.load_user(f"{user.id}:{user.session_generation}") == user
    for stale in (f"{user.id}:{user.session_generation + 1}", "x:0", "", f"{user.id}:", "9" * 40):
        assert services.load_user(stale) is None


# API tokens ---------------------------------------------------------------------------------


def stored(token: str) -> ApiToken:
    return db.session.scalar(db.select(ApiToken).where(ApiToken.token_hash == token_hash(token)))


def test_delete_token_answers_204_and_the_token_no_longer_works(client):
    token = issue_token(UserFactory())
    headers = {"Authorization": f"Bearer {token}"}

    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_token_unused_for_90_days_stops_working(client):
    token = issue_token(UserFactory())
    stored(token).created_at = utcnow() - timedelta(days=91)
    stored(token).last_used_at = utcnow() - timedelta(days=90, minutes=1)
    db.session.flush()

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401
    assert stored(token).revoked_at is not None


def test_a_token_used_within_90_days_keeps_working_and_records_its_use(client):
    token = issue_token(UserFactory())
    stored(token).created_at = utcnow() - timedelta(days=200)
    stored(token).last_used_at = utcnow() - timedelta(days=89)
    db.session.flush()

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    db.session.expire_all()
    assert stored(token).last_used_at > utcnow() - timedelta(minutes=1)


def test_a_burst_of_requests_records_the_use_once(client, count_queries):
    token = issue_token(UserFactory())
    headers = {"Authorization": f"Bearer {token}"}
    client.get("/api/v1/me", headers=headers)
    db.session.expire_all()
    first_use = stored(token).last_used_at
    assert first_use is not None

    with count_queries() as statements:
        for _ in range(3):
            assert client.get("/api/v1/me", headers=headers).status_code == 200

    assert not [s for s in statements if s.lstrip().upper().startswith("UPDATE API_TOKENS")]
    db.session.expire_all()
    assert stored(token).last_used_at == first_use


def test_the_use_is_recorded_again_after_a_minute(client):
    token = issue_token(UserFactory())
    stored(token).last_used_at = utcnow() - timedelta(minutes=2)
    db.session.flush()

    client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})

    db.session.expire_all()
    assert stored(token).last_used_at > utcnow() - timedelta(minutes=1)
