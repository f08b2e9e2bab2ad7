"""Forms of the payout pages: the status filter, the action buttons, the reason for a failure."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.core.paging import page_field
from app.payouts.labels import PAYOUT_STATUS_NAMES
from app.payouts.services import REASON_MAX


class PayoutFilterForm(FlaskForm):
    """Read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("", _l("All")),
            *(SelectChoice(code, name) for code, name in PAYOUT_STATUS_NAMES.items()),
        ],
        default="",
        validate_choice=True,
    )
    page = page_field(default=1)


class ActionForm(FlaskForm):
    """A button that changes something: only its CSRF token."""


class FailPayoutForm(FlaskForm):
    reason = TextAreaField(
        _l("Why it is not paid"),
        [DataRequired(_l("Give the reason.")), Length(max=REASON_MAX)],
    )
