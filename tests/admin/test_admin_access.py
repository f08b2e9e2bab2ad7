"""Only admins see the console: every GET page of the admin blueprint sends an anonymous
visitor to the login page and answers a shopper 403; admins get the pages."""

from __future__ import annotations

import pytest
from support.factories import FairFactory, ProductFactory, login_as

#: A value for each URL argument, enough to reach the admin check (it runs before the view).
PLACEHOLDERS = {"number": "ST-AAAAAA", "name": "sales-by-day"}


def admin_get_urls(app) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin.") and "GET" in rule.methods:
            arguments = {name: PLACEHOLDERS.get(name, 1) for name in rule.arguments}
            with app.test_request_context():
                from flask import url_for

                urls.append(url_for(rule.endpoint, **arguments))
    return sorted(urls)


def test_the_console_has_the_sections_of_the_issue(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    for endpoint in (
        "admin.cooperatives",
        "admin.products",
        "admin.orders",
        "admin.order_search",
        "admin.refunds_list",
        "admin.fee_rules",
        "admin.ledger",
        "admin.reports",
        "admin.report_csv",
        "admin.audit",
    ):
        assert endpoint in endpoints


def test_anonymous_visitors_are_sent_to_log_in_on_every_admin_page(app, client):
    for url in admin_get_urls(app):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"], url


def test_shoppers_are_refused_every_admin_page(app, client, shopper):
    login_as(client, shopper)
    for url in admin_get_urls(app):
        assert client.get(url).status_code == 403, url


def test_members_of_a_cooperative_are_refused_every_admin_page(app, client, owner):
    login_as(client, owner)
    for url in admin_get_urls(app):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/reports",
        "/admin/reports/sales-by-province.csv",
        "/admin/reports/cash-to-collect.csv",
        "/admin/products",
        "/admin/orders/search",
        "/admin/refunds",
        "/admin/audit",
    ],
)
def test_admins_get_the_pages(client, admin, url):
    login_as(client, admin)
    assert client.get(url).status_code == 200


def test_admins_get_every_page_without_arguments_and_the_record_pages(app, client, admin):
    product = ProductFactory()
    fair = FairFactory()
    login_as(client, admin)
    for url in admin_get_urls(app):
        if "/1" not in url and "ST-" not in url and url.count("/") <= 3:
            assert client.get(url).status_code == 200, url
    assert client.get(f"/admin/products/{product.id}").status_code == 200
    assert client.get(f"/admin/fairs/{fair.id}").status_code == 200
    assert client.get("/admin/products/999999").status_code == 404
    assert client.get("/admin/reports/nothing.csv").status_code == 404


def test_the_admin_home_links_every_section(client, admin):
    login_as(client, admin)
    html = client.get("/admin/").get_data(as_text=True)
    for path in ("/admin/reports", "/admin/products", "/admin/audit", "/admin/orders/search"):
        assert f'href="{path}"' in html
