"""A guest's orders join the account that verifies the phone they were placed with (the same
takeover as by e-mail): only once the phone is verified, only guest orders, never another
account's, each recorded as an event of the order."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from support.factories import (
    CooperativeFactory,
    ProductFactory,
    UserFactory,
    add_to_cart,
    login_as,
)
from support.pages import checkout_form, hidden

from app.accounts import phones, services
from app.accounts.errors import WrongPhoneCode
from app.accounts.models import User
from app.cart.carts import ShopperCart
from app.cart.services import set_cart_quantity
from app.extensions import db
from app.orders.models import Order, OrderEvent

PHONE = "+212612345678"


@pytest.fixture
def oil(fee_rules):
    return ProductFactory(
        cooperative=CooperativeFactory(shipping_fee_cents=3500), price_cents=4500, stock=10
    )


@pytest.fixture
def code_drawn(monkeypatch):
    """Every code texted is 123456."""
    monkeypatch.setattr(phones, "new_code", lambda: "123456")
    return "123456"


def checkout(client, product, phone: str) -> Order:
    """Place a cash-on-delivery order from ``client`` (a guest, or logged in) with ``phone``."""
    response = client.post(
        "/checkout",
        data={
            **checkout_form(client),
            "name": "Fatima Zahra",
            "phone": phone,
            "city": "Khouribga",
            "line1": "12, rue Al Qods",
            "payment_method": "cash_on_delivery",
            f"delivery_{product.cooperative_id}": "home_delivery",
        },
    )
    assert response.status_code == 302, response.text
    return db.session.scalars(select(Order).order_by(Order.id.desc()).limit(1)).one()


def guest_order(app, product, phone: str) -> Order:
    guest = app.test_client()
    add_to_cart(guest, product)
    return checkout(guest, product, phone)


def owners(*orders: Order) -> list[int | None]:
    return [db.session.get(Order, order.id, populate_existing=True).shopper_id for order in orders]


def test_guest_orders_with_the_phone_join_the_account_once_it_is_verified_not_before(
    app, client, oil, code_drawn
):
    first = guest_order(app, oil, "06 12 34 56 78")
    second = guest_order(app, oil, "+212 6 12 34 56 78")
    stranger = guest_order(app, oil, "0661234567")
    account = UserFactory(phone=PHONE, phone_verified_at=None)

    services.send_phone_code(account, "0612345678")
    assert owners(first, second, stranger) == [None, None, None]  # a code sent proves nothing
    with pytest.raises(WrongPhoneCode):
        services.verify_phone(account, "654321")
    assert owners(first, second, stranger) == [None, None, None]

    services.verify_phone(account, code_drawn)

    assert owners(first, second, stranger) == [account.id, account.id, None]
    events = db.session.scalars(
        select(OrderEvent).where(OrderEvent.order_id == first.id, OrderEvent.actor_id == account.id)
    ).all()
    assert [(event.from_status, event.to_status) for event in events] == [
        (first.status, first.status)
    ]
    assert "phone" in events[0].note
    login_as(client, account)
    assert client.get(f"/orders/{first.number}").status_code == 200


def test_another_accounts_order_with_the_same_phone_stays_theirs(app, client, oil, code_drawn):
    neighbour = UserFactory()
    set_cart_quantity(ShopperCart(neighbour.id), oil.id, 1)
    theirs = checkout(login_as(app.test_client(), neighbour), oil, "06 12 34 56 78")
    guest = guest_order(app, oil, "06 12 34 56 78")
    account = UserFactory()

    services.send_phone_code(account, "06 12 34 56 78")
    services.verify_phone(account, code_drawn)

    assert owners(theirs, guest) == [neighbour.id, account.id]
    login_as(client, account)
    assert client.get(f"/orders/{theirs.number}").status_code == 404


def test_the_account_page_journey_takes_the_guest_orders_over(app, client, oil, code_drawn):
    guest = guest_order(app, oil, "06 12 34 56 78")
    account = UserFactory()
    login_as(client, account)
    token = hidden(client.get("/account/phone").text, "csrf_token")

    client.post("/account/phone", data={"csrf_token": token, "phone": "06 12 34 56 78"})
    client.post("/account/phone/code", data={"csrf_token": token, "code": code_drawn})

    assert owners(guest) == [account.id]
    assert db.session.get(User, account.id, populate_existing=True).phone_verified
    assert guest.number in client.get("/orders").text


def test_verifying_the_e_mail_still_takes_only_the_orders_placed_with_that_address(
    app, oil, code_drawn
):
    """One takeover for both proofs: the e-mail one keys on the address, not the phone."""
    from app.orders.takeover import take_over_guest_orders

    by_phone = guest_order(app, oil, "06 12 34 56 78")
    account = UserFactory(email="fatima@example.com")

    assert take_over_guest_orders(account, email=account.email) == 0
    assert owners(by_phone) == [None]
    with pytest.raises(ValueError):
        take_over_guest_orders(account, email=account.email, phone=PHONE)
