"""GET /api/v1/admin/reports/sales as API.md says: rows of {key, orders, gross, producer,
platform, solidarity}, money as Money objects; 422 for a bad grouping or dates; admins only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support.sales_data import BY_CATEGORY, BY_PROVINCE, TOTAL

from app.fair.queries import morocco_today

URL = "/api/v1/admin/reports/sales"


def money(cents: int) -> dict:
    return {"amount": cents, "currency": "MAD"}


def as_api(orders: int, amounts: tuple[int, int, int, int]) -> dict:
    gross, producer, platform, solidarity = amounts
    return {
        "orders": orders,
        "gross": money(gross),
        "producer": money(producer),
        "platform": money(platform),
        "solidarity": money(solidarity),
    }


def test_sales_by_province_give_each_province_and_the_total(client, api_token, sales_data):
    response = client.get(
        URL, query_string={"group_by": "province"}, headers=api_token(sales_data.admin)
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["group_by"] == "province"
    assert body["to"] == morocco_today().isoformat()
    assert body["from"] == (morocco_today() - timedelta(days=29)).isoformat()
    assert {row["key"]: {k: v for k, v in row.items() if k != "key"} for row in body["rows"]} == {
        key: as_api(*figures) for key, figures in BY_PROVINCE.items()
    }
    assert body["total"] == {"key": "total", **as_api(3, TOTAL)}
    assert set(body["rows"][0]) == {"key", "orders", "gross", "producer", "platform", "solidarity"}


def test_sales_by_category_and_by_cooperative(client, api_token, sales_data):
    headers = api_token(sales_data.admin)
    today = morocco_today().isoformat()
    by_category = client.get(
        URL, query_string={"group_by": "category", "from": today, "to": today}, headers=headers
    ).get_json()
    assert {row["key"]: row["gross"]["amount"] for row in by_category["rows"]} == {
        key: figures[1][0] for key, figures in BY_CATEGORY.items()
    }
    by_cooperative = client.get(URL, query_string={"group_by": "cooperative"}, headers=headers)
    assert [row["key"] for row in by_cooperative.get_json()["rows"]] == [
        "tighza",
        "amal",
        "zaytoun",
    ]


@pytest.mark.parametrize(
    "query, field",
    [
        ({"group_by": "weather"}, "group_by"),
        ({}, "group_by"),
        ({"group_by": "province", "from": "yesterday"}, "from"),
        ({"group_by": "province", "from": "2026-02-10", "to": "2026-02-01"}, "from"),
        ({"group_by": "province", "from": "2020-01-01", "to": "2026-01-01"}, "from"),
        ({"group_by": "province", "from": "0001-01-01"}, "from"),
        ({"group_by": "province", "to": "9999-12-31"}, "to"),
    ],
)
def test_bad_grouping_or_dates_are_a_422_naming_the_field(client, api_token, admin, query, field):
    response = client.get(URL, query_string=query, headers=api_token(admin))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]


def test_only_admins_read_the_sales(client, api_token, shopper):
    assert client.get(URL, query_string={"group_by": "province"}).status_code == 401
    response = client.get(URL, query_string={"group_by": "province"}, headers=api_token(shopper))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_the_openapi_document_describes_the_sales_report(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/admin/reports/sales"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"group_by", "from", "to"} <= names
    row = spec["components"]["schemas"]["SalesRow"]
    assert list(row["properties"]) == [
        "key",
        "orders",
        "gross",
        "producer",
        "platform",
        "solidarity",
    ]
