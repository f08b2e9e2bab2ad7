"""The admins' order page and its refund forms."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from support.factories import ProductFactory, csrf_from, login_as

from app.extensions import db
from app.ledger.queries import trial_balance
from app.payments.models import Refund

EN = {"Accept-Language": "en"}


def refund_count() -> int:
    return db.session.scalar(select(func.count(Refund.id)))


def errors_of(html: str, field: str) -> str:
    match = re.search(rf'<ul class="errors" id="{field}-errors">(.*?)</ul>', html, re.S)
    return match.group(1) if match else ""


@pytest.fixture
def paid(shop, shopper):
    order = shop.paid_order(shopper, {ProductFactory(price_cents=12000, stock=9): 3})
    db.session.commit()
    return order


def page(order) -> str:
    return f"/admin/orders/{order.number}"


def test_only_admins_see_orders(client, paid, shopper):
    assert "/login" in client.get(page(paid)).location
    login_as(client, shopper)
    assert client.get(page(paid)).status_code == 403
    assert client.get("/admin/orders").status_code == 403


def test_the_list_finds_an_order_by_its_number(client, paid, admin):
    login_as(client, admin)
    html = client.get(f"/admin/orders?number={paid.number.lower()}", headers=EN).get_data(
        as_text=True
    )
    assert f'href="/admin/orders/{paid.number}"' in html
    assert 'href="/admin/orders"' in client.get("/admin/", headers=EN).get_data(as_text=True)


def test_the_order_page_shows_what_can_be_refunded(client, paid, admin):
    login_as(client, admin)
    response = client.get(page(paid), headers=EN)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert paid.number in html and "Refund whole units" in html and "Refund an amount" in html
    assert f'name="lines-{paid.parts[0].id}-lines-0-quantity"' in html


def test_an_admin_refunds_units_from_the_page(client, paid, admin):
    part, line = paid.parts[0], paid.parts[0].lines[0]
    login_as(client, admin)
    prefix = f"lines-{part.id}-"

    response = client.post(
        f"/admin/orders/{paid.number}/parts/{part.id}/refunds/lines",
        data={
            "csrf_token": csrf_from(client, page(paid)),
            "confirmed": "yes",
            f"{prefix}lines-0-line_id": str(line.id),
            f"{prefix}lines-0-quantity": "1",
            f"{prefix}lines-0-restock": "y",
            f"{prefix}reason": "Bouteille cassée",
            f"{prefix}funded_by": "cooperative",
        },
        headers=EN,
    )

    assert response.status_code == 302 and response.location.endswith(page(paid))
    refund = db.session.scalars(select(Refund)).one()
    assert refund.amount_cents == 12000 and refund.lines[0]["restock"] is True
    assert "Bouteille cassée" in client.get(page(paid), headers=EN).get_data(as_text=True)
    assert trial_balance().total_cents == 0


def test_an_amount_beyond_what_was_paid_comes_back_with_a_409_next_to_the_field(
    client, paid, admin
):
    part = paid.parts[0]
    login_as(client, admin)
    prefix = f"amount-{part.id}-"

    response = client.post(
        f"/admin/orders/{paid.number}/parts/{part.id}/refunds/amount",
        data={
            "csrf_token": csrf_from(client, page(paid)),
            "confirmed": "yes",
            f"{prefix}amount": "100000",
            f"{prefix}reason": "Trop",
            f"{prefix}funded_by": "platform",
        },
        headers=EN,
    )

    assert response.status_code == 409
    assert "At most" in errors_of(response.get_data(as_text=True), f"{prefix}amount")
    assert refund_count() == 0


def test_a_form_without_reason_or_with_a_bad_amount_is_a_422(client, paid, admin):
    part = paid.parts[0]
    login_as(client, admin)
    prefix = f"amount-{part.id}-"

    response = client.post(
        f"/admin/orders/{paid.number}/parts/{part.id}/refunds/amount",
        data={
            "csrf_token": csrf_from(client, page(paid)),
            "confirmed": "yes",
            f"{prefix}amount": "12,5x",
            f"{prefix}reason": "",
            f"{prefix}funded_by": "platform",
        },
        headers=EN,
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert errors_of(html, f"{prefix}amount") and errors_of(html, f"{prefix}reason")
    assert refund_count() == 0


def test_a_refund_form_without_csrf_token_is_refused(client, paid, admin):
    part = paid.parts[0]
    login_as(client, admin)
    response = client.post(
        f"/admin/orders/{paid.number}/parts/{part.id}/refunds/amount",
        data={f"amount-{part.id}-amount": "10", f"amount-{part.id}-reason": "x"},
    )
    assert response.status_code == 400
    assert refund_count() == 0


def test_refunding_without_the_confirmation_asks_first_and_changes_nothing(client, paid, admin):
    part = paid.parts[0]
    login_as(client, admin)
    prefix = f"amount-{part.id}-"

    response = client.post(
        f"/admin/orders/{paid.number}/parts/{part.id}/refunds/amount",
        data={
            "csrf_token": csrf_from(client, page(paid)),
            f"{prefix}amount": "10",
            f"{prefix}reason": "Geste",
            f"{prefix}funded_by": "platform",
        },
    )

    assert response.status_code == 200
    assert f'name="{prefix}amount" value="10"' in response.get_data(as_text=True)
    assert refund_count() == 0
