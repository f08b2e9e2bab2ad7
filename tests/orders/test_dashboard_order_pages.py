from __future__ import annotations

import re

import pytest
from support.factories import CooperativeFactory, MembershipFactory, login_as

from app.extensions import db
from app.ledger import codes
from app.ledger.queries import balance
from app.orders.models import CooperativeOrder


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match
    return match.group(1)


def status_of(part_id: int) -> str:
    db.session.expire_all()
    return db.session.get(CooperativeOrder, part_id).status


@pytest.fixture
def member_part(client, shop, shopper, product_with_owner):
    """(client logged in as the owner, the owner, the order's only part, its cooperative id)."""

    def make(**checkout):
        oil, owner = product_with_owner(price_cents=12000, stock=5)
        order = shop.checkout(shopper, {oil: 1}, **checkout)
        login_as(client, owner)
        return owner, order.parts[0], oil.cooperative_id

    return make


def part_url(cooperative_id: int, part_id: int) -> str:
    return f"/dashboard/{cooperative_id}/orders/{part_id}"


def test_members_see_their_parts_filtered_by_status(client, member_part):
    _owner, part, cooperative_id = member_part()

    listing = client.get(f"/dashboard/{cooperative_id}/orders").get_data(as_text=True)
    confirmed = client.get(f"/dashboard/{cooperative_id}/orders?status=confirmed")

    assert part.order.number in listing
    assert part.order.number not in confirmed.get_data(as_text=True)


def test_the_part_page_shows_the_delivery_contact_and_one_button_per_allowed_move(
    client, member_part
):
    _owner, part, cooperative_id = member_part()

    page = client.get(part_url(cooperative_id, part.id)).get_data(as_text=True)

    assert "Fatima Zahra" in page and "+212612345678" in page and "Beni Mellal" in page
    moves = set(re.findall(r"/move/(\w+)", page))
    assert moves == {"confirmed", "cancelled"}


def test_members_take_a_cash_parcel_to_the_door_and_record_the_cash(client, member_part):
    _owner, part, cooperative_id = member_part()
    url = part_url(cooperative_id, part.id)

    for to in ("confirmed", "shipped"):
        page = client.get(url).get_data(as_text=True)
        response = client.post(f"{url}/move/{to}", data={"csrf_token": csrf(page)})
        assert response.status_code == 302, to
    page = client.get(url).get_data(as_text=True)
    wrong = client.post(f"{url}/cash", data={"csrf_token": csrf(page), "amount": "100"})
    asked = client.post(f"{url}/cash", data={"csrf_token": csrf(page), "amount": "150,00"})
    assert asked.status_code == 200
    assert 'name="confirmed" value="yes"' in asked.get_data(as_text=True)
    assert balance(codes.cooperative_available(cooperative_id)) == 0
    right = client.post(
        f"{url}/cash", data={"csrf_token": csrf(page), "amount": "150,00", "confirmed": "yes"}
    )

    assert wrong.status_code == 422
    assert 'id="amount-errors"' in wrong.get_data(as_text=True)
    assert right.status_code == 302
    assert balance(codes.cooperative_available(cooperative_id)) == -960
    delivered = client.post(f"{url}/move/delivered", data={"csrf_token": csrf(page)})
    assert delivered.status_code == 302
    assert status_of(part.id) == "delivered"


def test_a_pickup_is_handed_over_with_the_shoppers_code(client, member_part):
    _owner, part, cooperative_id = member_part(default_delivery="coop_pickup")
    url = part_url(cooperative_id, part.id)
    page = client.get(url).get_data(as_text=True)
    token = csrf(page)
    for to in ("confirmed", "ready"):
        client.post(f"{url}/move/{to}", data={"csrf_token": token})
    page = client.get(url).get_data(as_text=True)
    assert 'name="delivered-pickup_code"' in page
    assert part.pickup_code not in page

    wrong = client.post(
        f"{url}/move/delivered", data={"csrf_token": token, "delivered-pickup_code": "999999x"}
    )
    right = client.post(
        f"{url}/move/delivered",
        data={"csrf_token": token, "delivered-pickup_code": part.pickup_code},
    )

    assert wrong.status_code == 422
    assert 'id="delivered-pickup_code-errors"' in wrong.get_data(as_text=True)
    assert right.status_code == 302
    assert status_of(part.id) == "delivered"


def test_cancelling_from_the_dashboard_needs_a_reason(client, member_part):
    _owner, part, cooperative_id = member_part()
    url = part_url(cooperative_id, part.id)
    token = csrf(client.get(url).get_data(as_text=True))

    missing = client.post(f"{url}/move/cancelled", data={"csrf_token": token})
    asked = client.post(
        f"{url}/move/cancelled", data={"csrf_token": token, "cancelled-note": "Plus de stock"}
    )
    unchanged = status_of(part.id)
    given = client.post(
        f"{url}/move/cancelled",
        data={"csrf_token": token, "cancelled-note": "Plus de stock", "confirmed": "yes"},
    )

    assert missing.status_code == 422
    assert asked.status_code == 200 and unchanged != "cancelled"
    assert 'value="Plus de stock"' in asked.get_data(as_text=True)
    assert given.status_code == 302
    assert status_of(part.id) == "cancelled"


def test_an_illegal_move_is_refused_with_409(client, member_part):
    _owner, part, cooperative_id = member_part()
    url = part_url(cooperative_id, part.id)
    token = csrf(client.get(url).get_data(as_text=True))
    response = client.post(f"{url}/move/delivered", data={"csrf_token": token})
    assert response.status_code == 409
    assert status_of(part.id) == "pending"


def test_members_of_another_cooperative_get_403(client, member_part):
    _owner, part, cooperative_id = member_part()
    stranger_coop = CooperativeFactory()
    login_as(client, MembershipFactory(cooperative=stranger_coop).user)

    assert client.get(f"/dashboard/{cooperative_id}/orders").status_code == 403
    assert client.get(part_url(cooperative_id, part.id)).status_code == 403
    # Through its own cooperative's address, another's part does not exist.
    assert client.get(part_url(stranger_coop.id, part.id)).status_code == 404


def test_card_parts_awaiting_payment_are_not_listed(client, shop, shopper, product_with_owner):
    oil, owner = product_with_owner()
    order = shop.checkout(shopper, {oil: 1}, payment="card")
    login_as(client, owner)
    page = client.get(f"/dashboard/{oil.cooperative_id}/orders").get_data(as_text=True)
    assert order.number not in page
