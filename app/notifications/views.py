"""The notifications page: a member's or shopper's messages, in the language they read in."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.paging import requested_page_number
from app.notifications import services
from app.notifications.forms import MarkAllReadForm

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@login_required
def inbox():
    page = requested_page_number()
    language = str(get_locale() or "").split("_")[0]
    inbox_page = services.for_user(current_user, page, language=language)
    return render_template("notifications/inbox.html", inbox=inbox_page, form=MarkAllReadForm())


@bp.post("/notifications/read")
@login_required
def mark_all_read():
    form = MarkAllReadForm()
    if not form.validate_on_submit():
        flash(_("The page had expired; please try again."), "error")
        return redirect(url_for("notifications.inbox"))
    services.mark_read(current_user)
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.inbox"))
