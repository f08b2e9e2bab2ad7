"""The period and filters a report covers: Morocco's calendar days, a province, a fair.

Report days are Morocco's local days (Africa/Casablanca, whatever the server's
timezone): a period from day A to day B covers every instant from A's local
midnight (included) to the local midnight after B (excluded).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _

from app.core.errors import ValidationFailed
from app.fees.defaults import MOROCCO, local_midnight

#: Longest period a report covers, in days (two years and a day: a leap year fits twice).
MAX_DAYS = 731
#: Days a report covers when no start is given: the last 30 days, today included.
DEFAULT_DAYS = 30
#: Days a report may name (far enough from the calendar's ends for time zone arithmetic).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def local_day(instant: datetime) -> date:
    """Morocco's calendar day of an aware instant."""
    return instant.astimezone(MOROCCO).date()


@dataclass(frozen=True)
class Period:
    """Days ``from_`` to ``to``, both included, in Morocco's calendar."""

    from_: date
    to: date

    @property
    def start(self) -> datetime:
        """The first instant of the period, aware UTC."""
        return local_midnight(self.from_)

    @property
    def end(self) -> datetime:
        """The first instant after the period (excluded), aware UTC."""
        return local_midnight(self.to + timedelta(days=1))

    @property
    def days(self) -> list[date]:
        return [self.from_ + timedelta(days=n) for n in range((self.to - self.from_).days + 1)]


def period_of(from_: date | None, to: date | None, today: date) -> Period:
    """The period asked for: ``to`` defaults to ``today``, ``from_`` to 29 days before ``to``.

    Raises ``ValidationFailed`` (422, fields ``from``/``to``) for a day outside
    ``FIRST_DAY``..``LAST_DAY``, when ``from_`` is after ``to`` or the period is
    longer than ``MAX_DAYS``.
    """
    for name, day in (("from", from_), ("to", to)):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            message = _("Choose a day between 2000 and 2099.")
            raise ValidationFailed(_("The period is not valid."), fields={name: [message]})
    to = to or today
    from_ = from_ or to - timedelta(days=DEFAULT_DAYS - 1)
    if from_ > to:
        raise ValidationFailed(
            _("The period is not valid."),
            fields={"from": [_("The first day must not be after the last.")]},
        )
    if (to - from_).days + 1 > MAX_DAYS:
        message = _("A report covers at most %(count)d days.", count=MAX_DAYS)
        raise ValidationFailed(_("The period is too long."), fields={"from": [message]})
    return Period(from_, to)


@dataclass(frozen=True)
class SalesFilter:
    """Which sales a report counts, besides its period.

    ``fair_id``: only orders placed while that fair was open (its days, Morocco's
    calendar), whatever the delivery: stand pickups, and what shoppers ordered
    online during the fair. ``province``: the selling cooperatives' province.
    """

    province: str | None = None
    fair_id: int | None = None
    cooperative_id: int | None = None

    @property
    def narrows_cooperatives(self) -> bool:
        return self.province is not None or self.cooperative_id is not None
