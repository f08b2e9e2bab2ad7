"""The receipt, the order history and cancelling, for logged-in shoppers; a guest's order
page, opened by its secret link. (The checkout is ``checkout_pages``.)"""

from __future__ import annotations

from collections.abc import Iterable

import qrcode
import qrcode.image.svg
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup, escape

from app.catalog.queries import translated_product_names
from app.core.errors import DomainError
from app.core.language import current_language
from app.core.paging import page_of, requested_page_number
from app.orders import queries, services, states
from app.orders.confirmation import confirmation_token
from app.orders.labels import (
    DELIVERY_METHOD_NAMES,
    ORDER_STATUS_NAMES,
    PART_STATUS_NAMES,
    PAYMENT_METHOD_NAMES,
    name_of,
)
from app.orders.models import Order, OrderLine, PartStatus, PaymentMethod
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


# Orders ------------------------------------------------------------------------------


def _render_order(
    order: Order, *, errors: list[str] | None = None, status: int = 200, guest: bool = False
):
    awaits_answer = order.payment_method == PaymentMethod.CASH_ON_DELIVERY and any(
        part.status == PartStatus.PENDING and part.shopper_confirmed_at is None
        for part in order.parts
    )
    return render_template(
        "storefront/orders/order.html",
        order=order,
        guest=guest,
        recipients=queries.recipients(order),
        pickup_qr_svg=pickup_qr_svg,
        part_final=states.PART_FINAL,
        cancel_form=FlaskForm(),
        cancellable=not guest and states.shopper_may_cancel(order),
        confirmation_url=(
            url_for(".confirm_order", token=confirmation_token(order.number))
            if awaits_answer
            else None
        ),
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


@bp.get("/guest-orders/<token>")
def guest_order(token: str):
    """A guest's order page, opened by the secret link sent to them by SMS or e-mail."""
    return _render_order(queries.order_for_guest_token(token), guest=True)


# Confirming a cash-on-delivery order before it ships ---------------------------------


def _render_confirmation(order: Order, *, errors: list[str] | None = None, status: int = 200):
    return render_template(
        "storefront/orders/confirm.html",
        order=order,
        form=FlaskForm(),
        errors=errors or [],
        dispatched=states.PART_DISPATCHED | states.PART_FINAL,
        language=current_language(),
    ), status


@bp.get("/confirm-order/<token>")
def confirm_order(token: str):
    """The signed link of a cash-on-delivery order: confirm or cancel each part (opening the
    page changes nothing: message apps open links to preview them)."""
    return _render_confirmation(queries.order_for_confirmation(token))


@bp.post("/confirm-order/<token>/parts/<id:part_id>")
def confirm_order_part(token: str, part_id: int):
    """Confirm (``answer=confirm``) or cancel (``answer=cancel``) one part; twice is once."""
    order = queries.order_for_confirmation(token)
    answer = request.form.get("answer")
    if not FlaskForm().validate() or answer not in {"confirm", "cancel"}:
        return _render_confirmation(
            order, errors=[_("The form expired: please try again.")], status=422
        )
    part = next((part for part in order.parts if part.id == part_id), None)
    # Another order's part is refused by the service, with its message on this page.
    if answer == "cancel" and part is not None and not is_confirmed():
        name = part.cooperative.translated("name", current_language())
        return confirmation_page(
            title=_("Cancel your order from %(name)s?", name=name),
            consequence=_(
                "%(name)s will not prepare or ship it, and its products go back on sale.",
                name=name,
            ),
            button=_("Yes, cancel this part"),
            back_url=url_for(".confirm_order", token=token),
        )
    try:
        services.answer_confirmation(order, part_id, confirm=answer == "confirm")
    except DomainError as error:
        return _render_confirmation(order, errors=[error.message], status=error.status)
    if answer == "confirm":
        flash(_("Thank you: the cooperative will prepare and ship your parcel."), "success")
    else:
        flash(_("This part of your order is cancelled."), "success")
    return redirect(url_for(".confirm_order", token=token))
