"""Admins' order pages: find an order by number, see its payment, parts and refunds.

The order page carries, for each part, the two refund forms that
``app.admin.refunds`` receives: whole lines, or an amount.
"""

from __future__ import annotations

from flask import render_template, request

from app.admin import bp
from app.core.language import current_language
from app.orders.models import Order
from app.payments import queries
from app.payments.forms import RefundAmountForm, RefundLinesForm
from app.payments.models import FundedBy

#: Orders the list shows at most.
LIST_LIMIT = 50


@bp.route("/orders")
def orders():
    """The newest orders, or those whose number starts with what was typed (``?number=``)."""
    number = (request.args.get("number") or "").strip()[:20]
    return render_template(
        "admin/orders/list.html", orders=queries.recent_orders(number, LIST_LIMIT), number=number
    )


@bp.route("/orders/<number>")
def order(number: str):
    """One order: its payment, each part with what can still be refunded, its refunds."""
    return render_order_page(queries.order_by_number(number))


def lines_form_prefix(part_id: int) -> str:
    return f"lines-{part_id}-"


def amount_form_prefix(part_id: int) -> str:
    return f"amount-{part_id}-"


def render_order_page(
    order: Order,
    *,
    submitted: RefundLinesForm | RefundAmountForm | None = None,
    part_id: int | None = None,
    status: int = 200,
):
    """The order page; ``submitted`` is the refund form of part ``part_id`` shown back with its
    messages (the other forms start empty)."""
    payment = queries.payment_of(order)
    states = queries.refund_states(order, payment)
    forms = {}
    for state in states:
        part = state.part
        lines_form = RefundLinesForm(
            formdata=None,
            prefix=lines_form_prefix(part.id),
            data={
                "funded_by": FundedBy.COOPERATIVE.value,
                "lines": [
                    {"line_id": line.line.id, "quantity": 0, "restock": state.restock_by_default}
                    for line in state.lines
                    if line.units_left > 0
                ],
            },
        )
        amount_form = RefundAmountForm(
            formdata=None,
            prefix=amount_form_prefix(part.id),
            data={"funded_by": FundedBy.COOPERATIVE.value},
        )
        if part.id == part_id and isinstance(submitted, RefundLinesForm):
            lines_form = submitted
        if part.id == part_id and isinstance(submitted, RefundAmountForm):
            amount_form = submitted
        forms[part.id] = (lines_form, amount_form)
    refunds = queries.refunds_by_order([order.id]).get(order.id, [])
    return render_template(
        "admin/orders/detail.html",
        order=order,
        payment=payment,
        states=states,
        forms=forms,
        refunds=refunds,
        lines_by_id={line.id: line for part in order.parts for line in part.lines},
        language=current_language(),
    ), status
