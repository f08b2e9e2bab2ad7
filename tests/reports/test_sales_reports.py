"""Sales reports against figures computed by hand on the known data set (support.sales_data)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from support.sales_data import BY_CATEGORY, BY_PAYMENT_METHOD, BY_PROVINCE, TOTAL

from app.extensions import db
from app.fair.queries import morocco_today
from app.orders.models import Order
from app.reports.amounts import Amounts
from app.reports.period import SalesFilter, period_of
from app.reports.sales import GROUPINGS, sales_report


@pytest.fixture
def this_month():
    return period_of(None, None, morocco_today())


def figures(row) -> tuple[int, tuple[int, int, int, int]]:
    a = row.amounts
    return row.orders, (a.gross_cents, a.producer_cents, a.platform_cents, a.solidarity_cents)


def test_totals_count_money_received_net_of_refunds(sales_data, this_month):
    report = sales_report("province", this_month, SalesFilter())
    assert figures(report.total) == (3, TOTAL)
    assert report.total.amounts.producer_share_bps == 9467  # 710.00 / 750.00


def test_sales_by_province_match_the_hand_computed_figures(sales_data, this_month):
    report = sales_report("province", this_month, SalesFilter())
    assert [row.key for row in report.rows] == [
        "azilal",
        "beni_mellal",
        "fquih_ben_salah",
        "khenifra",
        "khouribga",
    ]
    assert {row.key: figures(row) for row in report.rows} == BY_PROVINCE


def test_sales_by_category_put_delivery_fees_in_their_own_row(sales_data, this_month):
    report = sales_report("category", this_month, SalesFilter())
    assert {row.key: figures(row) for row in report.rows} == BY_CATEGORY
    assert [row.key for row in report.rows] == ["honey", "olive-oil", "delivery"]


def test_sales_by_payment_method_give_the_mix(sales_data, this_month):
    report = sales_report("payment_method", this_month, SalesFilter())
    assert {row.key: figures(row) for row in report.rows} == BY_PAYMENT_METHOD


def test_sales_by_cooperative_are_keyed_by_slug(sales_data, this_month):
    report = sales_report("cooperative", this_month, SalesFilter())
    assert {row.key: figures(row)[1][0] for row in report.rows} == {
        "tighza": 38000,
        "amal": 25000,
        "zaytoun": 12000,
    }
    assert report.rows[0].name == "Tighza"


def test_sales_by_day_cover_every_day_of_the_period(sales_data, this_month):
    report = sales_report("day", this_month, SalesFilter())
    assert len(report.rows) == 30
    assert report.rows[-1].key == morocco_today().isoformat()
    assert figures(report.rows[-1]) == (3, TOTAL)
    assert all(row.amounts == Amounts() for row in report.rows[:-1])


@pytest.mark.parametrize("grouping", GROUPINGS)
def test_every_grouping_has_the_same_total_and_rows_that_add_up(sales_data, this_month, grouping):
    report = sales_report(grouping, this_month, SalesFilter())
    assert sum((row.amounts for row in report.rows), Amounts()) == report.total.amounts
    assert figures(report.total) == (3, TOTAL)
    for row in report.rows:
        a = row.amounts
        assert a.gross_cents == a.producer_cents + a.platform_cents + a.solidarity_cents


def test_province_filter_answers_what_azilal_sold_during_the_fair(sales_data, this_month):
    criteria = SalesFilter(province="azilal", fair_id=sales_data.fair.id)
    report = sales_report("cooperative", this_month, criteria)
    assert [row.key for row in report.rows] == ["tighza"]
    assert figures(report.total) == BY_PROVINCE["azilal"]


def test_fair_filter_leaves_out_orders_placed_before_the_fair_opened(sales_data, this_month):
    before_fair = sales_data.fair.starts_on - timedelta(days=1)
    from app.fees.defaults import local_midnight

    db.session.execute(
        update(Order)
        .where(Order.id == sales_data.orders["O2"].id)
        .values(placed_at=local_midnight(before_fair))
    )
    during = sales_report("province", this_month, SalesFilter(fair_id=sales_data.fair.id))
    assert figures(during.total) == (2, (39000, 37640, 1190, 170))
    anytime = sales_report("province", this_month, SalesFilter())
    assert figures(anytime.total) == (3, TOTAL)


def test_a_period_before_the_sales_counts_nothing(sales_data):
    yesterday = morocco_today() - timedelta(days=1)
    report = sales_report("province", period_of(None, yesterday, yesterday), SalesFilter())
    assert figures(report.total) == (0, (0, 0, 0, 0))
