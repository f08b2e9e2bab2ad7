"""Catalog tests: a request around each test (services translate their messages for the
reader, and image URLs are absolute), photo bytes made with Pillow, and a fee rule."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from PIL import Image
from support.factories import (
    CategoryFactory,
    CooperativeFactory,
    ProductFactory,
    ProductLabelFactory,
)

from app.demo.catalog_data import CATEGORIES, PRODUCT_TEMPLATES


@pytest.fixture(autouse=True)
def _in_request(app):
    with app.test_request_context():
        yield


def _image_bytes(
    image_format: str = "JPEG",
    size: tuple[int, int] = (800, 600),
    mode: str = "RGB",
    exif: Image.Exif | None = None,
    color: tuple[int, ...] = (180, 120, 40),
) -> bytes:
    picture = Image.new(mode, size, color[: len(mode)] if mode != "P" else 3)
    buffer = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    picture.save(buffer, image_format, **options)
    return buffer.getvalue()


@pytest.fixture
def image_bytes() -> Callable[..., bytes]:
    """``image_bytes("PNG", (800, 600))``: a real picture file of that format and size."""
    return _image_bytes


@pytest.fixture
def demo_catalog() -> dict[str, int]:
    """One product per template of app/demo/catalog_data.py (French name, Arabic and English
    translations, the demo categories, IGP and organic labels), an argan oil and an amlou.
    Template key -> product id."""
    categories = {}
    for demo in CATEGORIES:
        categories[demo.slug] = CategoryFactory(
            slug=demo.slug,
            name=demo.name.fr,
            parent=categories.get(demo.parent),
            translations={"ar": {"name": demo.name.ar}, "en": {"name": demo.name.en}},
        )
    tighza = CooperativeFactory(name="Coopérative Tighza", province="khenifra", commune="Tighza")
    nahla = CooperativeFactory(
        name="Coopérative Nahla",
        province="beni_mellal",
        commune="Foum Oudi",
        translations={"ar": {"name": "تعاونية النحلة"}},
    )
    products = {}
    for template in PRODUCT_TEMPLATES:
        province = template.only_in[0] if template.only_in else None
        products[template.key] = ProductFactory(
            slug=template.key,
            name=template.name.fr,
            description="",
            translations={"ar": {"name": template.name.ar}, "en": {"name": template.name.en}},
            category=categories[template.category],
            cooperative=nahla if template.category == "honey" else tighza,
            origin_province=province,
            origin_commune=None,
        )
        if template.igp:
            ProductLabelFactory(product=products[template.key], kind="IGP")
        if template.organic_share == 1.0:
            ProductLabelFactory(product=products[template.key], kind="organic")
    products["argan"] = ProductFactory(
        slug="argan",
        name="Huile d'argan cosmétique",
        description="Pressée à froid.",
        translations={"ar": {"name": "زيت الأركان التجميلي"}},
        category=categories["cosmetics"],
        cooperative=tighza,
    )
    products["amlou"] = ProductFactory(
        slug="amlou",
        name="Amlou aux amandes et huile d'argan",
        description="",
        translations={"ar": {"name": "أملو باللوز"}},
        category=categories["sellou-sweets"],
        cooperative=tighza,
    )
    return {key: product.id for key, product in products.items()}
