"""A cooperative's overview: today's parts to prepare, stock alerts, sales and earnings over
time with a chart, what it is owed and its next payout.

For members of that cooperative (403 for anyone else, other cooperatives' members
included); admins may read it.
"""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app.cooperatives.models import Cooperative
from app.cooperatives.permissions import member_role, require_member
from app.core.errors import DomainError, NotFound
from app.core.language import current_language
from app.core.money import format_money
from app.dashboard import bp
from app.extensions import db
from app.fair.queries import morocco_today
from app.reports import charts
from app.reports.cooperative_overview import CooperativeOverview, cooperative_overview
from app.reports.forms import FairPeriodForm, show_period_error


def readable_cooperative(cooperative_id: int) -> tuple[Cooperative, str | None]:
    """The cooperative and the reader's role in it, for its members and for admins (role None).

    Raises ``NotFound`` (404) for an unknown cooperative, ``Forbidden`` (403) for anyone else.
    """
    cooperative = db.session.get(Cooperative, cooperative_id)
    if cooperative is None:
        raise NotFound(_("There is no such cooperative."))
    role = member_role(current_user, cooperative.id)
    if role is None and not current_user.is_admin:
        require_member(current_user, cooperative.id)
    return cooperative, role


@bp.get("/<id:cooperative_id>/")
def overview(cooperative_id: int):
    """The overview, its sales over ``?from=&to=`` (default the last 30 days) and ``?fair=``."""
    cooperative, role = readable_cooperative(cooperative_id)
    language = current_language()
    form = FairPeriodForm.for_reader(request.args, language)
    if not form.validate():
        return _page(cooperative, role, form, None), 422
    try:
        found = cooperative_overview(
            cooperative,
            form.period(morocco_today()),
            low_stock_threshold=current_app.config["LOW_STOCK_THRESHOLD"],
            fair_id=form.fair.data,
            language=language,
        )
    except DomainError as error:
        show_period_error(form, error)
        return _page(cooperative, role, form, None), error.status
    return _page(cooperative, role, form, found)


def _page(
    cooperative: Cooperative,
    role: str | None,
    form: FairPeriodForm,
    found: CooperativeOverview | None,
):
    chart = None
    if found is not None:
        language = current_language()
        days = found.sales.rows
        chart = charts.line_chart(
            _("Sales and earnings by day"),
            [charts.day_label(day, language) for day in found.sales.period.days],
            [
                (_("Paid by shoppers"), [row.amounts.gross_cents for row in days]),
                (_("Earned by the cooperative"), [row.amounts.producer_cents for row in days]),
            ],
            lambda cents: format_money(cents, language),
            description=_("What shoppers paid the cooperative each day, and what it earned of it."),
        )
    return render_template(
        "dashboard/overview/index.html",
        cooperative=cooperative,
        role=role,
        form=form,
        overview=found,
        chart=chart,
    )
