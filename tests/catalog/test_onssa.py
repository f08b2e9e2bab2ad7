"""Food needs an ONSSA authorisation: at every depth of the food category tree, and not only
when an admin verifies the cooperative but each time a verified one puts food on sale."""

from __future__ import annotations

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

from app.catalog import services
from app.catalog.models import Product
from app.catalog.queries import sells_food
from app.cooperatives import services as cooperative_services
from app.core.errors import ValidationFailed
from app.extensions import db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EN = {"Accept-Language": "en"}


@pytest.fixture
def food_tree():
    """terroir > honey > thyme honey: a food category three levels down, and a craft one."""
    terroir = CategoryFactory(slug="terroir", name="Terroir")
    honey = CategoryFactory(slug="honey", name="Miel", parent=terroir)
    thyme = CategoryFactory(slug="thyme-honey", name="Miel de thym", parent=honey)
    crafts = CategoryFactory(slug="crafts", name="Artisanat")
    rugs = CategoryFactory(slug="rugs", name="Tapis", parent=crafts)
    return {"terroir": terroir, "honey": honey, "thyme": thyme, "rugs": rugs}


@pytest.fixture
def seller():
    cooperative = CooperativeFactory()
    owner = MembershipFactory(cooperative=cooperative, role="owner").user
    return cooperative, owner


def body(category, **overrides) -> dict:
    return {
        "name": "Miel de thym",
        "price_cents": 15000,
        "stock": 5,
        "unit": "500 g",
        "category_id": category.id,
        "status": "active",
    } | overrides


def products_of(cooperative) -> list[Product]:
    return list(db.session.scalars(select(Product).where(Product.cooperative_id == cooperative.id)))


def file_onssa(cooperative, owner) -> None:
    cooperative_services.upload_document(
        cooperative, owner, "onssa_authorisation", "onssa.pdf", PDF
    )


def test_a_product_at_any_depth_under_the_food_root_makes_a_cooperative_sell_food(food_tree):
    grandchild = CooperativeFactory()
    ProductFactory(cooperative=grandchild, category=food_tree["thyme"], status="draft")
    crafts_only = CooperativeFactory()
    ProductFactory(cooperative=crafts_only, category=food_tree["rugs"])

    assert sells_food(grandchild.id)
    assert not sells_food(crafts_only.id)


def test_a_verified_cooperative_cannot_put_food_on_sale_without_its_onssa_authorisation(
    app, food_tree, seller
):
    cooperative, owner = seller
    with app.test_request_context(headers=EN), pytest.raises(ValidationFailed) as refused:
        services.create_product(cooperative, owner, body(food_tree["thyme"]))

    assert refused.value.code == "onssa_authorisation_missing"
    assert "ONSSA" in refused.value.fields["status"][0]
    assert products_of(cooperative) == []


def test_a_food_draft_is_kept_but_publishing_it_needs_the_onssa_authorisation(
    app, food_tree, seller
):
    cooperative, owner = seller
    with app.test_request_context(headers=EN):
        draft = services.create_product(
            cooperative, owner, body(food_tree["honey"], status="draft")
        )
        with pytest.raises(ValidationFailed):
            services.update_product(draft, owner, {"status": "active"})
        assert db.session.get(Product, draft.id).status == "draft"

        file_onssa(cooperative, owner)
        published = services.update_product(draft, owner, {"status": "active"})

    assert published.status == "active"


def test_moving_a_product_on_sale_into_a_food_category_needs_the_onssa_authorisation(
    app, food_tree, seller
):
    cooperative, owner = seller
    with app.test_request_context(headers=EN):
        rug = services.create_product(cooperative, owner, body(food_tree["rugs"], name="Tapis"))
        with pytest.raises(ValidationFailed) as refused:
            services.update_product(rug, owner, {"category_id": food_tree["thyme"].id})

    assert "category_id" in refused.value.fields
    assert db.session.get(Product, rug.id).category_id == food_tree["rugs"].id


def test_with_its_onssa_authorisation_on_file_a_cooperative_sells_food(app, food_tree, seller):
    cooperative, owner = seller
    file_onssa(cooperative, owner)
    with app.test_request_context(headers=EN):
        product = services.create_product(cooperative, owner, body(food_tree["thyme"]))

    assert product.status == "active"


def test_the_api_answers_422_naming_the_field_and_the_missing_authorisation(
    client, api_token, food_tree, seller
):
    cooperative, owner = seller
    url = f"/api/v1/cooperatives/{cooperative.id}/products"
    api_body = body(food_tree["thyme"])
    api_body["price"] = api_body.pop("price_cents")

    refused = client.post(url, json=api_body, headers={**api_token(owner), **EN})
    file_onssa(cooperative, owner)
    accepted = client.post(url, json=api_body, headers={**api_token(owner), **EN})

    assert refused.status_code == 422, refused.get_json()
    error = refused.get_json()["error"]
    assert error["code"] == "onssa_authorisation_missing"
    assert "ONSSA" in error["fields"]["status"][0]
    assert accepted.status_code == 201, accepted.get_json()
    assert [product.status for product in products_of(cooperative)] == ["active"]


def test_the_product_form_shows_the_missing_authorisation_by_its_field(client, food_tree, seller):
    cooperative, owner = seller
    login_as(client, owner)
    url = f"/dashboard/{cooperative.id}/products/new"
    data = {
        "csrf_token": csrf_from(client, url),
        "name": "Miel de thym",
        "description": "",
        "price": "150",
        "unit_quantity": "500",
        "unit_code": "g",
        "stock": "5",
        "category_id": str(food_tree["thyme"].id),
        "origin_commune": "",
        "origin_province": "",
        "status": "active",
    }

    response = client.post(url, data=data, headers=EN)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="status-errors"' in page and "ONSSA authorisation" in page
    assert products_of(cooperative) == []
    assert client.post(url, data=data | {"status": "draft"}, headers=EN).status_code == 302
