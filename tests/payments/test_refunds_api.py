"""POST /api/v1/admin/orders/{number}/refunds, and refunds in the shopper's order JSON."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from support.factories import ProductFactory, UserFactory

from app.extensions import db
from app.payments.models import Refund


def refund_count() -> int:
    return db.session.scalar(select(func.count(Refund.id)))


@pytest.fixture
def paid(shop, shopper):
    order = shop.paid_order(shopper, {ProductFactory(price_cents=12000, stock=9): 3})
    db.session.commit()
    return order


def url(order) -> str:
    return f"/api/v1/admin/orders/{order.number}/refunds"


def test_an_admin_refunds_lines_and_gets_201_with_the_refund(client, paid, admin, api_token):
    line = paid.parts[0].lines[0]
    response = client.post(
        url(paid),
        json={
            "lines": [{"line_id": line.id, "quantity": 1}],
            "reason": "Bouteille cassée",
            "funded_by": "cooperative",
        },
        headers=api_token(admin),
    )

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["amount"] == {"amount": 12000, "currency": "MAD"}
    assert body["funded_by"] == "cooperative" and body["method"] == "stripe"
    assert body["order_number"] == paid.number and body["part_id"] == paid.parts[0].id
    assert body["lines"] == [{"line_id": line.id, "quantity": 1, "restock": True}]
    taken = body["taken_back"]
    assert sum(share["amount"] for share in taken.values()) == 12000
    assert body["created_at"].endswith("+00:00")


def test_an_amount_refund_shows_in_the_shoppers_order(client, paid, admin, shopper, api_token):
    answer = client.post(
        url(paid),
        json={
            "part_id": paid.parts[0].id,
            "amount": 2500,
            "reason": "Retard",
            "funded_by": "platform",
        },
        headers=api_token(admin),
    )
    assert answer.status_code == 201

    order = client.get(f"/api/v1/orders/{paid.number}", headers=api_token(shopper)).get_json()
    assert order["refunds"] == [
        {
            "amount": {"amount": 2500, "currency": "MAD"},
            "created_at": answer.get_json()["created_at"],
        }
    ]
    listed = client.get("/api/v1/orders", headers=api_token(shopper)).get_json()
    assert listed["items"][0]["refunds"] == order["refunds"]


def test_beyond_what_was_paid_is_a_409(client, paid, admin, api_token):
    response = client.post(
        url(paid),
        json={
            "part_id": paid.parts[0].id,
            "amount": paid.total_cents + 1,
            "reason": "Trop",
            "funded_by": "cooperative",
        },
        headers=api_token(admin),
    )

    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "refund_exceeds_paid"
    assert refund_count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {"reason": "x", "funded_by": "cooperative"},
        {"lines": [], "reason": "x", "funded_by": "cooperative"},
        {"part_id": 1, "reason": "x", "funded_by": "cooperative"},
        {
            "lines": [{"line_id": 1, "quantity": 1}],
            "part_id": 1,
            "amount": 5,
            "reason": "x",
            "funded_by": "cooperative",
        },
        {"part_id": 1, "amount": 0, "reason": "x", "funded_by": "cooperative"},
        {"part_id": 1, "amount": "12.50", "reason": "x", "funded_by": "cooperative"},
        {"part_id": 1, "amount": 100, "reason": "", "funded_by": "cooperative"},
        {"part_id": 1, "amount": 100, "reason": "x", "funded_by": "shopper"},
        {"lines": [{"line_id": 1, "quantity": 0}], "reason": "x", "funded_by": "platform"},
        {"part_id": 1, "amount": 100, "reason": "x", "funded_by": "platform", "price": 1},
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, paid, admin, api_token, body):
    response = client.post(url(paid), json=body, headers=api_token(admin))

    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["fields"]
    assert refund_count() == 0


def test_a_part_or_line_of_another_order_is_a_422(client, paid, admin, api_token):
    response = client.post(
        url(paid),
        json={"part_id": 2**31 - 1, "amount": 100, "reason": "x", "funded_by": "platform"},
        headers=api_token(admin),
    )
    assert response.status_code == 422
    assert "part_id" in response.get_json()["error"]["fields"]


def test_only_admins_may_refund(client, paid, shopper, api_token):
    body = {"part_id": paid.parts[0].id, "amount": 100, "reason": "x", "funded_by": "platform"}
    owner = UserFactory()

    anonymous = client.post(url(paid), json=body)
    as_shopper = client.post(url(paid), json=body, headers=api_token(shopper))
    as_other = client.post(url(paid), json=body, headers=api_token(owner))

    assert anonymous.status_code == 401
    assert as_shopper.status_code == as_other.status_code == 403
    assert as_shopper.get_json()["error"]["code"] == "forbidden"
    assert refund_count() == 0


def test_an_unknown_order_is_a_404(client, admin, api_token):
    response = client.post(
        "/api/v1/admin/orders/ST-ZZZZZZ/refunds",
        json={"part_id": 1, "amount": 100, "reason": "x", "funded_by": "platform"},
        headers=api_token(admin),
    )
    assert response.status_code == 404


def test_the_openapi_document_describes_the_refund_endpoint(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/admin/orders/{number}/refunds"]["post"]
    assert {"201", "409", "422"} <= set(operation["responses"])
    checkout = spec["paths"]["/api/v1/checkout"]["post"]["responses"]["201"]
    assert "CheckoutOrder" in str(checkout)
