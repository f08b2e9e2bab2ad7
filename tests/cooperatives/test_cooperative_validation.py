"""The papers' checks: RIB key, phone, ICE, registration and ONSSA numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.cooperatives.validation import (
    clean_profile,
    normalize_phone,
    rib_key,
    validate_ice,
    validate_onssa_number,
    validate_registration_number,
    validate_rib,
)
from app.core.errors import ValidationFailed

PUBLISHED_RIB = "001810007800020110620221"

digits = st.text(alphabet="0123456789", min_size=22, max_size=22)


def test_published_rib_is_valid_with_or_without_spaces():
    assert validate_rib(PUBLISHED_RIB) == PUBLISHED_RIB
    assert validate_rib("001 810 0078000201106202 21") == PUBLISHED_RIB
    assert rib_key(PUBLISHED_RIB[:22]) == "21"


def test_published_rib_with_a_wrong_key_is_refused():
    with pytest.raises(ValueError, match="check key"):
        validate_rib("001810007800020110620222")


@pytest.mark.parametrize(
    "text", ["", "00181000780002011062022", "0018100078000201106202211", "00181000780002011062022A"]
)
def test_rib_that_is_not_24_digits_is_refused(text):
    with pytest.raises(ValueError, match="24 digits"):
        validate_rib(text)


@given(digits)
def test_any_22_digits_with_their_computed_key_make_a_valid_rib(first_22):
    rib = first_22 + rib_key(first_22)
    assert validate_rib(rib) == rib


@given(digits, st.integers(min_value=0, max_value=23), st.integers(min_value=1, max_value=9))
def test_changing_any_one_digit_of_a_valid_rib_makes_it_invalid(first_22, position, shift):
    rib = first_22 + rib_key(first_22)
    changed = str((int(rib[position]) + shift) % 10)
    mutated = rib[:position] + changed + rib[position + 1 :]
    with pytest.raises(ValueError):
        validate_rib(mutated)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0612345678", "+212612345678"),
        ("+212 6 12 34 56 78", "+212612345678"),
        ("05-23-45-67-89", "+212523456789"),
        ("07.01.02.03.04", "+212701020304"),
    ],
)
def test_moroccan_phone_numbers_are_stored_as_plus_212(typed, stored):
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["", "0812345678", "061234567", "06123456789", "+213612345678", "00212612345678", "phone"],
)
def test_phone_numbers_that_are_not_moroccan_are_refused(typed):
    with pytest.raises(ValueError, match="Moroccan phone number"):
        normalize_phone(typed)


@given(
    st.sampled_from(["0", "+212"]),
    st.sampled_from("567"),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
    st.sampled_from(["", " ", "-", "."]),
)
def test_any_valid_phone_normalizes_to_the_same_e164_number(prefix, first, rest, separator):
    typed = prefix + separator.join([first + rest[:1], rest[1:3], rest[3:5], rest[5:]])
    assert normalize_phone(typed) == f"+212{first}{rest}"


def test_ice_has_15_digits_and_is_optional():
    assert validate_ice("001234567000089") == "001234567000089"
    assert validate_ice("001 234 567 000 089") == "001234567000089"
    assert validate_ice("") is None
    assert validate_ice(None) is None
    for bad in ("12345678901234", "1234567890123456", "00123456700008A"):
        with pytest.raises(ValueError, match="15 digits"):
            validate_ice(bad)


def test_registration_number_takes_letters_digits_slashes_and_dashes():
    assert validate_registration_number(" 2016/BM-112 ") == "2016/BM-112"
    assert validate_registration_number("7") == "7"
    for bad in ("", "A" * 31, "12 34", "12_34", "12#"):
        with pytest.raises(ValueError):
            validate_registration_number(bad)


def test_onssa_number_is_optional_and_up_to_40_characters():
    assert validate_onssa_number("AS.12.345/2021-B") == "AS.12.345/2021-B"
    assert validate_onssa_number("  ") is None
    for bad in ("A" * 41, "AS 12", "AS#12"):
        with pytest.raises(ValueError):
            validate_onssa_number(bad)


def test_clean_profile_names_every_bad_and_missing_field_at_once():
    with pytest.raises(ValidationFailed) as caught:
        clean_profile(
            {"name": "Coopérative Tighza", "phone": "123", "rib": "1", "province": "casablanca"},
            required=["name", "email"],
        )
    assert set(caught.value.fields) == {"email", "phone", "rib", "province"}


def test_clean_profile_gives_stored_forms():
    cleaned = clean_profile(
        {"name": " Tighza ", "phone": "0612345678", "ice": "", "rib": "", "email": "A@Coop.MA"}
    )
    assert cleaned == {
        "name": "Tighza",
        "phone": "+212612345678",
        "ice": None,
        "rib": None,
        "email": "a@coop.ma",  # stored as accounts store e-mails (NFKC, lower case)
    }


def test_clean_profile_refuses_values_of_the_wrong_type():
    with pytest.raises(ValidationFailed) as caught:
        clean_profile({"phone": 612345678, "offers_pickup": "yes", "shipping_fee_cents": 1.5})
    assert set(caught.value.fields) == {"phone", "offers_pickup", "shipping_fee_cents"}
