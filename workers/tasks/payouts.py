"""Payouts in the background: release held earnings, propose payouts, send Stripe transfers.

Each task is safe to run twice or at once with another: releases and
proposals are keyed in the database, and a transfer is sent under a lease
with the payout's key as Stripe's idempotency key.
"""

from __future__ import annotations

from celery import shared_task

from app.core.tasks import RETRY_BACKOFF_MAX_SECONDS
from app.payouts import services
from app.payouts.errors import TransferPending


@shared_task(name="workers.tasks.payouts.release_earnings_task", acks_late=True)
def release_earnings_task() -> dict[str, int]:
    """Move earnings past their hold period from pending to available."""
    released = services.release_due_earnings()
    return {"parts": len(released), "cents": sum(item.amount_cents for item in released)}


@shared_task(name="workers.tasks.payouts.run_payouts_task", acks_late=True)
def run_payouts_task() -> dict[str, int]:
    """The daily run: release what is due, then propose payouts for admins to approve."""
    report = services.run_payouts()
    return {
        "released": len(report.released),
        "proposed": len(report.proposed),
        "blocked": len(report.blocked),
    }


@shared_task(
    name="workers.tasks.payouts.execute_payout_task",
    acks_late=True,
    autoretry_for=(TransferPending,),
    retry_backoff=True,
    retry_backoff_max=RETRY_BACKOFF_MAX_SECONDS,
    retry_jitter=True,
    max_retries=5,
)
def execute_payout_task(payout_id: int) -> str:
    """Send an executed Stripe payout's transfer (once, whatever retries); its status after."""
    return services.send_transfer(payout_id).status


@shared_task(name="workers.tasks.payouts.recover_stuck_payouts_task", acks_late=True)
def recover_stuck_payouts_task() -> int:
    """Send again, with the same key, Stripe payouts whose sender died; how many were tried."""
    return len(services.recover_stuck_payouts())
