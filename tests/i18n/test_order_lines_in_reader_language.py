"""Order lines on the cooperatives' and the admins' pages name the product in the reader's
language when the product has a name in it, and the name it was bought under otherwise."""

from __future__ import annotations

from i18n.conftest import Marketplace
from support.factories import login_as

from app.catalog.models import Product
from app.extensions import db

ARABIC_NAME = "عسل الزعتر البري"


def _pages(marketplace: Marketplace) -> list[str]:
    part = next(p for p in marketplace.order.parts if p.cooperative_id == marketplace.exhibitor.id)
    return [
        f"/dashboard/{marketplace.exhibitor.id}/",
        f"/dashboard/{marketplace.exhibitor.id}/orders/{part.id}",
        f"/admin/orders/{marketplace.order.number}",
    ]


def _exhibitor_line(marketplace: Marketplace):
    part = next(p for p in marketplace.order.parts if p.cooperative_id == marketplace.exhibitor.id)
    return part.lines[0]


def test_lines_show_the_products_name_in_the_readers_language(client, marketplace):
    line = _exhibitor_line(marketplace)
    product = db.session.get(Product, line.product_id)
    product.translations = {**(product.translations or {}), "ar": {"name": ARABIC_NAME}}
    line.name = "Miel de thym sauvage (nom du jour de l achat)"
    db.session.flush()
    login_as(client, marketplace.admin)

    client.get("/lang/ar")
    for path in _pages(marketplace):
        html = client.get(path).get_data(as_text=True)
        assert ARABIC_NAME in html, path
        assert line.name not in html, path

    client.get("/lang/fr")
    for path in _pages(marketplace):
        html = client.get(path).get_data(as_text=True)
        assert line.name in html, path
        assert ARABIC_NAME not in html, path


def test_lines_keep_the_name_they_were_bought_under_without_a_translation(client, marketplace):
    line = _exhibitor_line(marketplace)
    product = db.session.get(Product, line.product_id)
    product.translations = {}
    line.name = "Miel de thym sauvage (nom du jour de l achat)"
    db.session.flush()
    login_as(client, marketplace.admin)

    client.get("/lang/ar")
    for path in _pages(marketplace):
        assert line.name in client.get(path).get_data(as_text=True), path
