"""No word of English (or French) is left on an Arabic page, whoever reads it.

Stronger than the catalog check of test_pages_in_each_language: any Latin-script word
that the data does not hold (names, units, emails, codes) counts, so text that was never
marked for translation (an exception's message, a code shown raw) is caught too. Each
kind of reader walks the site by its links: a visitor, a shopper (with the checkout), a
member of a cooperative who is not an admin, and an admin; then the error pages they can
meet.
"""

from __future__ import annotations

from flask import Flask
from i18n.conftest import Marketplace
from i18n.latin_words import data_words, latin_words_on
from i18n.page_crawl import walk_as_every_reader
from support.factories import login_as


def test_no_latin_word_is_left_on_any_arabic_page_of_any_reader(
    app: Flask, client, marketplace: Marketplace
) -> None:
    pages = walk_as_every_reader(app, client, marketplace, "ar")
    data = data_words()

    found = {
        f"{reader} {page.path}": sorted(words)
        for reader, walked in pages.items()
        for page in walked
        if (words := latin_words_on(page.html, data))
    }

    assert found == {}
    reached = {reader: {page.endpoint for page in walked} for reader, walked in pages.items()}
    assert {"storefront.checkout", "storefront.order", "accounts.account"} <= reached["shopper"]
    assert {
        "dashboard.overview",
        "dashboard.orders",
        "dashboard.order_part",
        "dashboard.products",
        "dashboard.product_edit",
        "dashboard.statement",
        "dashboard.payouts",
        "dashboard.members",
    } <= reached["member"], sorted(reached["member"])
    assert {
        "admin.order",
        "admin.cooperative",
        "admin.fee_rule",
        "admin.payouts",
        "admin.ledger",
        "admin.reports",
        "admin.audit",
    } <= reached["admin"], sorted(reached["admin"])


def test_error_pages_a_reader_meets_hold_no_latin_word(client, marketplace: Marketplace):
    member = marketplace.exhibitor.memberships[0].user
    data = data_words()
    client.get("/lang/ar")
    answers = {"/no-such-page": client.get("/no-such-page"), "DELETE /": client.delete("/")}
    login_as(client, marketplace.shopper)
    answers["/admin/ (shopper)"] = client.get("/admin/")
    login_as(client, member)
    answers["another cooperative's dashboard"] = client.get(f"/dashboard/{marketplace.other.id}/")
    answers["/cooperatives/no-such"] = client.get("/cooperatives/no-such-cooperative")
    answers["a form without its token"] = client.post("/cart/add", data={"product_id": 1})

    statuses = {where: response.status_code for where, response in answers.items()}
    found = {
        where: sorted(words)
        for where, response in answers.items()
        if (words := latin_words_on(response.get_data(as_text=True), data))
    }

    assert found == {}
    assert statuses == {
        "/no-such-page": 404,
        "DELETE /": 405,
        "/admin/ (shopper)": 403,
        "another cooperative's dashboard": 403,
        "/cooperatives/no-such": 404,
        "a form without its token": 400,
    }
