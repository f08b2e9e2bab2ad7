"""Someone's private pages never stay in a cache: receipts, statements, PDFs, CSVs, account
and dashboard pages, and every API answer about one person or cooperative carry
``Cache-Control: no-store``, so a shared computer's browser cache or a proxy does not keep
them. One rule in ``app.web.security_headers`` decides: every answer is private unless its
endpoint is listed as public, and a PDF or a CSV is private whatever its endpoint.
"""

from __future__ import annotations

from support.factories import issue_token, login_as
from support.url_map import World, routes, url

from app.web.security_headers import PUBLIC_ENDPOINTS

#: Pages and answers that must be private, whatever the public list says.
MUST_BE_PRIVATE = {
    "accounts.account": "the account page",
    "notifications.inbox": "the reader's messages",
    "storefront.orders": "the shopper's orders",
    "storefront.order": "a receipt",
    "dashboard.statement": "a cooperative's statement",
    "dashboard.statement_pdf_file": "a statement PDF",
    "admin.payout_batch_file": "a bank-transfer CSV with RIBs",
    "api_payouts.batch_file": "the same CSV through the API",
    "api_cooperative_money.get_statement": "a statement through the API",
    "auth.me": "who the caller is",
    "api_orders.get_order": "a receipt through the API",
}


def _as_rightful_caller(client, world: World, route) -> dict:
    """Headers (API) or a logged-in browser for whoever may read ``route``."""
    if route.is_admin:
        user = world.admin
    elif "number" in route.rule.arguments:
        user = world.shopper
    elif route.rule.rule.startswith(("/dashboard", "/api/v1/cooperatives/<")):
        user = world.owner
    else:
        user = world.shopper
    if route.is_api:
        return {"Authorization": f"Bearer {issue_token(user)}"}
    login_as(client, user)
    return {}


def test_the_pages_that_must_be_private_are_not_listed_as_public():
    assert not set(MUST_BE_PRIVATE) & PUBLIC_ENDPOINTS


def test_every_answer_not_listed_as_public_is_no_store(app, client, world):
    readable = [
        route
        for route in routes(app)
        if route.method == "GET" and route.rule.endpoint not in PUBLIC_ENDPOINTS
    ]
    cached, read = {}, set()
    for route in readable:
        headers = _as_rightful_caller(client, world, route)
        response = client.get(url(app, route, world.values), headers=headers)
        if response.status_code == 200:
            read.add(route.rule.endpoint)
        if "no-store" not in response.headers.get("Cache-Control", ""):
            cached[str(route)] = response.headers.get("Cache-Control")

    assert cached == {}
    # The private answers were really read (200), not refused: the header is on the content.
    assert set(MUST_BE_PRIVATE) - read == set()


def test_pdfs_and_csvs_are_no_store_and_public_pages_for_visitors_are_not(app, client, world):
    login_as(client, world.owner)
    values = world.values
    pdf = client.get(
        f"/dashboard/{values['cooperative_id']}/statement/"
        f"{values['year']:04d}-{values['month']:02d}.pdf"
    )
    client.get("/logout")
    visitor = app.test_client()
    catalog = visitor.get("/products")

    assert pdf.mimetype == "application/pdf" and "no-store" in pdf.headers["Cache-Control"]
    assert catalog.status_code == 200
    assert "no-store" not in catalog.headers.get("Cache-Control", "")


def test_a_public_page_read_by_a_signed_in_reader_is_no_store(client, world):
    """Public pages show the reader's name and the switcher's CSRF token once signed in."""
    login_as(client, world.shopper)

    response = client.get("/products")

    assert "no-store" in response.headers["Cache-Control"]
