"""The reports' filters, read from the query string (no CSRF: reading changes nothing).

The forms only parse; ``app.reports.period.period_of`` checks the period and
``show_period_error`` puts what it refuses next to the field.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectChoice, SelectField
from wtforms.validators import Optional

from app.cooperatives.forms import options
from app.cooperatives.labels import province_choices
from app.core.days import DayField
from app.core.errors import DomainError
from app.core.replica import read_session
from app.fair.models import Fair
from app.reports.period import Period, SalesFilter, period_of


def _int_or_none(value: object) -> int | None:
    if value in (None, ""):
        return None
    return int(str(value))


class PeriodForm(FlaskForm):
    """A period of Morocco's days; both ends optional (default: the last 30 days)."""

    class Meta:
        csrf = False

    from_ = DayField(_l("From (included)"), [Optional()], name="from")
    to = DayField(_l("To (included)"), [Optional()])

    def period(self, today: date) -> Period:
        """The period typed; ``ValidationFailed`` (fields ``from``) when it is not valid."""
        return period_of(self.from_.data, self.to.data, today)


def fair_choices() -> list[SelectChoice]:
    """("", any time) then each fair, the latest first."""
    fairs = (
        read_session()
        .execute(
            select(Fair.id, Fair.name, Fair.edition, Fair.city).order_by(
                Fair.starts_on.desc(), Fair.id.desc()
            )
        )
        .all()
    )
    return options(
        [
            ("", _l("Any time (no fair)")),
            *((fair_id, f"{name} ({city}, {edition})") for fair_id, name, edition, city in fairs),
        ]
    )


class FairPeriodForm(PeriodForm):
    """A period, and optionally a fair: only orders placed while it was open."""

    fair = SelectField(_l("Fair"), choices=[], default="", coerce=_int_or_none)

    @classmethod
    def for_reader(cls, formdata, language: str):
        form = cls(formdata)
        form.fair.choices = fair_choices()
        return form

    def fair_label(self) -> str:
        """The name of the fair chosen, or "" for none."""
        chosen = (c for c in self.fair.choices if c.value != "" and c.value == self.fair.data)
        return str(next((choice.label for choice in chosen), ""))


class ReportFilterForm(FairPeriodForm):
    """The admins' report filters: a period, a province, a fair."""

    province = SelectField(_l("Province"), choices=[], default="")

    @classmethod
    def for_reader(cls, formdata, language: str) -> ReportFilterForm:
        form = super().for_reader(formdata, language)
        form.province.choices = options([("", _l("All provinces")), *province_choices(language)])
        return form

    def criteria(self) -> SalesFilter:
        return SalesFilter(province=self.province.data or None, fair_id=self.fair.data)

    def query_args(self) -> dict[str, str]:
        """The filters as query arguments, for links to the CSV files of the same view."""
        args = {
            "from": self.from_.data.isoformat() if self.from_.data else "",
            "to": self.to.data.isoformat() if self.to.data else "",
            "province": self.province.data or "",
            "fair": str(self.fair.data) if self.fair.data else "",
        }
        return {name: value for name, value in args.items() if value}


def show_period_error(form: PeriodForm, error: DomainError) -> None:
    """Put a refused period next to its first field, else at the top of the form."""
    for name, messages in error.fields.items():
        field = form.from_ if name == "from" else form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, *messages]
            return
    form.form_errors.append(error.message)
