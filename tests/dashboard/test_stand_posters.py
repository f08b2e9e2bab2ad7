"""Stand posters: A4 and A5, Arabic and French, a QR code to the shop page whose scans count."""

from __future__ import annotations

import io

from pypdf import PdfReader
from reports.pdf_runs import drawn_runs
from support.factories import (
    CooperativeFactory,
    FairFactory,
    MembershipFactory,
    StandFactory,
    login_as,
)

from app.extensions import db


def test_a_member_prints_its_poster_in_each_size_and_language(client):
    cooperative = CooperativeFactory(name="Tighza", commune="Mrirt", province="khenifra")
    owner = MembershipFactory(cooperative=cooperative, role="owner").user
    login_as(client, owner)

    for size, width in (("a4", 595), ("a5", 420)):
        for language in ("ar", "fr"):
            response = client.get(f"/dashboard/{cooperative.id}/poster-{size}-{language}.pdf")
            assert response.status_code == 200, (size, language)
            page = PdfReader(io.BytesIO(response.data)).pages[0]
            assert round(float(page.mediabox.width)) == width
            text = " ".join(drawn_runs(page))
            assert f"/cooperatives/{cooperative.slug}?src=poster" in text
            if language == "ar":
                assert "تريرم" in text  # مريرت, the commune in Arabic, drawn from the left
            else:
                assert "Mrirt" in text
    assert client.get(f"/dashboard/{cooperative.id}/poster-a3-fr.pdf").status_code == 404


def test_visits_from_the_poster_are_counted_and_shown_on_the_dashboard(client):
    cooperative = CooperativeFactory()
    owner = MembershipFactory(cooperative=cooperative, role="owner").user

    client.get(f"/cooperatives/{cooperative.slug}?src=poster")
    client.get(f"/cooperatives/{cooperative.slug}?src=poster")
    client.get(f"/cooperatives/{cooperative.slug}")

    db.session.refresh(cooperative)
    assert cooperative.poster_scans == 2
    login_as(client, owner)
    page = client.get(f"/dashboard/{cooperative.id}/", headers={"Accept-Language": "en"})
    assert "Visits from the poster's QR code: 2" in page.get_data(as_text=True)


def test_an_admin_prints_every_poster_of_a_fair_in_one_pdf(client, admin):
    fair = FairFactory()
    for code in ("A-01", "A-02", "B-07"):
        StandFactory(fair=fair, code=code)
    login_as(client, admin)

    response = client.get(f"/admin/fairs/{fair.id}/posters-a4-fr.pdf")

    assert response.status_code == 200
    assert len(PdfReader(io.BytesIO(response.data)).pages) == 3
