"""Admins find an account and suspend it (it is logged out everywhere at once) or let it in
again; nobody else can."""

from __future__ import annotations

from sqlalchemy import select
from support.factories import PASSWORD, AdminFactory, UserFactory, csrf_from, login_as

from app.audit.models import AdminAction
from app.extensions import db


def test_an_admin_finds_and_suspends_an_account_which_is_logged_out_at_once(app, client):
    target = UserFactory(email="fraud_ster@example.ma")
    other = UserFactory(email="fraudulent@example.ma")
    victim_browser = app.test_client()
    login_as(victim_browser, target)
    assert victim_browser.get("/api/v1/me").status_code == 200
    login_as(client, AdminFactory())

    page = client.get("/admin/accounts?q=FRAUD_ster").text
    assert "fraud_ster@example.ma" in page
    assert other.email not in page  # "_" matches itself, not any character
    response = client.post(
        f"/admin/accounts/{target.id}/suspend",
        data={
            "csrf_token": csrf_from(client, "/admin/accounts"),
            "reason": "stolen cards",
            "confirmed": "yes",
        },
    )

    assert response.status_code == 302
    assert victim_browser.get("/api/v1/me").status_code == 401
    db.session.expire_all()
    assert not target.active
    action = db.session.scalar(select(AdminAction).where(AdminAction.action == "user.suspend"))
    assert action.note == "stolen cards"
    assert "Suspended" in client.get("/admin/accounts?q=fraud_ster").text


def test_a_reinstated_account_logs_in_again(client):
    target = UserFactory(active=False)
    login_as(client, AdminFactory())

    client.post(
        f"/admin/accounts/{target.id}/reinstate",
        data={"csrf_token": csrf_from(client, "/admin/accounts")},
    )

    db.session.expire_all()
    assert target.active
    from app.accounts.services import authenticate

    assert authenticate(target.email, PASSWORD) == target


def test_shoppers_cannot_reach_the_accounts_page_or_suspend(client):
    target = UserFactory()
    login_as(client, UserFactory())

    assert client.get("/admin/accounts").status_code == 403
    refused = client.post(
        f"/admin/accounts/{target.id}/suspend", data={"csrf_token": csrf_from(client, "/account")}
    )
    assert refused.status_code == 403
    db.session.expire_all()
    assert target.active


def test_suspending_without_the_confirmation_asks_first_and_changes_nothing(app, client):
    target = UserFactory()
    victim_browser = app.test_client()
    login_as(victim_browser, target)
    login_as(client, AdminFactory())

    asked = client.post(
        f"/admin/accounts/{target.id}/suspend",
        data={"csrf_token": csrf_from(client, "/admin/accounts"), "reason": "stolen cards"},
    )

    assert asked.status_code == 200
    assert 'name="confirmed" value="yes"' in asked.text and 'value="stolen cards"' in asked.text
    assert victim_browser.get("/api/v1/me").status_code == 200
    db.session.expire_all()
    assert target.active
