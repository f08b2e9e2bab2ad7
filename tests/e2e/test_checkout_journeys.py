"""Checkout journeys on a 390x844 phone, in French and Arabic (issue 17, point 6).

A new shopper finds one product by search and another on its cooperative's page, goes from
the cart to checkout and orders as a guest, cash on delivery, with a name, a phone and a
city: the total with delivery is on the page before confirming, the order page is reached
(its secret link), and the confirmation link sent by SMS confirms the part. A shopper whose
cart can all be collected at the fair stand sees no address fields and pay at the stand
selected. Each page fits the phone's width; screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re

import pytest
from e2e.browsing import submit
from e2e.phone import check_phone_page, phone_window, screenshot_wide
from sqlalchemy import select

from app.extensions import db
from app.notifications.models import Notification

pytestmark = pytest.mark.browser

LANGUAGES = ["fr", "ar"]
#: What the guest types to find the other cooperative's djellaba.
DJELLABA = {"fr": "djellaba", "ar": "جلابة"}


def _window(browser, site, language: str):
    context, page = phone_window(browser, site)
    page.goto(f"/lang/{language}?next=/")
    return context, page


def _fits_and_shoot(page, language: str, name: str) -> None:
    """The page is in the reader's language and direction, fits the phone, passes axe-core."""
    direction = "rtl" if language == "ar" else "ltr"
    assert page.locator(f'html[lang="{language}"][dir="{direction}"]').count() == 1, page.url
    check_phone_page(page, f"checkout-{language}-{name}")


def _add_to_cart(page, site, product_id: int) -> None:
    """Straight to the product's page and add it (for journeys that start at the cart)."""
    page.goto(site.path("storefront.product", product_id=product_id))
    submit(page, "form.add-to-cart")


def _card_of(site, product_id: int) -> str:
    """A selector of the product's card in a grid."""
    return f'.product-card:has(a[href="{site.path("storefront.product", product_id=product_id)}"])'


def _open_card(page, site, product_id: int) -> None:
    """Open the product's page from its card in the list shown."""
    with page.expect_navigation():
        page.locator(f"{_card_of(site, product_id)} > a").click()


def _sent_link(site, kind: str, phone: str) -> str:
    with site.app.app_context():
        message = db.session.scalars(
            select(Notification)
            .where(Notification.kind == kind, Notification.recipient_phone == phone)
            .order_by(Notification.id.desc())
        ).first()
        assert message is not None and message.channel == "sms", kind
        return message.context["link"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_guest_orders_cash_on_delivery_and_confirms_by_the_sms_link(
    browser, site, committing_db, language
):
    phone = "0661234567" if language == "fr" else "0671234567"
    context, page = _window(browser, site, language)
    try:
        # A new shopper on the home page: one product found by search, one from the page of
        # the cooperative found in the menu; then the cart in the header, then checkout.
        page.fill("#home-q", DJELLABA[language])
        with page.expect_navigation():
            page.locator("#home-q").press("Enter")
        _open_card(page, site, site.other_product_id)
        submit(page, "form.add-to-cart")
        page.locator(".menu-button").click()
        with page.expect_navigation():
            page.locator(f'.main-nav a[href="{site.path("storefront.cooperatives")}"]').click()
        cooperative = site.path("storefront.cooperative", slug=site.exhibitor_slug)
        with page.expect_navigation():
            page.locator(f'main a[href="{cooperative}"]').click()
        page.locator(f"{_card_of(site, site.exhibitor_product_id)} form.card-add button").click()
        page.wait_for_function(
            "() => document.querySelector('[data-cart-count]').textContent.trim() == '2'"
        )
        with page.expect_navigation():
            page.locator(".site-header a.cart-link").click()
        submit(page, "#to-checkout")
        assert page.url.split("?")[0].endswith(site.path("storefront.checkout")), page.url
        page.check(f'input[name="delivery_{site.other_id}"][value="home_delivery"]')
        page.check(f'input[name="delivery_{site.exhibitor_id}"][value="home_delivery"]')
        page.fill("#name", "Salma Bennani")
        page.fill("#phone", phone)
        page.fill("#city", "Khouribga")
        page.check('input[name="payment_method"][value="cash_on_delivery"]')

        total = page.locator('#checkout-total [data-total="total"]')
        assert re.search(r"\d+,\d\d", total.inner_text()), total.inner_text()
        currency = total.inner_text().split()[-1]
        shipping = page.locator('#checkout-total [data-total="shipping"]').inner_text()
        assert (
            page.locator("#checkout-total").bounding_box()["y"]
            < page.locator("#place-order").bounding_box()["y"]
        )
        # Another delivery for the stand's cooperative: the script asks the server again.
        stand_pickup = f'input[name="delivery_{site.exhibitor_id}"][value="stand_pickup"]'
        home = f'input[name="delivery_{site.exhibitor_id}"][value="home_delivery"]'
        if page.locator(home).count():
            page.check(stand_pickup)
            page.wait_for_function(
                "(old) => document.querySelector('[data-total=shipping]').textContent !== old",
                arg=shipping,
            )
            page.check(home)
            page.wait_for_function(
                "(old) => document.querySelector('[data-total=shipping]').textContent === old",
                arg=shipping,
            )
            # The script writes amounts as the server does: the reader's currency, no markup.
            rewritten = total.inner_text()
            assert "<" not in rewritten and rewritten.split()[-1] == currency, rewritten
        _fits_and_shoot(page, language, "guest-checkout")
        screenshot_wide(page, f"checkout-{language}-guest-checkout")

        with page.expect_navigation():
            page.click("#place-order")
        assert "/guest-orders/" in page.url, page.url
        assert page.locator("h1").inner_text().strip()
        _fits_and_shoot(page, language, "guest-order")
        screenshot_wide(page, f"checkout-{language}-guest-order")

        link = _sent_link(site, "confirm_cash_order", "+212" + phone[1:])
        page.goto(link)
        _fits_and_shoot(page, language, "confirm")
        with page.expect_navigation():
            page.locator("form:has(input[value=confirm]) button").first.click()
        assert page.locator(".confirmed").count() == 1
        _fits_and_shoot(page, language, "confirmed")
    finally:
        context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_everything_collected_at_the_stand_asks_no_address_and_selects_pay_at_the_stand(
    browser, site, committing_db, language
):
    context, page = _window(browser, site, language)
    try:
        _add_to_cart(page, site, site.exhibitor_product_id)
        page.goto(site.path("storefront.checkout"))

        assert page.locator(
            f'input[name="delivery_{site.exhibitor_id}"][value="stand_pickup"]'
        ).is_checked()
        assert page.locator('input[name="payment_method"][value="pay_at_stand"]').is_checked()
        assert not page.locator("#line1").is_visible()
        assert not page.locator("#postal_code").is_visible()
        assert page.locator('#checkout-total [data-total="total"]').is_visible()
        _fits_and_shoot(page, language, "stand-checkout")

        page.fill("#name", "Salma Bennani")
        page.fill("#phone", "0612345678" if language == "fr" else "0622345678")
        page.fill("#city", "Khenifra")
        with page.expect_navigation():
            page.click("#place-order")
        assert "/guest-orders/" in page.url, page.url
        assert page.locator(".pickup-code .code").count() == 1
        _fits_and_shoot(page, language, "stand-order")
    finally:
        context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_cooperative_sees_unconfirmed_cash_parts_first_with_call_and_whatsapp(
    browser, site, committing_db, language
):
    from e2e.browsing import log_in

    context, page = _window(browser, site, language)
    try:
        _add_to_cart(page, site, site.other_product_id)
        page.goto(site.path("storefront.checkout"))
        page.check(f'input[name="delivery_{site.other_id}"][value="home_delivery"]')
        page.fill("#name", "Hind Amrani")
        page.fill("#phone", "0681234567" if language == "fr" else "0691234567")
        page.fill("#city", "Beni Mellal")
        with page.expect_navigation():
            page.click("#place-order")
        context.clear_cookies()
        page.goto(f"/lang/{language}?next=/")
        log_in(page, site, site.other_owner)
        page.goto(site.path("dashboard.orders", cooperative_id=site.other_id))
        first = page.locator("tbody tr").first
        assert "awaiting-confirmation" in (first.get_attribute("class") or "")
        assert first.locator('a[href^="tel:+212"]').count() == 1
        assert first.locator('a[href^="https://wa.me/212"]').count() == 1
        _fits_and_shoot(page, language, "dashboard-orders")
        screenshot_wide(page, f"checkout-{language}-dashboard-orders")
        with page.expect_navigation():
            first.locator("td a").first.click()
        _fits_and_shoot(page, language, "dashboard-part")
        screenshot_wide(page, f"checkout-{language}-dashboard-part")
    finally:
        context.close()
