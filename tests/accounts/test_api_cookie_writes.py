"""A write under /api authenticated by a cookie (session or remember-me alike) needs the
X-CSRFToken header and a JSON body; the remember-me cookie is SameSite=Lax and HttpOnly.

The finding: a cross-site form post carrying only the remember-me cookie (the session
cookie gone, e.g. after the browser restarted) was not checked for CSRF at all.
"""

from __future__ import annotations

from sqlalchemy import func, select
from support.factories import PASSWORD, UserFactory, csrf_from, login_as

from app.cooperatives.models import Cooperative
from app.extensions import db
from config import load_config

APPLICATION = {
    "name": "Coopérative Tighza",
    "legal_form": "cooperative",
    "registration_number": "2016/BM-112",
    "province": "azilal",
    "commune": "Tabant",
    "phone": "0612345678",
    "email": "contact@tighza.example",
    "description": "Miel d'euphorbe.",
    "payout_method": "bank_transfer",
    "rib": "001810007800020110620221",
}


def count_cooperatives() -> int:
    return db.session.scalar(select(func.count()).select_from(Cooperative))


def log_in_remembered(client, user) -> None:
    """Log in through the page with "keep me logged in", then drop the session cookie,
    as a browser does when it restarts: only the remember-me cookie is left."""
    response = client.post(
        "/login",
        data={
            "csrf_token": csrf_from(client, "/login"),
            "email": user.email,
            "password": PASSWORD,
            "remember": "y",
        },
    )
    assert response.status_code == 302
    assert client.get_cookie("remember_token") is not None
    client.delete_cookie("session")


def test_a_cross_site_post_with_only_the_remember_me_cookie_is_refused(client):
    user = UserFactory()
    log_in_remembered(client, user)
    assert client.get("/api/v1/me").get_json()["id"] == user.id  # the cookie logs in

    client.delete_cookie("session")
    response = client.post("/api/v1/cooperatives", json=APPLICATION)

    assert response.status_code in {400, 403}
    assert response.is_json
    assert count_cooperatives() == 0


def test_a_form_post_with_only_the_remember_me_cookie_is_refused(client):
    user = UserFactory()
    log_in_remembered(client, user)

    response = client.post(
        "/api/v1/cooperatives", data=APPLICATION, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code in {400, 403, 415}
    assert count_cooperatives() == 0


def test_a_session_cookie_write_with_the_csrf_token_in_a_form_field_is_refused(client):
    login_as(client, UserFactory())
    token = csrf_from(client, "/account")

    response = client.post("/api/v1/cooperatives", json={**APPLICATION, "csrf_token": token})

    assert response.status_code == 400
    assert count_cooperatives() == 0


def test_a_cookie_write_with_the_header_but_no_json_body_answers_415(client):
    login_as(client, UserFactory())
    token = csrf_from(client, "/account")

    response = client.post(
        "/api/v1/cooperatives",
        data="name=Tighza",
        content_type="text/plain",
        headers={"X-CSRFToken": token},
    )

    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"
    assert count_cooperatives() == 0


def test_a_cookie_write_with_the_header_and_a_json_body_goes_through(client):
    login_as(client, UserFactory())
    token = csrf_from(client, "/account")

    response = client.post("/api/v1/cooperatives", json=APPLICATION, headers={"X-CSRFToken": token})

    assert response.status_code == 201
    assert count_cooperatives() == 1


def test_a_bearer_token_write_needs_no_csrf_token(client, api_token):
    response = client.post(
        "/api/v1/cooperatives", json=APPLICATION, headers=api_token(UserFactory())
    )

    assert response.status_code == 201


def test_anonymous_cart_writes_need_no_csrf_token(client):
    response = client.delete("/api/v1/cart/items/1")

    assert response.status_code == 200


def test_the_remember_me_cookie_is_same_site_lax_and_http_only(client):
    user = UserFactory()
    response = client.post(
        "/login",
        data={
            "csrf_token": csrf_from(client, "/login"),
            "email": user.email,
            "password": PASSWORD,
            "remember": "y",
        },
    )

    remember = next(
        header
        for header in response.headers.getlist("Set-Cookie")
        if header.startswith("remember_token=")
    )
    assert "SameSite=Lax" in remember
    assert "HttpOnly" in remember


def test_production_sends_the_remember_me_cookie_over_https_only():
    settings = load_config(
        "production",
        {
            "SECRET_KEY": "a-production-secret-of-more-than-32-bytes",
            "DATABASE_URL": "postgresql://souk@db/souk",
            "PLATFORM_RIB": "007 780 0009876543210987 75",
        },
    )

    assert settings["REMEMBER_COOKIE_SECURE"] is True
    assert settings["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert settings["REMEMBER_COOKIE_HTTPONLY"] is True
