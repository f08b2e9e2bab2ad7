"""Units come from a fixed list with a quantity and are worded in the reader's language."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from support.factories import ProductFactory

from app.catalog.units import canonical, parse_unit, unit_text


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("500 g", ("g", 500)),
        ("jar 500 g", ("g", 500)),
        ("bottle 75 cl", ("cl", 75)),
        ("bottle 1 L", ("l", 1)),
        ("kg", ("kg", 1)),
        ("piece", ("piece", 1)),
        ("1 piece", ("piece", 1)),
        ("set of 6", ("set", 6)),
        ("m2", ("m2", 1)),
    ],
)
def test_old_free_text_units_and_canonical_ones_are_read(text, parsed):
    assert parse_unit(text) == parsed


@pytest.mark.parametrize("text", ["", "bucket", "0 g", "jar of honey", "500 stones"])
def test_a_unit_outside_the_list_is_refused(text):
    with pytest.raises(ValueError):
        parse_unit(text)


@pytest.mark.parametrize(
    ("code", "quantity", "language", "worded"),
    [
        ("g", 500, "fr", "500 g"),
        ("g", 500, "ar", "500 غ"),
        ("cl", 75, "ar", "75 سل"),
        ("piece", 1, "fr", "pièce"),
        ("piece", 1, "ar", "قطعة"),
        ("set", 6, "fr", "lot de 6"),
        ("piece", 1, "en", "piece"),
    ],
)
def test_units_are_worded_in_the_readers_language(app, code, quantity, language, worded):
    with force_locale(language):
        assert unit_text(code, quantity) == worded


def test_a_product_page_shows_the_unit_in_arabic_and_french(client):
    product = ProductFactory(unit="jar 500 g")
    assert (product.unit_code, product.unit_quantity, product.unit_key) == ("g", 500, "500 g")

    arabic = client.get(f"/products/{product.id}", headers={"Accept-Language": "ar"})
    french = client.get(f"/products/{product.id}", headers={"Accept-Language": "fr"})

    assert "500 غ" in arabic.get_data(as_text=True)
    assert "jar" not in arabic.get_data(as_text=True)
    assert "500 g" in french.get_data(as_text=True)


def test_the_api_refuses_a_unit_outside_the_list(app):
    assert canonical(*parse_unit("bottle 75 cl")) == "75 cl"
