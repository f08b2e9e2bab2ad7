"""What payout and batch statuses are called on pages, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

PAYOUT_STATUS_NAMES = {
    "proposed": _l("Proposed"),
    "approved": _l("Approved"),
    "processing": _l("Being paid"),
    "paid": _l("Paid"),
    "failed": _l("Failed"),
}

BATCH_STATUS_NAMES = {
    "open": _l("Open: gathering transfers"),
    "sent": _l("Sent to the bank"),
    "paid": _l("Paid by the bank"),
}


def name_of(names: dict, code: str | None) -> str:
    """The translated name of ``code``, or the code itself when it has none."""
    return str(names.get(code, code or ""))
