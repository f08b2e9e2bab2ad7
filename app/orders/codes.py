"""Public order numbers and pickup codes, drawn with `secrets` so nobody can guess them."""

from __future__ import annotations

import secrets

#: No 0/O, 1/I/L: a number read aloud over the phone or copied by hand stays right.
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
NUMBER_PREFIX = "ST-"
NUMBER_LENGTH = 6
PICKUP_CODE_LENGTH = 6


def new_order_number() -> str:
    """ "ST-" + 6 characters: 31**6 (about 887 million) numbers, uniformly drawn."""
    return NUMBER_PREFIX + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH))


def new_pickup_code() -> str:
    """6 digits, easy to read out at a stand and to type on a phone keypad."""
    return f"{secrets.randbelow(10**PICKUP_CODE_LENGTH):0{PICKUP_CODE_LENGTH}d}"


def normalize_code(text: str | None) -> str:
    """What a person typed or a QR scan gave, without spaces or dashes, upper-cased."""
    return "".join(ch for ch in (text or "") if ch.isalnum()).upper()


def codes_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison after normalising both sides; False when none is expected."""
    if not expected:
        return False
    return secrets.compare_digest(normalize_code(expected).encode(), normalize_code(given).encode())
