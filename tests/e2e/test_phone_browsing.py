"""Browsing on a 390 px phone, in French and in Arabic: search and filter, a cooperative's
page to a product to the cart, and a forgotten password. The search is typed as a
shopper types it (suggestions, then a misspelling and "did you mean"); the product page
with photos keeps its price and "Add to cart" in the first screen.

Each page fits the phone's width, has no serious accessibility violation (axe-core), and is
saved to test-artifacts/screenshots/ (tests/e2e/phone.py).
"""

from __future__ import annotations

import re

import pytest
from e2e.browsing import choose_language, submit
from e2e.phone import PHONE_390, check_phone_page, phone_window, sideways_overflow
from sqlalchemy import select

from app.catalog.models import Product
from app.cooperatives.models import Cooperative
from app.extensions import db

pytestmark = pytest.mark.browser

LANGUAGES = ["fr", "ar"]
#: What a shopper types to find olive oil, then the same words misspelt beyond what the
#: search forgives (two letters off): it offers the right spelling instead.
OLIVE_OIL_SEARCHES = {"fr": ("huile olive", "huile oliivee"), "ar": ("زيت زيتون", "زيتوونن")}
#: The header of a phone page, at most (issue 17: it wrapped to 165-250 px).
HEADER_MAX_PX = 64


def _card_of(site, product_id: int) -> str:
    """A selector of the product's card in a grid."""
    return f'.product-card:has(a[href="{site.path("storefront.product", product_id=product_id)}"])'


def _assert_shows(image) -> None:
    """The picture is on the page, loaded and decoded (lazy ones are scrolled to first)."""
    image.scroll_into_view_if_needed()
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0


def _cart_count(page) -> int:
    return int(page.locator("[data-cart-count]").inner_text().strip())


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_shopper_types_a_search_with_suggestions_filters_it_and_follows_did_you_mean(
    browser, site, committing_db, language
):
    typed, misspelt = OLIVE_OIL_SEARCHES[language]
    with site.app.app_context():
        province = db.session.scalar(
            select(Cooperative.province).where(Cooperative.slug == site.exhibitor_slug)
        )
        name = db.session.get(Product, site.pictured_product_id).translated("name", language)
    olive_oil = _card_of(site, site.pictured_product_id)
    context, page = phone_window(browser, site)
    try:
        choose_language(page, language)
        page.goto(site.path("storefront.products"))

        header = page.locator(".site-header").bounding_box()
        first_product = page.locator(".product-card").first.bounding_box()
        assert header["height"] <= HEADER_MAX_PX
        assert first_product["y"] < PHONE_390["height"], "no product in the first screen"
        assert not page.locator("#province").is_visible()  # folded in the drawer
        assert not page.locator(".main-nav").is_visible()  # behind the menu button
        # axe and the screenshot: on the results below, the same template with a search.
        assert sideways_overflow(page) == 0

        page.locator(".menu-button").click()
        assert page.locator(".main-nav").is_visible()
        check_phone_page(page, f"{language}-phone-menu")
        page.locator(".menu-button").click()

        # Typed letter by letter: the box offers the products it would find, in the reader's
        # language, from the type-ahead API; the shopper sends the words typed.
        suggest = site.path("api_search.suggest_completions")
        with page.expect_response(lambda response: suggest in response.url and response.ok):
            page.locator("#q").press_sequentially(typed)
        page.wait_for_function(
            "name => [...document.querySelectorAll('#search-suggestions option')]"
            ".some(option => option.value === name)",
            arg=name,
        )
        with page.expect_navigation():
            page.locator("#q").press("Enter")
        assert page.locator(olive_oil).count() == 1, f"{typed!r} did not find {name!r}"
        assert page.locator(f"{olive_oil} img").count() == 1
        check_phone_page(page, f"{language}-phone-search-results")

        page.locator(".filter-drawer > summary").click()
        page.select_option("#province", province)
        check_phone_page(page, f"{language}-phone-filters")
        submit(page, "form.filters")

        assert re.search(rf"[?&]province={province}\b", page.url), page.url
        assert page.locator("#q").input_value() == typed  # the search is kept
        assert page.locator(olive_oil).count() == 1
        assert page.locator(".filter-drawer > summary").inner_text().endswith("(1)")
        check_phone_page(page, f"{language}-phone-filtered")

        # Misspelt beyond what the search forgives: nothing found, another spelling offered.
        page.locator("#q").fill(misspelt)
        with page.expect_navigation():
            page.locator("#q").press("Enter")
        assert page.locator(".product-card").count() == 0
        spelling = page.locator(".did-you-mean a").first
        offered = spelling.inner_text()
        assert sideways_overflow(page) == 0
        with page.expect_navigation():
            spelling.click()
        assert page.locator("#q").input_value() == offered
        assert page.locator(olive_oil).count() == 1, f"{offered!r} did not find {name!r}"
    finally:
        context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_shopper_goes_from_a_cooperative_to_a_product_to_the_cart_and_stays(
    browser, site, committing_db, language
):
    context, page = phone_window(browser, site)
    try:
        choose_language(page, language)
        cooperative_page = site.path("storefront.cooperative", slug=site.exhibitor_slug)
        page.goto(cooperative_page)
        check_phone_page(page, f"{language}-phone-cooperative")
        # Every product is a card linked to its page, with its photo where it has one (only
        # the olive oil has photos in this site).
        assert page.locator(".product-card").count() >= 2
        assert page.locator(".product-card:not(:has(a[href*='/products/']))").count() == 0
        olive_oil = _card_of(site, site.pictured_product_id)
        assert page.locator(".product-card img").count() == 1
        _assert_shows(page.locator(f"{olive_oil} img"))
        # A sold-out product's card says so and offers no add button.
        sold_out = page.locator(".product-card:has(.sold-out)")
        assert sold_out.count() >= 1
        assert sold_out.locator("form.card-add button").first.is_hidden()
        before = _cart_count(page)

        with page.expect_navigation():
            page.locator(f"{olive_oil} > a").click()
        product_page = page.url
        # Its photos in a gallery, sized so that the price and the button stay in the first
        # screen of the phone, unscrolled.
        _assert_shows(page.locator(".gallery-strip img").first)
        assert page.locator(".gallery-thumbs img").count() == 2
        assert page.evaluate("() => window.scrollY") == 0
        for part in (".product-buy .price", "form.add-to-cart button[type=submit]"):
            box = page.locator(part).bounding_box()
            assert box["y"] + box["height"] <= PHONE_390["height"], f"{part} below the first screen"
        check_phone_page(page, f"{language}-phone-product")
        submit(page, "form.add-to-cart")

        # Back on the product page, told so, with one more unit in the header's count.
        assert page.url == product_page
        assert page.locator(".flash-success").count() == 1
        assert _cart_count(page) == before + 1
        check_phone_page(page, f"{language}-phone-added")

        # A card's button adds without leaving the cooperative's page (fetch, same form).
        page.goto(cooperative_page)
        page.locator(".product-card form.card-add button:visible").nth(1).click()
        page.wait_for_function(
            "n => document.querySelector('[data-cart-count]').textContent.trim() == n",
            arg=str(before + 2),
        )
        assert page.url.endswith(cooperative_page)
        assert page.locator(".flash-success").count() == 1
        check_phone_page(page, f"{language}-phone-card-added")
    finally:
        context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_shopper_who_forgot_the_password_asks_for_a_link_from_the_login_page(
    browser, site, committing_db, language
):
    context, page = phone_window(browser, site)
    try:
        choose_language(page, language)
        page.goto(site.path("accounts.login"))
        check_phone_page(page, f"{language}-phone-login")
        with page.expect_navigation():
            page.locator(f'main a[href="{site.path("accounts.forgot_password")}"]').click()
        check_phone_page(page, f"{language}-phone-forgot-password")

        page.fill("#email", site.shopper.email)
        submit(page, f'main form[action="{site.path("accounts.forgot_password")}"]')

        # The same answer whether the address has an account or not, on the login page.
        assert page.url.endswith(site.path("accounts.login"))
        assert page.locator(".flash").count() == 1
        check_phone_page(page, f"{language}-phone-link-sent")
    finally:
        context.close()


def test_the_menu_and_a_cards_add_to_cart_work_without_javascript(browser, site, committing_db):
    # No page.evaluate here: with scripts off, the page's own world runs nothing.
    context, page = phone_window(browser, site, javascript=False)
    try:
        choose_language(page, "fr")
        products = site.path("storefront.products")
        page.goto(products)
        assert not page.locator(".main-nav").is_visible()
        page.locator(".menu-button").click()
        assert page.locator(".main-nav").is_visible()

        submit(page, ".product-card form.card-add")

        assert page.url.endswith(products)
        assert page.locator(".flash-success").count() == 1
        assert _cart_count(page) == 1
    finally:
        context.close()
