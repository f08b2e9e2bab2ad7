"""Ledger account codes: the names of the places money is owed to or held at.

- ``coop:<id>:pending``: earned by a cooperative, still within the hold period.
- ``coop:<id>:available``: owed to a cooperative and payable.
- ``platform:revenue``, ``platform:solidarity_fund``: the platform's share of fees.
- ``platform:card_fees``: what card processing costs the platform (negative: an expense).
- ``clearing:stripe``, ``clearing:cash``, ``clearing:bank``: money in transit at
  Stripe, in cash, or at the bank (negative while held there for us).
"""

from __future__ import annotations

import re
from typing import NamedTuple

PLATFORM_REVENUE = "platform:revenue"
PLATFORM_SOLIDARITY_FUND = "platform:solidarity_fund"
PLATFORM_CARD_FEES = "platform:card_fees"
CLEARING_STRIPE = "clearing:stripe"
CLEARING_CASH = "clearing:cash"
CLEARING_BANK = "clearing:bank"

PLATFORM_CODES = (PLATFORM_REVENUE, PLATFORM_SOLIDARITY_FUND, PLATFORM_CARD_FEES)
CLEARING_CODES = (CLEARING_STRIPE, CLEARING_CASH, CLEARING_BANK)

#: Account kinds, stored on each account.
COOPERATIVE_PENDING = "cooperative_pending"
COOPERATIVE_AVAILABLE = "cooperative_available"
PLATFORM = "platform"
CLEARING = "clearing"
KINDS = (COOPERATIVE_PENDING, COOPERATIVE_AVAILABLE, PLATFORM, CLEARING)

_COOPERATIVE_CODE = re.compile(r"coop:([1-9][0-9]*):(pending|available)")


class ParsedCode(NamedTuple):
    kind: str
    cooperative_id: int | None


def cooperative_pending(cooperative_id: int) -> str:
    """Code of what a cooperative has earned that is still held."""
    return f"coop:{int(cooperative_id)}:pending"


def cooperative_available(cooperative_id: int) -> str:
    """Code of what a cooperative is owed and can be paid."""
    return f"coop:{int(cooperative_id)}:available"


def parse(code: str) -> ParsedCode:
    """The kind and cooperative of an account code; ``ValueError`` for a code we do not keep."""
    if code in PLATFORM_CODES:
        return ParsedCode(PLATFORM, None)
    if code in CLEARING_CODES:
        return ParsedCode(CLEARING, None)
    match = _COOPERATIVE_CODE.fullmatch(code)
    if match is None:
        raise ValueError(f"unknown ledger account code {code!r}")
    kind = COOPERATIVE_PENDING if match.group(2) == "pending" else COOPERATIVE_AVAILABLE
    return ParsedCode(kind, int(match.group(1)))
