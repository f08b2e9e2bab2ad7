"""The product list's fast path (summary rows, one split per rule and price, orjson) answers
exactly what the ORM objects dumped through the documented schema answer."""

from __future__ import annotations

import pytest
from support.factories import CategoryFactory, CooperativeFactory, ProductFactory

from app.api.catalog import ProductSchema, product_bodies, summary_bodies
from app.catalog import queries, summaries
from app.catalog.models import Product
from app.extensions import db


@pytest.fixture
def catalog(demo_catalog, fee_rules) -> dict[str, int]:
    """The demo catalog, a product with a photo, and one of a cooperative in another
    province whose category and cooperative have Arabic names."""
    photo = ProductFactory(
        slug="with-photo",
        name="Miel de thym",
        price_cents=9950,
        image_path="ab/cdef.jpg",
        image_width=800,
        image_height=600,
    )
    far = ProductFactory(
        slug="far",
        name="Tapis",
        description="Laine",
        translations={"ar": {"name": "زربية", "description": "صوف"}},
        category=CategoryFactory(slug="rugs", name="Tapis", translations={"ar": {"name": "زرابي"}}),
        cooperative=CooperativeFactory(
            name="Coopérative Atlas", province="khouribga", translations={"ar": {"name": "أطلس"}}
        ),
    )
    return {**demo_catalog, "photo": photo.id, "far": far.id}


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_list_items_equal_the_schema_dump_of_the_products(app, client, catalog, language):
    answer = client.get(
        "/api/v1/products?sort=price_asc&per_page=100", headers={"Accept-Language": language}
    )

    items = answer.get_json()["items"]
    assert {catalog["photo"], catalog["far"]} <= {item["id"] for item in items}
    with app.test_request_context(headers={"Accept-Language": language}):
        products = {product.id: product for product in db.session.scalars(db.select(Product))}
        expected = ProductSchema(many=True).dump(
            product_bodies([products[item["id"]] for item in items])
        )
    assert items == expected


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_summary_bodies_equal_product_bodies_for_the_same_products(app, catalog, language):
    with app.test_request_context(headers={"Accept-Language": language}):
        ids, _total = queries.search_product_ids(sort="newest", per_page=100)
        fast = summary_bodies(summaries.product_rows(ids, language))
        loaded = {product.id: product for product in db.session.scalars(db.select(Product))}
        slow = ProductSchema(many=True).dump(product_bodies([loaded[id_] for id_ in ids]))

    assert len(fast) == len(catalog)
    assert fast == slow
    by_id = {body["id"]: body for body in fast}
    if language == "ar":
        assert by_id[catalog["far"]]["name"] == "زربية"
        assert by_id[catalog["far"]]["category"]["name"] == "زرابي"
        assert by_id[catalog["far"]]["cooperative"]["name"] == "أطلس"
    assert by_id[catalog["photo"]]["image_url"].endswith("/media/ab/cdef.jpg")
    assert by_id[catalog["photo"]]["fair_trade"] is not None
