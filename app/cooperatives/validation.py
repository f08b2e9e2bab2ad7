"""Checks for the papers and contact details a cooperative gives us.

Pure functions: each takes the text a person typed and returns it in the form
we store, or raises ValueError with a message fit to show next to the field.
`clean_profile` runs them over a whole application or profile edit and gathers
every problem into one ValidationFailed, so a form shows all errors at once.
Facts (formats, the RIB key) come from REGION.md.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from app.cooperatives.models import PROVINCES, LegalForm, PayoutMethod
from app.core.errors import ValidationFailed
from app.core.names import check_name

# The phone rule is core's (accounts verify the numbers guests and cooperatives give).
from app.core.phones import PHONE_TEXT_PATTERN as PHONE_TEXT_PATTERN
from app.core.phones import normalize_phone
from app.core.translation import N_

RIB_PATTERN = re.compile(r"^\d{24}$")
ICE_PATTERN = re.compile(r"^\d{15}$")
REGISTRATION_NUMBER_PATTERN = re.compile(r"^[A-Za-z0-9/-]{1,30}$")
ONSSA_NUMBER_PATTERN = re.compile(r"^[A-Za-z0-9/.-]{1,40}$")

#: Longest accepted texts, matching the columns.
NAME_MAX = 140
COMMUNE_MAX = 80
EMAIL_MAX = 254
DESCRIPTION_MAX = 5000
PICKUP_ADDRESS_MAX = 200
STORY_MAX = 5000
#: The oldest founding year taken (the first Moroccan cooperatives date from the 1930s).
FOUNDED_YEAR_MIN = 1900
MEMBERS_MAX = 100_000
#: A flat home-delivery fee above 1,000 MAD is a typing mistake, not a price.
SHIPPING_FEE_MAX_CENTS = 100_000


def rib_key(first_22_digits: str) -> str:
    """The two-digit check key that makes `first_22_digits` + key divisible by 97."""
    return f"{97 - (int(first_22_digits) * 100) % 97:02d}"


def validate_rib(text: str) -> str:
    """A RIB as its 24 digits (3 bank, 3 city, 16 account, 2 key), spaces removed.

    Valid when the whole 24-digit number is divisible by 97, which is the same
    as its last two digits being `rib_key` of the first 22.
    """
    compact = re.sub(r"\s", "", text or "")
    if not RIB_PATTERN.match(compact):
        raise ValueError(_("A RIB has 24 digits (bank, city, account and key)."))
    if int(compact) % 97 != 0:
        raise ValueError(_("This RIB's check key does not match: please check every digit."))
    return compact


def validate_ice(text: str | None) -> str | None:
    """The ICE as 15 digits, or None when left empty (it is optional)."""
    compact = re.sub(r"\s", "", text or "")
    if not compact:
        return None
    if not ICE_PATTERN.match(compact):
        raise ValueError(_("The ICE has exactly 15 digits."))
    return compact


def validate_registration_number(text: str) -> str:
    """The registration number (ODCo, court registry): 1 to 30 letters, digits, / or -."""
    value = (text or "").strip()
    if not REGISTRATION_NUMBER_PATTERN.match(value):
        raise ValueError(
            _("Use 1 to 30 letters, digits, slashes or dashes, as on the registration papers.")
        )
    return value


def validate_onssa_number(text: str | None) -> str | None:
    """The ONSSA sanitary authorization number (up to 40 letters, digits, / - .), or None."""
    value = (text or "").strip()
    if not value:
        return None
    if not ONSSA_NUMBER_PATTERN.match(value):
        raise ValueError(_("Use up to 40 letters, digits, slashes, dashes or dots."))
    return value


def validate_email_address(text: str) -> str:
    """The e-mail address, normalised as accounts store theirs (NFKC, lower case, so a
    full-width look-alike is the same address); no network lookup."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    if len(value) > EMAIL_MAX:
        raise ValueError(_("Enter a valid e-mail address."))
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValueError(_("Enter a valid e-mail address."))


def _text(min_length: int, max_length: int):
    def check(value: str) -> str:
        value = (value or "").strip()
        if len(value) < min_length:
            raise ValueError(_("This field is required."))
        if len(value) > max_length:
            raise ValueError(_("At most %(count)d characters.", count=max_length))
        return value

    return check


def _name(min_length: int, max_length: int):
    text = _text(min_length, max_length)
    return lambda value: check_name(text(value))


def _choice(choices: Iterable[str]):
    allowed = tuple(choices)

    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(_("Choose one of: %(choices)s.", choices=", ".join(allowed)))
        return value

    return check


def _optional_text(max_length: int):
    def check(value: str | None) -> str | None:
        return _text(0, max_length)(value) or None

    return check


def _shipping_fee(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(_("Enter an amount in centimes."))
    if not 0 <= value <= SHIPPING_FEE_MAX_CENTS:
        raise ValueError(_("The delivery fee must be between 0 and 1,000 MAD."))
    return value


#: Most days a cooperative may state for a home delivery.
DELIVERY_DAYS_MAX = 60


def _delivery_days(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(_("Enter a whole number of days."))
    if not 0 <= value <= DELIVERY_DAYS_MAX:
        raise ValueError(_("Between 0 and %(most)d days.", most=DELIVERY_DAYS_MAX))
    return value


def _optional_count(low: int, high: int, message: str):
    """A whole number from ``low`` to ``high``, or None when left empty."""

    def check(value: Any) -> int | None:
        if value in (None, ""):
            return None
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError(_(message))
        try:
            number = int(str(value).strip())
        except ValueError:
            raise ValueError(_(message))
        if not low <= number <= high:
            raise ValueError(_(message))
        return number

    return check


def _founded_year(value: Any) -> int | None:
    return _optional_count(FOUNDED_YEAR_MIN, date.today().year, _YEAR_MESSAGE)(value)


_YEAR_MESSAGE = N_("Give the year the cooperative was founded, e.g. 2008.")
_MEMBERS_MESSAGE = N_("Give the number of members, a whole number from 1.")


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(_("Answer yes or no."))
    return value


#: Field -> check returning the stored value. Order: as the application form asks.
CHECKS = {
    "name": _name(2, NAME_MAX),
    "legal_form": _choice(LegalForm),
    "registration_number": validate_registration_number,
    "ice": validate_ice,
    "province": _choice(PROVINCES),
    "commune": _text(1, COMMUNE_MAX),
    "phone": normalize_phone,
    "email": validate_email_address,
    "description": _text(0, DESCRIPTION_MAX),
    "onssa_number": validate_onssa_number,
    "payout_method": _choice(PayoutMethod),
    "rib": lambda value: validate_rib(value) if (value or "").strip() else None,
    "shipping_fee_cents": _shipping_fee,
    "offers_home_delivery": _flag,
    "offers_pickup": _flag,
    "pickup_address": _optional_text(PICKUP_ADDRESS_MAX),
    "delivery_days_min": _delivery_days,
    "delivery_days_max": _delivery_days,
    "story": _text(0, STORY_MAX),
    "story_ar": _text(0, STORY_MAX),
    "founded_year": _founded_year,
    "members_count": _optional_count(1, MEMBERS_MAX, _MEMBERS_MESSAGE),
}

#: What an application must give; the others may be left out.
REQUIRED_AT_APPLICATION = (
    "name",
    "legal_form",
    "registration_number",
    "province",
    "commune",
    "phone",
    "email",
)


def clean_profile(data: Mapping[str, Any], *, required: Iterable[str] = ()) -> dict[str, Any]:
    """The fields of `data` that CHECKS knows, each in its stored form.

    Raises ValidationFailed naming every bad or missing field (in `required`)
    with its message; fields of `data` that CHECKS does not know are ignored.
    """
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for field in required:
        if data.get(field) in (None, ""):
            errors[field] = [_("This field is required.")]
    for field, check in CHECKS.items():
        if field not in data or field in errors:
            continue
        try:
            cleaned[field] = check(data[field])
        except ValueError as error:
            errors[field] = [str(error)]
        except (TypeError, AttributeError):
            errors[field] = [_("Not a valid value.")]
    _check_delivery_days(data, cleaned, errors)
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    return cleaned


def _check_delivery_days(data: Mapping[str, Any], cleaned: dict[str, Any], errors) -> None:
    """Both delivery days or neither, the fewest not above the most."""
    if "delivery_days_min" not in data and "delivery_days_max" not in data:
        return
    if "delivery_days_min" in errors or "delivery_days_max" in errors:
        return
    fewest, most = cleaned.get("delivery_days_min"), cleaned.get("delivery_days_max")
    if (fewest is None) != (most is None):
        errors["delivery_days_max"] = [_("Give both the fewest and the most days, or neither.")]
    elif fewest is not None and most is not None and fewest > most:
        errors["delivery_days_max"] = [_("The most days cannot be fewer than the fewest.")]
