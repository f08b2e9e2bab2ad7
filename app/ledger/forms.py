"""The one form of the ledger pages: a day to read balances at."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import Optional

from app.core.days import DayField


class AsOfForm(FlaskForm):
    """Read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    as_of = DayField(_l("Balances at the end of (Morocco's date)"), [Optional()])
