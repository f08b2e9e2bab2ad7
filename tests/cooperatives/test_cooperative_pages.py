"""Shoppers' pages of cooperatives: the directory, a cooperative, the application form."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from support.factories import (
    CooperativeFactory,
    MembershipFactory,
    ProductFactory,
    ProductLabelFactory,
    StandFactory,
    UserFactory,
    csrf_from,
    login_as,
)

from app.cooperatives.models import Cooperative, Membership
from app.extensions import db

APPLY_URL = "/cooperatives/apply"
FORM = {
    "name": "Coopérative Tighza",
    "legal_form": "cooperative",
    "registration_number": "2016/BM-112",
    "ice": "",
    "province": "azilal",
    "commune": "Tabant",
    "phone": "06 12 34 56 78",
    "email": "contact@tighza.example",
    "description": "Miel d'euphorbe.",
    "onssa_number": "",
    "payout_method": "bank_transfer",
    "rib": "001 810 0078000201106202 21",
}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def errors_of(html: str, field: str) -> str:
    """The error list rendered next to `field`."""
    match = re.search(rf'<ul class="errors" id="{field}-errors">(.*?)</ul>', html, re.S)
    return match.group(1) if match else ""


def test_directory_lists_verified_cooperatives_with_their_badge(client):
    CooperativeFactory(name="Tighza", province="azilal")
    CooperativeFactory(name="Amal en attente", status="pending")
    CooperativeFactory(name="Zitoun suspendue", status="suspended")

    html = client.get("/cooperatives", headers={"Accept-Language": "en"}).get_data(as_text=True)

    assert "Tighza" in html
    assert "Amal en attente" not in html
    assert "Zitoun suspendue" not in html
    assert "Verified" in html


def test_directory_filters_by_province_and_text(client):
    CooperativeFactory(name="Tighza", province="azilal")
    CooperativeFactory(name="Zayane", province="khenifra", commune="Ajdir")

    by_province = client.get("/cooperatives?province=khenifra").get_data(as_text=True)
    by_text = client.get("/cooperatives?q=ajdir").get_data(as_text=True)

    assert "Zayane" in by_province and "Tighza" not in by_province
    assert "Zayane" in by_text and "Tighza" not in by_text


def test_directory_paginates(client):
    for number in range(26):
        CooperativeFactory(name=f"Coop {number:02d}")
    first = client.get("/cooperatives").get_data(as_text=True)
    second = client.get("/cooperatives?page=2").get_data(as_text=True)
    assert "Coop 00" in first and "Coop 25" not in first
    assert "Coop 25" in second and 'rel="prev"' in second


def test_bad_directory_filters_are_a_422_with_the_message_next_to_the_field(client):
    response = client.get("/cooperatives?province=casablanca")
    assert response.status_code == 422
    assert errors_of(response.get_data(as_text=True), "province")
    assert client.get("/cooperatives?page=zero").status_code == 422


def test_cooperative_page_shows_papers_stand_and_products(client):
    cooperative = CooperativeFactory(
        name="Tighza", legal_form="association", province="khenifra", commune="Ajdir"
    )
    honey = ProductFactory(cooperative=cooperative, name="Miel d'euphorbe", price_cents=18000)
    ProductLabelFactory(product=honey, kind="IGP")
    ProductFactory(cooperative=cooperative, name="Brouillon caché", status="draft")
    StandFactory(cooperative=cooperative, code="B-07")

    response = client.get(f"/cooperatives/{cooperative.slug}", headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "Verified cooperative" in html
    assert "Association" in html
    assert "Ajdir" in html and "Khenifra" in html
    assert "B-07" in html
    assert "Miel d&#39;euphorbe" in html and "180.00 MAD" in html and "IGP" in html
    assert "Brouillon caché" not in html


def test_pending_cooperative_page_is_only_for_its_members_and_admins(client, admin):
    pending = CooperativeFactory(status="pending")
    member = MembershipFactory(cooperative=pending).user
    url = f"/cooperatives/{pending.slug}"

    assert client.get(url).status_code == 404
    login_as(client, UserFactory())
    assert client.get(url).status_code == 404
    login_as(client, member)
    assert client.get(url).status_code == 200
    login_as(client, admin)
    assert client.get(url).status_code == 200


def test_unknown_cooperative_page_is_a_404(client):
    assert client.get("/cooperatives/no-such-cooperative").status_code == 404


def test_application_form_needs_a_login(client):
    response = client.get(APPLY_URL)
    assert response.status_code == 302
    assert "/login" in response.location


def test_application_form_asks_every_field(client, shopper):
    login_as(client, shopper)
    html = client.get(APPLY_URL).get_data(as_text=True)
    for field in FORM:
        assert f'name="{field}"' in html, field


def test_application_makes_a_pending_cooperative_and_says_it_awaits_verification(client, shopper):
    login_as(client, shopper)
    token = csrf_from(client, APPLY_URL)

    response = client.post(APPLY_URL, data={**FORM, "csrf_token": token})

    assert response.status_code == 302
    cooperative = db.session.scalars(select(Cooperative)).one()
    assert (cooperative.status, cooperative.phone) == ("pending", "+212612345678")
    membership = db.session.scalars(select(Membership)).one()
    assert (membership.user_id, membership.role) == (shopper.id, "owner")
    page = client.get(response.location, headers={"Accept-Language": "en"})
    assert "awaits verification" in page.get_data(as_text=True)


def test_bad_application_is_re_rendered_with_errors_next_to_the_fields(client, shopper):
    login_as(client, shopper)
    token = csrf_from(client, APPLY_URL)
    bad = {
        **FORM,
        "rib": "001810007800020110620222",
        "phone": "0812345678",
        "ice": "123",
        "province": "casablanca",
        "email": "nope",
        "csrf_token": token,
    }

    response = client.post(APPLY_URL, data=bad)

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for field in ("rib", "phone", "ice", "province", "email"):
        assert errors_of(html, field), field
    assert 'value="Coopérative Tighza"' in html
    assert count(Cooperative) == 0


def test_bank_transfer_without_rib_is_refused_next_to_the_rib(client, shopper):
    login_as(client, shopper)
    token = csrf_from(client, APPLY_URL)
    response = client.post(APPLY_URL, data={**FORM, "rib": "", "csrf_token": token})
    assert response.status_code == 422
    assert errors_of(response.get_data(as_text=True), "rib")
    assert count(Cooperative) == 0


def test_application_without_csrf_token_is_refused(client, shopper):
    login_as(client, shopper)
    response = client.post(APPLY_URL, data=FORM)
    assert response.status_code == 400
    assert count(Cooperative) == 0


def test_confirmation_page_is_only_for_the_applicants(client, shopper):
    pending = CooperativeFactory(status="pending")
    login_as(client, shopper)
    assert client.get(f"/cooperatives/apply/{pending.id}/submitted").status_code == 403
    assert client.get("/cooperatives/apply/999999/submitted").status_code == 404


def test_pages_read_right_to_left_in_arabic_with_arabic_place_names(client, shopper):
    cooperative = CooperativeFactory(province="khenifra", translations={"ar": {"name": "تيغزا"}})
    arabic = {"Accept-Language": "ar"}

    directory = client.get("/cooperatives", headers=arabic).get_data(as_text=True)
    page = client.get(f"/cooperatives/{cooperative.slug}", headers=arabic).get_data(as_text=True)
    login_as(client, shopper)
    form = client.get(APPLY_URL, headers=arabic).get_data(as_text=True)

    assert 'dir="rtl"' in directory and "تيغزا" in directory and "خنيفرة" in directory
    assert "تيغزا" in page
    assert "أزيلال" in form


def test_directory_runs_the_same_queries_whatever_the_number_of_cooperatives(client, count_queries):
    for _ in range(3):
        CooperativeFactory()
    with count_queries() as few:
        client.get("/api/v1/cooperatives")
    for _ in range(20):
        CooperativeFactory()
    with count_queries() as many:
        client.get("/api/v1/cooperatives")
    assert len(many) == len(few)
