"""How cash-on-delivery shoppers answer: confirmation and refusal rates, per cooperative and
per city (read-only).

A cash-on-delivery part counts in the period its order was placed. Its shopper
*confirmed* it when ``shopper_confirmed_at`` is set (by the signed link, or by the
cooperative's call). A part *reached the door* when it was delivered or refused;
the refusal rate is refused / reached the door. Rates are basis points (None with
nothing to divide by).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.cooperatives.models import Cooperative
from app.core.replica import read_session
from app.orders.models import ConfirmedVia, CooperativeOrder, Order, PartStatus, PaymentMethod
from app.reports.amounts import share_bps
from app.reports.period import Period


@dataclass(frozen=True)
class ConfirmationRow:
    #: The cooperative's name in the reader's language, or the city as shoppers typed it.
    name: str
    parts: int
    confirmed: int
    confirmed_by_link: int
    delivered: int
    refused: int

    @property
    def confirmation_bps(self) -> int | None:
        return share_bps(self.confirmed, self.parts)

    @property
    def refusal_bps(self) -> int | None:
        return share_bps(self.refused, self.delivered + self.refused)


@dataclass(frozen=True)
class ConfirmationReport:
    by_cooperative: list[ConfirmationRow]
    by_city: list[ConfirmationRow]


def confirmation_rates(period: Period, language: str = "en") -> ConfirmationReport:
    """The period's cash-on-delivery parts, counted per cooperative and per city (the city
    without letter case or surrounding spaces), most parts first."""
    parts_counted = (
        select(
            CooperativeOrder.cooperative_id,
            Order.address_city,
            CooperativeOrder.status,
            CooperativeOrder.shopper_confirmed_via,
            func.count(CooperativeOrder.id),
        )
        .join(Order, Order.id == CooperativeOrder.order_id)
        .where(
            Order.payment_method == PaymentMethod.CASH_ON_DELIVERY,
            Order.placed_at >= period.start,
            Order.placed_at < period.end,
        )
        .group_by(
            CooperativeOrder.cooperative_id,
            Order.address_city,
            CooperativeOrder.status,
            CooperativeOrder.shopper_confirmed_via,
        )
    )
    rows = read_session().execute(parts_counted).all()
    by_cooperative: dict[int, list] = {}
    by_city: dict[str, list] = {}
    city_names: dict[str, str] = {}
    for cooperative_id, city, status, via, count in rows:
        city_key = (city or "").strip().casefold()
        city_names.setdefault(city_key, (city or "").strip() or "—")
        for counts in (
            by_cooperative.setdefault(cooperative_id, [0, 0, 0, 0, 0]),
            by_city.setdefault(city_key, [0, 0, 0, 0, 0]),
        ):
            counts[0] += count
            counts[1] += count if via is not None else 0
            counts[2] += count if via == ConfirmedVia.LINK else 0
            counts[3] += count if status == PartStatus.DELIVERED else 0
            counts[4] += count if status == PartStatus.REFUSED else 0
    names = {
        cooperative.id: cooperative.translated("name", language)
        for cooperative in read_session().scalars(
            select(Cooperative).where(Cooperative.id.in_(sorted(by_cooperative)))
        )
    }
    return ConfirmationReport(
        by_cooperative=_rows({names.get(key, "?"): value for key, value in by_cooperative.items()}),
        by_city=_rows({city_names[key]: value for key, value in by_city.items()}),
    )


def _rows(counts: dict[str, list[int]]) -> list[ConfirmationRow]:
    rows = [ConfirmationRow(name, *values) for name, values in counts.items()]
    return sorted(rows, key=lambda row: (-row.parts, row.name))
