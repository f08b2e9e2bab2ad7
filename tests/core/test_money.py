from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.money import (
    CURRENCY,
    MAX_PARSED_CENTS,
    InvalidAmount,
    allocate,
    apply_bps,
    ceil_bps,
    currency_word,
    format_money,
    money_in_text,
    parse_amount,
    round_half_up,
    to_decimal_string,
)

NNBSP = "\u202f"


def test_currency_is_the_dirham():
    assert CURRENCY == "MAD"


def test_an_amount_in_arabic_text_is_a_left_to_right_isolate_and_elsewhere_plain():
    assert money_in_text(-2228, "ar") == "\u2066" + format_money(-2228, "ar") + "\u2069"
    assert money_in_text(-2228, "fr") == format_money(-2228, "fr")
    assert money_in_text(12050, "en_US") == "120.50 MAD"


@pytest.mark.parametrize(("locale", "word"), [("fr", "DH"), ("ar_MA", "درهم"), ("en", "MAD")])
def test_the_currency_word_is_the_one_formatted_amounts_end_with(locale, word):
    assert currency_word(locale) == word
    assert format_money(-2228, locale).endswith(" " + word)


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(5, 2, 3), (-5, 2, -3), (4, 3, 1), (-4, 3, -1), (7, 7, 1), (0, 9, 0), (14999, 10000, 1)],
)
def test_round_half_up_rounds_halves_away_from_zero(numerator, denominator, expected):
    assert round_half_up(numerator, denominator) == expected


@pytest.mark.parametrize("denominator", [0, -3])
def test_round_half_up_refuses_a_non_positive_denominator(denominator):
    with pytest.raises(ValueError):
        round_half_up(10, denominator)


def test_money_functions_refuse_floats():
    with pytest.raises(TypeError):
        round_half_up(1.5, 2)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        to_decimal_string(12.5)  # type: ignore[arg-type]


@given(st.integers(-(10**30), 10**30), st.integers(1, 10**12))
def test_round_half_up_matches_decimal_round_half_up(numerator, denominator):
    with localcontext(prec=100):
        exact = Decimal(numerator) / Decimal(denominator)
        expected = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert round_half_up(numerator, denominator) == expected


def test_apply_bps_rounds_half_up_to_the_centime():
    assert apply_bps(12000, 800) == 960
    assert apply_bps(1, 5000) == 1
    assert apply_bps(-1, 5000) == -1
    assert apply_bps(1, 4999) == 0


def test_ceil_bps_rounds_any_fraction_up():
    assert ceil_bps(500, 8500) == 425
    assert ceil_bps(1, 1) == 1
    assert ceil_bps(0, 8500) == 0
    assert ceil_bps(10000, 8500) == 8500
    with pytest.raises(ValueError):
        ceil_bps(-1, 8500)


def test_allocate_gives_left_over_centimes_to_the_earliest_tied_parts():
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(2, [1, 1, 1]) == [1, 1, 0]


def test_allocate_favours_the_largest_remainder():
    assert allocate(10, [1, 2]) == [3, 7]


def test_allocate_gives_nothing_to_a_zero_weight():
    assert allocate(5, [0, 1, 1]) == [0, 3, 2]


def test_allocate_is_sign_symmetric_for_refunds():
    assert allocate(-100, [1, 1, 1]) == [-34, -33, -33]


@pytest.mark.parametrize("weights", [[], [1, -1], [0, 0]])
def test_allocate_refuses_empty_negative_or_all_zero_weights(weights):
    with pytest.raises(ValueError):
        allocate(100, weights)


@given(
    st.integers(-(10**12), 10**12),
    st.lists(st.integers(0, 10**9), min_size=1, max_size=20).filter(any),
)
def test_allocate_sums_exactly_and_each_part_is_within_a_centime_of_its_share(amount, weights):
    parts = allocate(amount, weights)
    assert sum(parts) == amount
    assert len(parts) == len(weights)
    total = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part * total - amount * weight) < total
    assert allocate(-amount, weights) == [-part for part in parts]


@pytest.mark.parametrize(
    ("cents", "text"), [(1250, "12.50"), (0, "0.00"), (5, "0.05"), (-1250, "-12.50"), (-5, "-0.05")]
)
def test_to_decimal_string_writes_dirhams_with_two_decimals(cents, text):
    assert to_decimal_string(cents) == text


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("12", 1200),
        ("12.5", 1250),
        ("12.50", 1250),
        ("12,50", 1250),
        ("0,05", 5),
        ("0", 0),
        (" 12.50 ", 1250),
        ("1 200,50", 120050),
        ("1\u00a0200,50", 120050),
        (f"1{NNBSP}200,50", 120050),
        ("1,200.50", 120050),
        ("1.200,50", 120050),
        ("1,200,000", 120000000),
        ("1.200.000,00", 120000000),
        ("MAD 12.50", 1250),
        ("12.50 MAD", 1250),
        ("12 DH", 1200),
        ("12dh", 1200),
        ("120 درهم", 12000),
        ("درهم 120", 12000),
        ("١٢٠", 12000),
        ("١٢٫٥٠", 1250),
        ("١٬٢٠٠٫٥٠", 120050),
        ("100 000 000,00", MAX_PARSED_CENTS),
    ],
)
def test_parse_amount_reads_the_ways_moroccans_write_dirhams(text, cents):
    assert parse_amount(text) == cents


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter an amount."),
        ("   ", "Enter an amount."),
        ("MAD", "Enter an amount."),
        ("-12", "must not be negative"),
        ("MAD -12", "must not be negative"),
        ("12.345", "at most 2 decimals"),
        ("1,200", "at most 2 decimals"),
        ("12 50", "groups of 3 digits"),
        ("12,5,0", "groups of 3 digits"),
        ("abc", "such as 120"),
        ("12.", "such as 120"),
        ("1e5", "such as 120"),
        ("+5", "such as 120"),
        ("12.5€", "such as 120"),
        ("100000000.01", "must not exceed"),
        ("9" * 5000, "must not exceed"),
    ],
)
def test_parse_amount_refuses_what_is_not_an_amount_with_a_clear_message(text, message):
    with pytest.raises(InvalidAmount, match=message) as raised:
        parse_amount(text)
    assert raised.value.message == str(raised.value)


def test_invalid_amount_is_a_value_error():
    assert issubclass(InvalidAmount, ValueError)


@given(st.integers(0, MAX_PARSED_CENTS))
def test_parse_amount_reads_back_to_decimal_string(cents):
    assert parse_amount(to_decimal_string(cents)) == cents


@given(st.text(max_size=30))
def test_parse_amount_either_returns_a_bounded_amount_or_raises_invalid_amount(text):
    try:
        cents = parse_amount(text)
    except InvalidAmount:
        return
    assert 0 <= cents <= MAX_PARSED_CENTS


@pytest.mark.parametrize(
    ("cents", "locale", "text"),
    [
        (12000, "en", "120.00 MAD"),
        (12000, "fr", "120,00 DH"),
        (12000, "ar", "120,00 درهم"),
        (123456750, "en", "1,234,567.50 MAD"),
        (123456750, "fr", f"1{NNBSP}234{NNBSP}567,50 DH"),
        (123456750, "ar", "1.234.567,50 درهم"),
        (5, "en", "0.05 MAD"),
        (-123450, "en", "-1,234.50 MAD"),
        (-123450, "fr", f"-1{NNBSP}234,50 DH"),
        (-5, "ar", "-0,05 درهم"),
        (12000, "fr_FR", "120,00 DH"),
        (12000, "ar-MA", "120,00 درهم"),
        (12000, "en_US", "120.00 MAD"),
        (12000, "de", "120.00 MAD"),
    ],
)
def test_format_money_follows_the_shoppers_language(cents, locale, text):
    assert format_money(cents, locale) == text


def test_format_money_defaults_to_english():
    assert format_money(110_40) == "110.40 MAD"


def test_format_money_accepts_a_babel_locale():
    from babel import Locale

    assert format_money(12000, Locale.parse("fr_FR")) == "120,00 DH"  # type: ignore[arg-type]
