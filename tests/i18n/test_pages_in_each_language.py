"""No English string is left on an Arabic or a French page.

Every page a shopper, a cooperative member and an admin reach by following links is read
in Arabic and in French; its visible text (text between tags and the attributes people
read) must not contain a message of the English catalog. Names and descriptions that the
data holds in Arabic are shown in Arabic.
"""

from __future__ import annotations

import pytest
from flask import Flask
from i18n.conftest import Marketplace
from i18n.english_text import english_messages_on
from i18n.page_crawl import Page, crawl
from i18n.template_text import visible_texts
from sqlalchemy import select
from support.factories import add_to_cart, login_as

from app.catalog.models import Category, Product
from app.cooperatives.models import Cooperative
from app.extensions import db
from app.fair.models import Fair
from app.fees.models import FeeRule

STOREFRONT = ["/", "/products", "/cooperatives", "/fairs", "/fair-trade", "/cart"]
LOGGED_OUT = ["/login", "/register", "/cooperatives/apply", "/no-such-page"]
SHOPPER = ["/orders", "/notifications", "/account"]
MEMBER_AND_ADMIN = ["/dashboard/", "/admin/"]


def _pages(app: Flask, client, marketplace: Marketplace, language: str) -> list[Page]:
    client.get(f"/lang/{language}")
    pages = list(crawl(app, client, [*STOREFRONT, *LOGGED_OUT]))
    login_as(client, marketplace.shopper)
    pages += crawl(app, client, [*SHOPPER, f"/orders/{marketplace.order.number}"])
    login_as(client, marketplace.admin)
    pages += crawl(app, client, MEMBER_AND_ADMIN, per_endpoint=1)
    return pages


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_no_english_message_is_left_on_any_page(
    app: Flask, client, marketplace: Marketplace, language: str
) -> None:
    pages = _pages(app, client, marketplace, language)
    endpoints = {page.endpoint for page in pages}

    problems = {page.path: english_messages_on(page.html, language) for page in pages}

    assert {path: found for path, found in problems.items() if found} == {}
    assert all(f'<html lang="{language}"' in page.html for page in pages)
    # The walk reached the pages of every kind of reader.
    assert {
        "storefront.home",
        "storefront.product",
        "storefront.cooperative",
        "storefront.cart",
        "storefront.order",
        "dashboard.home",
        "admin.home",
    } <= endpoints, sorted(endpoints)
    assert len(pages) > 40


def test_shoppers_read_names_and_descriptions_in_arabic_where_the_data_has_them(
    app: Flask, client, marketplace: Marketplace
) -> None:
    """Products, cooperatives, fairs and categories with an Arabic name or description show
    it on the Arabic storefront and cart, never their French one (a row without a
    translation shows its own text: the fallback)."""
    rows = [
        *db.session.scalars(select(Product)),
        *db.session.scalars(select(Cooperative)),
        *db.session.scalars(select(Fair)),
        *db.session.scalars(select(Category)),
    ]
    french = {
        getattr(row, field)
        for row in rows
        for field in ("name", "description", "venue", "city")
        if (row.translations or {}).get("ar", {}).get(field)
    }
    login_as(client, marketplace.shopper)
    client.get("/lang/ar")
    product = db.session.scalars(select(Product).where(Product.status == "active")).first()
    add_to_cart(client, product)
    pages = list(crawl(app, client, [*STOREFRONT, "/checkout", *SHOPPER], per_endpoint=3))
    pages += crawl(app, client, [f"/orders/{marketplace.order.number}"])

    # Data typed in one language: fee rule names (an admin's label) and the names inside
    # notifications, written in the recipient's language when the event happened.
    rule_names = set(db.session.scalars(select(FeeRule.name)))
    pages = [page for page in pages if page.endpoint != "notifications.inbox"]
    shown = {
        page.path: sorted(
            {
                text
                for text in visible_texts(page.html)
                for name in french
                if name and name in text and text not in rule_names
            }
        )
        for page in pages
    }

    assert any(page.endpoint == "storefront.cart" for page in pages)
    assert {path: texts for path, texts in shown.items() if texts} == {}


def test_arabic_pages_are_right_to_left(app: Flask, client, marketplace: Marketplace) -> None:
    pages = _pages(app, client, marketplace, "ar")

    assert all('<html lang="ar" dir="rtl">' in page.html for page in pages)
