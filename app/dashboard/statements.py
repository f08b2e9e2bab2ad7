"""A cooperative's statement: its ledger lines between two days with the running balance, and
each month's statement as a PDF showing every sale's split.

For members of that cooperative (403 for anyone else); admins may read it.
"""

from __future__ import annotations

from datetime import date

from flask import Response, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError, NotFound
from app.core.language import current_language, format_date
from app.core.paging import requested_page_number
from app.dashboard import bp
from app.dashboard.overview import readable_cooperative
from app.fair.queries import morocco_today
from app.ledger.queries import statement
from app.reports.forms import PeriodForm, show_period_error
from app.reports.period import FIRST_DAY, period_of
from app.reports.statement import month_period, monthly_statement
from app.reports.statement_pdf import statement_pdf
from app.reports.statement_words import ledger_line_words

LINES_PER_PAGE = 50
#: What each kind of ledger event is called on the statement.
KIND_NAMES = {
    "card_payment": _l("Card payment"),
    "cash_collected": _l("Fees on cash collected"),
    "refund": _l("Refund"),
    "release": _l("Earnings released"),
    "payout": _l("Payout"),
    "reversal": _l("Correction"),
}
#: Months offered as PDF, the current one first.
MONTHS_LISTED = 12


@bp.get("/<id:cooperative_id>/statement", endpoint="statement")
def statement_page(cooperative_id: int):
    """Ledger lines from ``?from=`` to ``?to=`` (default: this month so far), 50 a page, with
    the balance after each line, and links to the monthly PDFs."""
    cooperative, role = readable_cooperative(cooperative_id)
    form = PeriodForm(request.args)
    found = None
    status = 422
    if form.validate():
        today = morocco_today()
        try:
            first = form.from_.data or (form.to.data or today).replace(day=1)
            period = period_of(first, form.to.data, today)
            found = statement(cooperative.id, period.from_, period.to)
            status = 200
        except DomainError as error:
            show_period_error(form, error)
            status = error.status
    page = requested_page_number()
    lines = found.lines[(page - 1) * LINES_PER_PAGE : page * LINES_PER_PAGE] if found else []
    return render_template(
        "dashboard/statements/index.html",
        cooperative=cooperative,
        role=role,
        form=form,
        statement=found,
        lines=lines,
        words=ledger_line_words(lines),
        page=page,
        per_page=LINES_PER_PAGE,
        months=_recent_months(morocco_today()),
        kinds=KIND_NAMES,
    ), status


@bp.get("/<id:cooperative_id>/statement/<int(fixed_digits=4):year>-<int(fixed_digits=2):month>.pdf")
def statement_pdf_file(cooperative_id: int, year: int, month: int):
    """The month's statement as a PDF in the reader's language; 404 for a month that does not
    exist or has not begun."""
    cooperative, _role = readable_cooperative(cooperative_id)
    if not (1 <= month <= 12 and FIRST_DAY.year <= year) or date(year, month, 1) > morocco_today():
        raise NotFound(_("There is no statement for this month."))
    period = month_period(year, month)
    language = current_language()
    found = monthly_statement(cooperative, period, language)
    body = statement_pdf(
        found,
        format_date(period.from_, "MMMM yyyy"),
        language,
        current_app.config.get("PLATFORM_RIB", ""),
    )
    filename = f"statement-{cooperative.slug}-{year:04d}-{month:02d}.pdf"
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


def _recent_months(today: date) -> list[date]:
    """The first day of this month and of the months before it, newest first."""
    months, year, month = [], today.year, today.month
    for _index in range(MONTHS_LISTED):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months
