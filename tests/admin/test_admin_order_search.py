"""Admins find orders by number, shopper, cooperative and status, and list the refunds made."""

from __future__ import annotations

from support.factories import login_as

EN = {"Accept-Language": "en"}


def found(client, **query) -> str:
    response = client.get("/admin/orders/search", query_string=query, headers=EN)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_orders_are_found_by_number_shopper_cooperative_and_status(client, sales_data):
    orders = {name: order.number for name, order in sales_data.orders.items()}
    login_as(client, sales_data.admin)
    page = found(client, number=orders["O3"].lower().replace("st-", ""))
    assert orders["O3"] in page and orders["O1"] not in page
    shopper = sales_data.orders["O1"].shopper.email
    assert all(number in found(client, shopper=shopper.upper()) for number in orders.values())
    amal = found(client, cooperative=sales_data.amal.id)
    assert orders["O2"] in amal and orders["O5"] in amal and orders["O1"] not in amal
    cancelled = found(client, status="order:cancelled")
    assert orders["O5"] in cancelled and orders["O1"] not in cancelled
    refused = found(client, status="part:refused")
    assert orders["O4"] in refused and orders["O2"] not in refused
    both = found(client, cooperative=sales_data.zaytoun.id, status="part:pending")
    assert orders["O1"] in both and orders["O4"] not in both
    assert f'href="/admin/orders/{orders["O1"]}"' in both


def test_unknown_filters_are_refused(client, admin):
    login_as(client, admin)
    assert client.get("/admin/orders/search", query_string={"status": "lost"}).status_code == 422
    assert client.get("/admin/orders/search", query_string={"cooperative": "x"}).status_code == 422


def test_the_refunds_list_shows_who_funded_each_refund_and_why(client, sales_data):
    login_as(client, sales_data.admin)
    page = client.get("/admin/refunds", headers=EN).get_data(as_text=True)
    assert sales_data.orders["O1"].number in page
    assert "One jar arrived broken" in page and "120.00 MAD" in page
    assert "The cooperative" in page and sales_data.admin.email in page
    by_platform = client.get("/admin/refunds", query_string={"funded_by": "platform"})
    assert "One jar arrived broken" not in by_platform.get_data(as_text=True)
