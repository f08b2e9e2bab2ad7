"""Least privilege and no enumeration: staff members do not see the RIB through the API;
adding a member sends an invitation that the person accepts, and the page answers the same
whether or not an account uses the address."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from support.factories import AdminFactory, MembershipFactory, UserFactory, csrf_from, login_as

from app.cooperatives.models import Invitation, Membership
from app.core.db import utcnow
from app.extensions import db
from app.notifications.models import Notification


def test_staff_members_do_not_see_the_rib_through_the_api(client, api_token, cooperative):
    staff = MembershipFactory(cooperative=cooperative, role="staff").user

    seen = client.get(f"/api/v1/cooperatives/{cooperative.id}", headers=api_token(staff))
    patched = client.patch(
        f"/api/v1/cooperatives/{cooperative.id}",
        json={"description": "Miel de Tabant"},
        headers=api_token(staff),
    )

    assert seen.status_code == 200
    assert "phone" in seen.get_json()  # still a member: the other private fields stay
    assert "rib" not in seen.get_json()
    assert patched.status_code == 200
    assert "rib" not in patched.get_json()


def test_owners_and_admins_see_the_rib(client, api_token, cooperative, owner):
    for viewer in (owner, AdminFactory()):
        body = client.get(f"/api/v1/cooperatives/{cooperative.id}", headers=api_token(viewer))
        assert body.get_json()["rib"] == cooperative.rib


def test_the_openapi_document_says_who_sees_the_rib(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]

    assert "not staff" in schemas["Cooperative"]["properties"]["rib"]["description"]


# Invitations ---------------------------------------------------------------------------------


def invite(client, cooperative, email: str, role: str = "staff"):
    url = f"/dashboard/{cooperative.id}/members"
    return client.post(
        url,
        data={"email": email, "role": role, "csrf_token": csrf_from(client, url)},
        follow_redirects=True,
    )


def invitation_path(email: str) -> str:
    mail = db.session.scalars(
        select(Notification)
        .where(Notification.kind == "cooperative_invitation", Notification.recipient_email == email)
        .order_by(Notification.id.desc())
    ).first()
    return mail.context["link"].removeprefix("http://localhost")


def accept(client, path: str):
    return client.post(path, data={"csrf_token": csrf_from(client, path)})


def count_members(cooperative) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.cooperative_id == cooperative.id)
    )


def test_the_members_page_answers_the_same_whether_or_not_an_account_uses_the_address(
    client, cooperative, owner
):
    UserFactory(email="aicha@example.com")
    login_as(client, owner)

    known = invite(client, cooperative, "aicha@example.com")
    unknown = invite(client, cooperative, "nobody@example.com")

    assert known.status_code == unknown.status_code == 200
    assert "We sent an invitation to aicha@example.com" in known.text
    assert "We sent an invitation to nobody@example.com" in unknown.text
    assert known.text.replace("aicha", "nobody").count("invitation") == unknown.text.count(
        "invitation"
    )
    assert count_members(cooperative) == 1  # nobody joined yet: they must accept


def test_the_invitation_is_emailed_and_not_shown_on_anyones_inbox_page(client, cooperative, owner):
    UserFactory(email="aicha@example.com")
    login_as(client, owner)

    invite(client, cooperative, "aicha@example.com", role="owner")

    mail = db.session.scalar(
        select(Notification).where(Notification.kind == "cooperative_invitation")
    )
    assert mail.recipient_user_id is None
    assert mail.context["role"] == "owner"
    stored = db.session.scalar(select(Invitation))
    assert stored.token_hash not in mail.context["link"]  # only the hash is kept
    assert stored.expires_at - stored.created_at == timedelta(days=7)


def test_someone_without_an_account_registers_then_accepts(app, client, cooperative, owner):
    login_as(client, owner)
    invite(client, cooperative, "nobody@example.com")
    path = invitation_path("nobody@example.com")
    newcomer = app.test_client()
    response = newcomer.get(path)
    assert response.status_code == 302  # log in or register first, then come back
    assert "/login" in response.headers["Location"]

    registered = newcomer.post(
        "/api/v1/auth/register",
        json={"email": "nobody@example.com", "password": "argan-oil-from-azilal", "name": "N"},
    )
    user_id = registered.get_json()["id"]
    login_as(newcomer, db.session.get(type(owner), user_id))

    assert accept(newcomer, path).status_code == 302
    assert count_members(cooperative) == 2
    db.session.expire_all()
    assert db.session.get(type(owner), user_id).email_verified  # the link proved the address


def test_only_the_invited_address_can_accept_and_only_once(client, cooperative, owner):
    invited = UserFactory(email="aicha@example.com", email_verified_at=None)
    login_as(client, owner)
    invite(client, cooperative, invited.email)
    path = invitation_path(invited.email)

    login_as(client, UserFactory())
    assert accept(client, path).status_code == 403
    login_as(client, invited)
    assert accept(client, path).status_code == 302
    again = accept(client, path)

    assert again.status_code == 400
    assert count_members(cooperative) == 2


def test_an_expired_or_replaced_invitation_cannot_be_accepted(client, cooperative, owner):
    invited = UserFactory(email="aicha@example.com")
    login_as(client, owner)
    invite(client, cooperative, invited.email)
    first = invitation_path(invited.email)
    invite(client, cooperative, invited.email)
    second = invitation_path(invited.email)
    login_as(client, invited)

    assert client.get(first).status_code == 404
    assert accept(client, first).status_code == 400
    db.session.scalars(select(Invitation)).all()[-1].expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert accept(client, second).status_code == 400
    assert count_members(cooperative) == 1
