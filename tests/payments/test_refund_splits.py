"""The split of a refund between the cooperative, the platform and the solidarity fund."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.payments import splits
from app.payments.splits import Split


@st.composite
def lines(draw):
    """A line: unit price, quantity, and a split of its total (as the fee engine makes)."""
    unit_price = draw(st.integers(1, 500_000))
    quantity = draw(st.integers(1, 40))
    total = unit_price * quantity
    fee = draw(st.integers(0, total))
    solidarity = draw(st.integers(0, fee))
    return unit_price, quantity, Split(total - fee, fee - solidarity, solidarity)


@st.composite
def unit_steps(draw, quantity):
    steps, left = [], quantity
    while left:
        step = draw(st.integers(1, left))
        steps.append(step)
        left -= step
    return steps


@given(data=st.data(), line=lines())
def test_refunding_a_line_unit_by_unit_ends_exactly_at_its_split(data, line):
    unit_price, quantity, split = line
    refunded, total = 0, Split()
    for step in data.draw(unit_steps(quantity)):
        share = splits.units_share(split, unit_price, refunded, step)
        assert share.total_cents == unit_price * step
        assert min(share.as_weights()) >= 0
        refunded += step
        total += share
    assert total == split


def test_one_more_unit_never_gives_a_share_back():
    # Split in one go, units 10 and 11 of this line took -1 centime from the fund.
    line = Split(26, 5, 2)

    share = splits.units_share(line, unit_price_cents=1, refunded_before=9, refunding=2)

    assert min(share.as_weights()) >= 0 and share.total_cents == 2
    assert splits.first_units(line, 1, 33) == line


@given(data=st.data(), line=lines())
def test_amounts_taken_from_a_pool_never_exceed_it_and_empty_it_exactly(data, line):
    _unit_price, _quantity, pool = line
    remaining = pool
    partial_refunds = data.draw(st.integers(0, 6))
    while remaining.total_cents:
        amount = remaining.total_cents  # the last refund takes what is left
        if partial_refunds:
            partial_refunds -= 1
            amount = data.draw(st.integers(1, remaining.total_cents))
        share = splits.cooperative_funded(amount, remaining)
        assert share.total_cents == amount
        assert min(share.as_weights()) >= 0 and share.fits_in(remaining)
        remaining -= share
    assert remaining == Split()


def test_a_line_share_is_used_as_is_when_the_pool_holds_it():
    pool = Split(11040 + 3000, 840, 120)
    wanted = Split(11040, 840, 120)
    assert splits.cooperative_funded(12000, pool, wanted) == wanted


def test_a_line_share_beyond_what_is_left_is_split_over_what_is_left():
    pool = Split(5000, 0, 0)  # earlier amount refunds took the platform's and the fund's shares
    share = splits.cooperative_funded(5000, pool, Split(4600, 350, 50))
    assert share == Split(5000, 0, 0)


def test_a_goodwill_refund_is_all_the_platforms():
    assert splits.platform_funded(2500) == Split(0, 2500, 0)


def test_more_than_the_pool_is_a_programming_error():
    with pytest.raises(ValueError):
        splits.cooperative_funded(101, Split(50, 50, 0))
