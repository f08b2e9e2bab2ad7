"""The admins' refund forms: whole lines of one part, or an amount of one part.

The forms only parse; ``services.refund`` checks what was paid and who funds
it, and ``show_refund_error`` puts what it refuses next to the field concerned.
Each part of an order has its own pair of forms, told apart by a prefix.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.core.errors import DomainError
from app.core.form_fields import DirhamField
from app.payments.models import FundedBy
from app.payments.refunds import REASON_MAX, LineRequest

FUNDED_BY_CHOICES = [
    SelectChoice(
        FundedBy.COOPERATIVE.value, _l("The cooperative (its balance goes down by its share)")
    ),
    SelectChoice(FundedBy.PLATFORM.value, _l("The platform (a goodwill refund from its revenue)")),
]


class RefundLineForm(Form):
    line_id = HiddenField(validators=[InputRequired()])
    quantity = IntegerField(
        _l("Units to refund"), validators=[Optional(), NumberRange(min=0, max=9999)], default=0
    )
    restock = BooleanField(_l("Back in stock"))


class _RefundForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[InputRequired(_l("Give the reason for the refund.")), Length(max=REASON_MAX)],
    )
    funded_by = RadioField(
        _l("Who funds it"),
        choices=FUNDED_BY_CHOICES,
        default=FundedBy.COOPERATIVE.value,
        validators=[InputRequired()],
    )


class RefundLinesForm(_RefundForm):
    lines = FieldList(FormField(RefundLineForm), min_entries=0)

    def line_requests(self) -> list[LineRequest]:
        """The lines with at least one unit to refund."""
        requests = []
        for entry in self.lines:
            quantity = entry.form.quantity.data or 0
            if quantity > 0:
                requests.append(
                    LineRequest(
                        int(entry.form.line_id.data), quantity, bool(entry.form.restock.data)
                    )
                )
        return requests


class RefundAmountForm(_RefundForm):
    amount = DirhamField(
        _l("Amount to refund (MAD)"), validators=[InputRequired(_l("Enter an amount."))]
    )


def show_refund_error(form: _RefundForm, error: DomainError) -> None:
    """Put the service's messages next to the fields they name, the rest above the form."""
    shown = False
    for name, messages in (error.fields or {}).items():
        field = getattr(form, name, None)
        if isinstance(field, Field) and name != "lines":
            field.errors = list(field.errors or []) + list(messages)
            shown = True
    if not shown:
        form.form_errors.append(error.message)
