"""Admins' pages of cooperatives: the index, the verification queue, verify and suspend."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from support.factories import (
    CooperativeFactory,
    MembershipFactory,
    csrf_from,
    file_papers,
    login_as,
)

from app.cooperatives.models import CooperativeStatusEvent
from app.extensions import db

EN = {"Accept-Language": "en"}


def events() -> int:
    return db.session.scalar(select(func.count()).select_from(CooperativeStatusEvent))


def errors_of(html: str, field: str) -> str:
    match = re.search(rf'<ul class="errors" id="{field}-errors">(.*?)</ul>', html, re.S)
    return match.group(1) if match else ""


def test_admin_pages_redirect_anonymous_to_login_and_refuse_shoppers(client, shopper, cooperative):
    for url in ("/admin/", "/admin/cooperatives", f"/admin/cooperatives/{cooperative.id}"):
        anonymous = client.get(url)
        assert anonymous.status_code == 302, url
        assert "/login" in anonymous.location
    login_as(client, shopper)
    for url in ("/admin/", "/admin/cooperatives", f"/admin/cooperatives/{cooperative.id}"):
        assert client.get(url).status_code == 403, url


def test_shopper_cannot_verify_even_with_a_csrf_token(client, shopper):
    pending = CooperativeFactory(status="pending")
    login_as(client, shopper)
    token = csrf_from(client, "/cooperatives/apply")
    response = client.post(
        f"/admin/cooperatives/{pending.id}/verify",
        data={"note": "", "csrf_token": token, "confirmed": "yes"},
    )
    assert response.status_code == 403
    assert events() == 0


def test_admin_home_links_the_sections_that_exist(client, admin):
    login_as(client, admin)
    html = client.get("/admin/", headers=EN).get_data(as_text=True)
    assert 'href="/admin/cooperatives"' in html
    assert 'href="/admin/fairs"' in html


def test_queue_shows_pending_applications_with_every_detail(client, admin):
    pending = CooperativeFactory(
        name="Amal", status="pending", ice="001234567000089", onssa_number="AS.12/2021"
    )
    CooperativeFactory(name="Tighza déjà vérifiée")
    login_as(client, admin)

    html = client.get("/admin/cooperatives?status=pending", headers=EN).get_data(as_text=True)

    assert "Amal" in html and "Tighza déjà vérifiée" not in html
    for detail in (
        pending.registration_number,
        "001234567000089",
        "AS.12/2021",
        pending.phone,
        pending.email,
        pending.rib,
    ):
        assert detail in html, detail
    assert "Tighza déjà vérifiée" in client.get("/admin/cooperatives?status=all").get_data(
        as_text=True
    )


def test_queue_refuses_an_unknown_status(client, admin):
    login_as(client, admin)
    assert client.get("/admin/cooperatives?status=lost").status_code == 422
    assert client.get("/admin/cooperatives?page=-1").status_code == 422


def test_admin_verifies_an_application_with_a_note(client, admin):
    pending = file_papers(CooperativeFactory(status="pending"))
    MembershipFactory(cooperative=pending)
    login_as(client, admin)
    url = f"/admin/cooperatives/{pending.id}"
    token = csrf_from(client, url)

    response = client.post(
        f"{url}/verify", data={"note": "Papiers vus", "csrf_token": token, "confirmed": "yes"}
    )

    assert response.status_code == 302
    db.session.refresh(pending)
    assert pending.status == "verified"
    event = db.session.scalars(select(CooperativeStatusEvent)).one()
    assert (event.actor_id, event.note, event.to_status) == (admin.id, "Papiers vus", "verified")
    page = client.get(url, headers=EN).get_data(as_text=True)
    assert "Papiers vus" in page and admin.name in page


def test_verifying_twice_is_a_409_on_the_page(client, admin, cooperative):
    login_as(client, admin)
    token = csrf_from(client, f"/admin/cooperatives/{cooperative.id}")
    response = client.post(
        f"/admin/cooperatives/{cooperative.id}/verify",
        data={"note": "", "csrf_token": token, "confirmed": "yes"},
        headers=EN,
    )
    assert response.status_code == 409
    assert "cannot go from “Verified” to “Verified”" in response.get_data(as_text=True)
    assert events() == 0


def test_suspending_needs_a_reason_shown_next_to_the_field(client, admin, cooperative):
    login_as(client, admin)
    url = f"/admin/cooperatives/{cooperative.id}"
    token = csrf_from(client, url)

    missing = client.post(
        f"{url}/suspend", data={"reason": "  ", "csrf_token": token, "confirmed": "yes"}
    )
    done = client.post(
        f"{url}/suspend", data={"reason": "Miel coupé", "csrf_token": token, "confirmed": "yes"}
    )

    assert missing.status_code == 422
    assert errors_of(missing.get_data(as_text=True), "reason")
    assert done.status_code == 302
    db.session.refresh(cooperative)
    assert (cooperative.status, cooperative.status_note) == ("suspended", "Miel coupé")
    assert events() == 1


def test_verify_form_without_csrf_token_changes_nothing(client, admin):
    pending = CooperativeFactory(status="pending")
    login_as(client, admin)
    response = client.post(f"/admin/cooperatives/{pending.id}/verify", data={"note": "x"})
    assert response.status_code == 400
    db.session.refresh(pending)
    assert pending.status == "pending"


def test_unknown_cooperative_is_a_404_for_admins(client, admin):
    login_as(client, admin)
    assert client.get("/admin/cooperatives/999999").status_code == 404


def test_verifying_or_suspending_without_the_confirmation_asks_first_and_changes_nothing(
    client, admin, cooperative
):
    pending = file_papers(CooperativeFactory(status="pending"))
    MembershipFactory(cooperative=pending)
    login_as(client, admin)
    token = csrf_from(client, f"/admin/cooperatives/{pending.id}")

    verify = client.post(
        f"/admin/cooperatives/{pending.id}/verify", data={"note": "vu", "csrf_token": token}
    )
    suspend = client.post(
        f"/admin/cooperatives/{cooperative.id}/suspend",
        data={"reason": "Miel coupé", "csrf_token": token},
    )

    assert (verify.status_code, suspend.status_code) == (200, 200)
    page = suspend.get_data(as_text=True)
    assert 'name="confirmed" value="yes"' in page and 'value="Miel coupé"' in page
    db.session.refresh(pending)
    db.session.refresh(cooperative)
    assert (pending.status, cooperative.status) == ("pending", "verified")
