"""Admins' page of people's accounts: find one, suspend it (every session and token ends at
once) or let it log in again."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts import services
from app.accounts.forms import AccountSearchForm, SuspendAccountForm
from app.accounts.models import User
from app.accounts.queries import accounts_matching
from app.admin import bp
from app.core.errors import NotFound
from app.extensions import db
from app.web.confirmation import confirmation_page, is_confirmed


@bp.route("/accounts")
def accounts():
    """Accounts whose email or name holds the search text, each with suspend/reinstate."""
    search = AccountSearchForm(request.args)
    found = accounts_matching(search.q.data) if search.validate() and search.q.data else []
    return render_template(
        "admin/accounts/list.html", search=search, accounts=found, form=SuspendAccountForm()
    )


@bp.post("/accounts/<id:user_id>/suspend")
def suspend_account(user_id: int):
    """Suspend an account: it cannot log in, and its sessions and API tokens end now."""
    account = _account_or_404(user_id)
    form = SuspendAccountForm()
    if form.validate():
        if not is_confirmed():
            return confirmation_page(
                title=_("Suspend %(email)s?", email=account.email),
                consequence=_(
                    "The account cannot log in any more and is logged out everywhere now. "
                    "Reinstating it lets it log in again, but its sessions and API tokens "
                    "do not come back."
                ),
                details=[_("Reason: %(note)s", note=form.reason.data)] if form.reason.data else [],
                button=_("Yes, suspend"),
                back_url=url_for(".accounts", q=account.email),
                final=False,
            )
        services.suspend_account(account, current_user._get_current_object(), form.reason.data)
        flash(
            _("%(email)s is suspended and logged out everywhere.", email=account.email), "success"
        )
    return redirect(url_for(".accounts", q=account.email))


@bp.post("/accounts/<id:user_id>/reinstate")
def reinstate_account(user_id: int):
    """Let a suspended account log in again."""
    account = _account_or_404(user_id)
    form = SuspendAccountForm()
    if form.validate():
        services.reinstate_account(account, current_user._get_current_object(), form.reason.data)
        flash(_("%(email)s can log in again.", email=account.email), "success")
    return redirect(url_for(".accounts", q=account.email))


def _account_or_404(user_id: int) -> User:
    account = db.session.get(User, user_id)
    if account is None:
        raise NotFound(_("No such account."))
    return account
