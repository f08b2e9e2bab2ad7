"""Shoppers' catalog pages: home, the filtered list, one product with its fair-trade split."""

from __future__ import annotations

import re
from datetime import date

from support.factories import (
    CategoryFactory,
    CooperativeFactory,
    FairFactory,
    ProductFactory,
    ProductLabelFactory,
    csrf_from,
)
from support.pages import without_isolates

from app.catalog import services


def text_of(response) -> str:
    return without_isolates(response.get_data(as_text=True))


def test_home_shows_the_open_fair_new_products_provinces_and_categories(client):
    fair = FairFactory(name="3e Salon régional ESS", city="Khenifra")
    FairFactory(name="Old fair", starts_on=date(2019, 12, 1), ends_on=date(2020, 1, 1))
    CategoryFactory(slug="honey", name="Miel")
    ProductFactory(name="Amlou aux amandes")

    response = client.get("/", headers={"Accept-Language": "en"})

    page = text_of(response)
    assert response.status_code == 200
    assert "3e Salon régional ESS" in page
    assert f'href="/fairs/{fair.id}"' in page or f"fair={fair.id}" in page
    assert "Old fair" not in page
    assert "Amlou aux amandes" in page
    assert "/products?province=fquih_ben_salah" in page
    assert "/products?category=honey" in page


def test_home_without_an_open_fair_or_products_still_renders(client):
    response = client.get("/", headers={"Accept-Language": "en"})

    assert response.status_code == 200
    assert "No products are on sale yet." in text_of(response)
    assert "The fair is open now" not in text_of(response)


def test_product_list_filters_like_the_api_with_prices_in_dirhams(client):
    ProductFactory(name="Miel bon marché", price_cents=5000)
    ProductFactory(name="Miel cher", price_cents=30000)
    ProductFactory(name="Sel", price_cents=1000)

    response = client.get("/products?q=miel&min_price=100&max_price=400,50&sort=price_desc")

    page = text_of(response)
    assert response.status_code == 200
    assert "Miel cher" in page
    assert "Miel bon marché" not in page
    assert "Sel" not in page


def test_product_list_paginates_with_the_filters_kept(client):
    for index in range(5):
        ProductFactory(name=f"Huile {index}")

    response = client.get("/products?q=huile&per_page=2")

    page = text_of(response)
    assert page.count('class="card product-card"') == 2
    assert re.search(r'href="/products\?[^"]*page=2', page)
    assert "q=huile" in re.search(r'href="(/products\?[^"]*page=2[^"]*)"', page).group(1)


def test_product_list_shows_an_empty_state(client):
    ProductFactory(name="Huile")

    page = text_of(client.get("/products?q=saffron", headers={"Accept-Language": "en"}))

    assert "No product matches these filters." in page


def test_bad_filters_rerender_the_form_with_messages_and_status_422(client):
    response = client.get(
        "/products?min_price=abc&per_page=1000&province=casablanca",
        headers={"Accept-Language": "en"},
    )

    page = text_of(response)
    assert response.status_code == 422
    assert page.count('class="errors"') >= 2
    assert "Enter an amount in dirhams" in page


def test_the_product_list_page_costs_the_same_queries_for_5_or_50_products(
    client, count_queries, fee_rules
):
    categories = [CategoryFactory() for _ in range(3)]
    cooperatives = [CooperativeFactory() for _ in range(4)]
    for index in range(60):
        product = ProductFactory(
            category=categories[index % 3], cooperative=cooperatives[index % 4]
        )
        ProductLabelFactory(product=product, kind="IGP")

    counts = {}
    for per_page in (5, 50):
        with count_queries() as statements:
            response = client.get(f"/products?per_page={per_page}")
        assert text_of(response).count('class="card product-card"') == per_page
        counts[per_page] = len(statements)

    assert counts[5] == counts[50]


def test_product_page_shows_price_stock_origin_labels_cooperative_and_the_split(client, fee_rules):
    cooperative = CooperativeFactory(name="Coopérative Tighza", commune="Tighza")
    product = ProductFactory(
        cooperative=cooperative,
        name="Miel d'euphorbe",
        price_cents=12000,
        stock=4,
        unit="jar 500 g",
        origin_commune="Tanant",
        origin_province="azilal",
    )
    ProductLabelFactory(product=product, kind="IGP", certificate_number="IGP-MA-0042")

    response = client.get(f"/products/{product.id}", headers={"Accept-Language": "en"})

    page = text_of(response)
    assert response.status_code == 200
    assert "Miel d&#39;euphorbe" in page
    assert "120.00 MAD" in page
    assert "500 g" in page
    assert "4 units in stock" in page
    assert "Tanant" in page and "Azilal" in page
    assert "IGP-MA-0042" in page
    assert "Coopérative Tighza" in page
    assert "Verified cooperative" in page
    assert (
        "Of 120.00 MAD, 110.40 MAD goes to the cooperative, 8.40 MAD to the platform, "
        "1.20 MAD to the solidarity fund." in page
    )


def test_product_page_formats_money_in_the_readers_language(client, fee_rules):
    product = ProductFactory(price_cents=120050)

    page = text_of(client.get(f"/products/{product.id}", headers={"Accept-Language": "fr"}))

    assert "1\u202f200,50 DH" in page


def test_product_page_shows_the_photo_with_its_size(client, cooperative, owner, image_bytes):
    import io

    product = ProductFactory(cooperative=cooperative)
    services.set_product_image(product, owner, io.BytesIO(image_bytes("JPEG", (2000, 1000))))

    page = text_of(client.get(f"/products/{product.id}"))

    assert re.search(r'<li id="photo-1"><img src="http://localhost/media/[^"]+"', page)
    assert 'width="1600" height="800"' in page


def test_product_page_is_404_unless_on_sale(client):
    draft = ProductFactory(status="draft")
    unverified = ProductFactory(cooperative=CooperativeFactory(status="pending"))

    assert client.get(f"/products/{draft.id}").status_code == 404
    assert client.get(f"/products/{unverified.id}").status_code == 404
    assert client.get("/products/99999999999999999999").status_code == 404


def test_the_add_to_cart_form_of_the_product_page_adds_the_product(client):
    product = ProductFactory(stock=3)
    url = f"/products/{product.id}"
    page = text_of(client.get(url))
    assert 'action="/cart/add"' in page

    response = client.post(
        "/cart/add",
        data={"csrf_token": csrf_from(client, url), "product_id": product.id, "quantity": 2},
    )

    assert response.status_code == 302
    assert "/cart" in response.headers["Location"]


def test_an_out_of_stock_product_offers_no_add_to_cart_form(client):
    product = ProductFactory(stock=0)

    page = text_of(client.get(f"/products/{product.id}", headers={"Accept-Language": "en"}))

    assert "Out of stock" in page
    assert 'action="/cart/add"' not in page
