"""How a refused state move is told to readers, for each state machine of the domains.

``app.core.errors.IllegalTransition`` cannot import the domains that name the states, so
their words are handed to it here, once, when the application is created.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.cooperatives.labels import STATUS_LABELS as COOPERATIVE_STATUS_NAMES
from app.core.errors import name_transitions
from app.orders.labels import ORDER_STATUS_NAMES, PART_STATUS_NAMES
from app.payouts.labels import BATCH_STATUS_NAMES, PAYOUT_STATUS_NAMES


def register() -> None:
    name_transitions(
        "order",
        _l("This order cannot go from “%(from_state)s” to “%(to_state)s”."),
        ORDER_STATUS_NAMES,
    )
    name_transitions(
        "order part",
        _l("This part of the order cannot go from “%(from_state)s” to “%(to_state)s”."),
        PART_STATUS_NAMES,
    )
    name_transitions(
        "cooperative",
        _l("This cooperative cannot go from “%(from_state)s” to “%(to_state)s”."),
        COOPERATIVE_STATUS_NAMES,
    )
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
