"""The admins' payouts page: run payouts, approve, execute or fail them, and the bank batches.

Every button posts a form and comes back to the list; a refused action (not
in the right state, missing details, a reason left empty) shows the page
again with the message, and the error's status (409, 422...).
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.admin import bp
from app.core.errors import DomainError
from app.core.form_fields import show_domain_error
from app.core.language import current_language
from app.core.money import money_in_text
from app.extensions import db
from app.payouts import bank_file, queries, rules, services
from app.payouts.forms import ActionForm, FailPayoutForm, PayoutFilterForm
from app.payouts.labels import BATCH_STATUS_NAMES, PAYOUT_STATUS_NAMES, name_of
from app.payouts.models import PayoutBatch, PayoutStatus
from app.web.confirmation import confirmation_page, is_confirmed

PER_PAGE = 25


@bp.app_template_filter("payout_status_name")
def payout_status_name(code: str | None) -> str:
    return name_of(PAYOUT_STATUS_NAMES, code)


@bp.app_template_filter("batch_status_name")
def batch_status_name(code: str | None) -> str:
    return name_of(BATCH_STATUS_NAMES, code)


@bp.route("/payouts")
def payouts():
    """Payouts by status (newest first), the run button, and the latest bank batches."""
    form = PayoutFilterForm(request.args)
    status = 200
    if not form.validate():
        status = 422
    return _page(form, status=status)


def _page(
    filter_form: PayoutFilterForm | None = None,
    *,
    status: int = 200,
    action_form: ActionForm | None = None,
    fail_form: FailPayoutForm | None = None,
    fail_payout_id: int | None = None,
):
    filter_form = filter_form or PayoutFilterForm(formdata=None)
    chosen = filter_form.status.data if not filter_form.status.errors else ""
    page_number = filter_form.page.data if not filter_form.page.errors else 1
    page = db.paginate(
        queries.payouts(chosen or None),
        page=page_number or 1,
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "admin/payouts/list.html",
        filter_form=filter_form,
        chosen=chosen or "",
        page=page,
        counts=queries.count_by_status(),
        batches=queries.batches(),
        action_form=action_form or ActionForm(),
        fail_form=fail_form,
        fail_payout_id=fail_payout_id,
        minimum_cents=rules.minimum_payout_cents(),
        statuses=list(PayoutStatus),
    ), status


def _refused(error: DomainError):
    form = ActionForm()
    form.form_errors.append(error.message)
    return _page(status=error.status, action_form=form)


def _admin():
    return current_user._get_current_object()


@bp.route("/payouts/run", methods=["POST"])
def run_payouts():
    """Release what is due and propose payouts now, as the daily run does."""
    if not is_confirmed():
        return confirmation_page(
            title=_("Run the payouts now?"),
            consequence=_(
                "Earnings past the hold period become available and a payout is proposed to "
                "each cooperative owed at least the minimum."
            ),
            button=_("Yes, run the payouts"),
            back_url=url_for(".payouts"),
        )
    try:
        report = services.run_payouts(actor=_admin())
    except DomainError as error:
        return _refused(error)
    flash(
        ngettext("%(num)d payout proposed.", "%(num)d payouts proposed.", len(report.proposed)),
        "success",
    )
    for blocked in report.blocked:
        flash(
            _(
                "%(name)s is owed %(amount)s but cannot be paid: %(reason)s",
                name=blocked.cooperative.name,
                amount=money_in_text(blocked.available_cents, current_language()),
                reason=blocked.reason,
            ),
            "info",
        )
    return redirect(url_for(".payouts", status=PayoutStatus.PROPOSED))


@bp.route("/payouts/<id:payout_id>/approve", methods=["POST"])
def approve_payout(payout_id: int):
    payout = queries.payout_or_404(payout_id)
    if not is_confirmed():
        return confirmation_page(
            title=_("Approve payout %(reference)s?", reference=payout.reference),
            consequence=_(
                "%(amount)s will be paid to %(name)s.",
                amount=money_in_text(payout.amount_cents, current_language()),
                name=payout.cooperative.name,
            ),
            button=_("Yes, approve"),
            back_url=url_for(".payouts"),
        )
    try:
        payout = services.approve(payout, _admin())
    except DomainError as error:
        return _refused(error)
    flash(_("%(reference)s is approved.", reference=payout.reference), "success")
    return redirect(url_for(".payouts", status=PayoutStatus.APPROVED))


@bp.route("/payouts/<id:payout_id>/execute", methods=["POST"])
def execute_payout(payout_id: int):
    """Pay it once: a bank transfer joins the open batch, a Stripe transfer is sent."""
    payout = queries.payout_or_404(payout_id)
    if not is_confirmed():
        return confirmation_page(
            title=_("Pay %(reference)s now?", reference=payout.reference),
            consequence=_(
                "%(amount)s leaves the balance of %(name)s: a bank transfer joins the batch "
                "for the bank, a Stripe transfer is sent at once.",
                amount=money_in_text(payout.amount_cents, current_language()),
                name=payout.cooperative.name,
            ),
            button=_("Yes, pay"),
            back_url=url_for(".payouts", status=payout.status),
        )
    try:
        payout = services.execute(payout, _admin())
    except DomainError as error:
        return _refused(error)
    if payout.status == PayoutStatus.PAID:
        flash(_("%(reference)s is paid.", reference=payout.reference), "success")
    elif payout.status == PayoutStatus.FAILED:
        flash(
            _(
                "%(reference)s failed: %(reason)s",
                reference=payout.reference,
                reason=payout.failure_reason,
            ),
            "error",
        )
    elif payout.batch_id is not None:
        flash(
            _(
                "%(reference)s is in batch %(batch)s: download its file for the bank.",
                reference=payout.reference,
                batch=payout.batch.reference,
            ),
            "success",
        )
    else:
        flash(
            _(
                "%(reference)s is being sent to Stripe; it is retried with the same key, "
                "so it is paid once.",
                reference=payout.reference,
            ),
            "info",
        )
    return redirect(url_for(".payouts", status=payout.status))


@bp.route("/payouts/<id:payout_id>/fail", methods=["POST"])
def fail_payout(payout_id: int):
    """Reject a payout, or record that the bank refused it; the reason is required."""
    payout = queries.payout_or_404(payout_id)
    form = FailPayoutForm()
    if form.validate():
        if not is_confirmed():
            return confirmation_page(
                title=_("Mark %(reference)s failed?", reference=payout.reference),
                consequence=_(
                    "%(name)s will not be paid by this payout; money already taken from its "
                    "balance goes back to it.",
                    name=payout.cooperative.name,
                ),
                details=[_("Reason: %(note)s", note=form.reason.data)],
                button=_("Yes, mark it failed"),
                back_url=url_for(".payouts", status=payout.status),
            )
        try:
            payout = services.fail(payout, _admin(), form.reason.data)
        except DomainError as error:
            show_domain_error(form, error)
            return _page(status=error.status, fail_form=form, fail_payout_id=payout.id)
        flash(_("%(reference)s is marked failed.", reference=payout.reference), "success")
        return redirect(url_for(".payouts", status=PayoutStatus.FAILED))
    return _page(status=422, fail_form=form, fail_payout_id=payout.id)


@bp.route("/payout-batches/<id:batch_id>.csv")
def payout_batch_file(batch_id: int):
    """The batch's bank-transfer file: rib, name, amount, reference."""
    batch = queries.batch_or_404(batch_id)
    return Response(
        bank_file.batch_csv(batch),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{bank_file.file_name(batch)}"'},
    )


@bp.route("/payout-batches/<id:batch_id>/sent", methods=["POST"])
def payout_batch_sent(batch_id: int):
    """The admin gave the batch's file to the bank; later payouts go to a new batch."""
    batch = queries.batch_or_404(batch_id)
    if not is_confirmed():
        return confirmation_page(
            title=_("Mark %(reference)s sent to the bank?", reference=batch.reference),
            consequence=_(
                "Its file is final: bank payouts executed from now on go to a new batch."
            ),
            details=_batch_details(batch),
            button=_("Yes, it is sent"),
            back_url=url_for(".payouts"),
        )
    try:
        batch = services.mark_batch_sent(batch, _admin())
    except DomainError as error:
        return _refused(error)
    flash(_("%(reference)s is marked sent to the bank.", reference=batch.reference), "success")
    return redirect(url_for(".payouts"))


@bp.route("/payout-batches/<id:batch_id>/paid", methods=["POST"])
def payout_batch_paid(batch_id: int):
    """The bank made the transfers: the batch's payouts are paid and their cooperatives told."""
    batch = queries.batch_or_404(batch_id)
    if not is_confirmed():
        return confirmation_page(
            title=_("Mark %(reference)s paid?", reference=batch.reference),
            consequence=_(
                "Its payouts become paid and their cooperatives are told the money arrived."
            ),
            details=_batch_details(batch),
            button=_("Yes, the bank paid it"),
            back_url=url_for(".payouts"),
        )
    try:
        batch = services.mark_batch_paid(batch, _admin())
    except DomainError as error:
        return _refused(error)
    flash(
        _("%(reference)s is paid: its cooperatives are told.", reference=batch.reference),
        "success",
    )
    return redirect(url_for(".payouts", status=PayoutStatus.PAID))


def _batch_details(batch: PayoutBatch) -> list[str]:
    """What the confirmation of a batch shows: how many payouts, and their total."""
    return [
        ngettext(
            "%(num)d payout, %(amount)s in all.",
            "%(num)d payouts, %(amount)s in all.",
            len(batch.payouts),
            amount=money_in_text(
                sum(payout.amount_cents for payout in batch.payouts), current_language()
            ),
        )
    ]
