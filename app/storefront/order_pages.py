"""Checkout, the receipt, the order history and cancelling, for logged-in shoppers.

The checkout page draws a fresh idempotency key each time it is rendered, so a
double click (or a resubmitted form) places one order and lands on its receipt.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import qrcode
import qrcode.image.svg
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import SelectChoice

from app.cart.carts import ShopperCart
from app.cart.queries import HOME_DELIVERY, STAND_PICKUP, CartContents, cart_contents
from app.catalog.queries import translated_product_names
from app.core.errors import DomainError
from app.core.language import current_language
from app.core.money import format_money
from app.core.paging import page_of, requested_page_number
from app.orders import queries, services, states
from app.orders.checkout import (
    Address,
    CheckoutRequest,
    card_payments_enabled,
    pay_at_stand_offered,
)
from app.orders.forms import checkout_form_class, show_domain_error
from app.orders.labels import (
    DELIVERY_METHOD_NAMES,
    ORDER_STATUS_NAMES,
    PART_STATUS_NAMES,
    PAYMENT_METHOD_NAMES,
    name_of,
)
from app.orders.models import Order, OrderLine, OrderStatus
from app.payments import services as payments
from app.payments.queries import refunds_by_order
from app.storefront import bp
from app.web.confirmation import confirmation_page, is_confirmed

ORDERS_PER_PAGE = 20


@bp.app_template_filter("order_status_name")
def order_status_name(code: str | None) -> str:
    return name_of(ORDER_STATUS_NAMES, code)


@bp.app_template_filter("part_status_name")
def part_status_name(code: str | None) -> str:
    return name_of(PART_STATUS_NAMES, code)


@bp.app_template_filter("delivery_method_name")
def delivery_method_name(code: str | None) -> str:
    return name_of(DELIVERY_METHOD_NAMES, code)


@bp.app_template_filter("payment_method_name")
def payment_method_name(code: str | None) -> str:
    return name_of(PAYMENT_METHOD_NAMES, code)


@bp.app_template_global("line_names")
def line_names(lines: Iterable[OrderLine]) -> dict[int, str]:
    """Order line id -> its product's name in the reader's language, else the name the line
    was bought under (one query for all the lines)."""
    lines = list(lines)
    translated = translated_product_names({line.product_id for line in lines}, current_language())
    return {line.id: translated.get(line.product_id, line.name) for line in lines}


def pickup_qr_svg(code: str) -> Markup:
    """The pickup code as an inline SVG QR code (no script, no external request)."""
    image = qrcode.make(code, image_factory=qrcode.image.svg.SvgPathImage, box_size=20, border=2)
    svg = image.to_string(encoding="unicode")
    label = escape(_("QR code of pickup code %(code)s", code=code))
    # Safe: the SVG is drawn by the qrcode library (paths only) and the label is escaped.
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S704


# Checkout --------------------------------------------------------------------------


def _checkout_form(contents: CartContents, *, from_request: bool):
    language = current_language()
    groups = []
    for group in contents.groups:
        choices = []
        for option in group.delivery_options:
            label = str(DELIVERY_METHOD_NAMES[option])
            if option == HOME_DELIVERY:
                label += f" (+ {format_money(group.shipping_fee_cents, language)})"
            if option == STAND_PICKUP and group.stand is not None:
                label += " — " + _("stand %(code)s", code=group.stand.code)
            choices.append((option, label))
        groups.append(
            (group.cooperative.id, group.cooperative.translated("name", language), choices)
        )
    form_class = checkout_form_class(groups)
    form = form_class() if from_request else form_class(formdata=None)
    payments = []
    if card_payments_enabled():
        payments.append(SelectChoice("card", str(PAYMENT_METHOD_NAMES["card"])))
    payments.append(SelectChoice("cash_on_delivery", str(PAYMENT_METHOD_NAMES["cash_on_delivery"])))
    if pay_at_stand_offered(contents.groups):
        payments.append(SelectChoice("pay_at_stand", str(PAYMENT_METHOD_NAMES["pay_at_stand"])))
    form.payment_method.choices = payments
    return form


def _render_checkout(contents: CartContents, form, status: int = 200):
    return render_template(
        "storefront/orders/checkout.html",
        contents=contents,
        form=form,
        card_enabled=card_payments_enabled(),
        language=current_language(),
    ), status


@bp.route("/checkout", methods=["GET", "POST"])
@login_required
def checkout():
    """Contact, address, a delivery choice per cooperative and the payment; then the order."""
    cart = ShopperCart(current_user.id)
    contents = cart_contents(cart)
    if request.method == "GET":
        if not contents.groups:
            flash(_("Your cart is empty."), "info")
            return redirect(url_for(".cart"))
        form = _checkout_form(contents, from_request=False)
        form.idempotency_key.data = uuid.uuid4().hex
        form.name.data = current_user.name
        form.phone.data = current_user.phone or ""
        for delivery in form.delivery_fields():
            cooperative_id = delivery.name.removeprefix("delivery_")
            wanted = request.args.get(f"delivery-{cooperative_id}")
            offered = [choice.value for choice in delivery.choices]
            delivery.data = wanted if wanted in offered else offered[0] if offered else None
        form.payment_method.data = "cash_on_delivery"
        return _render_checkout(contents, form)

    form = _checkout_form(contents, from_request=True)
    if not form.validate():
        return _render_checkout(contents, form, 422)
    try:
        placed = services.place_order(
            current_user._get_current_object(),
            cart,
            CheckoutRequest(
                payment_method=form.payment_method.data,
                delivery=form.delivery_choices(),
                address=Address(
                    name=form.name.data,
                    line1=form.line1.data or "",
                    city=form.city.data or "",
                    postal_code=form.postal_code.data or "",
                ),
                phone=form.phone.data,
                idempotency_key=form.idempotency_key.data,
            ),
        )
    except DomainError as error:
        show_domain_error(form, error)
        return _render_checkout(cart_contents(cart), form, error.status)
    if placed.order.status == OrderStatus.PENDING_PAYMENT:
        # The card step (app.storefront.card_payment_pages): Stripe takes the card there.
        return redirect(url_for(".pay_order", number=placed.order.number))
    if placed.created:
        flash(
            _("Thank you! Your order %(number)s is placed.", number=placed.order.number), "success"
        )
    return redirect(url_for(".order", number=placed.order.number))


# Orders ------------------------------------------------------------------------------


def _render_order(order: Order, *, errors: list[str] | None = None, status: int = 200):
    return render_template(
        "storefront/orders/order.html",
        order=order,
        recipients=queries.recipients(order),
        pickup_qr_svg=pickup_qr_svg,
        part_final=states.PART_FINAL,
        cancel_form=FlaskForm(),
        cancellable=states.shopper_may_cancel(order),
        refunds=refunds_by_order([order.id]).get(order.id, []),
        errors=errors or [],
        language=current_language(),
    ), status


@bp.get("/orders")
@login_required
def orders():
    """The shopper's orders, newest first."""
    page = requested_page_number()
    found, total = page_of(queries.shopper_orders(current_user.id), page, ORDERS_PER_PAGE)
    return render_template(
        "storefront/orders/history.html",
        orders=found,
        page=page,
        per_page=ORDERS_PER_PAGE,
        total=total,
        language=current_language(),
    )


@bp.get("/orders/<number>")
@login_required
def order(number: str):
    """The receipt: each part, each line's fair-trade split, totals per recipient."""
    return _render_order(queries.order_for_shopper(number, current_user))


@bp.post("/orders/<number>/cancel")
@login_required
def order_cancel(number: str):
    """Cancel the whole order before anything shipped; the stock returns."""
    found = queries.order_for_shopper(number, current_user)
    if not FlaskForm().validate():
        return _render_order(found, errors=[_("The form expired: please try again.")], status=422)
    if not is_confirmed():
        return confirmation_page(
            title=_("Cancel order %(number)s?", number=found.number),
            consequence=_(
                "Every cooperative stops preparing it and the products go back on sale; "
                "a card payment is refunded."
            ),
            button=_("Yes, cancel the order"),
            back_url=url_for(".order", number=found.number),
        )
    try:
        payments.cancel_order(found, current_user._get_current_object())
    except DomainError as error:
        return _render_order(found, errors=[error.message], status=error.status)
    flash(_("Your order %(number)s is cancelled.", number=found.number), "success")
    return redirect(url_for(".order", number=found.number))
