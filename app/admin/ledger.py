"""The admins' ledger page: the trial balance, now or at the end of a past day."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template, request

from app.admin import bp
from app.fees.defaults import local_midnight
from app.ledger.forms import AsOfForm
from app.ledger.queries import trial_balance


@bp.route("/ledger")
def ledger():
    """Every account's balance and their total (zero); `?as_of=YYYY-MM-DD` for a past day's end."""
    form = AsOfForm(request.args)
    as_of = None
    if request.args.get("as_of") and form.validate() and form.as_of.data:
        as_of = local_midnight(form.as_of.data + timedelta(days=1)) - timedelta(microseconds=1)
    status = 422 if form.as_of.errors else 200
    return render_template(
        "admin/ledger/trial_balance.html", trial=trial_balance(as_of), form=form, as_of=as_of
    ), status
