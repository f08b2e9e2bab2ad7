"""Order events write outbox rows in their own transaction: who hears about what."""

from __future__ import annotations

from sqlalchemy import select
from support.factories import MembershipFactory

from app.extensions import db
from app.notifications.models import Notification
from app.orders.services import cancel_order, move_part


def notices() -> list[tuple[str, int | None]]:
    rows = select(Notification.kind, Notification.recipient_user_id).order_by(Notification.id)
    return [tuple(row) for row in db.session.execute(rows)]


def one(kind: str) -> Notification:
    return db.session.scalars(select(Notification).where(Notification.kind == kind)).one()


def test_a_cash_order_tells_the_shopper_and_every_member_of_each_cooperative(
    shop, shopper, product_with_owner
):
    oil, owner = product_with_owner()
    staff = MembershipFactory(cooperative=oil.cooperative, role="staff").user

    order = shop.checkout(shopper, {oil: 2})

    assert notices() == [
        ("order_placed", shopper.id),
        ("new_order_for_cooperative", owner.id),
        ("new_order_for_cooperative", staff.id),
    ]
    placed = one("order_placed")
    assert placed.context["order_number"] == order.number
    assert placed.context["part_count"] == 1


def test_a_card_order_tells_its_cooperatives_only_once_paid(shop, shopper, product_with_owner):
    oil, _owner = product_with_owner()
    shop.checkout(shopper, {oil: 1}, payment="card")
    assert notices() == [("order_placed", shopper.id)]


def test_the_shopper_hears_of_each_step_of_a_part(shop, shopper, product_with_owner):
    oil, owner = product_with_owner()
    order = shop.checkout(shopper, {oil: 1}, default_delivery="coop_pickup")
    part = order.parts[0]

    move_part(part, "confirmed", member=owner)
    move_part(part, "ready", member=owner)
    move_part(part, "delivered", member=owner, pickup_code=part.pickup_code)

    shopper_kinds = [kind for kind, user_id in notices() if user_id == shopper.id]
    assert shopper_kinds == ["order_placed", "part_confirmed", "part_ready", "part_delivered"]
    ready = one("part_ready")
    assert ready.context["pickup_code"] == part.pickup_code


def test_a_shipped_cash_parcel_says_how_much_to_hand_the_courier(shop, shopper, product_with_owner):
    oil, owner = product_with_owner(price_cents=12000)
    part = shop.checkout(shopper, {oil: 1}).parts[0]
    move_part(part, "confirmed", member=owner)
    move_part(part, "shipped", member=owner)
    shipped = one("part_shipped")
    assert shipped.context["cash_due_cents"] == 15000


def test_cancelling_tells_the_shopper_once(shop, shopper, product_with_owner):
    oil, _owner = product_with_owner()
    order = shop.checkout(shopper, {oil: 1})
    cancel_order(order, shopper)
    assert [kind for kind, _user in notices()].count("order_cancelled") == 1


def test_an_order_whose_every_part_a_cooperative_cancelled_is_told_cancelled(
    shop, shopper, product_with_owner
):
    oil, owner = product_with_owner()
    order = shop.checkout(shopper, {oil: 1})
    move_part(order.parts[0], "cancelled", member=owner, note="Plus de stock")
    assert ("order_cancelled", shopper.id) in notices()


def test_a_shipped_part_carries_its_carrier_and_tracking_number_to_the_shopper(
    shop, shopper, product_with_owner, client
):
    from flask_babel import force_locale
    from support.factories import login_as

    from app.api.orders import part_body
    from app.notifications.rendering import render

    oil, owner = product_with_owner(price_cents=12000)
    order = shop.checkout(shopper, {oil: 1})
    part = order.parts[0]
    move_part(part, "confirmed", member=owner)
    move_part(part, "shipped", member=owner, carrier="Amana", tracking_number="EE123456789MA")

    shipped = one("part_shipped")
    assert (shipped.context["carrier"], shipped.context["tracking_number"]) == (
        "Amana",
        "EE123456789MA",
    )
    with force_locale("fr"):
        message = render("part_shipped", "fr", shipped.context)
    assert "Transporteur : Amana. Numéro de suivi : EE123456789MA." in message.body
    body = part_body(part, "fr")
    assert (body["carrier"], body["tracking_number"]) == ("Amana", "EE123456789MA")
    login_as(client, shopper)
    receipt = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "EE123456789MA" in receipt and "Amana" in receipt


def test_the_arabic_shipped_email_isolates_the_tracking_number_left_to_right(
    shop, shopper, product_with_owner
):
    from app.notifications.rendering import render

    oil, owner = product_with_owner(price_cents=12000)
    part = shop.checkout(shopper, {oil: 1}).parts[0]
    move_part(part, "confirmed", member=owner)
    move_part(part, "shipped", member=owner, carrier="Amana", tracking_number="EE-123 456-MA")

    body = render("part_shipped", "ar", one("part_shipped").context).body

    assert "\u2066EE-123 456-MA\u2069" in body
    assert "Amana" in body


def test_the_carrier_is_shown_even_without_a_tracking_number(
    shop, shopper, product_with_owner, client
):
    from support.factories import login_as

    from app.notifications.rendering import render

    oil, owner = product_with_owner(price_cents=12000)
    order = shop.checkout(shopper, {oil: 1})
    part = order.parts[0]
    move_part(part, "confirmed", member=owner)
    move_part(part, "shipped", member=owner, carrier="Amana")

    context = one("part_shipped").context
    assert "Transporteur : Amana." in render("part_shipped", "fr", context).body
    assert "Numéro de suivi" not in render("part_shipped", "fr", context).body
    assert "Amana" in render("part_shipped", "ar", context).body
    assert "Carrier: Amana." in render("part_shipped", "en", context).body
    login_as(client, shopper)
    receipt = client.get(f"/orders/{order.number}", headers={"Accept-Language": "en"})
    page = receipt.get_data(as_text=True)
    assert "Amana" in page and "Tracking number" not in page


def test_a_member_prints_the_packing_slip_of_a_part_in_arabic(
    shop, shopper, product_with_owner, client
):
    import io
    import unicodedata

    from pypdf import PdfReader
    from reports.pdf_runs import drawn_runs
    from support.factories import login_as

    oil, owner = product_with_owner(price_cents=12000)
    part = shop.checkout(shopper, {oil: 2}).parts[0]
    login_as(client, owner)
    client.get("/lang/ar")

    url = f"/dashboard/{part.cooperative_id}/orders/{part.id}/packing-slip.pdf"
    response = client.get(url)

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    runs = drawn_runs(PdfReader(io.BytesIO(response.data)).pages[0])
    text = " ".join(runs)
    assert part.order.number in text
    # "Cash to collect from the shopper: 150.00 MAD." in Arabic, drawn in visual order.
    assert any(run.startswith(f".مهرد {part.total_cents // 100}.00") for run in runs), runs
    assert unicodedata.normalize("NFKC", "عومجملا") in text  # "المجموع", drawn reversed
    login_as(client, shopper)
    assert client.get(url).status_code == 403
