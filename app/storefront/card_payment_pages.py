"""The card step of checkout: Stripe's Payment Element takes the card, Stripe confirms.

``/orders/<number>/pay`` shows Stripe.js (served from js.stripe.com, the one
outside asset the site loads, on this page only) with the intent's client
secret. Stripe sends the browser back to ``/orders/<number>/payment-return``,
which asks Stripe how the payment stands (``confirm_from_stripe``): the
browser's word, and the query string Stripe adds, are never trusted.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.language import current_language
from app.orders import queries
from app.orders.models import OrderStatus
from app.payments import services
from app.payments.errors import PaymentGatewayError
from app.payments.models import PaymentStatus
from app.storefront import bp

#: Languages Stripe's Payment Element speaks that we do too.
STRIPE_LOCALES = {"ar": "ar", "fr": "fr", "en": "en"}


@bp.get("/orders/<number>/pay")
@login_required
def pay_order(number: str):
    """The card form for an order waiting for its card payment."""
    order = queries.order_for_shopper(number, current_user)
    try:
        payment = services.start_card_payment(order)
    except PaymentGatewayError as error:
        flash(error.message, "error")
        order = queries.order_for_shopper(number, current_user)
        if order.status == OrderStatus.CANCELLED:
            return redirect(url_for(".cart"))
        return redirect(url_for(".order", number=order.number))
    if payment is None:
        return redirect(url_for(".order", number=order.number))
    return render_template(
        "storefront/orders/pay.html",
        order=queries.order_for_shopper(number, current_user),
        client_secret=payment.client_secret,
        publishable_key=current_app.config["STRIPE_PUBLISHABLE_KEY"],
        stripe_locale=STRIPE_LOCALES.get(current_language(), "auto"),
        return_url=url_for(".card_payment_return", number=order.number, _external=True),
    )


@bp.get("/orders/<number>/payment-return")
@login_required
def card_payment_return(number: str):
    """Where Stripe sends the shopper back: ask Stripe, then show the order."""
    order = queries.order_for_shopper(number, current_user)
    try:
        payment = services.confirm_from_stripe(order)
    except PaymentGatewayError as error:
        flash(error.message, "error")
        return redirect(url_for(".order", number=order.number))
    status = payment.status if payment is not None else None
    if status == PaymentStatus.SUCCEEDED:
        flash(_("Thank you! Your payment is received."), "success")
    elif status == PaymentStatus.FAILED:
        flash(payment.last_error or _("The payment did not go through."), "error")
        return redirect(url_for(".pay_order", number=order.number))
    elif status == PaymentStatus.PENDING:
        flash(_("Your payment is being processed: this page will show it once confirmed."), "info")
    return redirect(url_for(".order", number=order.number))
