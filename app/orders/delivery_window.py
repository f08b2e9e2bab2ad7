"""When a home-delivered part should reach its shopper: the cooperative's stated days.

Pure: from the order's checkout instant and the cooperative's ``delivery_days_min`` and
``delivery_days_max`` (days, as it states them in its dashboard), the window of
Morocco's local dates the receipt shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.fees.defaults import MOROCCO


@dataclass(frozen=True)
class DeliveryWindow:
    earliest: date
    latest: date


def delivery_window(
    placed_at: datetime, days_min: int | None, days_max: int | None
) -> DeliveryWindow | None:
    """The dates between which the parcel is expected; None when the cooperative has not
    stated its delivery time."""
    if days_min is None or days_max is None:
        return None
    placed_on = placed_at.astimezone(MOROCCO).date()
    return DeliveryWindow(
        placed_on + timedelta(days=days_min), placed_on + timedelta(days=days_max)
    )
