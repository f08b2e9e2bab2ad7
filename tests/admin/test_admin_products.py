"""Admins hide a listing with a reason (it leaves the shop and the API) and restore it;
each action is in the audit log with the listing before and after."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from support.factories import ProductFactory, csrf_from, login_as

from app.audit.models import AdminAction
from app.catalog import services
from app.core.errors import Conflict, Forbidden, ValidationFailed
from app.extensions import db

EN = {"Accept-Language": "en"}


def hide(client, product, reason):
    token = csrf_from(client, f"/admin/products/{product.id}")
    return client.post(
        f"/admin/products/{product.id}/hide",
        data={"csrf_token": token, "reason": reason},
        headers=EN,
    )


def test_a_hidden_listing_leaves_the_shop_and_the_api_until_it_is_restored(client, admin, shopper):
    product = ProductFactory(name="Miel de jujubier")
    assert client.get(f"/api/v1/products/{product.id}").status_code == 200
    login_as(client, admin)
    response = hide(client, product, "Certificate number does not match ONSSA's register")
    assert response.status_code == 302
    db.session.refresh(product)
    assert product.hidden_at is not None
    assert product.hidden_reason == "Certificate number does not match ONSSA's register"
    assert client.get(f"/api/v1/products/{product.id}").status_code == 404
    assert client.get(f"/products/{product.id}").status_code == 404
    listed = client.get("/api/v1/products", query_string={"q": "jujubier"}).get_json()
    assert listed["total"] == 0

    token = csrf_from(client, f"/admin/products/{product.id}")
    response = client.post(
        f"/admin/products/{product.id}/restore",
        data={"csrf_token": token, "note": "Certificate checked"},
    )
    assert response.status_code == 302
    assert client.get(f"/api/v1/products/{product.id}").status_code == 200
    actions = db.session.scalars(
        select(AdminAction).where(AdminAction.target_type == "product").order_by(AdminAction.id)
    ).all()
    assert [(a.action, a.actor_id, a.target_id) for a in actions] == [
        ("product.hide", admin.id, str(product.id)),
        ("product.restore", admin.id, str(product.id)),
    ]
    assert actions[0].before == {"hidden_at": None, "hidden_reason": None}
    assert actions[0].after["hidden_reason"].startswith("Certificate number")
    assert actions[1].after == {"hidden_at": None, "hidden_reason": None}
    assert actions[1].note == "Certificate checked"


def test_hiding_without_a_reason_shows_the_message_by_the_field_and_changes_nothing(client, admin):
    product = ProductFactory()
    login_as(client, admin)
    response = hide(client, product, "   ")
    assert response.status_code == 422
    assert 'id="reason-errors"' in response.get_data(as_text=True)
    db.session.refresh(product)
    assert product.hidden_at is None
    assert db.session.scalar(select(AdminAction.id)) is None


def test_hiding_twice_is_a_conflict(client, admin):
    product = ProductFactory()
    login_as(client, admin)
    assert hide(client, product, "Duplicate listing").status_code == 302
    response = hide(client, product, "Again")
    assert response.status_code == 409
    assert "hidden already" in response.get_data(as_text=True)


def test_the_services_refuse_non_admins_bad_reasons_and_wrong_states(admin, owner, cooperative):
    product = ProductFactory(cooperative=cooperative)
    with pytest.raises(Forbidden):
        services.hide_product(product, owner, "Mine")
    with pytest.raises(ValidationFailed):
        services.hide_product(product, admin, "x" * 501)
    with pytest.raises(Conflict):
        services.restore_product(product, admin)
    services.hide_product(product, admin, "Photo shows another product")
    with pytest.raises(Forbidden):
        services.restore_product(product, owner)


def test_the_list_finds_listings_by_name_or_cooperative_and_marks_the_hidden(client, admin):
    shown = ProductFactory(name="Safran de Taliouine")
    hidden = ProductFactory(name="Safran douteux")
    services.hide_product(hidden, admin, "Suspected fraud")
    login_as(client, admin)
    page = client.get("/admin/products", query_string={"q": "safran"}).get_data(as_text=True)
    assert shown.name in page and hidden.name in page and "Suspected fraud" in page
    only_hidden = client.get(
        "/admin/products", query_string={"q": "safran", "visibility": "hidden"}
    ).get_data(as_text=True)
    assert hidden.name in only_hidden and shown.name not in only_hidden
    by_cooperative = client.get(
        "/admin/products", query_string={"q": shown.cooperative.name}
    ).get_data(as_text=True)
    assert shown.name in by_cooperative
    assert client.get("/admin/products", query_string={"visibility": "x"}).status_code == 422
