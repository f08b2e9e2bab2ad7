"""Money: integer centimes of Moroccan dirham, and the one place that rounds them.

Every amount in the project is an ``int`` of centimes of MAD (``1250`` is
12.50 MAD) and every percentage an ``int`` of basis points (``800`` is 8 %).
No float ever touches money: text is parsed with ``str``/``int`` only and
formatted through ``decimal.Decimal``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from decimal import Decimal

from babel.numbers import format_decimal

from app.core.translation import N_

CURRENCY = "MAD"

#: Basis points in a whole (100 %).
BPS_WHOLE = 10_000

#: Largest amount ``parse_amount`` accepts: 100,000,000.00 MAD, in centimes.
MAX_PARSED_CENTS = 100_000_000_00


class InvalidAmount(ValueError):
    """Text that is not an amount of money; ``message`` says why, in English marked for
    translation (faces show it through gettext)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _require_int(**values: object) -> None:
    # bool is an int subclass but a True amount is always a bug; floats are never money.
    for name, value in values.items():
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{name} must be an int, got {type(value).__name__}")


def round_half_up(numerator: int, denominator: int) -> int:
    """Return ``numerator / denominator`` rounded to the nearest int, halves away from zero.

    Exact for any size of int (``round_half_up(-5, 2) == -3``, ``round_half_up(5, 2) == 3``).
    Raises ``ValueError`` unless ``denominator > 0``, ``TypeError`` for non-int arguments.
    """
    _require_int(numerator=numerator, denominator=denominator)
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return -quotient if numerator < 0 else quotient


def apply_bps(amount_cents: int, bps: int) -> int:
    """Return ``bps`` basis points of ``amount_cents``, rounded half-up to the centime."""
    return round_half_up(amount_cents * bps, BPS_WHOLE)


def ceil_bps(amount_cents: int, bps: int) -> int:
    """Return ``bps`` basis points of ``amount_cents``, rounded up to the centime.

    Used for guarantees ("at least 85 % of the line"), where rounding down would
    break the promise by a centime. Raises ``ValueError`` for negative arguments.
    """
    _require_int(amount_cents=amount_cents, bps=bps)
    if amount_cents < 0 or bps < 0:
        raise ValueError("ceil_bps takes a non-negative amount and rate")
    return -(-amount_cents * bps // BPS_WHOLE)


def allocate(amount_cents: int, weights: Sequence[int]) -> list[int]:
    """Split ``amount_cents`` into parts proportional to ``weights`` that sum exactly to it.

    Largest-remainder method: each part is the floor of its exact share, and the
    centimes left over go one each to the largest remainders, the earlier index
    winning a tie. So each part is within one centime of its exact share, a zero
    weight gets 0, and ``allocate(-x, w) == [-p for p in allocate(x, w)]``.
    Raises ``ValueError`` if ``weights`` is empty, has a negative weight or sums to zero.
    """
    _require_int(amount_cents=amount_cents)
    for weight in weights:
        _require_int(weight=weight)
    if not weights:
        raise ValueError("allocate needs at least one weight")
    if any(weight < 0 for weight in weights):
        raise ValueError("allocate weights must not be negative")
    total_weight = sum(weights)
    if total_weight == 0:
        raise ValueError("allocate weights must not all be zero")
    if amount_cents < 0:
        return [-part for part in allocate(-amount_cents, weights)]

    shares = [divmod(amount_cents * weight, total_weight) for weight in weights]
    parts = [floor for floor, _ in shares]
    left_over = amount_cents - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda index: (-shares[index][1], index))
    for index in by_remainder[:left_over]:
        parts[index] += 1
    return parts


def to_decimal_string(cents: int) -> str:
    """Return ``cents`` as a plain decimal in MAD with two decimals: ``-1250`` -> ``"-12.50"``.

    For CSV exports and form fields; ``parse_amount`` reads it back exactly.
    """
    _require_int(cents=cents)
    dirhams, centimes = divmod(abs(cents), 100)
    return f"{'-' if cents < 0 else ''}{dirhams}.{centimes:02d}"


_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# Arabic decimal and thousands marks become unambiguous stand-ins handled below.
_ARABIC_MARKS = str.maketrans({"\u066b": "d", "\u066c": "g"})
_SPACES = re.compile(r"[ \u00a0\u202f\u2009]+")
_CURRENCY_AFFIX = re.compile(
    r"^(?:mad|dhs?|درهم|د\.م\.?)\s*|\s*(?:mad|dhs?|درهم|د\.م\.?)$", re.IGNORECASE
)
_GROUPED = re.compile(r"[0-9]{1,3}(?:g[0-9]{3})*")
_MAX_DIGITS = 20

_EMPTY = N_("Enter an amount.")
_NEGATIVE = N_("The amount must not be negative.")
_GARBAGE = N_("Enter an amount in dirhams, such as 120 or 120.50.")
_TOO_PRECISE = N_("Use at most 2 decimals (for thousands write 1200 or 1 200).")
_BAD_GROUPING = N_("Thousands separators must split the amount in groups of 3 digits.")
_TOO_LARGE = N_("The amount must not exceed 100,000,000.00 MAD.")


def parse_amount(text: str) -> int:
    """Parse an amount in MAD typed by a shopper or an admin into centimes.

    Accepts ``"12"``, ``"12.5"``, ``"12,50"``, ``"1 200,50"`` (spaces, no-break and
    narrow no-break spaces group thousands), ``"1,200.50"``, ``"1.200,50"``, Arabic-Indic
    digits and marks, and a leading or trailing ``MAD``, ``DH`` or ``درهم``. When only
    one of ``.`` and ``,`` appears once it is the decimal mark, so ``"1,200"`` (three
    digits after it) is refused rather than guessed as 1.2 or 1200.
    Raises ``InvalidAmount`` for empty, negative, malformed, more than 2 decimals, or
    more than 100,000,000.00 MAD.
    """
    if not isinstance(text, str):
        raise InvalidAmount(_GARBAGE)
    cleaned = text.strip().translate(_DIGITS).translate(_ARABIC_MARKS)
    cleaned = _CURRENCY_AFFIX.sub("", cleaned).strip()
    if not cleaned:
        raise InvalidAmount(_EMPTY)
    if cleaned[0] in "-\u2212":
        raise InvalidAmount(_NEGATIVE)
    cleaned = _SPACES.sub("g", cleaned)
    if not re.fullmatch(r"[0-9][0-9gd.,]*", cleaned):
        raise InvalidAmount(_GARBAGE)
    whole, fraction = _split_decimal_mark(cleaned)
    if not _GROUPED.fullmatch(whole) and not whole.isdigit():
        raise InvalidAmount(_BAD_GROUPING)
    whole = whole.replace("g", "")
    if fraction and not fraction.isdigit():
        raise InvalidAmount(_GARBAGE)
    if len(fraction) > 2:
        raise InvalidAmount(_TOO_PRECISE)
    if len(whole) > _MAX_DIGITS:
        raise InvalidAmount(_TOO_LARGE)
    cents = int(whole) * 100 + int(fraction.ljust(2, "0"))
    if cents > MAX_PARSED_CENTS:
        raise InvalidAmount(_TOO_LARGE)
    return cents


def _split_decimal_mark(number: str) -> tuple[str, str]:
    """Split digits with group marks ``g`` and ``.``/``,``/``d`` into (whole, fraction).

    The decimal mark is ``d``, else the last of ``.``/``,`` when both appear, else a
    ``.`` or ``,`` that appears once; a mark that repeats groups thousands.
    """
    if "d" in number:
        whole, _, fraction = number.partition("d")
        if any(mark in number for mark in ".,"):
            raise InvalidAmount(_GARBAGE)
    elif "." in number and "," in number:
        decimal_mark = "." if number.rindex(".") > number.rindex(",") else ","
        whole, _, fraction = number.rpartition(decimal_mark)
        whole = whole.replace("," if decimal_mark == "." else ".", "g")
    elif number.count(".") == 1 or number.count(",") == 1:
        whole, _, fraction = number.replace(",", ".").partition(".")
    else:
        return number.replace(".", "g").replace(",", "g"), ""
    if fraction == "":
        raise InvalidAmount(_GARBAGE)
    return whole, fraction


_LOCALES = {
    "en": ("en", "MAD"),
    "fr": ("fr_MA", "DH"),
    "ar": ("ar_MA", "درهم"),
}


def format_money(cents: int, locale: str = "en") -> str:
    """Format centimes for display: ``"1,200.50 MAD"`` (en), ``"1 200,50 DH"`` (fr),
    ``"1.200,50 درهم"`` (ar), with Latin digits as used in Morocco.

    Grouping and decimal marks follow Babel's en, fr_MA and ar_MA data (fr groups
    with a narrow no-break space, U+202F); a plain space precedes the currency.
    ``locale`` may be a language (``"fr"``), a full code (``"fr_FR"``, ``"ar-MA"``)
    or a Babel ``Locale``; only its language counts, and unknown languages fall back to en.
    Negative amounts carry a leading minus.
    """
    _require_int(cents=cents)
    return _formatted(int(cents), _language_of(locale))


#: Unicode's left-to-right isolate and its end (UAX #9): what ``<bdi dir="ltr">`` is to HTML.
LEFT_TO_RIGHT_ISOLATE, POP_ISOLATE = "\u2066", "\u2069"
_RIGHT_TO_LEFT = frozenset({"ar"})


def money_in_text(cents: int, locale: str = "en") -> str:
    """``format_money`` for a sentence of plain text (an e-mail, an SMS, a flash message, a
    WhatsApp message): in a right-to-left language the amount is a left-to-right isolate,
    so its minus stays before its digits and neither drifts among the Arabic words; in
    other languages it is ``format_money`` itself."""
    return ltr_in_text(format_money(cents, locale), locale)


def ltr_in_text(text: str, locale: str = "en") -> str:
    """``text`` that reads left to right (a tracking number, a code, a phone number) for a
    sentence of plain text: a left-to-right isolate in a right-to-left language, so its
    dashes, spaces and digits keep their order among the Arabic words; as it is otherwise."""
    if _language_of(locale) in _RIGHT_TO_LEFT:
        return f"{LEFT_TO_RIGHT_ISOLATE}{text}{POP_ISOLATE}"
    return text


def currency_word(locale: str = "en") -> str:
    """The word ``format_money`` writes after the number for `locale`: MAD, DH or درهم."""
    return _LOCALES.get(_language_of(locale), _LOCALES["en"])[1]


def _language_of(locale: object) -> str:
    return str(locale).replace("-", "_").split("_")[0].lower()


@functools.lru_cache(maxsize=8192)
def _formatted(cents: int, language: str) -> str:
    """``format_money`` of checked centimes (kept per process: a page of cards repeats
    prices, and Babel's formatting was a fifth of rendering a list)."""
    babel_locale, currency = _LOCALES.get(language, _LOCALES["en"])
    number = format_decimal(
        Decimal(to_decimal_string(cents)), format="#,##0.00", locale=babel_locale
    )
    return f"{number} {currency}"
