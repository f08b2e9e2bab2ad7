"""The producers' share and its display: basis points, half-up, one decimal."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.reports.amounts import Amounts, percent_text, share_bps


def test_share_is_rounded_half_up_and_undefined_without_sales():
    assert share_bps(71000, 75000) == 9467
    assert share_bps(1, 3) == 3333
    assert share_bps(5, 0) is None and share_bps(5, -10) is None
    assert percent_text(9467) == "94.7" and percent_text(9465) == "94.7"
    assert percent_text(10000) == "100.0" and percent_text(None) == ""
    assert percent_text(-15) == "-0.2"


@given(st.integers(0, 10**12), st.integers(1, 10**12))
def test_share_of_a_part_of_the_whole_stays_between_0_and_100_percent(part, extra):
    whole = part + extra
    assert 0 <= share_bps(part, whole) <= 10000


@given(st.lists(st.tuples(*[st.integers(-(10**9), 10**9)] * 4), max_size=20))
def test_amounts_add_up_field_by_field_and_negate(values):
    items = [Amounts(*value) for value in values]
    total = sum(items, Amounts())
    assert total.gross_cents == sum(value[0] for value in values)
    assert total.solidarity_cents == sum(value[3] for value in values)
    assert total + -total == Amounts()
