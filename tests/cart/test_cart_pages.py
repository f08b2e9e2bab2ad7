from __future__ import annotations

from datetime import date, timedelta

from support.factories import (
    CooperativeFactory,
    FairFactory,
    ProductFactory,
    StandFactory,
    add_to_cart,
    csrf_from,
    login_as,
)

from app.cart.carts import ShopperCart


def test_the_product_pages_form_adds_to_the_cart_and_shows_it(client):
    oil = ProductFactory(stock=5, price_cents=12000, name="Huile Tighza")

    response = add_to_cart(client, oil, 2)

    assert response.status_code == 302 and response.location.endswith("/cart")
    page = client.get("/cart").get_data(as_text=True)
    assert "Huile Tighza" in page
    assert "240.00" in page or "240,00" in page


def test_adding_more_than_the_stock_shows_why_with_409(client):
    oil = ProductFactory(stock=2, name="Miel")
    response = add_to_cart(client, oil, 3)
    assert response.status_code == 409
    assert "Miel" in response.get_data(as_text=True)


def test_adding_a_bad_quantity_is_refused_with_422(client):
    oil = ProductFactory(stock=5)
    response = add_to_cart(client, oil, -2)
    assert response.status_code == 422


def test_a_post_without_csrf_token_is_refused(client):
    oil = ProductFactory(stock=5)
    response = client.post("/cart/add", data={"product_id": oil.id, "quantity": 1})
    assert response.status_code == 400


def test_the_cart_page_groups_by_cooperative_and_offers_the_deliveries_of_each(client, shopper):
    exhibitor = CooperativeFactory(name="Tighza", shipping_fee_cents=2500)
    StandFactory(cooperative=exhibitor, fair=FairFactory(), code="B-07")
    closed = CooperativeFactory(name="Amal", offers_home_delivery=False)
    StandFactory(
        cooperative=closed,
        fair=FairFactory(
            starts_on=date.today() - timedelta(days=40), ends_on=date.today() - timedelta(days=30)
        ),
    )
    login_as(client, shopper)
    for product in (ProductFactory(cooperative=exhibitor), ProductFactory(cooperative=closed)):
        add_to_cart(client, product)

    page = client.get("/cart").get_data(as_text=True)

    assert page.index("Amal") < page.index("Tighza")
    assert f'name="delivery-{exhibitor.id}" value="home_delivery"' in page
    assert f'name="delivery-{exhibitor.id}" value="stand_pickup"' in page
    assert "B-07" in page
    assert f'name="delivery-{closed.id}" value="home_delivery"' not in page
    assert f'name="delivery-{closed.id}" value="stand_pickup"' not in page
    assert f'name="delivery-{closed.id}" value="coop_pickup"' in page


def test_changing_a_quantity_and_removing_a_line(client, shopper):
    oil = ProductFactory(stock=5)
    login_as(client, shopper)
    add_to_cart(client, oil, 1)
    token = csrf_from(client, "/cart")

    updated = client.post(
        f"/cart/items/{oil.id}", data={f"line-{oil.id}-quantity": 4, "csrf_token": token}
    )
    assert updated.status_code == 302
    assert ShopperCart(shopper.id).quantities() == {oil.id: 4}

    too_many = client.post(
        f"/cart/items/{oil.id}", data={f"line-{oil.id}-quantity": 6, "csrf_token": token}
    )
    assert too_many.status_code == 409
    assert "errors" in too_many.get_data(as_text=True)

    negative = client.post(
        f"/cart/items/{oil.id}", data={f"line-{oil.id}-quantity": -1, "csrf_token": token}
    )
    assert negative.status_code == 422

    removed = client.post(f"/cart/items/{oil.id}/remove", data={"csrf_token": token})
    assert removed.status_code == 302
    assert ShopperCart(shopper.id).quantities() == {}


def test_an_empty_cart_offers_no_checkout(client):
    response = client.get("/cart")
    assert response.status_code == 200
    assert 'id="to-checkout"' not in response.get_data(as_text=True)
