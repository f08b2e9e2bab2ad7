"""Hostile input: uploads that are not photos are refused through the real interfaces (the
API's multipart endpoint and the dashboard's photo form), whatever their name and declared
type say, and nothing of them reaches the media folder or the product."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from support.factories import MembershipFactory, ProductFactory, login_as

from app.catalog.models import Product
from app.extensions import db


def picture(image_format: str, size=(64, 48), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, format=image_format)
    return buffer.getvalue()


#: (name sent, declared type, content): none of them is a JPEG, PNG or WebP photo.
HOSTILE = {
    "text-named-jpg": ("photo.jpg", "image/jpeg", b"a shopping list, not a photo\n" * 40),
    "svg-with-script": (
        "logo.svg",
        "image/svg+xml",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>',
    ),
    "html-page": ("index.html", "text/html", b"<html><body><script>steal()</script></body></html>"),
    "php-behind-gif-magic": (
        "shell.php.jpg",
        "image/jpeg",
        b"GIF89a<?php system($_GET['c']); ?>",
    ),
    "jpeg-magic-then-garbage": ("photo.jpg", "image/jpeg", b"\xff\xd8\xff\xe0" + b"\0" * 500),
    "truncated-png": ("photo.png", "image/png", picture("PNG", (640, 480))[:200]),
    "gif": ("anim.gif", "image/gif", picture("GIF")),
    "decompression-bomb": ("bomb.png", "image/png", picture("PNG", (9000, 9000), mode="1")),
}


@pytest.fixture
def listing(app):
    product = ProductFactory()
    owner = MembershipFactory(cooperative=product.cooperative).user
    db.session.commit()
    return product, owner


def media_files(app) -> set[Path]:
    return {path for path in Path(app.config["MEDIA_ROOT"]).rglob("*") if path.is_file()}


def image_of(product: Product) -> str | None:
    db.session.expire_all()
    return db.session.get(Product, product.id).image_path


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_api_refuses_an_upload_that_is_not_a_photo(app, client, listing, api_token, name):
    product, owner = listing
    filename, content_type, content = HOSTILE[name]
    before = media_files(app)

    response = client.post(
        f"/api/v1/products/{product.id}/image",
        data={"image": (io.BytesIO(content), filename, content_type)},
        headers=api_token(owner),
        content_type="multipart/form-data",
    )

    assert response.status_code == 422, response.get_json()
    assert "image" in response.get_json()["error"]["fields"]
    assert image_of(product) is None
    assert media_files(app) == before


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_photo_form_refuses_an_upload_that_is_not_a_photo(app, client, listing, form_on, name):
    product, owner = listing
    filename, content_type, content = HOSTILE[name]
    login_as(client, owner)
    edit = f"/dashboard/{product.cooperative_id}/products/{product.id}/edit"
    action = f"/dashboard/{product.cooperative_id}/products/{product.id}/photo"
    fields = form_on(client, edit, action)
    before = media_files(app)

    response = client.post(
        action,
        data={**fields, "photo": (io.BytesIO(content), filename, content_type)},
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert 'id="photo-errors"' in response.get_data(as_text=True)
    assert image_of(product) is None
    assert media_files(app) == before


def test_a_real_photo_goes_through_both_doors(app, client, listing, api_token, form_on):
    """The control: the same requests with a photo are accepted, so the refusals are real."""
    product, owner = listing
    api = client.post(
        f"/api/v1/products/{product.id}/image",
        data={"image": (io.BytesIO(picture("PNG")), "miel.png", "image/png")},
        headers=api_token(owner),
        content_type="multipart/form-data",
    )
    assert api.status_code == 200
    first = image_of(product)
    assert first

    login_as(client, owner)
    edit = f"/dashboard/{product.cooperative_id}/products/{product.id}/edit"
    action = f"/dashboard/{product.cooperative_id}/products/{product.id}/photo"
    fields = form_on(client, edit, action)
    page = client.post(
        action,
        data={**fields, "photo": (io.BytesIO(picture("WEBP", (80, 60))), "a.webp", "image/webp")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 302
    # The dashboard adds to the gallery: the API's photo stays the main one, the new one follows.
    assert image_of(product) == first
    gallery = [photo.image_path for photo in db.session.get(Product, product.id).photos]
    assert len(gallery) == 2 and gallery[0] == first and gallery[1] != first


def test_photo_uploads_are_limited_to_30_an_hour_per_account_by_default(app):
    assert app.config["PHOTO_UPLOAD_RATE_LIMIT"] == "30 per hour"


def test_an_account_over_its_upload_limit_gets_429_on_both_doors(
    app, client, listing, api_token, form_on, monkeypatch
):
    """Uploads cost the server a decode each: an account gets a few an hour (here 3, to
    keep the test short), counted across the API and the dashboard; others are unaffected."""
    monkeypatch.setitem(app.config, "PHOTO_UPLOAD_RATE_LIMIT", "3 per hour")
    product, owner = listing
    headers = api_token(owner)

    def upload_by_api():
        return client.post(
            f"/api/v1/products/{product.id}/image",
            data={"image": (io.BytesIO(picture("PNG")), "miel.png", "image/png")},
            headers=headers,
            content_type="multipart/form-data",
        )

    allowed = [upload_by_api().status_code for _ in range(2)]
    login_as(client, owner)
    edit = f"/dashboard/{product.cooperative_id}/products/{product.id}/edit"
    action = f"/dashboard/{product.cooperative_id}/products/{product.id}/photo"
    fields = form_on(client, edit, action)

    def upload_by_form():
        return client.post(
            action,
            data={**fields, "photo": (io.BytesIO(picture("PNG")), "a.png", "image/png")},
            content_type="multipart/form-data",
        )

    third = upload_by_form()
    refused_page = upload_by_form()
    refused_api = upload_by_api()
    other = ProductFactory()
    other_owner = MembershipFactory(cooperative=other.cooperative).user
    someone_else = client.post(
        f"/api/v1/products/{other.id}/image",
        data={"image": (io.BytesIO(picture("PNG")), "miel.png", "image/png")},
        headers=api_token(other_owner),
        content_type="multipart/form-data",
    )

    assert allowed == [200, 200]
    assert third.status_code == 302
    assert refused_page.status_code == 429
    assert refused_api.status_code == 429
    assert refused_api.get_json()["error"]["code"] == "too_many_requests"
    assert someone_else.status_code == 200
