"""The catalog API as API.md writes it: shapes, filters, 4xx errors, members-only writes."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from support.factories import (
    CategoryFactory,
    CooperativeFactory,
    MembershipFactory,
    ProductFactory,
    ProductLabelFactory,
    login_as,
)

from app.catalog.models import Product
from app.core.images import MAX_IMAGE_BYTES
from app.extensions import db

PRODUCT_KEYS = [
    "id",
    "slug",
    "name",
    "description",
    "price",
    "stock",
    "unit",
    "category",
    "cooperative",
    "labels",
    "image_url",
    "fair_trade",
]


def test_product_json_is_exactly_the_contract_with_its_fair_trade_split(client, fee_rules):
    product = ProductFactory(price_cents=12000, stock=7, unit="bottle 1 L")
    ProductLabelFactory(product=product, kind="IGP", certificate_number="IGP-1")

    body = client.get(f"/api/v1/products/{product.id}").get_json()

    assert sorted(body) == sorted(PRODUCT_KEYS)
    assert body["price"] == {"amount": 12000, "currency": "MAD"}
    assert body["stock"] == 7
    assert body["category"] == {
        "id": product.category.id,
        "slug": product.category.slug,
        "name": product.category.name,
    }
    assert body["cooperative"] == {
        "id": product.cooperative.id,
        "name": product.cooperative.name,
        "province": "azilal",
    }
    assert body["labels"] == ["IGP"]
    assert body["image_url"] is None
    assert body["fair_trade"] == {
        "producer": {"amount": 11040, "currency": "MAD"},
        "platform": {"amount": 840, "currency": "MAD"},
        "solidarity": {"amount": 120, "currency": "MAD"},
    }


def test_product_names_follow_the_readers_language(client):
    product = ProductFactory(name="Huile d'olive", translations={"ar": {"name": "زيت الزيتون"}})

    arabic = client.get(f"/api/v1/products/{product.id}", headers={"Accept-Language": "ar"})
    french = client.get(f"/api/v1/products/{product.id}", headers={"Accept-Language": "fr"})

    assert arabic.get_json()["name"] == "زيت الزيتون"
    assert french.get_json()["name"] == "Huile d'olive"


def test_a_product_not_on_sale_is_404_even_for_its_members(client, api_token, cooperative, owner):
    draft = ProductFactory(cooperative=cooperative, status="draft")

    for headers in ({}, api_token(owner)):
        response = client.get(f"/api/v1/products/{draft.id}", headers=headers)
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/products/99999999999999999999").status_code == 404


def test_categories_are_listed_with_parents_and_translated_names(client):
    food = CategoryFactory(slug="food", name="Alimentation", translations={"ar": {"name": "أغذية"}})
    CategoryFactory(slug="honey", name="Miel", parent=food)

    body = client.get("/api/v1/categories", headers={"Accept-Language": "ar"}).get_json()

    assert body == [
        {"id": food.id, "slug": "food", "name": "أغذية", "parent_id": None},
        {"id": food.id + 1, "slug": "honey", "name": "Miel", "parent_id": food.id},
    ]


def test_product_list_is_a_page_of_products_with_the_filters_applied(client, fee_rules):
    honey = CategoryFactory(slug="honey")
    for index in range(3):
        ProductFactory(name=f"Miel {index}", category=honey, price_cents=1000 * (index + 1))
    ProductFactory(name="Tapis")

    body = client.get(
        "/api/v1/products?category=honey&sort=price_desc&per_page=2&min_price=1500"
    ).get_json()

    assert sorted(body) == ["items", "page", "per_page", "total"]
    assert (body["page"], body["per_page"], body["total"]) == (1, 2, 2)
    assert [item["name"] for item in body["items"]] == ["Miel 2", "Miel 1"]
    assert sorted(body["items"][0]) == sorted(PRODUCT_KEYS)
    assert body["items"][0]["fair_trade"]["producer"]["amount"] > 0


def test_unknown_category_or_cooperative_gives_an_empty_list(client):
    ProductFactory()

    for query in ("category=nope", "category=424242", "cooperative=424242", "fair=424242"):
        response = client.get(f"/api/v1/products?{query}")
        assert response.status_code == 200, query
        assert response.get_json()["items"] == []
        assert response.get_json()["total"] == 0


def test_empty_query_values_mean_no_filter(client):
    ProductFactory()

    response = client.get("/api/v1/products?q=&min_price=&category=&sort=")

    assert response.status_code == 200
    assert response.get_json()["total"] == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("per_page=ten", "per_page"),
        ("page=0", "page"),
        ("page=99999999999999999999", "page"),
        ("sort=cheapest", "sort"),
        ("min_price=-1", "min_price"),
        ("min_price=12.5", "min_price"),
        ("max_price=abc", "max_price"),
        ("max_price=99999999999999999999999", "max_price"),
        ("min_price=500&max_price=100", "max_price"),
        ("in_stock=maybe", "in_stock"),
        ("province=casablanca", "province"),
        ("label=fairtrade", "label"),
        ("cooperative=abc", "cooperative"),
        ("cooperative=99999999999999999999", "cooperative"),
        ("fair=-3", "fair"),
        ("q=" + "x" * 201, "q"),
        ("q=a%00b", "q"),
    ],
)
def test_bad_query_parameters_are_422_naming_the_field(client, query, field):
    response = client.get(f"/api/v1/products?{query}")

    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]


def test_the_product_list_costs_the_same_queries_for_5_or_50_products(
    client, count_queries, fee_rules
):
    categories = [CategoryFactory() for _ in range(3)]
    cooperatives = [CooperativeFactory(legal_form=form) for form in ("cooperative", "association")]
    for index in range(60):
        product = ProductFactory(
            category=categories[index % 3], cooperative=cooperatives[index % 2]
        )
        ProductLabelFactory(product=product, kind="AOP")

    counts = {}
    for per_page in (5, 50):
        with count_queries() as statements:
            response = client.get(f"/api/v1/products?per_page={per_page}&label=AOP")
        assert len(response.get_json()["items"]) == per_page
        counts[per_page] = len(statements)

    assert counts[5] == counts[50]


# Members' writes ----------------------------------------------------------------------


def new_product_body(category, **overrides):
    return {
        "name": "Huile d'olive extra vierge",
        "description": "Picholine marocaine, première pression à froid.",
        "price": 12000,
        "stock": 30,
        "unit": "bottle 1 L",
        "category_id": category.id,
        "labels": [{"kind": "AOP", "certificate_number": "AOP-07"}, "organic"],
        "status": "active",
    } | overrides


def test_a_member_lists_a_product_and_gets_201_with_the_product(
    client, api_token, cooperative, owner, fee_rules
):
    category = CategoryFactory()

    response = client.post(
        f"/api/v1/cooperatives/{cooperative.id}/products",
        json=new_product_body(category),
        headers=api_token(owner),
    )

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert sorted(body) == sorted(PRODUCT_KEYS)
    assert body["price"] == {"amount": 12000, "currency": "MAD"}
    assert body["labels"] == ["AOP", "organic"]
    assert client.get(f"/api/v1/products/{body['id']}").status_code == 200


def test_status_defaults_to_draft(client, api_token, cooperative, owner):
    body = new_product_body(CategoryFactory())
    del body["status"]

    response = client.post(
        f"/api/v1/cooperatives/{cooperative.id}/products", json=body, headers=api_token(owner)
    )

    assert response.status_code == 201
    assert db.session.get(Product, response.get_json()["id"]).status == "draft"


def test_listing_needs_credentials_and_membership(client, api_token, cooperative, shopper):
    category = CategoryFactory()
    stranger = MembershipFactory(cooperative=CooperativeFactory()).user
    url = f"/api/v1/cooperatives/{cooperative.id}/products"

    anonymous = client.post(url, json=new_product_body(category))
    bad_token = client.post(
        url, json=new_product_body(category), headers={"Authorization": "Bearer nope"}
    )
    as_shopper = client.post(url, json=new_product_body(category), headers=api_token(shopper))
    as_stranger = client.post(url, json=new_product_body(category), headers=api_token(stranger))

    assert anonymous.status_code == 401
    assert bad_token.status_code == 401
    assert as_shopper.status_code == 403
    assert as_stranger.status_code == 403
    assert as_stranger.get_json()["error"]["code"] == "forbidden"
    assert db.session.scalars(select(Product)).all() == []


def test_listing_for_an_unknown_cooperative_is_404(client, api_token, owner):
    response = client.post(
        "/api/v1/cooperatives/987654/products",
        json=new_product_body(CategoryFactory()),
        headers=api_token(owner),
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"price": 0}, "price"),
        ({"price": 120.5}, "price"),
        ({"price": "120"}, "price"),
        ({"stock": -2}, "stock"),
        ({"category_id": 987654}, "category_id"),
        ({"labels": ["IGP", "IGP"]}, "labels"),
        ({"labels": [42]}, "labels.0"),
        ({"status": "live"}, "status"),
        ({"name": ""}, "name"),
        ({"colour": "gold"}, "colour"),
    ],
)
def test_invalid_product_bodies_are_422_naming_the_field_and_write_nothing(
    client, api_token, cooperative, owner, overrides, field
):
    response = client.post(
        f"/api/v1/cooperatives/{cooperative.id}/products",
        json=new_product_body(CategoryFactory(), **overrides),
        headers=api_token(owner),
    )

    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert db.session.scalars(select(Product)).all() == []


def test_an_unverified_cooperative_cannot_put_a_product_on_sale(client, api_token):
    pending = CooperativeFactory(status="pending")
    member = MembershipFactory(cooperative=pending).user

    response = client.post(
        f"/api/v1/cooperatives/{pending.id}/products",
        json=new_product_body(CategoryFactory()),
        headers=api_token(member),
    )

    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "cooperative_not_verified"


def test_a_member_patches_their_product_and_sees_it_even_as_a_draft(
    client, api_token, cooperative, owner
):
    product = ProductFactory(cooperative=cooperative, status="draft", price_cents=5000)

    response = client.patch(
        f"/api/v1/products/{product.id}",
        json={"price": 5500, "stock": 2, "labels": ["label_agricole"]},
        headers=api_token(owner),
    )

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["price"]["amount"] == 5500
    assert body["stock"] == 2
    assert body["labels"] == ["label_agricole"]


def test_patch_by_another_cooperative_is_403_and_changes_nothing(client, api_token, cooperative):
    product = ProductFactory(cooperative=cooperative, price_cents=5000)
    stranger = MembershipFactory(cooperative=CooperativeFactory()).user

    response = client.patch(
        f"/api/v1/products/{product.id}", json={"price": 1}, headers=api_token(stranger)
    )

    assert response.status_code == 403
    db.session.expire_all()
    assert product.price_cents == 5000


def test_patch_errors_name_the_fields_as_the_client_sent_them(
    client, api_token, cooperative, owner
):
    product = ProductFactory(cooperative=cooperative)

    response = client.patch(
        f"/api/v1/products/{product.id}", json={"price": -5}, headers=api_token(owner)
    )

    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["price"]


def test_cookie_writes_need_the_csrf_token(client, cooperative, owner):
    product = ProductFactory(cooperative=cooperative)
    login_as(client, owner)

    response = client.patch(f"/api/v1/products/{product.id}", json={"stock": 1})

    assert response.status_code == 400


# Photos -------------------------------------------------------------------------------


def multipart(field: str, filename: str, content: bytes) -> tuple[bytes, str]:
    """A multipart body built in memory: werkzeug's test client spools a large one to a
    temporary file that it never closes (a ResourceWarning, an error under filterwarnings)."""
    boundary = "souk-boundary-7d1f"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def upload(client, product, headers, content: bytes, filename="photo.jpg", field="image"):
    body, content_type = multipart(field, filename, content)
    return client.post(
        f"/api/v1/products/{product.id}/image",
        data=body,
        content_type=content_type,
        headers=headers,
    )


def test_a_member_uploads_a_photo_and_gets_its_absolute_url(
    client, api_token, cooperative, owner, image_bytes
):
    product = ProductFactory(cooperative=cooperative)

    response = upload(client, product, api_token(owner), image_bytes("PNG"), "photo.png")

    assert response.status_code == 200, response.get_json()
    image_url = response.get_json()["image_url"]
    assert image_url.startswith("http://localhost/media/products/")
    with client.get(image_url) as photo:
        assert photo.status_code == 200
        assert photo.mimetype == "image/jpeg"
        assert "immutable" in photo.headers["Cache-Control"]
        assert "max-age=31536000" in photo.headers["Cache-Control"]


def test_a_text_file_named_jpg_is_422_with_a_clear_message(client, api_token, cooperative, owner):
    product = ProductFactory(cooperative=cooperative)

    response = upload(client, product, api_token(owner), b"name,price\nhoney,120\n" * 40)

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_image"
    assert "JPEG, PNG or WebP" in error["fields"]["image"][0]


def test_a_photo_over_5_mb_is_413(client, api_token, cooperative, owner, image_bytes):
    product = ProductFactory(cooperative=cooperative)
    photo = image_bytes()
    oversized = photo + b"\0" * (MAX_IMAGE_BYTES + 1 - len(photo))

    response = upload(client, product, api_token(owner), oversized)

    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "image_too_large"


def test_a_request_over_the_upload_limit_is_a_json_413(client, api_token, cooperative, owner):
    product = ProductFactory(cooperative=cooperative)

    response = upload(client, product, api_token(owner), b"\0" * (7 * 1024 * 1024))

    assert response.status_code == 413
    assert response.is_json


def test_upload_without_the_image_part_is_422(client, api_token, cooperative, owner):
    product = ProductFactory(cooperative=cooperative)

    response = upload(client, product, api_token(owner), b"x", field="photo")

    assert response.status_code == 422
    assert "image" in response.get_json()["error"]["fields"]


def test_upload_by_a_non_member_is_403(client, api_token, cooperative, shopper, image_bytes):
    product = ProductFactory(cooperative=cooperative)

    response = upload(client, product, api_token(shopper), image_bytes())

    assert response.status_code == 403


def test_the_media_route_refuses_paths_outside_the_media_root(client):
    assert client.get("/media/../config.py").status_code == 404
    assert client.get("/media/products/none.jpg").status_code == 404


def test_the_openapi_document_describes_the_catalog_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()

    paths = spec["paths"]
    assert "get" in paths["/api/v1/categories"]
    assert "get" in paths["/api/v1/products"]
    assert "get" in paths["/api/v1/products/{product_id}"]
    assert "patch" in paths["/api/v1/products/{product_id}"]
    assert "post" in paths["/api/v1/cooperatives/{cooperative_id}/products"]
    image = paths["/api/v1/products/{product_id}/image"]["post"]
    assert "multipart/form-data" in image["requestBody"]["content"]
    parameters = {p["name"] for p in paths["/api/v1/products"]["get"]["parameters"]}
    assert {"q", "province", "category", "cooperative", "label", "min_price", "max_price"} | {
        "in_stock",
        "fair",
        "sort",
        "page",
        "per_page",
    } <= parameters
