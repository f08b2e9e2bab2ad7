"""The cooperatives part of the JSON API (API.md): directory, applications, edits, admin."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from support.factories import (
    CooperativeFactory,
    FairFactory,
    MembershipFactory,
    ProductFactory,
    ProductLabelFactory,
    StandFactory,
    UserFactory,
    file_papers,
    login_as,
)

from app.cooperatives.models import Cooperative, CooperativeStatusEvent, Membership
from app.extensions import db

APPLICATION = {
    "name": "Coopérative Tighza",
    "legal_form": "cooperative",
    "registration_number": "2016/BM-112",
    "ice": "001234567000089",
    "province": "azilal",
    "commune": "Tabant",
    "phone": "0612345678",
    "email": "contact@tighza.example",
    "description": "Miel d'euphorbe.",
    "payout_method": "bank_transfer",
    "rib": "001810007800020110620221",
}
SUMMARY_KEYS = {"id", "slug", "name", "legal_form", "province", "commune", "verified"}
PUBLIC_KEYS = SUMMARY_KEYS | {"description", "labels", "stand"}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_provinces_are_the_five_of_the_region_in_the_readers_language(client):
    english = client.get("/api/v1/provinces", headers={"Accept-Language": "en"}).get_json()
    arabic = client.get("/api/v1/provinces", headers={"Accept-Language": "ar"}).get_json()

    assert [p["code"] for p in english] == [
        "azilal",
        "beni_mellal",
        "fquih_ben_salah",
        "khenifra",
        "khouribga",
    ]
    assert english[1] == {"code": "beni_mellal", "name": "Beni Mellal"}
    assert arabic[3] == {"code": "khenifra", "name": "خنيفرة"}


def test_directory_lists_verified_cooperatives_only_as_a_page_of_summaries(client):
    CooperativeFactory(name="Tighza")
    CooperativeFactory(name="Amal", status="pending")
    CooperativeFactory(name="Zitoun", status="suspended")

    body = client.get("/api/v1/cooperatives").get_json()

    assert (body["page"], body["per_page"], body["total"]) == (1, 24, 1)
    [item] = body["items"]
    assert set(item) == SUMMARY_KEYS
    assert (item["name"], item["verified"]) == ("Tighza", True)


def test_directory_filters_by_province_text_and_fair(client):
    tighza = CooperativeFactory(name="Tighza", province="azilal")
    CooperativeFactory(name="Zayane", province="khenifra")
    CooperativeFactory(name="Nour", province="khenifra")
    fair = FairFactory()
    StandFactory(fair=fair, cooperative=tighza)

    def listed(query: str) -> list[str]:
        return [c["name"] for c in client.get(f"/api/v1/cooperatives?{query}").get_json()["items"]]

    assert listed("province=khenifra") == ["Nour", "Zayane"]
    assert listed("q=zayane") == ["Zayane"]
    assert listed(f"fair={fair.id}") == ["Tighza"]
    assert listed("per_page=1&page=2") == ["Tighza"]


@pytest.mark.parametrize(
    "query", ["province=casablanca", "per_page=101", "page=0", "fair=abc", "q=" + "x" * 101]
)
def test_bad_directory_filters_are_a_422_naming_the_field(client, query):
    response = client.get(f"/api/v1/cooperatives?{query}")
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]


def test_cooperative_shows_labels_of_its_active_products_and_its_stand(client):
    cooperative = CooperativeFactory()
    ProductLabelFactory(product=ProductFactory(cooperative=cooperative), kind="IGP")
    honey = ProductFactory(cooperative=cooperative)
    ProductLabelFactory(product=honey, kind="organic")
    ProductLabelFactory(product=honey, kind="IGP", certificate_number=None).kind  # noqa: B018
    draft = ProductFactory(cooperative=cooperative, status="draft")
    ProductLabelFactory(product=draft, kind="AOP")
    stand = StandFactory(cooperative=cooperative, code="B-07")

    body = client.get(f"/api/v1/cooperatives/{cooperative.id}").get_json()

    assert set(body) == PUBLIC_KEYS
    assert body["labels"] == ["IGP", "organic"]
    assert body["stand"] == {"fair_id": stand.fair_id, "code": "B-07"}
    assert body["verified"] is True


def test_stand_is_null_when_no_fair_is_open_today(client):
    cooperative = CooperativeFactory()
    past = FairFactory(
        starts_on=date.today() - timedelta(days=30), ends_on=date.today() - timedelta(days=25)
    )
    StandFactory(fair=past, cooperative=cooperative)
    assert client.get(f"/api/v1/cooperatives/{cooperative.id}").get_json()["stand"] is None


def test_names_come_in_the_readers_language_when_translated(client):
    cooperative = CooperativeFactory(
        name="Coopérative Tighza", translations={"ar": {"name": "تعاونية تيغزا"}}
    )
    arabic = client.get(
        f"/api/v1/cooperatives/{cooperative.id}", headers={"Accept-Language": "ar"}
    ).get_json()
    french = client.get(
        f"/api/v1/cooperatives/{cooperative.id}", headers={"Accept-Language": "fr"}
    ).get_json()
    assert (arabic["name"], french["name"]) == ("تعاونية تيغزا", "Coopérative Tighza")


def test_pending_cooperative_is_hidden_except_from_its_members_and_admins(client, api_token, admin):
    pending = CooperativeFactory(status="pending")
    member = MembershipFactory(cooperative=pending).user
    url = f"/api/v1/cooperatives/{pending.id}"

    assert client.get(url).status_code == 404
    assert client.get(url, headers=api_token(UserFactory())).status_code == 404
    as_member = client.get(url, headers=api_token(member)).get_json()
    as_admin = client.get(url, headers=api_token(admin)).get_json()
    assert (as_member["status"], as_member["verified"]) == ("pending", False)
    assert as_admin["rib"] == pending.rib


def test_unknown_cooperative_is_a_json_404(client):
    response = client.get("/api/v1/cooperatives/999999")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_application_makes_the_caller_owner_of_a_pending_cooperative(client, api_token, shopper):
    response = client.post("/api/v1/cooperatives", json=APPLICATION, headers=api_token(shopper))

    assert response.status_code == 201
    body = response.get_json()
    assert (body["status"], body["verified"], body["stand"]) == ("pending", False, None)
    assert body["phone"] == "+212612345678"
    assert set(body) >= PUBLIC_KEYS
    membership = db.session.scalar(select(Membership).where(Membership.user_id == shopper.id))
    assert (membership.cooperative_id, membership.role) == (body["id"], "owner")


def test_anonymous_application_is_a_401(client):
    response = client.post("/api/v1/cooperatives", json=APPLICATION)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert count(Cooperative) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rib", "001810007800020110620222"),
        ("rib", "12345"),
        ("phone", "0812345678"),
        ("ice", "12345"),
        ("province", "casablanca"),
        ("legal_form", "company"),
        ("registration_number", "12 34"),
        ("email", "not-an-email"),
        ("name", ""),
        ("payout_method", "cash"),
        ("onssa_number", "A" * 41),
    ],
)
def test_bad_application_is_a_422_naming_the_field_and_writes_nothing(
    client, api_token, shopper, field, value
):
    headers = api_token(shopper)
    response = client.post(
        "/api/v1/cooperatives", json={**APPLICATION, field: value}, headers=headers
    )

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]
    assert (count(Cooperative), count(Membership)) == (0, 0)


def test_bank_transfer_application_without_rib_is_a_422_on_rib(client, api_token, shopper):
    body = {key: value for key, value in APPLICATION.items() if key != "rib"}
    response = client.post("/api/v1/cooperatives", json=body, headers=api_token(shopper))
    assert response.status_code == 422
    assert "rib" in response.get_json()["error"]["fields"]
    assert count(Cooperative) == 0


def test_missing_or_unknown_fields_and_malformed_json_are_client_errors(client, api_token, shopper):
    headers = api_token(shopper)
    missing = client.post("/api/v1/cooperatives", json={"name": "Tighza"}, headers=headers)
    unknown = client.post(
        "/api/v1/cooperatives", json={**APPLICATION, "status": "verified"}, headers=headers
    )
    malformed = client.post(
        "/api/v1/cooperatives",
        data="{not json",
        headers={**headers, "Content-Type": "application/json"},
    )
    assert missing.status_code == 422
    assert {"legal_form", "phone", "email"} <= set(missing.get_json()["error"]["fields"])
    assert unknown.status_code == 422
    assert "status" in unknown.get_json()["error"]["fields"]
    assert malformed.status_code == 400
    assert malformed.is_json
    assert count(Cooperative) == 0


def test_cookie_session_application_needs_the_csrf_token(client, shopper):
    login_as(client, shopper)
    response = client.post("/api/v1/cooperatives", json=APPLICATION)
    assert response.status_code == 400
    assert response.is_json
    assert count(Cooperative) == 0


def test_member_patches_their_cooperative_and_sees_private_fields(
    client, api_token, cooperative, owner
):
    response = client.patch(
        f"/api/v1/cooperatives/{cooperative.id}",
        json={"description": "Huile d'olive de Tabant", "phone": "+212 523 45 67 89"},
        headers=api_token(owner),
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["description"], body["phone"]) == ("Huile d'olive de Tabant", "+212523456789")
    assert (body["status"], body["rib"]) == ("verified", cooperative.rib)


def test_member_of_another_cooperative_cannot_patch_it(client, api_token, cooperative):
    stranger = MembershipFactory().user
    response = client.patch(
        f"/api/v1/cooperatives/{cooperative.id}",
        json={"description": "Hijacked"},
        headers=api_token(stranger),
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    db.session.refresh(cooperative)
    assert cooperative.description != "Hijacked"


def test_patch_needs_credentials_and_an_existing_cooperative(client, api_token, shopper):
    assert client.patch("/api/v1/cooperatives/1", json={"name": "X"}).status_code == 401
    response = client.patch(
        "/api/v1/cooperatives/999999", json={"name": "Xyz"}, headers=api_token(shopper)
    )
    assert response.status_code == 404


def test_staff_cannot_change_the_rib(client, api_token, cooperative):
    staff = MembershipFactory(cooperative=cooperative, role="staff").user
    response = client.patch(
        f"/api/v1/cooperatives/{cooperative.id}",
        json={"rib": "001810007800020110620221"},
        headers=api_token(staff),
    )
    assert response.status_code == 403


def test_bad_patch_is_a_422_and_changes_nothing(client, api_token, cooperative, owner):
    response = client.patch(
        f"/api/v1/cooperatives/{cooperative.id}",
        json={"description": "Changed", "phone": "12345"},
        headers=api_token(owner),
    )
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["phone"]
    db.session.refresh(cooperative)
    assert cooperative.description != "Changed"


def test_patching_the_legal_identity_sends_it_back_to_verification(
    client, api_token, cooperative, owner
):
    response = client.patch(
        f"/api/v1/cooperatives/{cooperative.id}",
        json={"ice": "001234567000089"},
        headers=api_token(owner),
    )
    assert response.get_json()["status"] == "pending"
    assert client.get(f"/api/v1/cooperatives/{cooperative.id}").status_code == 404


def test_admin_endpoints_are_401_anonymous_and_403_for_shoppers(client, api_token, cooperative):
    shopper_headers = api_token(UserFactory())
    calls = [
        ("get", "/api/v1/admin/cooperatives", None),
        ("post", f"/api/v1/admin/cooperatives/{cooperative.id}/verify", {"note": "ok"}),
        ("post", f"/api/v1/admin/cooperatives/{cooperative.id}/suspend", {"note": "no"}),
    ]
    for method, url, body in calls:
        anonymous = getattr(client, method)(url, json=body)
        shopper = getattr(client, method)(url, json=body, headers=shopper_headers)
        assert anonymous.status_code == 401, url
        assert shopper.status_code == 403, url
    assert cooperative.status == "verified"
    assert count(CooperativeStatusEvent) == 0


def test_admin_lists_cooperatives_by_status_with_their_papers(client, api_token, admin):
    CooperativeFactory(name="Tighza")
    CooperativeFactory(name="Amal", status="pending")
    headers = api_token(admin)

    everyone = client.get("/api/v1/admin/cooperatives", headers=headers).get_json()
    pending = client.get("/api/v1/admin/cooperatives?status=pending", headers=headers).get_json()
    bad = client.get("/api/v1/admin/cooperatives?status=lost", headers=headers)

    assert everyone["total"] == 2
    assert [(c["name"], c["status"]) for c in pending["items"]] == [("Amal", "pending")]
    assert {"registration_number", "ice", "rib", "phone", "email"} <= set(pending["items"][0])
    assert bad.status_code == 422


def test_admin_verifies_then_suspends_and_each_move_is_recorded(client, api_token, admin):
    pending = file_papers(CooperativeFactory(status="pending"))
    headers = api_token(admin)
    base = f"/api/v1/admin/cooperatives/{pending.id}"

    verified = client.post(f"{base}/verify", json={"note": "Papiers vus"}, headers=headers)
    again = client.post(f"{base}/verify", json={}, headers=headers)
    no_reason = client.post(f"{base}/suspend", json={}, headers=headers)
    suspended = client.post(f"{base}/suspend", json={"note": "Fraude"}, headers=headers)

    assert verified.status_code == 200
    assert (verified.get_json()["status"], verified.get_json()["verified"]) == ("verified", True)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "illegal_transition"
    assert no_reason.status_code == 422
    assert "note" in no_reason.get_json()["error"]["fields"]
    assert suspended.get_json()["status"] == "suspended"
    events = db.session.scalars(
        select(CooperativeStatusEvent).order_by(CooperativeStatusEvent.id)
    ).all()
    assert [(e.to_status, e.note, e.actor_id) for e in events] == [
        ("verified", "Papiers vus", admin.id),
        ("suspended", "Fraude", admin.id),
    ]


def test_verify_unknown_cooperative_is_a_404(client, api_token, admin):
    response = client.post(
        "/api/v1/admin/cooperatives/999999/verify", json={}, headers=api_token(admin)
    )
    assert response.status_code == 404


def test_openapi_document_describes_the_cooperative_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/provinces",
        "/api/v1/cooperatives",
        "/api/v1/cooperatives/{cooperative_id}",
        "/api/v1/admin/cooperatives",
        "/api/v1/admin/cooperatives/{cooperative_id}/verify",
        "/api/v1/admin/cooperatives/{cooperative_id}/suspend",
    ):
        assert path in paths, path
    assert {"get", "patch"} <= set(paths["/api/v1/cooperatives/{cooperative_id}"])
    assert "requestBody" in paths["/api/v1/cooperatives"]["post"]
