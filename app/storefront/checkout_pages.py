"""The checkout page, for shoppers with an account and for guests.

One page: a delivery choice per cooperative, the payment, the contact, then the
total with delivery computed by the server (``checkout.quote_checkout``, the
function behind ``POST /api/v1/checkout/quote``) before the confirm button. A
small script (``static/checkout.js``) asks the quote endpoint again when a choice
changes; without it, "Recalculate" posts the page back and it is drawn again with
the new total. When every cooperative can hand its part over at an open fair
stand, stand pickup and pay at the stand are chosen and no address is asked.

A guest (no account) pays cash on delivery or at the stand, and gives a name, a
phone and a city; their order page is reached by a secret link sent by SMS (and
e-mail, if they give one). Each rendering draws a fresh idempotency key, so a
double click places one order.
"""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app.accounts import queries as account_queries
from app.cart.carts import cart_for
from app.cart.queries import HOME_DELIVERY, STAND_PICKUP, CartContents, cart_contents
from app.core.errors import DomainError
from app.core.language import current_language
from app.core.money import money_in_text
from app.orders import services
from app.orders.checkout import (
    Address,
    CheckoutQuote,
    CheckoutRequest,
    card_payments_enabled,
    pay_at_stand_offered,
    quote_checkout,
)
from app.orders.forms import checkout_form_class, show_domain_error
from app.orders.labels import DELIVERY_METHOD_NAMES, PAYMENT_METHOD_NAMES
from app.orders.models import OrderStatus
from app.storefront import bp
from app.storefront.checkout_limits import count_guest_order, limit_guest_orders

#: Session key: order number -> the secret token of a guest's order page, so that a
#: replayed checkout (a double click) still lands on the page.
GUEST_LINKS_KEY = "guest_order_links"


def checkout_links() -> services.CheckoutLinks:
    """The absolute links a checkout's messages carry (the API's checkout sends them too)."""
    return services.CheckoutLinks(
        confirmation=lambda token: url_for("storefront.confirm_order", token=token, _external=True),
        guest_order=lambda token: url_for("storefront.guest_order", token=token, _external=True),
    )


def _checkout_form(contents: CartContents, *, from_request: bool, guest: bool):
    language = current_language()
    groups = []
    for group in contents.groups:
        choices = []
        for option in group.delivery_options:
            label = str(DELIVERY_METHOD_NAMES[option])
            if option == HOME_DELIVERY:
                label += f" (+ {money_in_text(group.shipping_fee_cents, language)})"
            if option == STAND_PICKUP and group.stand is not None:
                label += " — " + _("stand %(code)s", code=group.stand.code)
            choices.append((option, label))
        groups.append(
            (group.cooperative.id, group.cooperative.translated("name", language), choices)
        )
    form_class = checkout_form_class(groups)
    form = form_class() if from_request else form_class(formdata=None)
    payments = []
    if card_payments_enabled() and not guest:
        payments.append(SelectChoice("card", str(PAYMENT_METHOD_NAMES["card"])))
    payments.append(SelectChoice("cash_on_delivery", str(PAYMENT_METHOD_NAMES["cash_on_delivery"])))
    if pay_at_stand_offered(contents.groups):
        payments.append(SelectChoice("pay_at_stand", str(PAYMENT_METHOD_NAMES["pay_at_stand"])))
    form.payment_method.choices = payments
    if guest:
        del form.save_address
    else:
        del form.email
    return form


def _quote(contents: CartContents, form) -> CheckoutQuote | None:
    """The total of the choices on the form, or None while they do not make a checkout."""
    try:
        return quote_checkout(contents, form.delivery_choices(), form.payment_method.data)
    except DomainError:
        return None


def _render_checkout(contents: CartContents, form, *, guest: bool, status: int = 200):
    chosen = form.delivery_choices().values()
    return render_template(
        "storefront/orders/checkout.html",
        contents=contents,
        form=form,
        guest=guest,
        quote=_quote(contents, form),
        asks_address=HOME_DELIVERY in chosen or not chosen,
        saved_addresses=([] if guest else account_queries.saved_addresses(current_user.id)),
        card_enabled=card_payments_enabled() and not guest,
        language=current_language(),
    ), status


def _prefill(form, contents: CartContents) -> None:
    """A new page: the shopper's saved address and phone, the deliveries asked from the cart
    page, and stand pickup with pay at the stand when every part can be collected there."""
    form.idempotency_key.data = uuid.uuid4().hex
    at_stands = pay_at_stand_offered(contents.groups)
    for delivery in form.delivery_fields():
        cooperative_id = delivery.name.removeprefix("delivery_")
        wanted = request.args.get(f"delivery-{cooperative_id}")
        offered = [choice.value for choice in delivery.choices]
        if at_stands and wanted not in offered:
            wanted = STAND_PICKUP
        delivery.data = wanted if wanted in offered else offered[0] if offered else None
    everything_at_stands = at_stands and all(
        field.data == STAND_PICKUP for field in form.delivery_fields()
    )
    form.payment_method.data = "pay_at_stand" if everything_at_stands else "cash_on_delivery"
    if not current_user.is_authenticated:
        return
    form.name.data = current_user.name
    form.phone.data = current_user.phone or ""
    saved = account_queries.saved_address(current_user.id, request.args.get("address"))
    if saved is not None:
        form.name.data = saved.name
        form.line1.data = saved.line1
        form.city.data = saved.city
        form.postal_code.data = saved.postal_code


@bp.route("/checkout", methods=["GET", "POST"])
@limit_guest_orders
def checkout():
    """The checkout page; a POST places the order, or only recalculates the total."""
    guest = not current_user.is_authenticated
    cart = cart_for(current_user, session)
    contents = cart_contents(cart)
    if request.method == "GET":
        if not contents.groups:
            flash(_("Your cart is empty."), "info")
            return redirect(url_for(".cart"))
        form = _checkout_form(contents, from_request=False, guest=guest)
        _prefill(form, contents)
        return _render_checkout(contents, form, guest=guest)

    form = _checkout_form(contents, from_request=True, guest=guest)
    if request.form.get("action") == "recalculate":
        return _render_checkout(contents, form, guest=guest)
    if not form.validate():
        return _render_checkout(contents, form, guest=guest, status=422)
    checkout_request = CheckoutRequest(
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
        email=(form.email.data or "") if guest else "",
    )
    try:
        placed = services.place_checkout(
            None if guest else current_user._get_current_object(),
            cart,
            checkout_request,
            links=checkout_links(),
            locale=current_language(),
            save_address=not guest and bool(form.save_address.data),
        )
    except DomainError as error:
        show_domain_error(form, error)
        return _render_checkout(cart_contents(cart), form, guest=guest, status=error.status)
    order = placed.order
    if placed.created:
        flash(_("Thank you! Your order %(number)s is placed.", number=order.number), "success")
    if not guest:
        if order.status == OrderStatus.PENDING_PAYMENT:
            # The card step (app.storefront.card_payment_pages): Stripe takes the card there.
            return redirect(url_for(".pay_order", number=order.number))
        return redirect(url_for(".order", number=order.number))
    links = dict(session.get(GUEST_LINKS_KEY) or {})
    if placed.guest_token is not None:
        count_guest_order()
        links[order.number] = placed.guest_token
        session[GUEST_LINKS_KEY] = dict(list(links.items())[-5:])
    token = links.get(order.number)
    if token is None:
        return redirect(url_for(".cart"))
    return redirect(url_for(".guest_order", token=token))
