"""Stripe transfers of payouts: recording Stripe's answer, and its ``transfer.*`` webhooks.

Flush only. The app factory registers the handlers with ``app.payments.events``
(which records each event once and commits) through ``register_webhook_handlers``.
``transfer.created`` marks a payout paid when the worker that sent it died before
recording Stripe's answer;
``transfer.reversed`` (the whole amount taken back) fails a paid payout and
gives the money back to the cooperative's available balance. A transfer is
ours when its metadata names a payout whose amount and destination match.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.payments.events import register_handler
from app.payouts import operations
from app.payouts.models import Payout, PayoutMethod, PayoutStatus

JSON = dict[str, Any]


def record_transfer(payout: Payout, transfer_id: str) -> str:
    """Stripe made the payout's transfer: processing -> paid with its id (once)."""
    if payout.status != PayoutStatus.PROCESSING:
        return "payout_known"
    payout.stripe_transfer_id = transfer_id
    payout.last_error = None
    operations.mark_paid(payout, actor=None, note=transfer_id)
    return "payout_paid"


def _payout_of(transfer: JSON) -> Payout | None:
    """Our payout behind a transfer event's object, locked; None when it is not ours."""
    payout_id = (transfer.get("metadata") or {}).get("payout_id")
    if not isinstance(payout_id, str) or not payout_id.isdigit():
        found = db.session.scalar(
            select(Payout.id).where(Payout.stripe_transfer_id == transfer.get("id"))
        )
        if found is None:
            return None
        payout_id = str(found)
    payout = db.session.get(Payout, int(payout_id))
    if payout is None or payout.method != PayoutMethod.STRIPE:
        return None
    payout = operations.locked_payout(payout.id)
    matches = (
        int(transfer.get("amount") or 0) == payout.amount_cents
        and transfer.get("destination") == payout.destination
        and payout.stripe_transfer_id in (None, transfer.get("id"))
    )
    return payout if matches else None


def on_transfer_created(transfer: JSON) -> str:
    payout = _payout_of(transfer)
    if payout is None:
        return "unknown_transfer"
    return record_transfer(payout, transfer["id"])


def on_transfer_reversed(transfer: JSON) -> str:
    payout = _payout_of(transfer)
    if payout is None:
        return "unknown_transfer"
    if int(transfer.get("amount_reversed") or 0) < payout.amount_cents:
        return "partly_reversed"
    if payout.status != PayoutStatus.PAID:
        return "payout_known"
    operations.fail(payout, _("Stripe reversed the transfer."), actor=None)
    return "payout_reversed"


def register_webhook_handlers() -> None:
    """Hand the ``transfer.*`` handlers to the payments' dispatch table (app factory)."""
    register_handler("transfer.created", on_transfer_created)
    register_handler("transfer.reversed", on_transfer_reversed)
