"""Payout tasks (known to the worker, scheduled by beat, retried on Stripe's transient errors)
and `flask payouts run`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.schedules import crontab
from support.factories import AdminFactory, CooperativeFactory

from app.core.tasks import BEAT_SCHEDULE, LONGEST_COUNTDOWN_SECONDS
from app.extensions import db
from app.payouts import services
from app.payouts.errors import TransferPending
from app.payouts.models import Payout, PayoutStatus
from workers.tasks.payouts import (
    execute_payout_task,
    recover_stuck_payouts_task,
    release_earnings_task,
    run_payouts_task,
)


def _stuck_stripe_payout(cooperative, books, fake) -> Payout:
    """Executed, but Stripe's answer was lost: processing, nobody sending it."""
    books.earn(cooperative, 30000)
    [payout] = services.run_payouts().proposed
    admin = AdminFactory()
    services.approve(payout, admin)
    fake.drop_next_response("POST", "/v1/transfers")
    payout = services.execute(payout, admin)
    assert payout.status == PayoutStatus.PROCESSING
    return payout


def test_the_worker_knows_the_payout_tasks(app):
    tasks = app.extensions["celery"].tasks
    for task in (release_earnings_task, run_payouts_task, execute_payout_task):
        assert task.name in tasks
    assert execute_payout_task.name == services.SEND_TASK


def test_beat_releases_hourly_proposes_daily_and_recovers_stuck_transfers(app):
    schedule = BEAT_SCHEDULE
    celery = app.extensions["celery"]

    release = schedule["release-held-earnings"]
    assert release["task"] == release_earnings_task.name and release["schedule"] == 3600.0
    run = schedule["propose-payouts"]
    assert run["task"] == run_payouts_task.name
    assert isinstance(run["schedule"], crontab)
    assert run["schedule"].remaining_estimate(run["schedule"].now()) <= timedelta(days=1)
    recover = schedule["recover-stuck-payouts"]
    assert recover["task"] == recover_stuck_payouts_task.name
    assert recover["schedule"] <= services.SEND_LEASE.total_seconds()
    assert all(entry["task"] in celery.tasks for entry in (release, run, recover))
    assert celery.conf.beat_schedule == schedule


def test_sending_a_transfer_is_retried_with_bounded_jittered_backoff():
    assert execute_payout_task.acks_late
    assert TransferPending in execute_payout_task.autoretry_for
    assert execute_payout_task.retry_backoff and execute_payout_task.retry_jitter
    assert execute_payout_task.max_retries == 5
    assert execute_payout_task.retry_backoff_max < LONGEST_COUNTDOWN_SECONDS


def test_the_send_task_pays_a_stuck_payout_once(stripe_cooperative, books, fake_stripe):
    payout = _stuck_stripe_payout(stripe_cooperative, books, fake_stripe)

    assert execute_payout_task.apply(args=[payout.id]).get() == PayoutStatus.PAID
    assert execute_payout_task.apply(args=[payout.id]).get() == PayoutStatus.PAID
    keys = {r.headers["Idempotency-Key"] for r in fake_stripe.requests_to("POST", "/v1/transfers")}
    assert keys == {payout.key}
    assert len(fake_stripe.requests_to("POST", "/v1/transfers")) == 2


def test_the_send_task_retries_when_stripe_fails_on_its_side(
    stripe_cooperative, books, fake_stripe
):
    payout = _stuck_stripe_payout(stripe_cooperative, books, fake_stripe)
    fake_stripe.fail_next("POST", "/v1/transfers", error_type="api_error")

    # Eagerly, Celery runs the retry at once (a worker waits its jittered backoff first).
    execute_payout_task.apply(args=[payout.id], throw=False)

    db.session.expire_all()
    paid = db.session.get(Payout, payout.id)
    assert paid.status == PayoutStatus.PAID
    assert paid.attempts == 3  # the lost answer, Stripe's failure, the retry
    requests = fake_stripe.requests_to("POST", "/v1/transfers")
    assert [r.headers["Idempotency-Key"] for r in requests] == [payout.key] * 3


def test_a_failed_attempt_leaves_the_payout_free_for_the_next_sender(
    stripe_cooperative, books, fake_stripe
):
    payout = _stuck_stripe_payout(stripe_cooperative, books, fake_stripe)
    fake_stripe.fail_next("POST", "/v1/transfers", error_type="api_error")

    with pytest.raises(TransferPending):
        services.send_transfer(payout.id)

    waiting = db.session.get(Payout, payout.id)
    assert waiting.status == PayoutStatus.PROCESSING and waiting.sending_since is None
    assert waiting.last_error == "Stripe could not be reached or failed on its side."


def test_the_recovery_task_sends_stuck_payouts(stripe_cooperative, books, fake_stripe):
    payout = _stuck_stripe_payout(stripe_cooperative, books, fake_stripe)

    assert recover_stuck_payouts_task.apply().get() == 1
    db.session.expire_all()
    assert db.session.get(Payout, payout.id).status == PayoutStatus.PAID


def test_the_run_task_proposes_and_the_release_task_releases(bank_cooperative, books):
    books.earn(bank_cooperative, 20000)

    assert release_earnings_task.apply().get() == {"parts": 0, "cents": 0}
    assert run_payouts_task.apply().get() == {"released": 0, "proposed": 1, "blocked": 0}
    assert run_payouts_task.apply().get()["proposed"] == 0


def test_flask_payouts_run_prints_what_it_proposed(app, bank_cooperative, books):
    books.earn(bank_cooperative, 123450)

    result = app.test_cli_runner().invoke(args=["payouts", "run"])
    again = app.test_cli_runner().invoke(args=["payouts", "run"])

    assert result.exit_code == 0, result.output
    payout = db.session.query(Payout).one()
    assert f"Proposed {payout.reference}: 1,234.50 MAD to {bank_cooperative.name}" in result.output
    assert "No new payout proposed." in again.output


def test_flask_payouts_run_says_who_cannot_be_paid(app, books):
    cooperative = CooperativeFactory(rib=None)
    books.earn(cooperative, 20000)

    result = app.test_cli_runner().invoke(args=["payouts", "run"])

    assert f"Not proposed: {cooperative.name}" in result.output
    assert "no valid RIB" in result.output
