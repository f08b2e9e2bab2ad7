"""The header every page shares on a phone (cart count, members' link, menu without
JavaScript, favicon) and the product cards' "Add to cart" that comes back to the page."""

from __future__ import annotations

import re

import pytest
from support.factories import MembershipFactory, ProductFactory, UserFactory, csrf_from, login_as

EN = {"Accept-Language": "en"}


def _count(html: str) -> int:
    return int(re.search(r"<span class=\"cart-count\" data-cart-count>(\d+)</span>", html)[1])


def _add_from_card(client, product, page: str, quantity: int = 1):
    """Press a product card's button on `page`, with the fields base.html filled in."""
    html = client.get(page).get_data(as_text=True)
    inside = r"(?:(?!</form>).)*"
    form = re.search(
        rf'<form class="card-add"[^>]*>{inside}value="{product.id}"{inside}</form>', html, re.S
    )
    assert form, f"no card of product {product.id} on {page}"
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form[0]))
    return client.post("/cart/add", data={**fields, "quantity": quantity})


def test_the_header_counts_the_units_in_the_cart_on_every_page(client, shopper):
    oil, honey = ProductFactory(stock=9), ProductFactory(stock=9)
    login_as(client, shopper)
    assert _count(client.get("/").get_data(as_text=True)) == 0

    _add_from_card(client, oil, "/products", 2)
    _add_from_card(client, honey, "/products")

    for page in ("/", "/products", "/cart", "/orders"):
        assert _count(client.get(page).get_data(as_text=True)) == 3, page


def test_a_guests_cart_is_counted_from_the_session(client):
    oil = ProductFactory(stock=9)
    _add_from_card(client, oil, "/products")
    assert _count(client.get("/").get_data(as_text=True)) == 1


def test_a_cards_add_to_cart_comes_back_to_the_page_and_says_so(client):
    oil = ProductFactory(stock=9)

    response = _add_from_card(client, oil, "/products?sort=price_asc")

    assert response.status_code == 302
    assert response.location.endswith("/products?sort=price_asc")
    page = client.get(response.location, headers=EN).get_data(as_text=True)
    assert "Added to your cart." in page


def test_a_refused_add_from_a_card_is_said_on_the_same_page(client):
    oil = ProductFactory(stock=0)
    response = _add_from_card(client, oil, "/products")
    assert response.status_code == 302 and response.location.endswith("/products")
    assert 'class="flash flash-error"' in client.get("/products").get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
def test_add_to_cart_never_sends_the_shopper_to_another_site(client, target):
    oil = ProductFactory(stock=9)
    token = csrf_from(client, f"/products/{oil.id}")

    response = client.post(
        "/cart/add",
        data={"product_id": oil.id, "quantity": 1, "csrf_token": token, "next": target},
    )

    assert response.status_code == 302 and response.location.endswith("/cart")


def test_cached_cards_get_each_readers_own_csrf_token(client, app):
    ProductFactory(stock=9)
    first = client.get("/products").get_data(as_text=True)
    with app.test_client() as other:
        second = other.get("/products").get_data(as_text=True)

    def tokens(html: str) -> set[str]:
        return set(re.findall(r'name="csrf_token" value="([^"]+)"', html))

    assert "<!--cart-form-tokens-->" not in first
    assert tokens(first) and tokens(second) and not tokens(first) & tokens(second)


def test_only_members_of_a_cooperative_see_the_my_cooperative_link(client):
    shopper, member = UserFactory(), UserFactory()
    MembershipFactory(user=member)

    shoppers = login_as(client, shopper).get("/", headers=EN).get_data(as_text=True)
    members = login_as(client, member).get("/", headers=EN).get_data(as_text=True)

    assert 'href="/dashboard/"' not in shoppers
    assert 'href="/dashboard/"' in members and "My cooperative" in members


def test_the_menu_opens_without_javascript_and_the_page_has_a_favicon(client):
    page = client.get("/", headers=EN).get_data(as_text=True)

    # A checkbox and its label: the stylesheet shows the menu when it is checked.
    assert re.search(r'<input class="menu-toggle[^"]*" type="checkbox" id="menu-toggle"', page)
    assert '<label class="menu-button" for="menu-toggle">Menu</label>' in page
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    favicon = client.get("/static/favicon.svg")
    assert favicon.status_code == 200 and favicon.mimetype == "image/svg+xml"
    favicon.close()


def test_the_header_reads_the_cart_and_the_membership_once_per_page(client, shopper, count_queries):
    ProductFactory(stock=9)
    login_as(client, shopper)
    client.get("/cart")  # warm: the catalog cache, the fee rules

    with count_queries() as statements:
        client.get("/cart")

    cart_reads = [s for s in statements if "FROM cart_items" in s and "quantity" in s]
    member_reads = [s for s in statements if "FROM memberships" in s]
    assert len(cart_reads) <= 2  # the header's count, and the cart page's own lines
    assert len(member_reads) == 1
