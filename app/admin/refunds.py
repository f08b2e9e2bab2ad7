"""Admins refund a part of an order: whole lines, or an amount; from the order page.

A refused refund (beyond what was paid, bad input, Stripe refusing) shows the
order page again with the message next to the field, and the status of the
error (409, 422, 502, 503); nothing is recorded then.
"""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import bp
from app.admin.orders import amount_form_prefix, lines_form_prefix, render_order_page
from app.core.errors import DomainError, NotFound
from app.core.language import current_language
from app.core.money import money_in_text
from app.payments import queries, services
from app.payments.forms import RefundAmountForm, RefundLinesForm, show_refund_error
from app.web.confirmation import confirmation_page, is_confirmed


@bp.route("/orders/<number>/parts/<id:part_id>/refunds/lines", methods=["POST"])
def refund_lines(number: str, part_id: int):
    """Refund the units typed for each line of the part; the units marked come back in stock."""
    order = queries.order_by_number(number)
    _require_part(order, part_id)
    form = RefundLinesForm(prefix=lines_form_prefix(part_id))
    if not form.validate():
        return render_order_page(order, submitted=form, part_id=part_id, status=422)
    lines = form.line_requests()
    if not lines:
        form.form_errors.append(_("Enter the units to refund for at least one line."))
        return render_order_page(order, submitted=form, part_id=part_id, status=422)
    return _refund(order, form, part_id, {"lines": lines})


@bp.route("/orders/<number>/parts/<id:part_id>/refunds/amount", methods=["POST"])
def refund_amount(number: str, part_id: int):
    """Refund an amount of the part (its shipping, a partial goodwill gesture...)."""
    order = queries.order_by_number(number)
    _require_part(order, part_id)
    form = RefundAmountForm(prefix=amount_form_prefix(part_id))
    if not form.validate():
        return render_order_page(order, submitted=form, part_id=part_id, status=422)
    return _refund(order, form, part_id, {"part_id": part_id, "amount_cents": form.amount.data})


def _refund(order, form, part_id: int, what: dict):
    if not is_confirmed():
        return confirmation_page(
            title=_("Refund order %(number)s?", number=order.number),
            consequence=_(
                "The money goes back to the shopper and the ledger records who pays for it."
            ),
            details=[_("Reason: %(note)s", note=form.reason.data)] if form.reason.data else [],
            button=_("Yes, refund"),
            back_url=url_for(".order", number=order.number),
        )
    try:
        refund = services.refund(
            order,
            current_user._get_current_object(),
            reason=form.reason.data,
            funded_by=form.funded_by.data,
            **what,
        )
    except DomainError as error:
        show_refund_error(form, error)
        order = queries.order_by_number(order.number)
        return render_order_page(order, submitted=form, part_id=part_id, status=error.status)
    flash(
        _(
            "%(amount)s refunded for order %(number)s.",
            amount=money_in_text(refund.amount_cents, current_language()),
            number=refund.order.number,
        ),
        "success",
    )
    return redirect(url_for(".order", number=refund.order.number))


def _require_part(order, part_id: int) -> None:
    if all(part.id != part_id for part in order.parts):
        raise NotFound(_("This order has no such part."))
