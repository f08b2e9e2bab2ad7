"""Members handle their cooperative's parts of orders: the list by status, one part with the
shopper's delivery contact, a button per allowed move, pickup hand-over by code, cash collected.

Every page is for members of that cooperative only (a 403 page for anyone else).
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.catalog.queries import translated_product_names
from app.cooperatives.models import Cooperative
from app.cooperatives.permissions import member_cooperative_or_404
from app.core.errors import DomainError, NotFound
from app.core.language import current_language
from app.core.money import money_in_text, to_decimal_string
from app.core.paging import page_of, requested_page_number
from app.dashboard import bp
from app.orders import queries, services, states
from app.orders.forms import CashCollectedForm, PartFilterForm, PartMoveForm
from app.orders.labels import PART_MOVE_NAMES, PART_MOVED_MESSAGES
from app.orders.models import CooperativeOrder, PartStatus
from app.orders.notices import reader_locale
from app.orders.services import CASH_RECORDABLE
from app.reports.packing_slip import packing_slip_pdf
from app.web.confirmation import confirmation_page, is_confirmed

PARTS_PER_PAGE = 25


def whatsapp_url(part: CooperativeOrder, cooperative: Cooperative) -> str:
    """A wa.me link to the shopper's phone with a message asking them to confirm the part,
    written in the language the shopper reads (their account's, else the checkout's)."""
    order = part.order
    locale = reader_locale(order)
    with force_locale(locale):
        message = _(
            "Hello %(name)s, this is %(cooperative)s (Souk Tadamon) about your order "
            "%(number)s: %(total)s to pay in cash on delivery. Do you confirm it?",
            name=order.contact_name,
            cooperative=cooperative.translated("name", locale),
            number=order.number,
            total=money_in_text(part.total_cents, locale),
        )
    digits = "".join(character for character in order.contact_phone if character.isdigit())
    return f"https://wa.me/{digits}?text={quote(message)}"


@bp.get("/<id:cooperative_id>/orders")
def orders(cooperative_id: int):
    """The cooperative's parts of orders, newest first, filtered by status."""
    cooperative = member_cooperative_or_404(current_user, cooperative_id)
    form = PartFilterForm(request.args)
    status = form.status.data if form.validate() else None
    page = requested_page_number()
    parts, total = page_of(
        queries.cooperative_parts(cooperative.id, status or None), page, PARTS_PER_PAGE
    )
    return render_template(
        "dashboard/orders/list.html",
        cooperative=cooperative,
        parts=parts,
        to_call=queries.phones_to_call(part.order.contact_phone for part in parts),
        whatsapp_url=whatsapp_url,
        form=form,
        status=status or "",
        page=page,
        per_page=PARTS_PER_PAGE,
        total=total,
        language=current_language(),
    )


def _render_part(
    cooperative: Cooperative,
    part: CooperativeOrder,
    *,
    move_forms: dict[str, PartMoveForm] | None = None,
    cash_form: CashCollectedForm | None = None,
    status: int = 200,
):
    moves = states.allowed_part_moves(
        part.status, part.delivery_method, part.order.payment_method, part.order.status
    )
    move_forms = move_forms or {}
    forms = {to: move_forms.get(to) or PartMoveForm(prefix=to, formdata=None) for to in moves}
    can_record_cash = (
        part.order.is_cash and part.cash_collected_cents is None and part.status in CASH_RECORDABLE
    )
    if cash_form is None and can_record_cash:
        cash_form = CashCollectedForm(formdata=None, amount=to_decimal_string(part.total_cents))
    return render_template(
        "dashboard/orders/part.html",
        cooperative=cooperative,
        part=part,
        call_first=bool(queries.phones_to_call([part.order.contact_phone])),
        whatsapp_url=whatsapp_url,
        order=part.order,
        move_forms=forms,
        move_names=PART_MOVE_NAMES,
        cash_form=cash_form if can_record_cash else None,
        awaiting_payment=part.order.status == "pending_payment",
        language=current_language(),
    ), status


@bp.get("/<id:cooperative_id>/orders/<id:part_id>")
def order_part(cooperative_id: int, part_id: int):
    """One part: what to prepare, the shopper's delivery contact, and what can happen next."""
    cooperative = member_cooperative_or_404(current_user, cooperative_id)
    return _render_part(cooperative, queries.part_of_cooperative(cooperative.id, part_id))


@bp.post("/<id:cooperative_id>/orders/<id:part_id>/move/<to>")
def order_part_move(cooperative_id: int, part_id: int, to: str):
    """Move the part to ``to``: a reason is needed to cancel, the shopper's code to hand over."""
    cooperative = member_cooperative_or_404(current_user, cooperative_id)
    part = queries.part_of_cooperative(cooperative.id, part_id)
    if to not in set(PartStatus):
        raise NotFound(_("There is no such step."))
    form = PartMoveForm(prefix=to)
    if not form.validate():
        return _render_part(cooperative, part, move_forms={to: form}, status=422)
    # Without its reason, the service refuses a cancel anyway and says why next to the field.
    if to == PartStatus.CANCELLED and (form.note.data or "").strip() and not is_confirmed():
        return confirmation_page(
            title=_("Cancel your part of order %(number)s?", number=part.order.number),
            consequence=_(
                "The shopper is told, the products go back on sale and a card payment for "
                "this part is refunded."
            ),
            details=[_("Reason: %(note)s", note=form.note.data)],
            button=_("Yes, cancel this part"),
            back_url=url_for(".order_part", cooperative_id=cooperative.id, part_id=part.id),
        )
    try:
        services.move_part(
            part,
            to,
            member=current_user._get_current_object(),
            note=form.note.data or "",
            pickup_code=form.pickup_code.data,
            carrier=form.carrier.data,
            tracking_number=form.tracking_number.data,
        )
    except DomainError as error:
        target = form.pickup_code if "pickup_code" in error.fields else form.note
        if error.fields:
            target.errors = [*target.errors, *[m for ms in error.fields.values() for m in ms]]
        else:
            form.form_errors.append(error.message)
        return _render_part(
            cooperative,
            queries.part_of_cooperative(cooperative.id, part_id),
            move_forms={to: form},
            status=error.status,
        )
    flash(str(PART_MOVED_MESSAGES[to]) % {"number": part.order.number}, "success")
    return redirect(url_for(".order_part", cooperative_id=cooperative.id, part_id=part.id))


@bp.post("/<id:cooperative_id>/orders/<id:part_id>/cash")
def order_part_cash(cooperative_id: int, part_id: int):
    """Record the cash collected for a cash-on-delivery or pay-at-stand part."""
    cooperative = member_cooperative_or_404(current_user, cooperative_id)
    part = queries.part_of_cooperative(cooperative.id, part_id)
    form = CashCollectedForm()
    if not form.validate():
        return _render_part(cooperative, part, cash_form=form, status=422)
    # A wrong amount is refused by the service anyway, and said next to the field.
    if form.amount_cents == part.total_cents and not is_confirmed():
        return confirmation_page(
            title=_("Record the cash of order %(number)s?", number=part.order.number),
            consequence=_(
                "%(amount)s collected goes into the books: it is counted in your balance "
                "and cannot be changed afterwards.",
                amount=money_in_text(form.amount_cents, current_language()),
            ),
            button=_("Yes, record the cash"),
            back_url=url_for(".order_part", cooperative_id=cooperative.id, part_id=part.id),
        )
    try:
        services.record_cash_collected(part, current_user._get_current_object(), form.amount_cents)
    except DomainError as error:
        messages = [m for ms in error.fields.values() for m in ms] or [error.message]
        form.amount.errors = [*form.amount.errors, *messages]
        return _render_part(
            cooperative,
            queries.part_of_cooperative(cooperative.id, part_id),
            cash_form=form,
            status=error.status,
        )
    flash(_("The cash collected is recorded."), "success")
    return redirect(url_for(".order_part", cooperative_id=cooperative.id, part_id=part.id))


@bp.get("/<id:cooperative_id>/orders/<id:part_id>/packing-slip.pdf")
def order_part_packing_slip(cooperative_id: int, part_id: int):
    """The part's packing slip as a PDF in the reader's language, to print."""
    cooperative = member_cooperative_or_404(current_user, cooperative_id)
    part = queries.part_of_cooperative(cooperative.id, part_id)
    language = current_language()
    names = translated_product_names({line.product_id for line in part.lines}, language)
    body = packing_slip_pdf(part, names, cooperative.translated("name", language), language)
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="packing-slip-{part.order.number}.pdf"'},
    )
