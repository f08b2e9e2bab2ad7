"""The cart page: lines grouped by cooperative, quantities, removal, and delivery choices.

Works for guests (the cart lives in the session) and for logged-in shoppers
(their own cart). The delivery choices are a GET form that opens the checkout
page with them filled in; nothing is reserved until the order is placed.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.cart import services
from app.cart.carts import cart_for
from app.cart.forms import AddToCartForm, CartLineForm, RemoveLineForm
from app.cart.queries import HOME_DELIVERY, CartContents, cart_contents
from app.core.errors import DomainError
from app.core.language import current_language
from app.core.redirects import safe_next
from app.orders.labels import DELIVERY_METHOD_NAMES
from app.storefront import bp


def _cart():
    return cart_for(current_user, session)


def line_form(product_id: int, quantity: int | None = None) -> CartLineForm:
    """The quantity form of one line; its fields are prefixed so that ids stay unique."""
    form = CartLineForm(prefix=f"line-{product_id}", formdata=None)
    if quantity is not None:
        form.quantity.data = quantity
    return form


def delivery_choice(group, chosen: str | None) -> str:
    """The option to show selected: what the shopper chose, else the first one offered."""
    if chosen in group.delivery_options:
        return chosen
    return group.delivery_options[0] if group.delivery_options else ""


def render_cart(
    contents: CartContents | None = None,
    *,
    forms: dict[int, CartLineForm] | None = None,
    errors: list[str] | None = None,
    status: int = 200,
):
    contents = contents or cart_contents(_cart())
    forms = forms or {}
    line_forms = {
        line.product.id: forms.get(line.product.id) or line_form(line.product.id, line.quantity)
        for group in contents.groups
        for line in group.lines
    }
    return render_template(
        "storefront/cart/cart.html",
        contents=contents,
        line_forms=line_forms,
        remove_form=RemoveLineForm(),
        errors=errors or [],
        delivery_names=DELIVERY_METHOD_NAMES,
        delivery_choice=lambda group: delivery_choice(
            group, request.args.get(f"delivery-{group.cooperative.id}")
        ),
        home_delivery=HOME_DELIVERY,
        language=current_language(),
    ), status


@bp.get("/cart")
def cart():
    """The cart, grouped by cooperative, priced now."""
    return render_cart()


@bp.post("/cart/add")
def cart_add():
    """Add units of a product, then go back to the page it was added from (a product card's
    ``next``, same site only) saying so, or else to the cart.

    A refusal (out of stock, no longer on sale) is said on that page too; without a page to
    go back to, the cart shows it.
    """
    form = AddToCartForm()
    back = safe_next(form.next.data)
    if not form.validate():
        messages = [message for errors in form.errors.values() for message in errors]
        return _refused(messages, back, 422)
    try:
        services.add_to_cart(_cart(), form.product_id.data, form.quantity.data)
    except DomainError as error:
        return _refused([error.message], back, error.status)
    flash(_("Added to your cart."), "success")
    return redirect(back or url_for(".cart"))


def _refused(messages: list[str], back: str | None, status: int):
    if back is None:
        return render_cart(errors=messages, status=status)
    for message in messages:
        flash(message, "error")
    return redirect(back)


@bp.post("/cart/items/<id:product_id>")
def cart_update(product_id: int):
    """Change a line's quantity (0 removes it)."""
    form = CartLineForm(prefix=f"line-{product_id}")
    if form.validate():
        try:
            services.set_cart_quantity(_cart(), product_id, form.quantity.data)
        except DomainError as error:
            form.quantity.errors = [*form.quantity.errors, error.message]
            return render_cart(forms={product_id: form}, status=error.status)
        flash(_("Your cart is updated."), "success")
        return redirect(url_for(".cart"))
    return render_cart(forms={product_id: form}, status=422)


@bp.post("/cart/items/<id:product_id>/remove")
def cart_remove(product_id: int):
    """Take a line out of the cart."""
    form = RemoveLineForm()
    if not form.validate():
        return render_cart(errors=[_("The form expired: please try again.")], status=422)
    services.remove_from_cart(_cart(), product_id)
    flash(_("The product is removed from your cart."), "success")
    return redirect(url_for(".cart"))
