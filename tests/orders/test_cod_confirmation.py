"""Confirmation before shipping for cash on delivery: the signed link sent at checkout, what
the cooperative's move to `confirmed` records, the dashboard list, the phones to call first,
and the confirmation and refusal rates of the reports."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select
from support.factories import ProductFactory, UserFactory, login_as

from app.catalog.models import Product
from app.core.db import utcnow
from app.core.errors import IllegalTransition
from app.extensions import db
from app.notifications.models import Notification
from app.orders import queries
from app.orders.checkout import CheckoutRequest
from app.orders.confirmation import confirmation_token
from app.orders.models import PartEvent
from app.orders.services import CheckoutLinks, answer_confirmation, move_part, place_order
from app.reports.confirmations import confirmation_rates
from app.reports.period import Period

LINKS = CheckoutLinks(confirmation=lambda token: f"https://souk.example/confirm-order/{token}")


def confirmation_links() -> list[Notification]:
    return list(
        db.session.scalars(select(Notification).where(Notification.kind == "confirm_cash_order"))
    )


def stock_of(product: Product) -> int:
    return db.session.scalar(select(Product.stock).where(Product.id == product.id))


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_a_cash_on_delivery_checkout_sends_a_signed_link_to_confirm(shop, shopper, fee_rules):
    oil = ProductFactory(stock=5)
    cart = shop.fill(shopper, {oil: 1})

    placed = place_order(
        shopper,
        cart,
        CheckoutRequest(
            "cash_on_delivery",
            {str(oil.cooperative_id): "home_delivery"},
            shop.home,
            shop.phone,
            "k1",
        ),
        links=LINKS,
    )

    (message,) = confirmation_links()
    assert message.recipient_user_id == shopper.id
    token = message.context["link"].rsplit("/", 1)[1]
    assert queries.order_for_confirmation(token).id == placed.order.id


def test_a_forged_or_other_link_opens_nothing(client, shop, shopper, fee_rules):
    order = shop.checkout(shopper, {ProductFactory(): 1})
    token = confirmation_token(order.number)
    assert client.get(f"/confirm-order/{token}x").status_code == 404
    assert client.get(f"/confirm-order/{token}").status_code == 200


def test_confirming_by_the_link_is_recorded_once_and_the_cooperative_sees_it(
    shop, shopper, product_with_owner
):
    oil, owner = product_with_owner(stock=5)
    order = shop.checkout(shopper, {oil: 1})
    part = order.parts[0]

    answer_confirmation(order, part.id, confirm=True)
    first = part.shopper_confirmed_at
    answer_confirmation(order, part.id, confirm=True)

    assert (part.shopper_confirmed_via, part.shopper_confirmed_at, part.status) == (
        "link",
        first,
        "pending",
    )
    move_part(part, "confirmed", member=owner, note="")
    assert part.shopper_confirmed_via == "link"


def test_confirming_without_the_link_records_the_cooperative_s_call(
    shop, shopper, product_with_owner
):
    oil, owner = product_with_owner()
    part = shop.checkout(shopper, {oil: 1}).parts[0]

    move_part(part, "confirmed", member=owner, note="Appelée, elle confirme")

    assert part.shopper_confirmed_via == "call" and part.shopper_confirmed_at is not None
    assert part.events[-1].note == "Appelée, elle confirme"


def test_cancelling_by_the_link_returns_the_stock_once_and_not_after_shipping(
    shop, shopper, product_with_owner
):
    oil, owner = product_with_owner(stock=5)
    honey = ProductFactory(stock=5)
    order = shop.checkout(shopper, {oil: 2, honey: 1})
    oil_part = next(part for part in order.parts if part.cooperative_id == oil.cooperative_id)
    honey_part = next(part for part in order.parts if part is not oil_part)

    answer_confirmation(order, honey_part.id, confirm=False)
    answer_confirmation(order, honey_part.id, confirm=False)
    assert honey_part.status == "cancelled" and stock_of(honey) == 5
    assert order.status == "placed"

    move_part(oil_part, "confirmed", member=owner)
    move_part(oil_part, "shipped", member=owner)
    with pytest.raises(IllegalTransition):
        answer_confirmation(order, oil_part.id, confirm=False)
    assert oil_part.status == "shipped" and stock_of(oil) == 3


def test_the_confirmation_page_confirms_and_cancels_by_its_buttons(
    client, shop, shopper, fee_rules
):
    order = shop.checkout(shopper, {ProductFactory(): 1, ProductFactory(): 1})
    url = f"/confirm-order/{confirmation_token(order.number)}"
    first, second = order.parts
    page = client.get(url).get_data(as_text=True)

    for part, answer in ((first, "confirm"), (second, "cancel")):
        response = client.post(
            f"{url}/parts/{part.id}",
            # Only cancelling asks first: a confirmed part goes on being prepared.
            data={"csrf_token": csrf(page), "answer": answer}
            | ({"confirmed": "yes"} if answer == "cancel" else {}),
        )
        assert response.status_code == 302
        db.session.refresh(part)

    assert first.shopper_confirmed_via == "link" and second.status == "cancelled"
    assert client.post(f"{url}/parts/{first.id}", data={"answer": "cancel"}).status_code == 400
    assert first.status == "pending"


def test_the_dashboard_lists_unconfirmed_parts_first_with_call_and_whatsapp_links(
    client, shop, product_with_owner
):
    oil, owner = product_with_owner()
    arabic_reader = UserFactory(locale="ar")
    older = shop.checkout(arabic_reader, {oil: 1})
    newer = shop.checkout(UserFactory(), {oil: 1})
    answer_confirmation(newer, newer.parts[0].id, confirm=True)
    login_as(client, owner)

    page = client.get(f"/dashboard/{oil.cooperative_id}/orders").get_data(as_text=True)

    assert page.index(older.number) < page.index(newer.number)
    assert f'href="tel:{older.contact_phone}"' in page
    wa = re.search(r'href="(https://wa\.me/212612345678\?text=[^"]+)"', page).group(1)
    message = parse_qs(urlparse(wa.replace("&amp;", "&")).query)["text"][0]
    assert older.number in message and re.search(r"[\u0621-\u064a]", message)


def test_a_phone_with_two_refusals_in_90_days_still_orders_and_is_flagged_call_first(
    client, shop, product_with_owner
):
    oil, owner = product_with_owner(stock=20)
    refuser = UserFactory()
    for _parcel in range(2):
        part = shop.checkout(refuser, {oil: 1}).parts[0]
        for status in ("confirmed", "shipped", "refused"):
            move_part(part, status, member=owner, note="Refusé")
    assert queries.phones_to_call(["+212612345678"]) == {"+212612345678"}

    again = shop.checkout(refuser, {oil: 1})
    login_as(client, owner)
    listing = client.get(f"/dashboard/{oil.cooperative_id}/orders").get_data(as_text=True)
    part_page = client.get(f"/dashboard/{oil.cooperative_id}/orders/{again.parts[0].id}").get_data(
        as_text=True
    )

    assert again.status == "placed"
    assert "call-first" in listing and "call-first" in part_page


def test_two_parcels_of_one_order_refused_together_count_as_one_refusal(
    shop, shopper, product_with_owner
):
    oil, oil_owner = product_with_owner(stock=20)
    honey, honey_owner = product_with_owner(stock=20)
    order = shop.checkout(shopper, {oil: 1, honey: 1})
    for part in order.parts:
        owner = oil_owner if part.cooperative_id == oil.cooperative_id else honey_owner
        for status in ("confirmed", "shipped", "refused"):
            move_part(part, status, member=owner)

    assert queries.phones_to_call(["+212612345678"]) == set()


def test_refusals_older_than_90_days_do_not_flag_the_phone(shop, shopper, product_with_owner):
    oil, owner = product_with_owner(stock=20)
    for _parcel in range(2):
        part = shop.checkout(shopper, {oil: 1}).parts[0]
        for status in ("confirmed", "shipped", "refused"):
            move_part(part, status, member=owner)
    for event in db.session.scalars(select(PartEvent).where(PartEvent.to_status == "refused")):
        event.at = utcnow() - timedelta(days=91)
    db.session.flush()
    assert queries.phones_to_call(["+212612345678"]) == set()


def test_the_reports_give_confirmation_and_refusal_rates_per_cooperative_and_city(
    shop, product_with_owner
):
    oil, owner = product_with_owner(stock=20)
    home = shop.home
    parts = [shop.checkout(UserFactory(), {oil: 1}).parts[0] for _ in range(4)]
    answer_confirmation(parts[0].order, parts[0].id, confirm=True)
    for part, last in ((parts[0], "delivered"), (parts[1], "refused")):
        for status in ("confirmed", "shipped", last):
            move_part(part, status, member=owner)

    report = confirmation_rates(
        Period(date.today() - timedelta(days=1), date.today() + timedelta(days=1))
    )

    (row,) = report.by_cooperative
    assert (row.parts, row.confirmed, row.confirmed_by_link, row.delivered, row.refused) == (
        4,
        2,
        1,
        1,
        1,
    )
    assert (row.confirmation_bps, row.refusal_bps) == (5000, 5000)
    assert [city.name for city in report.by_city] == [home.city]


def test_the_admin_report_page_shows_the_rates(client, admin, shop, product_with_owner):
    oil, owner = product_with_owner()
    part = shop.checkout(UserFactory(), {oil: 1}).parts[0]
    move_part(part, "confirmed", member=owner)
    login_as(client, admin)

    page = client.get("/admin/reports").get_data(as_text=True)

    assert 'id="cod-confirmations"' in page and ">100 %<" in page


def test_the_confirmation_link_works_from_the_order_page(client, shop, shopper, fee_rules):
    order = shop.checkout(shopper, {ProductFactory(): 1})
    login_as(client, shopper)
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    link = re.search(r'href="(/confirm-order/[^"]+)"', page).group(1)
    assert client.get(link).status_code == 200 and order.number in client.get(link).get_data(
        as_text=True
    )


def test_one_order_s_link_cannot_answer_for_another_order_s_part(client, shop, shopper, fee_rules):
    mine = shop.checkout(shopper, {ProductFactory(): 1})
    other = shop.checkout(UserFactory(), {ProductFactory(): 1})
    url = f"/confirm-order/{confirmation_token(mine.number)}"
    page = client.get(url).get_data(as_text=True)

    response = client.post(
        f"{url}/parts/{other.parts[0].id}", data={"csrf_token": csrf(page), "answer": "cancel"}
    )

    assert response.status_code == 404
    assert other.parts[0].status == "pending"


def test_cancelling_a_part_by_the_link_without_the_confirmation_asks_first_and_changes_nothing(
    client, shop, shopper, fee_rules
):
    order = shop.checkout(shopper, {ProductFactory(): 1})
    url = f"/confirm-order/{confirmation_token(order.number)}"
    (part,) = order.parts
    page = client.get(url).get_data(as_text=True)

    asked = client.post(
        f"{url}/parts/{part.id}", data={"csrf_token": csrf(page), "answer": "cancel"}
    )

    assert asked.status_code == 200
    text = asked.get_data(as_text=True)
    assert 'name="confirmed" value="yes"' in text and 'value="cancel"' in text
    assert f'href="{url}"' in text
    db.session.refresh(part)
    assert part.status == "pending"
