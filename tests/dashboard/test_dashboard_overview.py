"""A cooperative's overview: parts to prepare, stock alerts, sales and earnings, what it is owed;
for its own members (and admins) only."""

from __future__ import annotations

import re

from support.factories import MembershipFactory, ProductFactory, login_as

from app.fair.queries import morocco_today

EN = {"Accept-Language": "en"}


def test_members_see_parts_to_prepare_stock_alerts_sales_and_balance(client, sales_data):
    tighza = sales_data.tighza
    ProductFactory(cooperative=tighza, name="Amlou aux amandes", stock=2)
    login_as(client, sales_data.owners["tighza"])
    response = client.get(f"/dashboard/{tighza.id}/", headers=EN)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert sales_data.orders["O1"].number in html  # paid, still to prepare
    assert sales_data.orders["O2"].number not in html  # delivered
    assert "Amlou aux amandes" in html and "2 units left" in html
    assert "380.00 MAD" in html and "364.00 MAD" in html  # paid by shoppers, earned
    assert "140.40 MAD" in html and "-6.40 MAD" in html  # pending, available
    assert re.search(r"<svg[^>]+role=\"img\"", html)


def test_the_fair_filter_shows_what_the_cooperative_sold_during_the_fair(client, sales_data):
    login_as(client, sales_data.owners["zaytoun"])
    response = client.get(
        f"/dashboard/{sales_data.zaytoun.id}/",
        query_string={"fair": sales_data.fair.id},
        headers=EN,
    )
    assert response.status_code == 200
    assert "120.00 MAD" in response.get_data(as_text=True)


def test_a_period_that_ends_before_it_starts_is_refused_with_the_message_by_the_field(
    client, sales_data
):
    login_as(client, sales_data.owners["tighza"])
    today = morocco_today().isoformat()
    response = client.get(
        f"/dashboard/{sales_data.tighza.id}/",
        query_string={"from": today, "to": "2020-01-01"},
        headers=EN,
    )
    assert response.status_code == 422
    assert "must not be after" in response.get_data(as_text=True)
    assert (
        client.get(f"/dashboard/{sales_data.tighza.id}/", query_string={"to": "soon"}).status_code
        == 422
    )


def test_another_cooperatives_member_is_refused_and_an_admin_may_read(client, sales_data):
    tighza = sales_data.tighza.id
    login_as(client, sales_data.owners["amal"])
    assert client.get(f"/dashboard/{tighza}/").status_code == 403
    login_as(client, sales_data.admin)
    assert client.get(f"/dashboard/{tighza}/").status_code == 200
    assert client.get("/dashboard/999999/").status_code == 404


def test_staff_members_see_the_overview_too(client, cooperative):
    staff = MembershipFactory(cooperative=cooperative, role="staff").user
    login_as(client, staff)
    assert client.get(f"/dashboard/{cooperative.id}/").status_code == 200


def test_the_dashboard_home_links_each_cooperative_to_its_overview(client, owner, cooperative):
    login_as(client, owner)
    html = client.get("/dashboard/").get_data(as_text=True)
    assert f'href="/dashboard/{cooperative.id}/"' in html


def test_the_overview_reads_in_arabic(client, sales_data):
    login_as(client, sales_data.owners["tighza"])
    with client.session_transaction() as session:
        session["lang"] = "ar"
    response = client.get(f"/dashboard/{sales_data.tighza.id}/")
    assert response.status_code == 200
    assert 'dir="rtl"' in response.get_data(as_text=True)


def test_an_arabic_dashboard_shows_the_arabic_names_of_products_and_categories(client, cooperative):
    owner = MembershipFactory(cooperative=cooperative, role="owner").user
    amlou = ProductFactory(
        cooperative=cooperative,
        name="Amlou aux amandes",
        stock=1,
        translations={"ar": {"name": "أملو باللوز"}},
    )
    amlou.category.translations = {"ar": {"name": "منتجات المجال"}}
    login_as(client, owner)
    with client.session_transaction() as session:
        session["lang"] = "ar"

    overview = client.get(f"/dashboard/{cooperative.id}/").get_data(as_text=True)
    products = client.get(f"/dashboard/{cooperative.id}/products").get_data(as_text=True)

    stock_alerts = overview.split('id="stock-alerts"', 1)[1]
    assert "أملو باللوز" in stock_alerts
    assert "أملو باللوز" in products and "منتجات المجال" in products
    assert "Amlou aux amandes" not in overview and "Amlou aux amandes" not in products
    assert amlou.category.name not in products
