"""Fair pages: the editions and their exhibitors for shoppers, stands for admins."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from support.factories import (
    CooperativeFactory,
    FairFactory,
    StandFactory,
    csrf_from,
    login_as,
)

from app.extensions import db
from app.fair.models import Stand

EN = {"Accept-Language": "en"}


def stand_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Stand))


def test_fairs_page_lists_editions_and_marks_the_open_one(client):
    FairFactory(name="Salon de Khenifra")
    FairFactory(
        name="Salon de Beni Mellal",
        starts_on=date.today() - timedelta(days=365),
        ends_on=date.today() - timedelta(days=358),
    )
    html = client.get("/fairs", headers=EN).get_data(as_text=True)
    assert "Salon de Khenifra" in html and "Salon de Beni Mellal" in html
    assert html.count("Open now") == 1


def test_fair_page_shows_venue_dates_and_verified_exhibitors(client):
    fair = FairFactory(venue="Place Al Massira Al Khadra")
    tighza = CooperativeFactory(name="Tighza")
    StandFactory(fair=fair, cooperative=tighza, code="B-07")
    StandFactory(fair=fair, cooperative=CooperativeFactory(name="Suspendue", status="suspended"))

    response = client.get(f"/fairs/{fair.id}", headers=EN)
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "Place Al Massira Al Khadra" in html and "Open now" in html
    assert "B-07" in html and f'href="/cooperatives/{tighza.slug}"' in html
    assert "Suspendue" not in html


def test_unknown_fair_page_is_a_404(client):
    assert client.get("/fairs/999999").status_code == 404


def test_fair_admin_pages_are_for_admins(client, shopper):
    fair = FairFactory()
    assert client.get(f"/admin/fairs/{fair.id}").status_code == 302
    login_as(client, shopper)
    assert client.get("/admin/fairs").status_code == 403
    assert client.get(f"/admin/fairs/{fair.id}").status_code == 403


def test_admin_gives_a_stand_from_the_fair_page(client, admin):
    fair, tighza = FairFactory(), CooperativeFactory(name="Tighza")
    CooperativeFactory(name="En attente", status="pending")
    login_as(client, admin)
    url = f"/admin/fairs/{fair.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Tighza" in page and "En attente" not in page
    token = csrf_from(client, url)

    response = client.post(
        f"{url}/stands", data={"cooperative_id": tighza.id, "code": "b-07", "csrf_token": token}
    )

    assert response.status_code == 302
    stand = db.session.scalars(select(Stand)).one()
    assert (stand.cooperative_id, stand.code) == (tighza.id, "B-07")
    assert "B-07" in client.get(url).get_data(as_text=True)
    assert "Fairs and stands" in client.get("/admin/", headers=EN).get_data(as_text=True)


def test_a_taken_stand_code_is_a_409_next_to_the_code(client, admin):
    fair = FairFactory()
    StandFactory(fair=fair, code="B-07")
    other = CooperativeFactory()
    login_as(client, admin)
    url = f"/admin/fairs/{fair.id}"
    token = csrf_from(client, url)

    response = client.post(
        f"{url}/stands", data={"cooperative_id": other.id, "code": "B-07", "csrf_token": token}
    )

    assert response.status_code == 409
    assert 'id="code-errors"' in response.get_data(as_text=True)
    assert stand_count() == 1


def test_bad_stand_form_is_a_422_and_writes_nothing(client, admin):
    fair = FairFactory()
    pending = CooperativeFactory(status="pending")
    login_as(client, admin)
    url = f"/admin/fairs/{fair.id}"
    token = csrf_from(client, url)

    not_offered = client.post(
        f"{url}/stands", data={"cooperative_id": pending.id, "code": "A-01", "csrf_token": token}
    )
    bad_code = client.post(
        f"{url}/stands",
        data={"cooperative_id": CooperativeFactory().id, "code": "A 01", "csrf_token": token},
    )

    assert not_offered.status_code == 422
    assert 'id="cooperative_id-errors"' in not_offered.get_data(as_text=True)
    assert bad_code.status_code == 422
    assert 'id="code-errors"' in bad_code.get_data(as_text=True)
    assert stand_count() == 0
