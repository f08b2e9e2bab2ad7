"""E-mail verification: registering e-mails a single-use link; following it marks the address
verified (GET /me `email_verified`). Nothing a shopper does waits for it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from support.factories import UserFactory, csrf_from, login_as

from app.accounts import services
from app.accounts.models import AccountLink, User
from app.core.db import utcnow
from app.extensions import db
from app.notifications.models import Notification

GOOD_PASSWORD = "argan-oil-from-azilal"


def verification_paths(email: str) -> list[str]:
    mails = db.session.scalars(
        select(Notification)
        .where(Notification.kind == "verify_email", Notification.recipient_email == email)
        .order_by(Notification.id)
    )
    return [mail.context["link"].removeprefix("http://localhost") for mail in mails]


def follow(client, path: str):
    return client.post(path, data={"csrf_token": csrf_from(client, path)})


def register(client, email="fatima@example.ma"):
    response = client.post(
        "/api/v1/auth/register", json={"email": email, "password": GOOD_PASSWORD, "name": "Fatima"}
    )
    assert response.status_code == 201
    return db.session.get(User, response.get_json()["id"])


def test_registering_emails_a_verification_link_and_me_says_not_verified(client, api_token):
    user = register(client)

    [path] = verification_paths("fatima@example.ma")
    assert path.startswith("/email/verify/")
    assert client.get("/api/v1/me", headers=api_token(user)).get_json()["email_verified"] is False


def test_following_the_link_verifies_the_address_once(client, api_token):
    user = register(client)
    [path] = verification_paths(user.email)

    assert client.get(path).status_code == 200  # a mail scanner opening it uses nothing up
    response = follow(client, path)

    assert response.status_code == 302
    assert client.get("/api/v1/me", headers=api_token(user)).get_json()["email_verified"] is True
    again = follow(client, path)
    assert again.status_code == 400
    assert "already used" in again.text


def test_an_expired_or_forged_link_verifies_nothing(client):
    user = register(client)
    [path] = verification_paths(user.email)
    db.session.scalar(select(AccountLink)).expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()

    assert follow(client, path).status_code == 400
    assert follow(client, "/email/verify/made-up").status_code == 400
    db.session.expire_all()
    assert not user.email_verified


def test_a_link_for_an_address_the_account_no_longer_uses_verifies_nothing(client):
    user = register(client)
    [path] = verification_paths(user.email)
    user.email = "new-address@example.ma"
    db.session.flush()

    assert follow(client, path).status_code == 400
    db.session.expire_all()
    assert not user.email_verified


def test_the_account_page_sends_a_new_link_and_only_the_newest_works(client):
    user = register(client)
    login_as(client, user)
    [first] = verification_paths(user.email)
    html = client.get("/account").text
    assert "Not confirmed yet" in html

    client.post("/email/verify", data={"csrf_token": csrf_from(client, "/account")})

    second = verification_paths(user.email)[1]
    assert follow(client, first).status_code == 400
    assert follow(client, second).status_code == 302
    assert "Confirmed" in client.get("/account").text


def test_a_verified_account_is_sent_no_new_link():
    user = UserFactory()
    assert user.email_verified

    assert services.send_verification(user, link_for=lambda token: token) is False
    assert verification_paths(user.email) == []


def test_an_unverified_shopper_still_fills_a_cart_and_sees_their_orders(client, api_token):
    user = register(client)
    headers = api_token(user)

    assert client.get("/api/v1/cart", headers=headers).status_code == 200
    assert client.get("/api/v1/orders", headers=headers).status_code == 200
