from __future__ import annotations

import pytest
from support.factories import CooperativeFactory, MembershipFactory, ProductFactory, UserFactory

from app.ledger import codes
from app.ledger.queries import balance, trial_balance


@pytest.fixture
def placed(shop, shopper, product_with_owner, api_token):
    """A cash-on-delivery order of one home-delivered part, and its cooperative owner's token."""
    oil, owner = product_with_owner(price_cents=12000, stock=5)
    order = shop.checkout(shopper, {oil: 1})
    return order, order.parts[0], api_token(owner), oil


def move(client, part_id, headers, **body):
    return client.post(f"/api/v1/order-parts/{part_id}/transition", json=body, headers=headers)


def test_members_list_their_parts_with_the_shoppers_contact(client, placed):
    order, part, headers, oil = placed

    response = client.get(f"/api/v1/cooperatives/{oil.cooperative_id}/orders", headers=headers)

    assert response.status_code == 200
    page = response.get_json()
    assert page["total"] == 1
    item = page["items"][0]
    assert item["id"] == part.id and item["order_number"] == order.number
    assert item["shopper"] == {
        "name": "Fatima Zahra",
        "phone": "+212612345678",
        "address": {
            "line1": "12, rue Al Qods, Hay Salam",
            "city": "Beni Mellal",
            "postal_code": "23000",
        },
    }
    assert item["total"] == {"amount": 15000, "currency": "MAD"}
    assert item["allowed_transitions"] == ["confirmed", "cancelled"]
    assert "pickup_code" not in item


def test_the_list_filters_by_status(client, placed):
    _order, part, headers, oil = placed
    move(client, part.id, headers, to="confirmed")
    url = f"/api/v1/cooperatives/{oil.cooperative_id}/orders"

    assert client.get(f"{url}?status=confirmed", headers=headers).get_json()["total"] == 1
    assert client.get(f"{url}?status=pending", headers=headers).get_json()["total"] == 0
    bad = client.get(f"{url}?status=teleported", headers=headers)
    assert bad.status_code == 422


def test_pickup_codes_are_never_shown_to_the_cooperative(client, shop, shopper, api_token):
    oil = ProductFactory()
    headers = api_token(MembershipFactory(cooperative=oil.cooperative).user)
    order = shop.checkout(shopper, {oil: 1}, default_delivery="coop_pickup")

    page = client.get(f"/api/v1/cooperatives/{oil.cooperative_id}/orders", headers=headers)

    assert order.parts[0].pickup_code not in page.get_data(as_text=True)


def test_another_cooperative_gets_403_on_parts_it_does_not_own(client, placed, api_token):
    _order, part, _headers, oil = placed
    stranger = api_token(MembershipFactory(cooperative=CooperativeFactory()).user)
    shopper_token = api_token(UserFactory())

    for headers in (stranger, shopper_token):
        listed = client.get(f"/api/v1/cooperatives/{oil.cooperative_id}/orders", headers=headers)
        moved = move(client, part.id, headers, to="confirmed")
        cash = client.post(
            f"/api/v1/order-parts/{part.id}/cash-collected", json={"amount": 1}, headers=headers
        )
        assert (listed.status_code, moved.status_code, cash.status_code) == (403, 403, 403)
    assert client.get(f"/api/v1/cooperatives/{oil.cooperative_id}/orders").status_code == 401


def test_an_unknown_part_is_a_404(client, placed):
    _order, _part, headers, _oil = placed
    for part_id in (999_999, 2**40):
        assert move(client, part_id, headers, to="confirmed").status_code == 404


def test_an_illegal_move_is_a_409_with_a_clear_message(client, placed):
    _order, part, headers, _oil = placed
    response = move(client, part.id, headers, to="delivered")
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "illegal_transition"
    assert "“Waiting for the cooperative” to “Delivered”" in error["message"]


def test_a_move_to_an_unknown_status_is_a_422(client, placed):
    _order, part, headers, _oil = placed
    assert move(client, part.id, headers, to="pending").status_code == 422
    assert move(client, part.id, headers, to="lost").status_code == 422


def test_cancelling_needs_a_reason(client, placed):
    _order, part, headers, _oil = placed
    response = move(client, part.id, headers, to="cancelled")
    assert response.status_code == 422
    assert "note" in response.get_json()["error"]["fields"]
    ok = move(client, part.id, headers, to="cancelled", note="Récolte perdue")
    assert ok.status_code == 200 and ok.get_json()["status"] == "cancelled"


def test_handing_over_a_pickup_needs_the_shoppers_code(client, shop, shopper, api_token):
    oil = ProductFactory()
    headers = api_token(MembershipFactory(cooperative=oil.cooperative).user)
    order = shop.checkout(shopper, {oil: 1}, default_delivery="coop_pickup")
    part = order.parts[0]
    move(client, part.id, headers, to="confirmed")
    move(client, part.id, headers, to="ready")

    wrong = move(client, part.id, headers, to="delivered", pickup_code="not-it")
    right = move(client, part.id, headers, to="delivered", pickup_code=part.pickup_code)

    assert wrong.status_code == 422
    assert wrong.get_json()["error"]["code"] == "wrong_pickup_code"
    assert right.status_code == 200 and right.get_json()["status"] == "delivered"


def test_cash_collected_by_api_posts_once_and_keeps_the_ledger_balanced(client, placed):
    _order, part, headers, oil = placed
    move(client, part.id, headers, to="confirmed")
    move(client, part.id, headers, to="shipped")
    url = f"/api/v1/order-parts/{part.id}/cash-collected"

    wrong = client.post(url, json={"amount": 12000}, headers=headers)
    as_text = client.post(url, json={"amount": "15000"}, headers=headers)
    first = client.post(url, json={"amount": 15000}, headers=headers)
    again = client.post(url, json={"amount": 15000}, headers=headers)

    assert wrong.status_code == 422 and wrong.get_json()["error"]["code"] == "wrong_amount"
    assert as_text.status_code == 422
    assert first.status_code == again.status_code == 200
    assert first.get_json()["cash_collected"] == {"amount": 15000, "currency": "MAD"}
    assert balance(codes.cooperative_available(oil.cooperative_id)) == -960
    assert trial_balance().total_cents == 0
