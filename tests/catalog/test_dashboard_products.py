"""Members' product pages: list, new and edit forms, photo upload, archive; members only."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select
from support.factories import (
    CategoryFactory,
    CooperativeFactory,
    MembershipFactory,
    ProductFactory,
    csrf_from,
    login_as,
)

from app.catalog import operations
from app.catalog.models import Product
from app.extensions import db

EN = {"Accept-Language": "en"}


def text_of(response) -> str:
    return response.get_data(as_text=True)


def form_data(client, url: str, category, **overrides) -> dict:
    return {
        "csrf_token": csrf_from(client, url),
        "name": "Huile d'olive",
        "description": "Picholine.",
        "price": "120,50",
        "unit_quantity": "1",
        "unit_code": "l",
        "stock": "12",
        "category_id": str(category.id),
        "origin_commune": "Ouaouizeght",
        "origin_province": "",
        "status": "active",
        "label_igp": "y",
        "certificate_igp": "IGP-2010-07",
        "name_ar": "زيت الزيتون",
    } | overrides


def products_of(cooperative) -> list[Product]:
    return list(db.session.scalars(select(Product).where(Product.cooperative_id == cooperative.id)))


def test_the_list_shows_every_product_with_stock_and_status(client, cooperative, owner):
    ProductFactory(cooperative=cooperative, name="Huile", stock=0)
    ProductFactory(cooperative=cooperative, name="Miel brouillon", status="draft", stock=7)
    ProductFactory(name="Someone else's")
    login_as(client, owner)

    response = client.get(f"/dashboard/{cooperative.id}/products", headers=EN)

    page = text_of(response)
    assert response.status_code == 200
    assert "Huile" in page and "out of stock" in page
    assert "Miel brouillon" in page and "Draft" in page
    assert "Someone else" not in page


def test_a_member_adds_a_product_with_the_price_typed_in_dirhams(client, cooperative, owner):
    category = CategoryFactory()
    login_as(client, owner)
    url = f"/dashboard/{cooperative.id}/products/new"

    response = client.post(url, data=form_data(client, url, category))

    assert response.status_code == 302
    [product] = products_of(cooperative)
    assert product.price_cents == 12050
    assert product.stock == 12
    assert product.status == "active"
    assert product.origin_commune == "Ouaouizeght"
    assert product.origin_province == cooperative.province
    assert [(label.kind, label.certificate_number) for label in product.labels] == [
        ("IGP", "IGP-2010-07")
    ]
    assert product.translated("name", "ar") == "زيت الزيتون"
    assert response.headers["Location"].endswith(f"/products/{product.id}/edit")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"price": "12,345"}, "at most 2 decimals"),
        ({"price": "douze"}, "Enter an amount"),
        ({"price": "0"}, "from 1 to"),
        ({"stock": "-3"}, "between 0 and"),
        ({"name": ""}, "This field is required."),
    ],
)
def test_an_invalid_product_form_is_shown_again_with_the_message_and_422(
    client, cooperative, owner, overrides, message
):
    category = CategoryFactory()
    login_as(client, owner)
    url = f"/dashboard/{cooperative.id}/products/new"

    response = client.post(url, data=form_data(client, url, category, **overrides), headers=EN)

    assert response.status_code == 422
    assert message in text_of(response)
    assert 'class="errors"' in text_of(response)
    assert products_of(cooperative) == []


@pytest.mark.parametrize("price", ["douze", "12,345", ""])
def test_a_bad_price_gets_one_message_next_to_its_field(client, cooperative, owner, price):
    category = CategoryFactory()
    login_as(client, owner)
    url = f"/dashboard/{cooperative.id}/products/new"

    response = client.post(url, data=form_data(client, url, category, price=price), headers=EN)

    errors = re.search(r'<ul class="errors" id="price-errors">(.*?)</ul>', text_of(response), re.S)
    assert response.status_code == 422
    assert errors is not None
    assert errors.group(1).count("<li>") == 1


def test_an_unverified_cooperative_is_told_to_keep_a_draft(client):
    pending = CooperativeFactory(status="pending")
    member = MembershipFactory(cooperative=pending).user
    login_as(client, member)
    url = f"/dashboard/{pending.id}/products/new"

    response = client.post(url, data=form_data(client, url, CategoryFactory()), headers=EN)

    assert response.status_code == 409
    assert "once the cooperative is verified" in text_of(response)
    assert products_of(pending) == []


def test_a_member_edits_a_product(client, cooperative, owner):
    product = ProductFactory(cooperative=cooperative, name="Huile", stock=5, price_cents=9000)
    login_as(client, owner)
    url = f"/dashboard/{cooperative.id}/products/{product.id}/edit"
    page = text_of(client.get(url))
    assert 'value="90,00"' in page

    response = client.post(
        url,
        data=form_data(
            client,
            url,
            product.category,
            name="Huile vierge",
            price="95",
            stock="5",
            stock_seen="5",
        ),
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert (product.name, product.price_cents, product.stock) == ("Huile vierge", 9500, 5)


def test_saving_the_form_never_undoes_a_sale_made_meanwhile(client, cooperative, owner):
    product = ProductFactory(cooperative=cooperative, stock=5)
    login_as(client, owner)
    url = f"/dashboard/{cooperative.id}/products/{product.id}/edit"
    data = form_data(client, url, product.category, stock="5", stock_seen="5")
    assert operations.take_stock(product.id, 2)
    db.session.commit()

    unchanged_stock = client.post(url, data=data)
    assert unchanged_stock.status_code == 302
    db.session.expire_all()
    assert product.stock == 3

    changed_stock = client.post(url, data=data | {"stock": "9"}, headers=EN)
    assert changed_stock.status_code == 409
    assert "The stock changed while you were editing" in text_of(changed_stock)
    assert 'name="stock_seen" type="hidden" value="3"' in text_of(changed_stock)
    db.session.expire_all()
    assert product.stock == 3


def test_a_member_uploads_a_photo(client, cooperative, owner, image_bytes):
    product = ProductFactory(cooperative=cooperative)
    login_as(client, owner)
    edit_url = f"/dashboard/{cooperative.id}/products/{product.id}/edit"

    response = client.post(
        f"/dashboard/{cooperative.id}/products/{product.id}/photo",
        data={
            "csrf_token": csrf_from(client, edit_url),
            "photo": (io.BytesIO(image_bytes("WEBP")), "miel.webp"),
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert product.image_path is not None


def test_a_file_that_is_not_a_photo_is_refused_next_to_the_field(client, cooperative, owner):
    product = ProductFactory(cooperative=cooperative, name="Huile de Tighza")
    login_as(client, owner)
    edit_url = f"/dashboard/{cooperative.id}/products/{product.id}/edit"

    response = client.post(
        f"/dashboard/{cooperative.id}/products/{product.id}/photo",
        data={
            "csrf_token": csrf_from(client, edit_url),
            "photo": (io.BytesIO(b"not a photo at all"), "photo.jpg"),
        },
        content_type="multipart/form-data",
        headers=EN,
    )

    page = text_of(response)
    assert response.status_code == 422
    assert "not a photo we can read" in page
    assert 'value="Huile de Tighza"' in page
    db.session.expire_all()
    assert product.image_path is None


def test_a_member_archives_a_product(client, cooperative, owner):
    product = ProductFactory(cooperative=cooperative)
    login_as(client, owner)
    list_url = f"/dashboard/{cooperative.id}/products"

    response = client.post(
        f"{list_url[: -len('/products')]}/products/{product.id}/archive",
        data={"csrf_token": csrf_from(client, list_url), "confirmed": "yes"},
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert product.status == "archived"


def test_archive_without_the_csrf_token_changes_nothing(client, cooperative, owner):
    product = ProductFactory(cooperative=cooperative)
    login_as(client, owner)

    response = client.post(f"/dashboard/{cooperative.id}/products/{product.id}/archive")

    assert response.status_code == 400
    db.session.expire_all()
    assert product.status == "active"


def test_members_of_another_cooperative_get_403_on_every_page(client, cooperative, owner):
    product = ProductFactory(cooperative=cooperative, price_cents=9000)
    other = CooperativeFactory()
    stranger = MembershipFactory(cooperative=other).user
    login_as(client, stranger)
    token = csrf_from(client, f"/dashboard/{other.id}/products")
    base = f"/dashboard/{cooperative.id}/products"

    assert client.get(base).status_code == 403
    assert client.get(f"{base}/new").status_code == 403
    assert client.get(f"{base}/{product.id}/edit").status_code == 403
    edit = client.post(
        f"{base}/{product.id}/edit",
        data=form_data(client, f"/dashboard/{other.id}/products/new", product.category)
        | {"price": "1"},
    )
    archive = client.post(f"{base}/{product.id}/archive", data={"csrf_token": token})
    assert edit.status_code == 403
    assert archive.status_code == 403
    db.session.expire_all()
    assert (product.price_cents, product.status) == (9000, "active")


def test_a_product_of_another_cooperative_is_404_under_this_one(client, cooperative, owner):
    elsewhere = ProductFactory()
    login_as(client, owner)

    response = client.get(f"/dashboard/{cooperative.id}/products/{elsewhere.id}/edit")

    assert response.status_code == 404


def test_the_dashboard_needs_a_login(client, cooperative):
    response = client.get(f"/dashboard/{cooperative.id}/products")

    assert response.status_code in (302, 401)


def test_archiving_without_the_confirmation_asks_first_and_changes_nothing(
    client, cooperative, owner
):
    product = ProductFactory(cooperative=cooperative)
    login_as(client, owner)
    list_url = f"/dashboard/{cooperative.id}/products"

    response = client.post(
        f"{list_url}/{product.id}/archive", data={"csrf_token": csrf_from(client, list_url)}
    )

    assert response.status_code == 200
    assert 'name="confirmed" value="yes"' in text_of(response)
    db.session.expire_all()
    assert product.status == "active"
