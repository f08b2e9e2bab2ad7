"""What payout and batch statuses are called on pages, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.errors import name_transitions
from app.orders.labels import name_of

__all__ = ["BATCH_STATUS_NAMES", "PAYOUT_STATUS_NAMES", "name_of"]

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


def name_payout_transitions() -> None:
    """Give ``IllegalTransition`` the words of refused payout and batch moves (app factory)."""
    name_transitions(
        "payout",
        _l("This payout cannot go from “%(from_state)s” to “%(to_state)s”."),
        PAYOUT_STATUS_NAMES,
    )
    name_transitions(
        "payout batch",
        _l("This bank batch cannot go from “%(from_state)s” to “%(to_state)s”."),
        BATCH_STATUS_NAMES,
    )
