"""Admins' pages of cooperatives: the verification queue, one application, verify/suspend."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.accounts.models import User
from app.admin import bp
from app.catalog.queries import sells_food
from app.cooperatives import services
from app.cooperatives.documents import ITEM_NAMES
from app.cooperatives.files import document_response
from app.cooperatives.forms import SuspendForm, VerifyForm, show_domain_error
from app.cooperatives.models import Cooperative, CooperativeStatus, CooperativeStatusEvent
from app.cooperatives.permissions import cooperative_or_404
from app.cooperatives.queries import (
    cooperatives_by_status,
    documents_of,
    members_of,
    verification_checklist,
)
from app.core.errors import DomainError
from app.core.paging import read_page_number
from app.extensions import db
from app.web.confirmation import confirmation_page, is_confirmed

PER_PAGE = 50
#: The queue's tabs; "all" lists every status.
STATUS_FILTERS = (*(status.value for status in CooperativeStatus), "all")


@bp.route("/cooperatives")
def cooperatives():
    """The verification queue (pending by default), oldest application first, every detail."""
    status = request.args.get("status", CooperativeStatus.PENDING.value)
    page_number = read_page_number(request.args.get("page", "1"))
    if status not in STATUS_FILTERS or page_number is None:
        return render_template(
            "admin/cooperatives/list.html", status=status, page=None, statuses=STATUS_FILTERS
        ), 422
    page = db.paginate(
        cooperatives_by_status(None if status == "all" else status),
        page=page_number,
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "admin/cooperatives/list.html", status=status, page=page, statuses=STATUS_FILTERS
    )


@bp.route("/cooperatives/<id:cooperative_id>")
def cooperative(cooperative_id: int):
    """One cooperative's papers, members and status history, with the verify/suspend forms."""
    return _detail_page(cooperative_or_404(cooperative_id), VerifyForm(), SuspendForm())


@bp.route("/cooperatives/<id:cooperative_id>/verify", methods=["POST"])
def verify_cooperative(cooperative_id: int):
    """Verify a pending cooperative or reinstate a suspended one; 409 when already verified."""
    found = cooperative_or_404(cooperative_id)
    form = VerifyForm()
    if not form.validate():
        return _detail_page(found, form, SuspendForm(formdata=None)), 422
    if not is_confirmed():
        return confirmation_page(
            title=_("Verify %(name)s?", name=found.name),
            consequence=_(
                "%(name)s will sell on the marketplace: its products show in the shop and its "
                "members are told by e-mail.",
                name=found.name,
            ),
            button=_("Yes, verify"),
            back_url=url_for(".cooperative", cooperative_id=found.id),
        )
    try:
        services.verify(
            found,
            current_user._get_current_object(),
            form.note.data,
            reason=form.reason.data,
            sells_food=sells_food(found.id),
        )
    except DomainError as error:
        show_domain_error(form, error)
        return _detail_page(found, form, SuspendForm(formdata=None)), error.status
    flash(_("%(name)s is verified.", name=found.name), "success")
    return redirect(url_for(".cooperative", cooperative_id=found.id))


@bp.route("/cooperatives/<id:cooperative_id>/suspend", methods=["POST"])
def suspend_cooperative(cooperative_id: int):
    """Suspend a cooperative or refuse an application, saying why; 409 when already suspended."""
    found = cooperative_or_404(cooperative_id)
    form = SuspendForm()
    if not form.validate():
        return _detail_page(found, VerifyForm(formdata=None), form), 422
    if not is_confirmed():
        return confirmation_page(
            title=_("Suspend %(name)s?", name=found.name),
            consequence=_(
                "%(name)s will stop selling: its products leave the shop at once.",
                name=found.name,
            ),
            details=[_("Reason: %(note)s", note=form.reason.data)],
            button=_("Yes, suspend"),
            back_url=url_for(".cooperative", cooperative_id=found.id),
        )
    try:
        services.suspend(found, current_user._get_current_object(), form.reason.data)
    except DomainError as error:
        error.fields = {"reason" if name == "note" else name: m for name, m in error.fields.items()}
        show_domain_error(form, error)
        return _detail_page(found, VerifyForm(formdata=None), form), error.status
    flash(_("%(name)s is suspended.", name=found.name), "success")
    return redirect(url_for(".cooperative", cooperative_id=found.id))


@bp.route("/cooperatives/<id:cooperative_id>/documents/<id:document_id>")
def cooperative_document(cooperative_id: int, document_id: int):
    """A cooperative's document, for the admin checking its papers (admins only)."""
    return document_response(cooperative_or_404(cooperative_id), document_id)


def _detail_page(found: Cooperative, verify_form: VerifyForm, suspend_form: SuspendForm) -> str:
    events = db.session.scalars(
        select(CooperativeStatusEvent)
        .where(CooperativeStatusEvent.cooperative_id == found.id)
        .order_by(CooperativeStatusEvent.id.desc())
    ).all()
    actor_ids = {event.actor_id for event in events if event.actor_id is not None}
    actors = (
        {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(actor_ids)))}
        if actor_ids
        else {}
    )
    return render_template(
        "admin/cooperatives/detail.html",
        cooperative=found,
        documents=documents_of(found.id),
        checklist=verification_checklist(found, sells_food(found.id)),
        item_names=ITEM_NAMES,
        members=members_of(found.id),
        events=events,
        actors=actors,
        verify_form=verify_form,
        suspend_form=suspend_form,
    )
