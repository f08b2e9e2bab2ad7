"""The reports reconcile with the ledger to the centime: the fees and the fund's share of the
sales of a period are exactly what the ledger posted to the platform's accounts in it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from support.sales_data import BALANCES, TOTAL

from app.extensions import db
from app.fair.queries import morocco_today
from app.ledger import codes
from app.ledger.models import Account, LedgerEntry, LedgerTransaction
from app.ledger.queries import cooperative_balance, trial_balance
from app.reports.balances import cash_to_collect, cooperative_balances, platform_series, still_owed
from app.reports.period import SalesFilter, period_of
from app.reports.sales import sales_report


def posted(code: str, period) -> int:
    """What the ledger posted to ``code`` by transactions of the period, read independently."""
    return db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
        .join(Account, Account.id == LedgerEntry.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(
            Account.code == code,
            LedgerTransaction.occurred_at >= period.start,
            LedgerTransaction.occurred_at < period.end,
        )
    )


def test_platform_and_solidarity_totals_equal_the_ledger_postings_of_the_period(sales_data):
    period = period_of(None, None, morocco_today())
    report = sales_report("cooperative", period, SalesFilter())
    assert report.total.amounts.platform_cents == posted(codes.PLATFORM_REVENUE, period) == 3500
    assert report.total.amounts.solidarity_cents == posted(codes.PLATFORM_SOLIDARITY_FUND, period)
    assert report.total.amounts.solidarity_cents == TOTAL[3]
    assert trial_balance().total_cents == 0


def test_card_sales_equal_the_money_that_reached_stripe(sales_data):
    period = period_of(None, None, morocco_today())
    card = next(
        row
        for row in sales_report("payment_method", period, SalesFilter()).rows
        if row.key == "card"
    )
    # Stripe's clearing account goes negative by what it holds for us: payments less refunds.
    assert card.amounts.gross_cents == -posted(codes.CLEARING_STRIPE, period)


def test_fees_and_fund_series_close_at_the_ledger_balances(sales_data):
    today = morocco_today()
    series = platform_series(period_of(today - timedelta(days=6), today, today))
    assert len(series.days) == 7
    assert series.opening_revenue_cents == 0
    assert series.days[-1].revenue_change_cents == 3500
    assert series.days[-1].solidarity_change_cents == 500
    assert series.closing_revenue_cents == db.session.scalar(
        select(func.sum(LedgerEntry.amount_cents))
        .join(Account, Account.id == LedgerEntry.account_id)
        .where(Account.code == codes.PLATFORM_REVENUE)
    )
    assert [day.solidarity_balance_cents for day in series.days] == [0] * 6 + [500]


def test_still_owed_and_cash_to_collect_come_from_the_cooperatives_balances(sales_data):
    balances = cooperative_balances(None)
    found = {b.slug: (b.pending_cents, b.available_cents) for b in balances}
    assert found == BALANCES
    for balance in balances:
        assert cooperative_balance(balance.cooperative_id) == (
            balance.pending_cents,
            balance.available_cents,
        )
    assert [(b.slug, b.owed_cents) for b in still_owed(balances)] == [
        ("tighza", 13400),
        ("zaytoun", 11600),
    ]
    assert [(b.slug, b.to_collect_cents) for b in cash_to_collect(balances)] == [
        ("amal", 2000),
        ("tighza", 0),
    ]


def test_balances_of_one_province_and_before_the_sales(sales_data):
    assert [b.slug for b in cooperative_balances(None, "khenifra")] == ["zaytoun"]
    start_of_today = period_of(None, None, morocco_today()).end - timedelta(days=1)
    assert cooperative_balances(start_of_today) == []
