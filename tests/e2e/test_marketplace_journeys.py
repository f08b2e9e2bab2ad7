"""The marketplace used end to end in a real browser, on a phone, in Arabic and in French.

A shopper fills a cart from two cooperatives and checks out with cash on delivery, one part
picked up at the fair stand; the cooperatives confirm, ship, and hand the pickup over with
the shopper's code; an admin verifies a cooperative and runs the payouts.
"""

from __future__ import annotations

import re

import pytest
from e2e.browsing import check_page, choose_language, confirm, log_in, submit
from e2e.conftest import PHONE

pytestmark = pytest.mark.browser

JOURNEYS = ["ar", "fr"]


@pytest.mark.parametrize("language", JOURNEYS)
def test_shopper_members_and_admin_go_through_the_whole_journey(
    browser, site, committing_db, language
):
    journey = JOURNEYS.index(language)
    number, pickup_code = _shopper_buys_from_two_cooperatives(browser, site, language)
    _exhibitor_hands_over_the_pickup(browser, site, language, number, pickup_code)
    _other_cooperative_confirms_and_ships(browser, site, language, number)
    _admin_verifies_a_cooperative_and_runs_payouts(browser, site, language, journey)


def _window(browser, site):
    """A fresh browser window the size of a phone, with cookies of its own."""
    context = browser.new_context(viewport=PHONE, base_url=site.url)
    context.set_default_timeout(20_000)
    return context, context.new_page()


def _shopper_buys_from_two_cooperatives(browser, site, language: str) -> tuple[str, str]:
    context, page = _window(browser, site)
    try:
        choose_language(page, language)
        check_page(page, language, "home")
        log_in(page, site, site.shopper)
        page.goto(site.path("storefront.products"))
        check_page(page, language, "products")
        page.goto(site.path("storefront.cooperative", slug=site.exhibitor_slug))
        check_page(page, language, "cooperative")

        for index, product_id in enumerate((site.exhibitor_product_id, site.other_product_id)):
            page.goto(site.path("storefront.product", product_id=product_id))
            if index == 0:
                check_page(page, language, "product")
            page.fill("form.add-to-cart input[name=quantity]", "2" if index == 0 else "1")
            submit(page, "form.add-to-cart")

            # Added, the shopper stays on the product page; the header leads to the cart.
            assert page.url.endswith(site.path("storefront.product", product_id=product_id))

        with page.expect_navigation():
            page.locator(".site-header a.cart-link").click()
        assert page.url.endswith(site.path("storefront.cart"))
        page.check(f'input[name="delivery-{site.exhibitor_id}"][value="stand_pickup"]')
        page.check(f'input[name="delivery-{site.other_id}"][value="home_delivery"]')
        check_page(page, language, "cart")
        submit(page, "#to-checkout")

        page.check(f'input[name="delivery_{site.exhibitor_id}"][value="stand_pickup"]')
        page.check(f'input[name="delivery_{site.other_id}"][value="home_delivery"]')
        page.fill("#name", "Salma Bennani")
        page.fill("#phone", "0612345678")
        page.fill("#line1", "12, rue Al Qods, Hay Salam")
        page.fill("#city", "Beni Mellal")
        page.fill("#postal_code", "23000")
        page.check('input[name="payment_method"][value="cash_on_delivery"]')
        check_page(page, language, "checkout")
        with page.expect_navigation():
            page.click("#place-order")

        match = re.search(r"/orders/(ST-[A-Z0-9]+)$", page.url)
        assert match, f"no order page after checkout: {page.url}"
        check_page(page, language, "order")
        pickup_code = page.locator(".pickup-code .code").first.inner_text().strip()
        assert re.fullmatch(r"[A-Z0-9-]{4,12}", pickup_code), pickup_code
        return match.group(1), pickup_code
    finally:
        context.close()


def _part_page(page, site, cooperative_id: int, number: str, language: str, name: str) -> None:
    page.goto(site.path("dashboard.orders", cooperative_id=cooperative_id))
    check_page(page, language, f"{name}-orders")
    with page.expect_navigation():
        page.get_by_role("link", name=number, exact=True).click()


def _exhibitor_hands_over_the_pickup(browser, site, language, number, pickup_code) -> None:
    context, page = _window(browser, site)
    try:
        choose_language(page, language)
        log_in(page, site, site.exhibitor_owner)
        _part_page(page, site, site.exhibitor_id, number, language, "exhibitor")
        check_page(page, language, "exhibitor-part")
        submit(page, "form.move-confirmed")
        submit(page, "form.move-ready")
        page.fill("form.move-delivered input[name$=pickup_code]", "WRONG-1")
        submit(page, "form.move-delivered")
        # A wrong code is refused next to the field, in the reader's language.
        assert page.locator("form.move-delivered .errors, .form-errors").count() >= 1
        check_page(page, language, "exhibitor-wrong-code")
        page.fill("form.move-delivered input[name$=pickup_code]", pickup_code)
        submit(page, "form.move-delivered")
        assert page.locator("form.move-delivered").count() == 0
        check_page(page, language, "exhibitor-delivered")
    finally:
        context.close()


def _other_cooperative_confirms_and_ships(browser, site, language, number) -> None:
    context, page = _window(browser, site)
    try:
        choose_language(page, language)
        log_in(page, site, site.other_owner)
        _part_page(page, site, site.other_id, number, language, "member")
        submit(page, "form.move-confirmed")
        submit(page, "form.move-shipped")
        assert page.locator("form.move-shipped").count() == 0
        assert page.locator("form.move-delivered").count() == 1
        check_page(page, language, "member-shipped")
    finally:
        context.close()


def _admin_verifies_a_cooperative_and_runs_payouts(browser, site, language, journey) -> None:
    applicant = site.applicant_ids[journey]
    payee = site.payee_ids[journey]
    site.earn(payee)
    context, page = _window(browser, site)
    try:
        choose_language(page, language)
        log_in(page, site, site.admin)
        page.goto(site.path("admin.cooperatives", status="pending"))
        check_page(page, language, "admin-applications")
        page.goto(site.path("admin.cooperative", cooperative_id=applicant))
        verify = f'form[action="{site.path("admin.verify_cooperative", cooperative_id=applicant)}"]'
        # The note, and the reason the checklist asks for while an item is missing.
        for box in page.locator(f"{verify} textarea").all():
            box.fill("ODCo papers checked at the fair's desk")
        submit(page, verify)
        confirm(page)
        assert page.locator(verify).count() == 0
        check_page(page, language, "admin-verified")

        page.goto(site.path("admin.payouts"))
        submit(page, f'form[action="{site.path("admin.run_payouts")}"]')
        confirm(page)
        approve = page.locator('form[action$="/approve"]')
        assert approve.count() >= 1, "the run proposed no payout"
        check_page(page, language, "admin-payouts")
        before = approve.count()
        submit(page, 'form[action$="/approve"]')
        confirm(page)
        assert page.locator('form[action$="/approve"]').count() == before - 1
        assert page.locator('form[action$="/execute"]').count() >= 1
    finally:
        context.close()
