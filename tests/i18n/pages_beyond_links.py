"""The pages no link leads to: reached by a secret link, after a form, or in answer to one.

A crawl follows links, so it never reads the page of an e-mailed link (verify the address,
choose a new password, join a cooperative), a guest's order, the card form, the page after
applying, a form sent back with its messages (422), a message shown after an action, or the
confirmation step of an irreversible action. ``read_pages_beyond_links`` reaches them the way
each reader would, by posting the forms, on i18n.conftest's marketplace.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from i18n.conftest import HOME, Marketplace
from i18n.page_crawl import Page
from sqlalchemy import select
from support.factories import add_to_cart, csrf_from, login_as
from support.pages import checkout_form

from app.accounts.models import SavedAddress
from app.cart.carts import ShopperCart
from app.cart.services import set_cart_quantity
from app.catalog.models import Product
from app.core.db import utcnow
from app.extensions import db
from app.fees.models import FeeRule
from app.notifications.models import Notification
from app.orders.checkout import CheckoutRequest
from app.orders.confirmation import confirmation_token
from app.orders.models import Order
from app.orders.services import place_order

GUEST = {"name": "Fatima Zahra", "phone": "06 12 34 56 78", "city": "Khouribga"}
NEW_PASSWORD = "Argane-Tiznit-2026"


class _Reader:
    """One browser: reads a page, or posts a form and reads where it leads."""

    def __init__(self, app: Flask, client: FlaskClient, language: str) -> None:
        self.client = client
        self.language = language
        self.adapter = app.url_map.bind("localhost")
        self.pages: list[Page] = []

    def read(self, path: str, data: dict | None = None, *, form_page: str = "/") -> Page:
        """GET ``path``, or POST ``data`` to it with the CSRF token of ``form_page``; the
        redirects followed. An answer of 500, one that is not HTML or one in another language
        than the reader's fails the test."""
        if data is None:
            response = self.client.get(path, follow_redirects=True)
        else:
            token = csrf_from(self.client, form_page)
            response = self.client.post(
                path, data={"csrf_token": token, **data}, follow_redirects=True
            )
        assert response.status_code < 500 and response.mimetype == "text/html", (path, response)
        final = response.request.path
        endpoint = self.adapter.match(final, method=response.request.method)[0]
        html = response.get_data(as_text=True)
        assert f'<html lang="{self.language}"' in html, (path, html[:200])
        if 'name="confirmed" value="yes"' in html:
            endpoint = f"confirmation of {endpoint}"
        page = Page(f"{'POST ' if data is not None else ''}{path} -> {final}", endpoint, html)
        self.pages.append(page)
        return page


def _link_sent(kind: str) -> str:
    """The path of the link in the newest message of ``kind``."""
    link = db.session.scalars(
        select(Notification).where(Notification.kind == kind).order_by(Notification.id.desc())
    ).first()
    assert link is not None, kind
    return "/" + link.context["link"].split("://", 1)[-1].split("/", 1)[1]


def _product_of(cooperative_id: int) -> Product:
    return db.session.scalars(
        select(Product)
        .where(Product.cooperative_id == cooperative_id, Product.stock > 2)
        .order_by(Product.id)
    ).first()


def read_pages_beyond_links(
    app: Flask, client: FlaskClient, marketplace: Marketplace, language: str
) -> dict[str, list[Page]]:
    """{reader: [Page]} of the pages above, in ``language``; ``client`` is logged in in turn
    as the shopper, a member and the admin, a second client is the guest. Card payments
    need the fake Stripe (the ``stripe_settings`` fixture)."""
    exhibitor, other = marketplace.exhibitor, marketplace.other
    member = exhibitor.memberships[0].user
    order = marketplace.order
    part = next(part for part in order.parts if part.cooperative_id == exhibitor.id)

    guest = _Reader(app, app.test_client(), language)
    guest.client.get(f"/lang/{language}")
    guest.read("/email/verify/made-up")
    guest.read("/email/verify/made-up", {}, form_page="/login")  # 400: the link is not valid
    guest.read("/password/reset/made-up")
    mismatched = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"}
    guest.read("/password/reset/made-up", mismatched, form_page="/login")  # 422
    same = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    guest.read("/password/reset/made-up", same, form_page="/login")  # 400
    guest.read("/password/forgot", {"email": marketplace.shopper.email})  # the message
    guest.read("/register", {"name": "", "email": "not-an-address", "password": "short"})
    guest.read("/login", {"email": marketplace.shopper.email, "password": "wrong"})
    add_to_cart(guest.client, _product_of(other.id))
    delivery = {
        **GUEST,
        "payment_method": "cash_on_delivery",
        f"delivery_{other.id}": "home_delivery",
    }
    guest.client.get("/checkout")
    guest.read("/checkout", {**checkout_form(guest.client), **delivery, "city": ""})  # 422
    placed = guest.read("/checkout", {**checkout_form(guest.client), **delivery})
    assert placed.endpoint == "storefront.guest_order", placed.path
    guest_order = db.session.scalars(select(Order).order_by(Order.id.desc())).first()
    link = f"/confirm-order/{confirmation_token(guest_order.number)}"
    guest.read(link)
    answer = f"{link}/parts/{guest_order.parts[0].id}"
    guest.read(answer, {"answer": "cancel"}, form_page=link)  # the confirmation step
    guest.read(answer, {"answer": "confirm"}, form_page=link)  # the thanks

    shopper = _Reader(app, client, language)
    client.get(f"/lang/{language}")
    login_as(client, marketplace.shopper)
    saved = SavedAddress(
        user_id=marketplace.shopper.id, name=HOME.name, line1=HOME.line1, city=HOME.city
    )
    db.session.add(saved)
    db.session.commit()
    shopper.read(f"/account/addresses/{saved.id}/delete", {}, form_page="/account")
    shopper.read(f"/orders/{order.number}/cancel", {}, form_page=f"/orders/{order.number}")
    shopper.read("/cart/add", {"product_id": _product_of(other.id).id, "quantity": "1"})
    shopper.read("/cooperatives/apply", {"name": ""}, form_page="/cooperatives/apply")  # 422
    cart = ShopperCart(marketplace.shopper.id)
    set_cart_quantity(cart, _product_of(other.id).id, 1)
    card = place_order(
        marketplace.shopper,
        cart,
        CheckoutRequest(
            "card", {str(other.id): "home_delivery"}, HOME, "0612345678", uuid.uuid4().hex
        ),
    ).order
    shopper.read(f"/orders/{card.number}/pay")

    cooperative = _Reader(app, client, language)
    login_as(client, member)
    dashboard = f"/dashboard/{exhibitor.id}"
    members = f"{dashboard}/members"
    invite = {"email": marketplace.shopper.email, "role": "staff"}
    cooperative.read(members, invite, form_page=members)  # the message
    cooperative.read(f"/cooperatives/apply/{exhibitor.id}/submitted")
    cooperative.read(f"{members}/{marketplace.admin.id}/remove", {}, form_page=members)
    product = _product_of(exhibitor.id)
    products = f"{dashboard}/products"
    cooperative.read(f"{products}/{product.id}/archive", {}, form_page=products)
    cooperative.read(f"{products}/new", {"name": "Miel", "price": "12.345"}, form_page=products)
    part_page = f"{dashboard}/orders/{part.id}"
    cancel = {"cancelled-note": "Rupture de stock"}
    cooperative.read(f"{part_page}/move/cancelled", cancel, form_page=part_page)
    cooperative.read(f"{part_page}/move/ready", {}, form_page=part_page)  # the message
    amount = f"{part.total_cents // 100},{part.total_cents % 100:02d}"
    cooperative.read(f"{part_page}/cash", {"amount": amount}, form_page=part_page)

    login_as(client, marketplace.shopper)
    invited = _link_sent("cooperative_invitation")
    shopper.read(invited)

    admin = _Reader(app, client, language)
    login_as(client, marketplace.admin)
    admin.read("/admin/payouts/run", {}, form_page="/admin/payouts")
    admin.read("/admin/payouts/run", {"confirmed": "yes"}, form_page="/admin/payouts")
    detail = f"/admin/cooperatives/{other.id}"
    admin.read(f"{detail}/suspend", {"reason": "Papiers à revoir"}, form_page=detail)
    accounts = "/admin/accounts"
    reason = {"reason": "Cartes volées"}
    admin.read(f"{accounts}/{marketplace.shopper.id}/suspend", reason, form_page=accounts)
    rule = db.session.scalars(
        select(FeeRule).where(FeeRule.valid_to.is_(None)).order_by(FeeRule.id)
    ).first()
    rule_page = f"/admin/fee-rules/{rule.id}"
    next_year = (utcnow() + timedelta(days=365)).strftime("%Y-%m-%dT%H:%M")
    admin.read(f"{rule_page}/end", {"valid_to": next_year}, form_page=rule_page)
    admin.read("/admin/fee-rules", {"name": "", "commission_percent": "8.5.1"})  # 422

    return {
        "guest": guest.pages,
        "shopper": shopper.pages,
        "member": cooperative.pages,
        "admin": admin.pages,
    }
