"""Moroccan phone numbers, stored one way (+212 then 9 digits) by every domain.

The rule is REGION.md's: ``+212`` or ``0``, then 9 digits starting with 5 (landline),
6 or 7 (mobile). Accounts, cooperatives and checkout all normalise through
``normalize_phone``, so that a number typed "06 12 34 56 78" at a guest checkout is the
same number an account later verifies.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

PHONE_PATTERN = re.compile(r"^(?:\+212|0)([5-7][0-9]{8})$")
#: What may stand between the digits of a phone number: spaces (also non-breaking), dots, dashes.
_SEPARATORS = re.compile(r"[ \u00a0.-]")
_SEP = r"[ \u00a0.-]*"
#: The same rule as one regular expression over the text typed, for the OpenAPI document:
#: exactly the texts ``normalize_phone`` accepts.
PHONE_TEXT_PATTERN = rf"^{_SEP}(?:\+{_SEP}2{_SEP}1{_SEP}2|0){_SEP}[5-7](?:{_SEP}[0-9]){{8}}{_SEP}$"


def normalize_phone(text: str) -> str:
    """A Moroccan phone number as +212XXXXXXXXX.

    Accepts +212 or 0 followed by 9 digits starting with 5 (landline), 6 or 7
    (mobile), with any spaces, dashes or dots between digits. Raises ValueError with a
    message fit to show next to the field otherwise.
    """
    compact = _SEPARATORS.sub("", text or "")
    match = PHONE_PATTERN.fullmatch(compact)
    if match is None:
        raise ValueError(
            _("Enter a Moroccan phone number: +212 or 0, then 9 digits starting with 5, 6 or 7.")
        )
    return f"+212{match.group(1)}"
