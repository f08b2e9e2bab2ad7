"""For any sales and refunds, every grouping adds up to the same total and each row keeps
gross == producer + platform + solidarity."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.cooperatives.models import PROVINCES
from app.fees.defaults import MOROCCO
from app.orders.models import PaymentMethod
from app.reports.amounts import Amounts
from app.reports.facts import Facts, RefundFact, SaleFact
from app.reports.period import Period, SalesFilter
from app.reports.sales import group_facts

PERIOD = Period(date(2026, 3, 1), date(2026, 3, 10))


@st.composite
def amounts(draw, sign: int = 1) -> Amounts:
    producer, platform, solidarity = (draw(st.integers(0, 10**7)) for _ in range(3))
    return Amounts(
        sign * (producer + platform + solidarity),
        sign * producer,
        sign * platform,
        sign * solidarity,
    )


instants = st.builds(
    lambda day, seconds: (
        datetime.combine(PERIOD.from_ + timedelta(days=day), time.min, MOROCCO)
        + timedelta(seconds=seconds)
    ),
    st.integers(0, 9),
    st.integers(0, 86399),
)
methods = st.sampled_from([method.value for method in PaymentMethod])
sales = st.builds(
    SaleFact,
    at=instants,
    order_id=st.integers(1, 20),
    cooperative_id=st.integers(1, 5),
    province=st.sampled_from(PROVINCES),
    payment_method=methods,
    category_id=st.none(),
    amounts=amounts(),
)
refunds = st.builds(
    RefundFact,
    at=instants,
    order_id=st.integers(1, 20),
    cooperative_id=st.none(),
    province=st.one_of(st.none(), st.sampled_from(PROVINCES)),
    payment_method=methods,
    category_id=st.none(),
    amounts=amounts(sign=-1),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(sales, max_size=30), st.lists(refunds, max_size=10))
def test_every_grouping_has_the_same_total_and_rows_that_add_up(sold, refunded):
    facts = Facts(sold, refunded)
    expected = sum((fact.amounts for fact in [*sold, *refunded]), Amounts())
    for grouping in ("day", "province", "payment_method"):
        report = group_facts(facts, grouping, PERIOD, SalesFilter())
        assert report.total.amounts == expected
        assert sum((row.amounts for row in report.rows), Amounts()) == expected
        assert report.total.orders == len({fact.order_id for fact in sold})
        for row in report.rows:
            a = row.amounts
            assert a.gross_cents == a.producer_cents + a.platform_cents + a.solidarity_cents
            assert row.orders <= report.total.orders
    by_day = group_facts(facts, "day", PERIOD, SalesFilter())
    assert [row.key for row in by_day.rows] == [day.isoformat() for day in PERIOD.days]
