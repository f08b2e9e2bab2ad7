"""Issue 4's "done when", through the API: one cart from three cooperatives, home delivery, a
stand pickup and cash on delivery; each cooperative takes its part to the end, and stock and
ledger are exact after every step."""

from __future__ import annotations

from sqlalchemy import select
from support.factories import (
    CooperativeFactory,
    FairFactory,
    MembershipFactory,
    ProductFactory,
    StandFactory,
)

from app.catalog.models import Product
from app.extensions import db
from app.fees.services import install_default_rules
from app.ledger import codes
from app.ledger.queries import balance, trial_balance


def stocks(*products: Product) -> list[int]:
    return [
        db.session.scalar(select(Product.stock).where(Product.id == product.id))
        for product in products
    ]


def test_a_shopper_buys_from_three_cooperatives_and_each_hands_over_its_part(
    client, shopper, api_token
):
    fair = FairFactory()
    install_default_rules(fair)
    tighza = CooperativeFactory(name="Tighza", shipping_fee_cents=3000)
    amal = CooperativeFactory(name="Amal")
    zaytoun = CooperativeFactory(name="Zaytoun", legal_form="association")
    StandFactory(cooperative=amal, fair=fair, code="B-07")
    oil = ProductFactory(cooperative=tighza, price_cents=12000, stock=10, name="Huile")
    honey = ProductFactory(cooperative=amal, price_cents=25000, stock=4, name="Miel")
    couscous = ProductFactory(cooperative=zaytoun, price_cents=4500, stock=20, name="Couscous")
    owners = {
        c.id: api_token(MembershipFactory(cooperative=c).user) for c in (tighza, amal, zaytoun)
    }
    me = api_token(shopper)

    for product, quantity in ((oil, 2), (honey, 1), (couscous, 3)):
        assert (
            client.put(
                f"/api/v1/cart/items/{product.id}", json={"quantity": quantity}, headers=me
            ).status_code
            == 200
        )
    cart = client.get("/api/v1/cart", headers=me).get_json()
    assert (
        "stand_pickup"
        in next(g for g in cart["groups"] if g["cooperative"]["id"] == amal.id)["delivery_options"]
    )

    placed = client.post(
        "/api/v1/checkout",
        json={
            "idempotency_key": "journey-1",
            "payment_method": "cash_on_delivery",
            "delivery": {
                str(tighza.id): "home_delivery",
                str(amal.id): "stand_pickup",
                str(zaytoun.id): "coop_pickup",
            },
            "address": {
                "name": "Fatima Zahra",
                "line1": "12, rue Al Qods, Hay Salam",
                "city": "Beni Mellal",
                "postal_code": "23000",
            },
            "phone": "+212 6 12 34 56 78",
        },
        headers=me,
    )
    assert placed.status_code == 201, placed.get_json()
    order = placed.get_json()
    number = order["number"]
    assert order["total"]["amount"] == 24000 + 3000 + 25000 + 13500
    assert stocks(oil, honey, couscous) == [8, 3, 17]
    assert trial_balance().total_cents == 0
    parts = {part["cooperative"]["id"]: part for part in order["parts"]}
    assert parts[amal.id]["stand"]["code"] == "B-07"
    # Sold at its stand during the fair: no commission; an association pays half.
    assert parts[amal.id]["lines"][0]["fair_trade"]["platform"]["amount"] == 0
    zaytoun_split = parts[zaytoun.id]["lines"][0]["fair_trade"]
    assert (zaytoun_split["platform"]["amount"], zaytoun_split["solidarity"]["amount"]) == (472, 68)

    def move(cooperative_id, to, **extra):
        response = client.post(
            f"/api/v1/order-parts/{parts[cooperative_id]['id']}/transition",
            json={"to": to, **extra},
            headers=owners[cooperative_id],
        )
        assert response.status_code == 200, response.get_json()
        assert trial_balance().total_cents == 0
        return response.get_json()

    def cash(cooperative_id, amount):
        response = client.post(
            f"/api/v1/order-parts/{parts[cooperative_id]['id']}/cash-collected",
            json={"amount": amount},
            headers=owners[cooperative_id],
        )
        assert response.status_code == 200, response.get_json()
        assert trial_balance().total_cents == 0

    # Tighza ships to the door and collects cash on delivery.
    move(tighza.id, "confirmed")
    move(tighza.id, "shipped")
    cash(tighza.id, 27000)
    assert move(tighza.id, "delivered")["status"] == "delivered"
    tighza_fees = sum(
        line["fair_trade"]["platform"]["amount"] + line["fair_trade"]["solidarity"]["amount"]
        for line in parts[tighza.id]["lines"]
    )
    assert balance(codes.cooperative_available(tighza.id)) == -tighza_fees == -1920

    # Amal hands the honey over at its stand, against the shopper's pickup code.
    move(amal.id, "confirmed")
    move(amal.id, "ready")
    wrong = client.post(
        f"/api/v1/order-parts/{parts[amal.id]['id']}/transition",
        json={"to": "delivered", "pickup_code": "000000x"},
        headers=owners[amal.id],
    )
    assert wrong.status_code == 422
    move(amal.id, "delivered", pickup_code=parts[amal.id]["pickup_code"])
    assert balance(codes.cooperative_available(amal.id)) == 0  # no fee at its stand

    # Zaytoun has a problem with the harvest and cancels its part: the stock comes back.
    move(zaytoun.id, "cancelled", note="Récolte perdue")
    assert stocks(oil, honey, couscous) == [8, 3, 20]
    assert balance(codes.cooperative_available(zaytoun.id)) == 0

    final = client.get(f"/api/v1/orders/{number}", headers=me).get_json()
    assert final["status"] == "completed"
    assert [p["status"] for p in final["parts"]] == ["delivered", "delivered", "cancelled"]
    assert balance(codes.PLATFORM_REVENUE) + balance(codes.PLATFORM_SOLIDARITY_FUND) == 1920
    assert trial_balance().total_cents == 0
    assert stocks(oil, honey, couscous) == [8, 3, 20]
