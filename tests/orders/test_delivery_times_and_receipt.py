"""Each cooperative states its delivery time in its dashboard; the receipt shows the expected
window, the cooperative's contact and the refusal-at-the-door policy."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from support.factories import CooperativeFactory, MembershipFactory, ProductFactory, login_as

from app.extensions import db
from app.orders.delivery_window import delivery_window


def test_the_window_counts_the_days_from_morocco_s_date_of_the_order():
    # 23:30 UTC on 31 December is already 1 January in Morocco (UTC+1).
    window = delivery_window(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), 2, 4)
    assert (window.earliest, window.latest) == (date(2027, 1, 3), date(2027, 1, 5))
    assert delivery_window(datetime(2026, 12, 1, tzinfo=UTC), None, None) is None


def test_a_member_states_the_delivery_days_in_the_profile(client):
    cooperative = CooperativeFactory(offers_home_delivery=True, offers_pickup=True)
    owner = MembershipFactory(cooperative=cooperative).user
    login_as(client, owner)
    url = f"/dashboard/{cooperative.id}/profile"
    page = client.get(url).get_data(as_text=True)
    assert 'name="delivery_days_min"' in page

    form = {
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1),
        "name": cooperative.name,
        "legal_form": cooperative.legal_form,
        "registration_number": cooperative.registration_number,
        "province": cooperative.province,
        "commune": cooperative.commune,
        "phone": cooperative.phone,
        "email": cooperative.email,
        "payout_method": cooperative.payout_method,
        "rib": cooperative.rib or "",
        "shipping_fee": "35.00",
        "offers_home_delivery": "y",
        "offers_pickup": "y",
    }
    refused = client.post(url, data={**form, "delivery_days_min": "5", "delivery_days_max": "2"})
    assert refused.status_code == 422
    assert cooperative.delivery_days_min is None

    saved = client.post(url, data={**form, "delivery_days_min": "2", "delivery_days_max": "4"})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    db.session.refresh(cooperative)
    assert (cooperative.delivery_days_min, cooperative.delivery_days_max) == (2, 4)


def test_the_receipt_shows_the_window_the_contact_and_the_refusal_policy(
    client, shop, shopper, fee_rules
):
    cooperative = CooperativeFactory(
        delivery_days_min=2, delivery_days_max=4, phone="+212523000000", email="coop@example.com"
    )
    order = shop.checkout(shopper, {ProductFactory(cooperative=cooperative): 1})
    order.placed_at = datetime(2026, 12, 1, 10, tzinfo=UTC)
    db.session.flush()
    login_as(client, shopper)

    page = client.get(f"/orders/{order.number}").get_data(as_text=True)

    assert "Dec 3, 2026" in page and "Dec 5, 2026" in page
    assert 'href="tel:+212523000000"' in page and "coop@example.com" in page
    assert 'class="muted refusal-policy"' in page
