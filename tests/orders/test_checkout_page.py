"""The one checkout page: total with delivery before confirming, recalculated without script,
stand pickup by default when every part can be collected at a stand, postal code optional,
saved addresses; and guest checkout with its secret link, rate limits and takeover."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from support.factories import (
    CooperativeFactory,
    FairFactory,
    ProductFactory,
    StandFactory,
    UserFactory,
    add_to_cart,
    login_as,
)
from support.pages import checkout_form, hidden

from app.accounts.models import AccountLink, LinkPurpose, SavedAddress, User
from app.accounts.operations import token_hash
from app.accounts.services import verify_email
from app.cart.carts import ShopperCart
from app.cart.services import set_cart_quantity
from app.core.db import utcnow
from app.extensions import db
from app.notifications.models import Notification
from app.orders.models import Order

GUEST = {"name": "Fatima Zahra", "phone": "06 12 34 56 78", "city": "Khouribga"}


def orders() -> int:
    return db.session.scalar(select(func.count(Order.id)))


def sent(kind: str) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.kind == kind).order_by(Notification.id)
        )
    )


def total_block(page: str) -> str:
    return page[page.index('id="checkout-total"') : page.index('id="place-order"')]


@pytest.fixture
def oil(fee_rules):
    return ProductFactory(
        cooperative=CooperativeFactory(shipping_fee_cents=3500), price_cents=4500, stock=5
    )


# The total -------------------------------------------------------------------------------


def test_the_total_with_delivery_is_shown_before_the_confirm_button(client, shopper, oil):
    honey = ProductFactory(
        cooperative=CooperativeFactory(shipping_fee_cents=2500), price_cents=3500
    )
    set_cart_quantity(ShopperCart(shopper.id), oil.id, 1)
    set_cart_quantity(ShopperCart(shopper.id), honey.id, 1)
    login_as(client, shopper)

    page = client.get("/checkout").get_data(as_text=True)

    # 45 + 35 DH of products, 35 + 25 DH of home delivery: the shopper adds nothing by hand.
    assert "140.00" in total_block(page)
    assert page.index('id="checkout-total"') < page.index('id="place-order"')


def test_recalculate_draws_the_page_again_with_the_total_of_the_new_choice(client, shopper, oil):
    set_cart_quantity(ShopperCart(shopper.id), oil.id, 2)
    login_as(client, shopper)

    response = client.post(
        "/checkout",
        data={
            **checkout_form(client),
            "action": "recalculate",
            f"delivery_{oil.cooperative_id}": "coop_pickup",
            "payment_method": "cash_on_delivery",
        },
    )

    assert response.status_code == 200
    block = total_block(response.get_data(as_text=True))
    assert "90.00" in block and "125.00" not in block
    assert orders() == 0
    assert "error-summary" not in response.get_data(as_text=True)


def test_every_part_at_an_open_stand_selects_pay_at_the_stand_and_asks_no_address(
    client, shopper, fee_rules
):
    stand = StandFactory(fair=FairFactory())
    product = ProductFactory(cooperative=stand.cooperative, price_cents=4500)
    set_cart_quantity(ShopperCart(shopper.id), product.id, 1)
    login_as(client, shopper)

    page = client.get("/checkout").get_data(as_text=True)

    assert re.search(r'value="stand_pickup"[^>]*checked|checked[^>]*value="stand_pickup"', page)
    assert re.search(r'value="pay_at_stand"[^>]*checked|checked[^>]*value="pay_at_stand"', page)
    assert re.search(r'<fieldset id="address-fields"[^>]*hidden', page)


def test_home_delivery_without_a_postal_code_is_placed(client, shopper, oil):
    set_cart_quantity(ShopperCart(shopper.id), oil.id, 1)
    login_as(client, shopper)

    response = client.post(
        "/checkout",
        data={
            **checkout_form(client),
            "name": "Fatima Zahra",
            "phone": "0612345678",
            "line1": "12, rue Al Qods",
            "city": "Beni Mellal",
            "postal_code": "",
            "payment_method": "cash_on_delivery",
            f"delivery_{oil.cooperative_id}": "home_delivery",
        },
    )

    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.scalars(select(Order)).one().address_postal_code == ""


# Saved addresses ---------------------------------------------------------------------------


def test_an_address_saved_at_checkout_fills_the_next_checkout_and_can_be_deleted(
    client, shopper, oil
):
    set_cart_quantity(ShopperCart(shopper.id), oil.id, 1)
    login_as(client, shopper)
    client.post(
        "/checkout",
        data={
            **checkout_form(client),
            "name": "Fatima Zahra",
            "phone": "0612345678",
            "line1": "12, rue Al Qods",
            "city": "Beni Mellal",
            "payment_method": "cash_on_delivery",
            "save_address": "y",
            f"delivery_{oil.cooperative_id}": "home_delivery",
        },
    )
    saved = db.session.scalars(select(SavedAddress)).one()
    phone = db.session.get(User, shopper.id, populate_existing=True).phone
    assert (saved.user_id, saved.line1, phone) == (shopper.id, "12, rue Al Qods", "+212612345678")

    set_cart_quantity(ShopperCart(shopper.id), oil.id, 1)
    page = client.get("/checkout").get_data(as_text=True)
    assert 'value="12, rue Al Qods"' in page and 'value="+212612345678"' in page

    account = client.get("/account").get_data(as_text=True)
    assert "12, rue Al Qods" in account
    client.post(
        f"/account/addresses/{saved.id}/delete",
        data={"csrf_token": hidden(account, "csrf_token"), "confirmed": "yes"},
    )
    assert db.session.scalars(select(SavedAddress)).all() == []


def test_deleting_an_address_without_the_confirmation_asks_first_and_changes_nothing(
    client, shopper
):
    saved = SavedAddress(user_id=shopper.id, name="Fatima", line1="12, rue Al Qods", city="Fès")
    db.session.add(saved)
    db.session.commit()
    login_as(client, shopper)
    account = client.get("/account").get_data(as_text=True)

    asked = client.post(
        f"/account/addresses/{saved.id}/delete", data={"csrf_token": hidden(account, "csrf_token")}
    )

    assert asked.status_code == 200
    text = asked.get_data(as_text=True)
    assert 'name="confirmed" value="yes"' in text and "12, rue Al Qods" in text
    assert db.session.scalars(select(SavedAddress)).all() == [saved]


def test_without_the_box_ticked_no_address_is_saved(client, shopper, oil):
    set_cart_quantity(ShopperCart(shopper.id), oil.id, 1)
    login_as(client, shopper)
    client.post(
        "/checkout",
        data={
            **checkout_form(client),
            **GUEST,
            "line1": "12, rue Al Qods",
            "payment_method": "cash_on_delivery",
            f"delivery_{oil.cooperative_id}": "home_delivery",
        },
    )
    assert orders() == 1
    assert db.session.scalars(select(SavedAddress)).all() == []


# Guests ------------------------------------------------------------------------------------


def guest_checkout(client, product, **changes):
    add_to_cart(client, product)
    return client.post(
        "/checkout",
        data={
            **checkout_form(client),
            **GUEST,
            "payment_method": "cash_on_delivery",
            f"delivery_{product.cooperative_id}": "home_delivery",
            **changes,
        },
    )


def test_a_guest_orders_cash_on_delivery_with_name_phone_and_city_and_lands_on_a_secret_page(
    client, oil
):
    response = guest_checkout(client, oil)

    assert response.status_code == 302
    order = db.session.scalars(select(Order)).one()
    assert order.shopper_id is None and order.contact_phone == "+212612345678"
    assert order.address_city == "Khouribga" and order.total_cents == 8000
    token = response.location.rsplit("/", 1)[1]
    assert order.guest_token_hash == token_hash(token) and token not in order.guest_token_hash
    page = client.get(response.location).get_data(as_text=True)
    assert order.number in page and "80.00" in page


def test_the_guest_gets_the_order_link_by_sms_and_by_e_mail_when_given(client, oil):
    response = guest_checkout(client, oil, email="fatima@example.com")

    messages = sent("order_placed")
    assert {(m.channel, m.recipient_phone, m.recipient_email) for m in messages} == {
        ("sms", "+212612345678", None),
        ("email", None, "fatima@example.com"),
    }
    link = messages[0].context["link"]
    assert link.endswith(response.location)
    assert all(m.status == "sent" for m in messages)


def test_a_wrong_secret_link_opens_nothing(client, oil):
    guest_checkout(client, oil)
    assert client.get("/guest-orders/not-the-token").status_code == 404


def test_a_guest_is_not_offered_the_card_and_must_give_a_city(client, oil):
    add_to_cart(client, oil)
    assert 'value="card"' not in client.get("/checkout").get_data(as_text=True)

    for changes, anchor in (
        ({"city": ""}, "city"),
        ({"payment_method": "card"}, "payment_method-0"),
    ):
        response = client.post(
            "/checkout",
            data={
                **checkout_form(client),
                **GUEST,
                "payment_method": "cash_on_delivery",
                f"delivery_{oil.cooperative_id}": "home_delivery",
                **changes,
            },
        )
        assert response.status_code == 422
        assert f'href="#{anchor}"' in response.get_data(as_text=True)
    assert orders() == 0


def test_guest_orders_are_limited_per_address(client, app, oil, monkeypatch):
    monkeypatch.setitem(app.config, "GUEST_CHECKOUT_RATE_LIMIT", "2 per hour")
    for _attempt in range(2):
        assert guest_checkout(client, oil).status_code == 302
    assert guest_checkout(client, oil).status_code == 429
    assert orders() == 2


def test_recalculating_does_not_use_up_the_guest_limit(client, app, oil, monkeypatch):
    monkeypatch.setitem(app.config, "GUEST_CHECKOUT_RATE_LIMIT", "1 per hour")
    add_to_cart(client, oil)
    for _attempt in range(3):
        client.post(
            "/checkout",
            data={
                **checkout_form(client),
                "action": "recalculate",
                "payment_method": "cash_on_delivery",
            },
        )
    assert guest_checkout(client, oil).status_code == 302


def test_an_account_verifying_the_guest_e_mail_takes_the_guest_orders_over(client, oil):
    guest_checkout(client, oil, email="Fatima@Example.com")
    stranger_order = guest_checkout(client, oil, email="someone@example.com")
    assert stranger_order.status_code == 302
    account = UserFactory(email="fatima@example.com", email_verified_at=None)
    token = "verify-token-for-the-test"
    db.session.add(
        AccountLink(
            user_id=account.id,
            purpose=LinkPurpose.VERIFY_EMAIL,
            token_hash=token_hash(token),
            email=account.email,
            created_at=utcnow(),
            expires_at=utcnow().replace(year=utcnow().year + 1),
        )
    )
    db.session.flush()
    assert db.session.scalars(select(Order).where(Order.shopper_id == account.id)).all() == []

    verify_email(token)

    mine = db.session.scalars(select(Order).where(Order.shopper_id == account.id)).all()
    assert [order.guest_email for order in mine] == ["fatima@example.com"]
    login_as(client, account)
    assert client.get(f"/orders/{mine[0].number}").status_code == 200
