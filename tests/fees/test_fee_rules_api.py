"""GET/POST /api/v1/admin/fee-rules and POST /api/v1/admin/fee-rules/{id}/end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.core.db import utcnow
from app.fees import services

URL = "/api/v1/admin/fee-rules"


def body(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Fair-trade fee",
        "scope": "default",
        "scope_value": None,
        "commission_bps": 800,
        "solidarity_bps": 100,
        "min_fee_cents": 100,
        "max_fee_cents": 15000,
        "producer_floor_bps": 8500,
        "valid_from": "2030-01-01T00:00:00+01:00",
        "valid_to": None,
        "priority": 0,
    }
    data.update(overrides)
    return data


def test_an_admin_adds_a_rule_and_gets_it_back(client, admin, api_token):
    response = client.post(URL, json=body(), headers=api_token(admin))

    assert response.status_code == 201, response.get_json()
    rule = response.get_json()
    assert rule["id"] > 0
    assert rule["commission_bps"] == 800
    assert rule["max_fee_cents"] == 15000
    assert rule["valid_from"] == "2029-12-31T23:00:00+00:00"
    assert rule["valid_to"] is None
    assert rule["status"] == "future"
    assert rule["created_by_id"] == admin.id


def test_solidarity_above_the_commission_is_a_422_naming_the_field(client, admin, api_token):
    response = client.post(
        URL, json=body(commission_bps=100, solidarity_bps=200), headers=api_token(admin)
    )

    assert response.status_code == 422
    assert "solidarity_bps" in response.get_json()["error"]["fields"]


def test_a_floor_above_10000_is_a_422_naming_the_field(client, admin, api_token):
    response = client.post(URL, json=body(producer_floor_bps=12000), headers=api_token(admin))

    assert response.status_code == 422
    assert "producer_floor_bps" in response.get_json()["error"]["fields"]


def test_an_overlapping_rule_is_a_422(client, admin, api_token):
    client.post(URL, json=body(), headers=api_token(admin))

    response = client.post(URL, json=body(name="Another"), headers=api_token(admin))

    assert response.status_code == 422
    assert "valid_from" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"commission_bps": "8%"}, "commission_bps"),
        ({"commission_bps": 8.5}, "commission_bps"),
        ({"valid_from": "2030-01-01T00:00:00"}, "valid_from"),
        ({"scope": "planet"}, "scope"),
        ({"colour": "green"}, "colour"),
    ],
)
def test_malformed_bodies_are_a_422_not_a_500(client, admin, api_token, overrides, field):
    response = client.post(URL, json=body(**overrides), headers=api_token(admin))

    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_the_list_is_paginated_and_filters_by_status(client, admin, api_token):
    now = utcnow()
    services.add_rule(None, {"name": "Now", "scope": "default", "commission_bps": 800})
    services.add_rule(
        None,
        {
            "name": "Later",
            "scope": "default",
            "commission_bps": 700,
            "priority": 1,
            "valid_from": now + timedelta(days=30),
        },
    )

    everything = client.get(URL, headers=api_token(admin)).get_json()
    future = client.get(f"{URL}?status=future", headers=api_token(admin)).get_json()

    assert (everything["total"], everything["page"], everything["per_page"]) == (2, 1, 24)
    assert [rule["name"] for rule in everything["items"]] == ["Later", "Now"]
    assert [rule["name"] for rule in future["items"]] == ["Later"]


def test_ending_a_rule_returns_it_with_its_end(client, admin, api_token):
    rule = services.add_rule(None, {"name": "Now", "scope": "default", "commission_bps": 800})
    end = (utcnow() + timedelta(days=1)).replace(microsecond=0)

    response = client.post(
        f"{URL}/{rule.id}/end", json={"valid_to": end.isoformat()}, headers=api_token(admin)
    )

    assert response.status_code == 200, response.get_json()
    assert datetime.fromisoformat(response.get_json()["valid_to"]) == end
    assert response.get_json()["ended_by_id"] == admin.id


def test_ending_a_rule_already_ended_before_that_is_a_409(client, admin, api_token):
    rule = services.add_rule(
        None,
        {
            "name": "Short",
            "scope": "default",
            "commission_bps": 800,
            "valid_to": utcnow() + timedelta(hours=1),
        },
    )
    later = (utcnow() + timedelta(days=1)).isoformat()

    response = client.post(
        f"{URL}/{rule.id}/end", json={"valid_to": later}, headers=api_token(admin)
    )

    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "rule_already_ended"


def test_ending_an_unknown_rule_is_a_404(client, admin, api_token):
    response = client.post(
        f"{URL}/999999/end",
        json={"valid_to": datetime(2031, 1, 1, tzinfo=UTC).isoformat()},
        headers=api_token(admin),
    )

    assert response.status_code == 404


def test_fee_rules_are_for_admins_only(client, shopper, api_token):
    rule = services.add_rule(None, {"name": "Now", "scope": "default", "commission_bps": 800})
    end = {"valid_to": (utcnow() + timedelta(days=1)).isoformat()}

    assert client.get(URL).status_code == 401
    assert client.post(URL, json=body()).status_code == 401
    assert client.post(f"{URL}/{rule.id}/end", json=end).status_code == 401
    assert client.get(URL, headers=api_token(shopper)).status_code == 403
    assert client.post(URL, json=body(), headers=api_token(shopper)).status_code == 403
    assert (
        client.post(f"{URL}/{rule.id}/end", json=end, headers=api_token(shopper)).status_code == 403
    )


def test_the_openapi_document_describes_the_fee_rule_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()

    assert {"get", "post"} <= set(spec["paths"]["/api/v1/admin/fee-rules"])
    assert "post" in spec["paths"]["/api/v1/admin/fee-rules/{rule_id}/end"]
    assert "FeeRuleCreate" in spec["components"]["schemas"]
