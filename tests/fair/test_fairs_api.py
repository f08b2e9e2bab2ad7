"""The fair part of the JSON API: editions, stands, and stands given by admins."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from support.factories import CooperativeFactory, FairFactory, StandFactory, UserFactory

from app.extensions import db
from app.fair.models import Stand

SUMMARY_KEYS = {"id", "slug", "name", "legal_form", "province", "commune", "verified"}


def stand_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Stand))


def test_fairs_list_every_edition_saying_which_is_open(client):
    today = date.today()
    open_one = FairFactory(edition=3, translations={"ar": {"name": "المعرض الثالث"}})
    FairFactory(
        edition=2,
        city="Beni Mellal",
        starts_on=today - timedelta(days=365),
        ends_on=today - timedelta(days=358),
    )

    body = client.get("/api/v1/fairs").get_json()
    arabic = client.get("/api/v1/fairs", headers={"Accept-Language": "ar"}).get_json()

    assert [(f["edition"], f["open_now"]) for f in body] == [(3, True), (2, False)]
    assert body[0] == {
        "id": open_one.id,
        "name": open_one.name,
        "edition": 3,
        "city": "Khenifra",
        "venue": "Place Al Massira Al Khadra",
        "starts_on": open_one.starts_on.isoformat(),
        "ends_on": open_one.ends_on.isoformat(),
        "open_now": True,
    }
    assert arabic[0]["name"] == "المعرض الثالث"


def test_stands_of_a_fair_name_code_and_cooperative_summary(client):
    fair = FairFactory()
    tighza = CooperativeFactory(name="Tighza")
    StandFactory(fair=fair, cooperative=tighza, code="B-07")
    StandFactory(fair=fair, code="A-01", cooperative=CooperativeFactory(status="suspended"))

    body = client.get(f"/api/v1/fairs/{fair.id}/stands").get_json()

    assert [stand["code"] for stand in body] == ["B-07"]
    assert set(body[0]) == {"code", "cooperative"}
    assert set(body[0]["cooperative"]) == SUMMARY_KEYS
    assert body[0]["cooperative"]["id"] == tighza.id


def test_stands_of_an_unknown_fair_is_a_json_404(client):
    response = client.get("/api/v1/fairs/999999/stands")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_admin_gives_a_stand_and_gets_201(client, api_token, admin):
    fair, cooperative = FairFactory(), CooperativeFactory()
    response = client.post(
        f"/api/v1/admin/fairs/{fair.id}/stands",
        json={"cooperative_id": cooperative.id, "code": "b-07"},
        headers=api_token(admin),
    )
    assert response.status_code == 201
    body = response.get_json()
    assert (body["fair_id"], body["code"], body["cooperative"]["id"]) == (
        fair.id,
        "B-07",
        cooperative.id,
    )


def test_duplicate_code_or_cooperative_at_a_fair_is_a_409(client, api_token, admin):
    fair = FairFactory()
    taken = StandFactory(fair=fair, code="B-07")
    url, headers = f"/api/v1/admin/fairs/{fair.id}/stands", api_token(admin)

    same_code = client.post(
        url, json={"cooperative_id": CooperativeFactory().id, "code": "B-07"}, headers=headers
    )
    same_cooperative = client.post(
        url, json={"cooperative_id": taken.cooperative_id, "code": "B-08"}, headers=headers
    )

    assert (same_code.status_code, same_cooperative.status_code) == (409, 409)
    assert "code" in same_code.get_json()["error"]["fields"]
    assert "cooperative_id" in same_cooperative.get_json()["error"]["fields"]
    assert stand_count() == 1


def test_stand_for_a_pending_cooperative_is_a_409(client, api_token, admin):
    fair, pending = FairFactory(), CooperativeFactory(status="pending")
    response = client.post(
        f"/api/v1/admin/fairs/{fair.id}/stands",
        json={"cooperative_id": pending.id, "code": "A-01"},
        headers=api_token(admin),
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "cooperative_not_verified"


def test_bad_stand_requests_are_4xx_and_write_nothing(client, api_token, admin):
    fair, cooperative = FairFactory(), CooperativeFactory()
    url, headers = f"/api/v1/admin/fairs/{fair.id}/stands", api_token(admin)
    cases = [
        ({"cooperative_id": 999999, "code": "A-01"}, 422, "cooperative_id"),
        ({"cooperative_id": cooperative.id}, 422, "code"),
        ({"cooperative_id": cooperative.id, "code": "A 01"}, 422, "code"),
        ({"cooperative_id": "abc", "code": "A-01"}, 422, "cooperative_id"),
        ({"cooperative_id": cooperative.id, "code": "A-01", "hall": 2}, 422, "hall"),
    ]
    for body, status, field in cases:
        response = client.post(url, json=body, headers=headers)
        assert response.status_code == status, body
        assert field in response.get_json()["error"]["fields"], body
    unknown_fair = client.post(
        "/api/v1/admin/fairs/999999/stands",
        json={"cooperative_id": cooperative.id, "code": "A-01"},
        headers=headers,
    )
    assert unknown_fair.status_code == 404
    assert stand_count() == 0


def test_giving_stands_is_for_admins_only(client, api_token):
    fair, cooperative = FairFactory(), CooperativeFactory()
    url, body = f"/api/v1/admin/fairs/{fair.id}/stands", {"cooperative_id": cooperative.id}
    assert client.post(url, json={**body, "code": "A-01"}).status_code == 401
    shopper = client.post(url, json={**body, "code": "A-01"}, headers=api_token(UserFactory()))
    assert shopper.status_code == 403
    assert stand_count() == 0


def test_openapi_document_describes_the_fair_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/api/v1/fairs"]
    assert "get" in paths["/api/v1/fairs/{fair_id}/stands"]
    assert "requestBody" in paths["/api/v1/admin/fairs/{fair_id}/stands"]["post"]


def test_stands_list_runs_the_same_queries_whatever_the_number_of_stands(client, count_queries):
    fair = FairFactory()
    StandFactory(fair=fair)
    with count_queries() as few:
        client.get(f"/api/v1/fairs/{fair.id}/stands")
    for _ in range(15):
        StandFactory(fair=fair)
    with count_queries() as many:
        client.get(f"/api/v1/fairs/{fair.id}/stands")
    assert len(many) == len(few)
