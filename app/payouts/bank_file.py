"""The bank-transfer file of a batch: one CSV row per payout, for the platform's bank.

Columns (header row first): ``rib`` (24 digits, check key verified), ``name``
(the cooperative's registered name), ``amount`` (decimal MAD with two
decimals and a dot, "1234.50"), ``reference`` (the payout's "ST-PAY-000123",
to quote on the transfer). UTF-8, comma-separated, CRLF line ends (the csv
module's default, which banks' import tools expect). Failed payouts are left
out; the amounts add up to the batch's total.
"""

from __future__ import annotations

import csv
import io

from app.cooperatives.validation import validate_rib
from app.core.money import to_decimal_string
from app.payouts.models import PayoutBatch
from app.payouts.queries import in_file

COLUMNS = ("rib", "name", "amount", "reference")

#: A spreadsheet would run a cell starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def file_name(batch: PayoutBatch) -> str:
    return f"souk-tadamon-{batch.reference}.csv"


def batch_csv(batch: PayoutBatch) -> str:
    """The file's text. Raises ``ValueError`` if a payout's RIB fails its check key (it was
    checked when the payout was executed, so this is a bug, not a user's mistake)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for payout in in_file(batch):
        writer.writerow(
            (
                validate_rib(payout.destination or ""),
                _safe_cell(payout.cooperative.name),
                to_decimal_string(payout.amount_cents),
                payout.reference,
            )
        )
    return out.getvalue()


def _safe_cell(text: str) -> str:
    # A name is typed by a cooperative; opened in a spreadsheet it must stay text.
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text
