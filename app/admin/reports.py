"""Admins' reports: one page with a summary answering "how much did these cooperatives sell,
what did the solidarity fund receive, who is still owed money", then every report with an SVG
chart and its table, and each table as a CSV file with the same filters."""

from __future__ import annotations

from flask import Response, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup

from app.admin import bp
from app.core.errors import DomainError
from app.core.language import RTL_LANGUAGES, current_language
from app.core.money import format_money
from app.fair.queries import morocco_today
from app.reports import charts
from app.reports.amounts import share_bps
from app.reports.forms import ReportFilterForm, show_period_error
from app.reports.overview import EXPORTS, AdminReport, admin_report, export_csv

#: Cooperatives drawn in the chart (the table and the CSV hold them all).
CHART_COOPERATIVES = 15


@bp.route("/reports")
def reports():
    """The report page for the filters in the query string (422 with messages when refused)."""
    language = current_language()
    form = ReportFilterForm.for_reader(request.args, language)
    if not form.validate():
        return _page(form, None), 422
    try:
        report = admin_report(form.period(morocco_today()), form.criteria(), language)
    except DomainError as error:
        show_period_error(form, error)
        return _page(form, None), error.status
    return _page(form, report)


@bp.route("/reports/<name>.csv")
def report_csv(name: str):
    """One report as a CSV file (see app.reports.exports for its columns); 404 unknown name.

    ``?dialect=excel`` gives the file for Excel (``;`` and a decimal comma)."""
    language = current_language()
    dialect = request.args.get("dialect", "plain")
    form = ReportFilterForm.for_reader(request.args, language)
    if not form.validate():
        return _page(form, None), 422
    try:
        body = export_csv(name, form.period(morocco_today()), form.criteria(), language, dialect)
    except DomainError as error:
        if error.status == 404:
            raise
        show_period_error(form, error)
        return _page(form, None), error.status
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": (
                f'attachment; filename="souk-tadamon-{name}'
                f'{"-excel" if dialect == "excel" else ""}.csv"'
            )
        },
    )


def _page(form: ReportFilterForm, report: AdminReport | None) -> str:
    return render_template(
        "admin/reports/index.html",
        form=form,
        report=report,
        exports=EXPORTS,
        csv_args=form.query_args() if report is not None else {},
        charts=_charts(report) if report is not None else {},
        share_of=share_bps,
    )


def _charts(report: AdminReport) -> dict:
    language = current_language()
    rtl = language in RTL_LANGUAGES

    def money(cents: int) -> str:
        return format_money(cents, language)

    def bars(grouping: str, title: str, description: str, limit: int | None = None) -> Markup:
        rows = report.sales[grouping].rows[:limit]
        return charts.bar_chart(
            title,
            [(row.name, row.amounts.gross_cents) for row in rows],
            money,
            rtl=rtl,
            description=description,
        )

    days = report.sales["day"].rows
    platform_days = report.platform.days
    day_labels = [charts.day_label(day.day, language) for day in platform_days]
    gross_by_day = [row.amounts.gross_cents for row in days]
    return {
        "day": charts.line_chart(
            _("Sales by day"),
            day_labels,
            [
                (_("Paid by shoppers"), gross_by_day),
                (_("To the cooperatives"), [row.amounts.producer_cents for row in days]),
            ],
            money,
            description=_("What shoppers paid each day, and the cooperatives' share of it."),
        ),
        "province": bars(
            "province",
            _("Sales by province"),
            _("What shoppers paid to the cooperatives of each province."),
        ),
        "category": bars(
            "category",
            _("Sales by category"),
            _("What shoppers paid for each category of products."),
        ),
        "cooperative": bars(
            "cooperative",
            _("Sales by cooperative"),
            _("The cooperatives that sold the most."),
            CHART_COOPERATIVES,
        ),
        "payment_method": bars(
            "payment_method",
            _("Payment methods"),
            _("What shoppers paid by card, on delivery and at the stands."),
        ),
        "platform": charts.line_chart(
            _("Fees and the solidarity fund"),
            day_labels,
            [
                (
                    _("Platform revenue"),
                    [day.revenue_balance_cents for day in platform_days],
                ),
                (
                    _("Solidarity fund"),
                    [day.solidarity_balance_cents for day in platform_days],
                ),
            ],
            money,
            description=_(
                "Balances of the platform's revenue and of the solidarity fund, day by day."
            ),
        ),
    }
