"""Members' pages: the dashboard home, the profile form, the members list."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from support.factories import (
    CooperativeFactory,
    MembershipFactory,
    UserFactory,
    csrf_from,
    login_as,
    valid_rib,
)

from app.cooperatives.models import Membership
from app.extensions import db
from app.notifications.models import Notification


def profile_form(cooperative, **changes) -> dict:
    data = {
        "name": cooperative.name,
        "legal_form": cooperative.legal_form,
        "registration_number": cooperative.registration_number,
        "ice": cooperative.ice or "",
        "province": cooperative.province,
        "commune": cooperative.commune,
        "phone": cooperative.phone,
        "email": cooperative.email,
        "description": cooperative.description,
        "onssa_number": "",
        "payout_method": cooperative.payout_method,
        "rib": cooperative.rib or "",
        "shipping_fee": "30,00",
        "offers_home_delivery": "y",
        "offers_pickup": "y",
        "pickup_address": "",
    }
    data.update(changes)
    return data


def errors_of(html: str, field: str) -> str:
    match = re.search(rf'<ul class="errors" id="{field}-errors">(.*?)</ul>', html, re.S)
    return match.group(1) if match else ""


def test_dashboard_needs_a_login(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert "/login" in response.location


def test_dashboard_lists_the_users_cooperatives_with_their_status(client, owner, cooperative):
    pending = CooperativeFactory(name="Amal", status="pending")
    MembershipFactory(cooperative=pending, user=owner, role="staff")
    CooperativeFactory(name="Not mine")
    login_as(client, owner)

    html = client.get("/dashboard/", headers={"Accept-Language": "en"}).get_data(as_text=True)

    assert cooperative.name in html and "Amal" in html and "Not mine" not in html
    assert "Verified" in html and "Awaiting verification" in html
    assert f"/dashboard/{cooperative.id}/profile" in html
    assert f"/dashboard/{cooperative.id}/members" in html
    assert f"/dashboard/{pending.id}/members" not in html
    assert "/cooperatives/apply" in html


def test_member_saves_the_profile(client, owner, cooperative):
    login_as(client, owner)
    url = f"/dashboard/{cooperative.id}/profile"
    token = csrf_from(client, url)

    response = client.post(
        url,
        data=profile_form(
            cooperative,
            description="Huile de Tabant",
            phone="0523 45 67 89",
            shipping_fee="45,50",
            offers_pickup="",
            csrf_token=token,
        ),
    )

    assert response.status_code == 302
    db.session.refresh(cooperative)
    assert cooperative.description == "Huile de Tabant"
    assert cooperative.phone == "+212523456789"
    assert cooperative.shipping_fee_cents == 4550
    assert cooperative.offers_pickup is False
    assert cooperative.status == "verified"


def test_changing_the_registration_number_sends_it_back_to_verification(client, owner, cooperative):
    login_as(client, owner)
    url = f"/dashboard/{cooperative.id}/profile"
    token = csrf_from(client, url)
    client.post(url, data=profile_form(cooperative, registration_number="99/X", csrf_token=token))
    db.session.refresh(cooperative)
    assert (cooperative.registration_number, cooperative.status) == ("99/X", "pending")


def test_bad_profile_is_re_rendered_with_errors_and_changes_nothing(client, owner, cooperative):
    login_as(client, owner)
    url = f"/dashboard/{cooperative.id}/profile"
    token = csrf_from(client, url)
    before = cooperative.description

    response = client.post(
        url,
        data=profile_form(
            cooperative,
            description="Changed",
            rib="123",
            shipping_fee="-5",
            province="rabat",
            csrf_token=token,
        ),
    )

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for field in ("rib", "shipping_fee", "province"):
        assert errors_of(html, field), field
    db.session.refresh(cooperative)
    assert cooperative.description == before


def test_staff_do_not_see_or_change_the_payout_details(client, cooperative):
    staff = MembershipFactory(cooperative=cooperative, role="staff").user
    rib_before = cooperative.rib
    login_as(client, staff)
    url = f"/dashboard/{cooperative.id}/profile"
    html = client.get(url).get_data(as_text=True)
    assert 'name="rib"' not in html
    assert cooperative.rib not in html

    token = csrf_from(client, url)
    response = client.post(
        url,
        data=profile_form(cooperative, rib=valid_rib(4242), commune="Demnate", csrf_token=token),
    )
    assert response.status_code == 302
    db.session.refresh(cooperative)
    assert (cooperative.commune, cooperative.rib) == ("Demnate", rib_before)


def test_members_of_another_cooperative_get_a_403(client, cooperative):
    stranger = MembershipFactory().user
    login_as(client, stranger)
    assert client.get(f"/dashboard/{cooperative.id}/profile").status_code == 403
    assert client.get(f"/dashboard/{cooperative.id}/members").status_code == 403
    assert client.get("/dashboard/999999/profile").status_code == 404


def test_owner_invites_a_member_who_joins_by_accepting(client, owner, cooperative):
    newcomer = UserFactory(email="aicha@example.com")
    login_as(client, owner)
    url = f"/dashboard/{cooperative.id}/members"

    response = client.post(
        url,
        data={"email": "Aicha@example.com", "role": "staff", "csrf_token": csrf_from(client, url)},
    )

    assert response.status_code == 302
    assert db.session.scalar(select(Membership).where(Membership.user_id == newcomer.id)) is None
    mail = db.session.scalar(
        select(Notification).where(Notification.kind == "cooperative_invitation")
    )
    path = mail.context["link"].removeprefix("http://localhost")
    login_as(client, newcomer)
    assert cooperative.name in client.get(path).get_data(as_text=True)
    accepted = client.post(path, data={"csrf_token": csrf_from(client, path)})
    assert accepted.status_code == 302
    membership = db.session.scalar(select(Membership).where(Membership.user_id == newcomer.id))
    assert membership.role == "staff"
    login_as(client, owner)
    assert "aicha@example.com" in client.get(url).get_data(as_text=True)


def test_inviting_a_bad_address_or_an_existing_member_is_refused_on_the_page(
    client, owner, cooperative
):
    login_as(client, owner)
    url = f"/dashboard/{cooperative.id}/members"
    token = csrf_from(client, url)

    malformed = client.post(url, data={"email": "x@", "role": "staff", "csrf_token": token})
    existing = client.post(url, data={"email": owner.email, "role": "staff", "csrf_token": token})
    bad_role = client.post(
        url, data={"email": UserFactory().email, "role": "chief", "csrf_token": token}
    )

    assert malformed.status_code == 422
    assert errors_of(malformed.get_data(as_text=True), "email")
    assert existing.status_code == 409
    assert errors_of(existing.get_data(as_text=True), "email")
    assert bad_role.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 1


def test_staff_cannot_manage_members(client, cooperative, owner):
    staff = MembershipFactory(cooperative=cooperative, role="staff").user
    login_as(client, staff)
    token = csrf_from(client, "/cooperatives/apply")
    assert client.get(f"/dashboard/{cooperative.id}/members").status_code == 403
    response = client.post(
        f"/dashboard/{cooperative.id}/members/{owner.id}/remove", data={"csrf_token": token}
    )
    assert response.status_code == 403


def test_owner_removes_a_member_but_never_the_last_owner(client, owner, cooperative):
    staff = MembershipFactory(cooperative=cooperative, role="staff").user
    login_as(client, owner)
    url = f"/dashboard/{cooperative.id}/members"
    token = csrf_from(client, url)

    confirmed = {"csrf_token": token, "confirmed": "yes"}
    removed = client.post(f"{url}/{staff.id}/remove", data=confirmed)
    last_owner = client.post(
        f"{url}/{owner.id}/remove", data=confirmed, headers={"Accept-Language": "en"}
    )

    assert removed.status_code == 302
    assert last_owner.status_code == 409
    assert "at least one owner" in last_owner.get_data(as_text=True)
    assert [m.user_id for m in db.session.scalars(select(Membership))] == [owner.id]


def test_removing_a_member_without_the_confirmation_asks_first_and_changes_nothing(
    client, owner, cooperative
):
    staff = MembershipFactory(cooperative=cooperative, role="staff", user__name="Khadija").user
    login_as(client, owner)
    url = f"/dashboard/{cooperative.id}/members"
    token = csrf_from(client, url)

    asked = client.post(
        f"{url}/{staff.id}/remove", data={"csrf_token": token}, headers={"Accept-Language": "en"}
    )
    stranger = client.post(f"{url}/{UserFactory().id}/remove", data={"csrf_token": token})

    assert asked.status_code == 200
    text = asked.get_data(as_text=True)
    assert 'name="confirmed" value="yes"' in text and "Remove Khadija?" in text
    assert stranger.status_code == 404
    members = {m.user_id for m in db.session.scalars(select(Membership))}
    assert members == {owner.id, staff.id}
