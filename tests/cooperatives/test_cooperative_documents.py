"""Cooperatives file their papers; admins verify on them with a checklist."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from support.factories import (
    CooperativeFactory,
    MembershipFactory,
    csrf_from,
    file_papers,
    login_as,
    valid_rib,
)

from app.cooperatives import services
from app.cooperatives.documents import rib_key_ok, sniff
from app.cooperatives.models import CooperativeDocument
from app.cooperatives.queries import documents_of
from app.core.errors import Forbidden, ValidationFailed
from app.extensions import db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_files_are_recognised_by_their_content_not_their_name():
    assert sniff(PDF) == ("pdf", "application/pdf")
    assert sniff(PNG) == ("png", "image/png")
    assert sniff(b"\xff\xd8\xff\xe0JFIF") == ("jpg", "image/jpeg")
    assert sniff(b"<html><script>alert(1)</script>") is None
    assert sniff(b"MZ\x90\x00") is None


def test_a_rib_key_is_checked():
    assert rib_key_ok(valid_rib(7))
    assert not rib_key_ok(valid_rib(7)[:-2] + "00")
    assert not rib_key_ok("123")


def test_an_owner_uploads_a_pdf_through_the_api_stored_outside_the_code_and_media(
    client, api_token, app
):
    cooperative = CooperativeFactory(status="pending")
    owner = MembershipFactory(cooperative=cooperative, role="owner").user
    headers = api_token(owner)

    response = client.post(
        f"/api/v1/cooperatives/{cooperative.id}/documents",
        data={"kind": "statutes", "file": (io.BytesIO(PDF), "statuts.pdf")},
        headers=headers,
        content_type="multipart/form-data",
    )

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["kind"], body["filename"]) == ("statutes", "statuts.pdf")
    document = db.session.get(CooperativeDocument, body["id"])
    stored = Path(app.config["DOCUMENTS_ROOT"]) / document.stored_path
    assert stored.read_bytes() == PDF
    root = Path(app.config["DOCUMENTS_ROOT"]).resolve()
    assert Path(app.config["MEDIA_ROOT"]).resolve() not in root.parents
    assert Path(app.root_path).resolve() not in root.parents
    listed = client.get(f"/api/v1/cooperatives/{cooperative.id}/documents", headers=headers)
    assert [item["kind"] for item in listed.get_json()["items"]] == ["statutes"]


def test_a_file_that_is_not_a_pdf_jpeg_or_png_is_refused_whatever_its_name(client, api_token):
    cooperative = CooperativeFactory(status="pending")
    owner = MembershipFactory(cooperative=cooperative, role="owner").user

    response = client.post(
        f"/api/v1/cooperatives/{cooperative.id}/documents",
        data={"kind": "statutes", "file": (io.BytesIO(b"<html>hi</html>"), "statuts.pdf")},
        headers=api_token(owner),
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert "file" in response.get_json()["error"]["fields"]


def test_a_file_over_10_mb_is_refused_and_nothing_is_stored(app):
    cooperative = CooperativeFactory(status="pending")
    owner = MembershipFactory(cooperative=cooperative, role="owner").user
    big = PDF + b"0" * (10 * 1024 * 1024)
    before = len(list(Path(app.config["DOCUMENTS_ROOT"]).rglob("*")))

    with pytest.raises(ValidationFailed) as refused:
        services.upload_document(cooperative, owner, "statutes", "statuts.pdf", big)

    assert "file" in refused.value.fields
    assert len(list(Path(app.config["DOCUMENTS_ROOT"]).rglob("*"))) == before


def test_only_owners_file_documents(app):
    cooperative = CooperativeFactory(status="pending")
    staff = MembershipFactory(cooperative=cooperative, role="staff").user

    with pytest.raises(Forbidden):
        services.upload_document(cooperative, staff, "statutes", "statuts.pdf", PDF)


def test_documents_are_private_to_their_owners_and_admins(client, api_token, admin):
    cooperative = CooperativeFactory(status="pending")
    owner = MembershipFactory(cooperative=cooperative, role="owner").user
    client.post(
        f"/api/v1/cooperatives/{cooperative.id}/documents",
        data={"kind": "statutes", "file": (io.BytesIO(PDF), "statuts.pdf")},
        headers=api_token(owner),
        content_type="multipart/form-data",
    )
    stranger = MembershipFactory(cooperative=CooperativeFactory(), role="owner").user
    document_id = client.get(
        f"/api/v1/cooperatives/{cooperative.id}/documents", headers=api_token(owner)
    ).get_json()["items"][0]["id"]

    listed = client.get(
        f"/api/v1/cooperatives/{cooperative.id}/documents", headers=api_token(stranger)
    )
    assert listed.status_code == 403
    login_as(client, stranger)
    assert client.get(f"/dashboard/{cooperative.id}/documents/{document_id}").status_code == 403
    login_as(client, admin)
    served = client.get(f"/admin/cooperatives/{cooperative.id}/documents/{document_id}")
    assert served.status_code == 200 and served.data == PDF
    assert "attachment" in served.headers["Content-Disposition"]
    login_as(client, owner)
    assert client.get(f"/dashboard/{cooperative.id}/documents/{document_id}").data == PDF


def test_an_owner_files_a_document_on_the_dashboard(client):
    cooperative = CooperativeFactory(status="pending")
    owner = MembershipFactory(cooperative=cooperative, role="owner").user
    login_as(client, owner)
    url = f"/dashboard/{cooperative.id}/documents"

    response = client.post(
        url,
        data={
            "csrf_token": csrf_from(client, url),
            "kind": "rib_certificate",
            "file": (io.BytesIO(PNG), "rib.png"),
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    assert "rib.png" in client.get(url).get_data(as_text=True)


def test_the_admin_api_shows_documents_and_the_checklist(client, api_token, admin):
    cooperative = CooperativeFactory(status="pending", ice=None)

    body = client.get(
        f"/api/v1/admin/cooperatives/{cooperative.id}", headers=api_token(admin)
    ).get_json()

    assert body["documents"] == []
    checks = {item["item"]: item for item in body["checklist"]}
    assert checks["ice"]["ok"] is False and checks["statutes"]["ok"] is False
    assert set(checks) >= {"registration_number", "ice", "statutes", "rib_certificate"}
    file_papers(cooperative)
    body = client.get(
        f"/api/v1/admin/cooperatives/{cooperative.id}", headers=api_token(admin)
    ).get_json()
    assert all(item["ok"] for item in body["checklist"]), body["checklist"]


def test_verifying_on_the_page_with_an_item_missing_asks_for_a_reason(client, admin):
    pending = CooperativeFactory(status="pending")
    login_as(client, admin)
    url = f"/admin/cooperatives/{pending.id}"
    page = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'data-item="statutes" data-ok="no"' in page

    token = csrf_from(client, url)
    refused = client.post(
        f"{url}/verify", data={"note": "", "csrf_token": token, "confirmed": "yes"}
    )
    assert refused.status_code == 422
    accepted = client.post(
        f"{url}/verify",
        data={
            "note": "",
            "reason": "Papers seen at the ODCo",
            "csrf_token": csrf_from(client, url),
            "confirmed": "yes",
        },
    )
    assert accepted.status_code == 302


def test_a_label_shows_as_certified_only_with_its_certificate_on_file(client, api_token):
    from support.factories import ProductFactory, ProductLabelFactory

    cooperative = CooperativeFactory()
    owner = MembershipFactory(cooperative=cooperative, role="owner").user
    product = ProductFactory(cooperative=cooperative, status="active")
    ProductLabelFactory(product=product, kind="IGP", certificate_number="IGP-MA-0042")
    english = {"Accept-Language": "en"}

    before = client.get(f"/products/{product.id}", headers=english).get_data(as_text=True)
    services.upload_document(cooperative, owner, "label_certificate", "igp.pdf", PDF)
    after = client.get(f"/products/{product.id}", headers=english).get_data(as_text=True)

    assert "badge certified" not in before
    assert "badge certified" in after


# Staff members: the papers (the RIB certificate among them) are for owners and admins only.


def _filed_by_owner(cooperative) -> tuple[object, int]:
    owner = MembershipFactory(cooperative=cooperative, role="owner").user
    document = services.upload_document(cooperative, owner, "rib_certificate", "rib.pdf", PDF)
    return owner, document.id


def test_staff_members_cannot_list_or_file_documents_through_the_api(client, api_token):
    cooperative = CooperativeFactory()
    _filed_by_owner(cooperative)
    staff = MembershipFactory(cooperative=cooperative, role="staff").user
    url = f"/api/v1/cooperatives/{cooperative.id}/documents"

    listed = client.get(url, headers=api_token(staff))
    filed = client.post(
        url,
        data={"kind": "statutes", "file": (io.BytesIO(PDF), "statuts.pdf")},
        headers=api_token(staff),
        content_type="multipart/form-data",
    )

    assert listed.status_code == 403
    assert "items" not in listed.get_json()
    assert filed.status_code == 403
    assert len(documents_of(cooperative.id)) == 1


def test_staff_members_cannot_open_list_or_file_documents_on_the_dashboard(client):
    cooperative = CooperativeFactory()
    _owner, document_id = _filed_by_owner(cooperative)
    staff = MembershipFactory(cooperative=cooperative, role="staff").user
    login_as(client, staff)
    url = f"/dashboard/{cooperative.id}/documents"

    token = csrf_from(client, f"/dashboard/{cooperative.id}/profile")  # a page staff may use

    page = client.get(url)
    download = client.get(f"{url}/{document_id}")
    filed = client.post(
        url,
        data={
            "csrf_token": token,
            "kind": "statutes",
            "file": (io.BytesIO(PDF), "statuts.pdf"),
        },
        content_type="multipart/form-data",
    )

    assert page.status_code == 403
    assert "rib.pdf" not in page.get_data(as_text=True)
    assert download.status_code == 403
    assert download.data != PDF
    assert filed.status_code == 403
    assert len(documents_of(cooperative.id)) == 1
    overview = client.get(f"/dashboard/{cooperative.id}/").get_data(as_text=True)
    assert url not in overview


def test_owners_and_admins_keep_reading_the_documents(client, api_token, admin):
    cooperative = CooperativeFactory()
    owner, document_id = _filed_by_owner(cooperative)
    url = f"/dashboard/{cooperative.id}/documents"

    for reader in (owner, admin):
        listed = client.get(
            f"/api/v1/cooperatives/{cooperative.id}/documents", headers=api_token(reader)
        )
        assert [item["kind"] for item in listed.get_json()["items"]] == ["rib_certificate"]
        login_as(client, reader)
        assert "rib.pdf" in client.get(url).get_data(as_text=True)
        assert client.get(f"{url}/{document_id}").data == PDF
