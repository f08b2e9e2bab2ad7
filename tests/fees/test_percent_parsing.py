"""Percents typed by admins become exact basis points, and back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.fees.engine import parse_percent, percent_text


@pytest.mark.parametrize(
    "text, bps",
    [("8", 800), ("1.5", 150), ("8,25", 825), (" 85 % ", 8500), ("0.05", 5), ("100", 10000)],
)
def test_percents_are_read_as_basis_points(text, bps):
    assert parse_percent(text) == bps


@pytest.mark.parametrize("text", ["", "eight", "-1", "1.234", "1e2", "8.", "%"])
def test_anything_else_is_refused(text):
    with pytest.raises(ValueError):
        parse_percent(text)


@given(st.integers(min_value=0, max_value=99_999_99))
def test_percent_text_reads_back_exactly(bps):
    assert parse_percent(percent_text(bps)) == bps
