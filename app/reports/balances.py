"""Reports read straight from the ledger: the platform's fees and the solidarity fund day by
day, who is still owed money, and the cash to collect from cooperatives.

Balances are sums of ledger entries (credit-positive, see ``app.ledger.operations``)
of the transactions that occurred before an instant; days are Morocco's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from app.cooperatives.models import Cooperative
from app.core.replica import read_session
from app.ledger import codes
from app.ledger.models import Account, LedgerEntry, LedgerTransaction
from app.reports.period import Period, local_day


@dataclass(frozen=True)
class PlatformDay:
    """One day of the platform's two fee accounts, centimes."""

    day: date
    #: What the day added to ``platform:revenue`` (fees less refunds).
    revenue_change_cents: int
    #: What the day added to ``platform:solidarity_fund``.
    solidarity_change_cents: int
    #: Balances at the end of the day.
    revenue_balance_cents: int
    solidarity_balance_cents: int


@dataclass(frozen=True)
class PlatformSeries:
    opening_revenue_cents: int
    opening_solidarity_cents: int
    days: list[PlatformDay]

    @property
    def revenue_change_cents(self) -> int:
        return sum(day.revenue_change_cents for day in self.days)

    @property
    def solidarity_change_cents(self) -> int:
        return sum(day.solidarity_change_cents for day in self.days)

    @property
    def closing_revenue_cents(self) -> int:
        return self.opening_revenue_cents + self.revenue_change_cents

    @property
    def closing_solidarity_cents(self) -> int:
        return self.opening_solidarity_cents + self.solidarity_change_cents


def platform_series(period: Period) -> PlatformSeries:
    """Fees collected and the solidarity fund over ``period``: each day's change and closing
    balance of ``platform:revenue`` and ``platform:solidarity_fund``. Two queries."""
    wanted = (codes.PLATFORM_REVENUE, codes.PLATFORM_SOLIDARITY_FUND)
    opening = dict(
        read_session()
        .execute(  # a Result has .keys(): dict() needs its rows as a list
            select(Account.code, func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
            .join(LedgerEntry, LedgerEntry.account_id == Account.id)
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .where(Account.code.in_(wanted), LedgerTransaction.occurred_at < period.start)
            .group_by(Account.code)
        )
        .tuples()
        .all()
    )
    changes: dict[tuple[date, str], int] = defaultdict(int)
    rows = (
        read_session()
        .execute(
            select(Account.code, LedgerTransaction.occurred_at, LedgerEntry.amount_cents)
            .join(LedgerEntry, LedgerEntry.account_id == Account.id)
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .where(
                Account.code.in_(wanted),
                LedgerTransaction.occurred_at >= period.start,
                LedgerTransaction.occurred_at < period.end,
            )
        )
        .tuples()
    )
    for code, occurred_at, amount_cents in rows:
        changes[(local_day(occurred_at), code)] += amount_cents
    revenue = int(opening.get(codes.PLATFORM_REVENUE, 0))
    solidarity = int(opening.get(codes.PLATFORM_SOLIDARITY_FUND, 0))
    series = PlatformSeries(revenue, solidarity, [])
    for day in period.days:
        revenue_change = changes[(day, codes.PLATFORM_REVENUE)]
        solidarity_change = changes[(day, codes.PLATFORM_SOLIDARITY_FUND)]
        revenue += revenue_change
        solidarity += solidarity_change
        series.days.append(PlatformDay(day, revenue_change, solidarity_change, revenue, solidarity))
    return series


@dataclass(frozen=True)
class CooperativeBalance:
    """What the platform owes a cooperative (negative: what it owes the platform), centimes."""

    cooperative_id: int
    name: str
    slug: str
    province: str
    #: Earned and still held (``coop:<id>:pending``).
    pending_cents: int
    #: Payable (``coop:<id>:available``); negative when it kept cash holding our fees.
    available_cents: int

    @property
    def owed_cents(self) -> int:
        """What the cooperative is owed in all: pending plus available."""
        return self.pending_cents + self.available_cents

    @property
    def to_collect_cents(self) -> int:
        """Fees it holds in cash that its pending earnings will not cover: what to collect."""
        return max(0, -self.owed_cents)


def cooperative_balances(
    before: datetime | None, province: str | None = None, language: str = "en"
) -> list[CooperativeBalance]:
    """Every cooperative's pending and available balance from transactions before ``before``
    (None: all), optionally of one province; cooperatives never posted to are left out. One query.
    """
    statement = (
        select(
            Cooperative.id,
            Account.kind,
            func.coalesce(func.sum(LedgerEntry.amount_cents), 0),
        )
        .join(Account, Account.cooperative_id == Cooperative.id)
        .join(LedgerEntry, LedgerEntry.account_id == Account.id)
        .group_by(Cooperative.id, Account.kind)
    )
    if before is not None:
        statement = statement.join(
            LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id
        ).where(LedgerTransaction.occurred_at < before)
    if province is not None:
        statement = statement.where(Cooperative.province == province)
    sums: dict[int, dict[str, int]] = defaultdict(dict)
    for cooperative_id, kind, total in read_session().execute(statement).tuples():
        sums[cooperative_id][kind] = int(total)
    if not sums:
        return []
    cooperatives = (
        read_session().scalars(select(Cooperative).where(Cooperative.id.in_(sorted(sums)))).all()
    )
    return [
        CooperativeBalance(
            cooperative.id,
            cooperative.translated("name", language),
            cooperative.slug,
            cooperative.province,
            sums[cooperative.id].get(codes.COOPERATIVE_PENDING, 0),
            sums[cooperative.id].get(codes.COOPERATIVE_AVAILABLE, 0),
        )
        for cooperative in cooperatives
    ]


def still_owed(balances: list[CooperativeBalance]) -> list[CooperativeBalance]:
    """The cooperatives the platform still owes money to (pending + available > 0), most first."""
    owed = [balance for balance in balances if balance.owed_cents > 0]
    return sorted(owed, key=lambda balance: (-balance.owed_cents, balance.name))


def cash_to_collect(balances: list[CooperativeBalance]) -> list[CooperativeBalance]:
    """The cooperatives holding fees in cash (available < 0), the largest debt first.

    Their pending earnings are netted first (``to_collect_cents`` is what remains).
    """
    owing = [balance for balance in balances if balance.available_cents < 0]
    return sorted(owing, key=lambda balance: (balance.available_cents, balance.name))
