"""Days and instants read from the outside world: the one range every date must fall in.

A query or a body may name any date ISO 8601 can write, 0001-01-01 to 9999-12-31; the
first has no instant before it in UTC and the last no day after it, so a period built
from either overflows (a 500 for bad input). The marketplace opened in the 2020s and
plans no further than its contracts: a day outside ``FIRST_DAY``..``LAST_DAY`` is
refused as invalid (422) by the fields below, which every form and schema reads dates with.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from wtforms import DateField, DateTimeLocalField, Field, Form
from wtforms.validators import ValidationError

#: The earliest and the latest day a date typed or sent may name.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2199, 12, 31)

_OUT_OF_RANGE = _l("Enter a date between 2000-01-01 and 2199-12-31.")


def within_calendar(value: date | datetime | None) -> bool:
    """True for None and for a day (or an instant's day) in FIRST_DAY..LAST_DAY."""
    if value is None:
        return True
    day = value.date() if isinstance(value, datetime) else value
    return FIRST_DAY <= day <= LAST_DAY


def _check(value: date | datetime | None) -> None:
    if not within_calendar(value):
        raise ma.ValidationError(str(_OUT_OF_RANGE))


class Day(ma.fields.Date):
    """A marshmallow ``Date`` refused (422) outside FIRST_DAY..LAST_DAY."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=_check, **kwargs)


class Instant(ma.fields.AwareDateTime):
    """A marshmallow ``AwareDateTime`` refused (422) outside FIRST_DAY..LAST_DAY."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=_check, **kwargs)


def in_calendar(form: Form, field: Field) -> None:
    """WTForms validator: the field's date or instant falls in FIRST_DAY..LAST_DAY."""
    if not within_calendar(field.data):
        raise ValidationError(str(_OUT_OF_RANGE))


class DayField(DateField):
    """A WTForms ``DateField`` refused outside FIRST_DAY..LAST_DAY."""

    def __init__(self, label: Any = None, validators: list | None = None, **kwargs: Any) -> None:
        super().__init__(label, [*(validators or []), in_calendar], **kwargs)


class InstantField(DateTimeLocalField):
    """A WTForms ``DateTimeLocalField`` refused outside FIRST_DAY..LAST_DAY."""

    def __init__(self, label: Any = None, validators: list | None = None, **kwargs: Any) -> None:
        super().__init__(label, [*(validators or []), in_calendar], **kwargs)
