"""Fault: a worker dies in the middle of a payout or of a notification, then the periodic
recovery runs (``recover_stuck_payouts`` once the send lease expired; the outbox sweep once
the claim timed out). On restart there is exactly one payment and one message.

The death is a ``BaseException`` that nothing in the app catches, raised at each moment
between the claim and the completion: before Stripe or SMTP is called, and after they
acted but before the answer was recorded. The last window of a notification is the one
place where two copies can go out; they carry the same Message-ID, so mail clients show
one (the test says so rather than hiding it).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from support.factories import AdminFactory, CooperativeFactory, MembershipFactory, UserFactory

from app.core.db import utcnow
from app.extensions import db
from app.ledger import codes
from app.ledger.models import LedgerTransaction
from app.ledger.operations import Entry, post
from app.ledger.queries import balance, trial_balance
from app.notifications import operations as notices
from app.notifications import services as outbox
from app.notifications.models import Notification, NotificationStatus
from app.payments import stripe_client
from app.payouts import services as payouts
from app.payouts.models import Payout, PayoutStatus


class WorkerKilled(BaseException):
    """The process dies here: no line of the worker after it runs, no handler catches it."""


@pytest.fixture
def approved_payout(stripe_app, in_request):
    cooperative = CooperativeFactory(
        payout_method="stripe", rib=None, stripe_account_id="acct_1SoukDrill0001"
    )
    members = [MembershipFactory(cooperative=cooperative).user for _ in range(2)]
    post(
        "card_payment",
        "drill:earned",
        [
            Entry(codes.cooperative_available(cooperative.id), 42000),
            Entry(codes.CLEARING_STRIPE, -42000),
        ],
    )
    db.session.commit()
    admin = AdminFactory()
    [payout] = payouts.run_payouts(actor=admin).proposed
    return payouts.approve(payout, admin), cooperative, members, admin


def transfers_made(fake) -> list[dict]:
    with fake._lock:
        return [obj for obj in fake._objects.values() if obj["object"] == "transfer"]


@pytest.mark.parametrize("moment", ["before-stripe", "after-stripe-acted"])
def test_a_worker_killed_mid_payout_pays_once_after_recovery(
    approved_payout, fake_stripe, monkeypatch, moment
):
    payout, cooperative, members, admin = approved_payout
    real_transfer = stripe_client.transfer

    def die(**kwargs):
        if moment == "after-stripe-acted":
            real_transfer(**kwargs)
        raise WorkerKilled

    monkeypatch.setattr(stripe_client, "transfer", die)
    with pytest.raises(WorkerKilled):
        payouts.execute(payout, admin)
    monkeypatch.setattr(stripe_client, "transfer", real_transfer)
    db.session.rollback()

    stuck = db.session.get(Payout, payout.id)
    assert (stuck.status, stuck.stripe_transfer_id) == (PayoutStatus.PROCESSING, None)
    # The restarted worker's first recovery pass leaves a live lease alone...
    assert payouts.recover_stuck_payouts(utcnow()) == []
    # ...and the one after the lease expired sends it again, with the same key.
    [recovered] = payouts.recover_stuck_payouts(utcnow() + payouts.SEND_LEASE + timedelta(1))
    assert payouts.recover_stuck_payouts(utcnow() + 2 * payouts.SEND_LEASE + timedelta(1)) == []

    assert recovered.status == PayoutStatus.PAID
    [transfer] = transfers_made(fake_stripe)
    assert (transfer["id"], transfer["amount"]) == (recovered.stripe_transfer_id, 42000)
    keys = {r.headers["Idempotency-Key"] for r in fake_stripe.requests_to("POST", "/v1/transfers")}
    assert keys == {payout.key}
    postings = db.session.scalars(
        select(LedgerTransaction).where(LedgerTransaction.payout_id == payout.id)
    ).all()
    assert len(postings) == 1
    assert balance(codes.cooperative_available(cooperative.id)) == 0
    paid_messages = db.session.scalars(
        select(Notification).where(Notification.kind == "payout_paid")
    ).all()
    assert sorted(n.recipient_user_id for n in paid_messages) == sorted(m.id for m in members)
    assert trial_balance().total_cents == 0


@pytest.fixture
def pending_message(in_request, mail_to_smtp):
    """The recipient of a message whose delivery the first worker is about to make."""
    return UserFactory(locale="en")


def notify_order_paid(user) -> None:
    notices.notify(
        "order_paid",
        user=user,
        context={"order_number": "ST-KILL01", "total_cents": 12000},
        dedupe_key="order_paid:ST-KILL01",
    )


def the_row() -> Notification:
    db.session.expire_all()
    return db.session.scalars(
        select(Notification).where(Notification.dedupe_key == "order_paid:ST-KILL01")
    ).one()


def test_a_worker_killed_before_sending_a_message_sends_it_once_after_the_claim_times_out(
    pending_message, mail_to_smtp, monkeypatch
):
    real_channel = outbox.channel_for

    def dying_channel(name, config):
        class Dies:
            def send(self, message):
                raise WorkerKilled

        return Dies()

    monkeypatch.setattr(outbox, "channel_for", dying_channel)
    notify_order_paid(pending_message)
    with pytest.raises(WorkerKilled):
        db.session.commit()  # the row commits, then its delivery starts and the worker dies
    monkeypatch.setattr(outbox, "channel_for", real_channel)
    db.session.rollback()

    claimed = the_row()
    assert (claimed.status, claimed.attempts) == (NotificationStatus.PENDING, 1)
    assert claimed.claimed_at is not None
    # A sweep while the claim is fresh leaves it to its (dead) owner.
    assert outbox.sweep(now=utcnow() + timedelta(minutes=2)).sent == 0
    assert mail_to_smtp.received == []

    recovered = outbox.sweep(now=utcnow() + outbox.CLAIM_TIMEOUT + timedelta(minutes=1))
    again = outbox.sweep(now=utcnow() + outbox.CLAIM_TIMEOUT + timedelta(minutes=10))

    assert (recovered.sent, again.sent) == (1, 0)
    [message] = mail_to_smtp.messages
    assert message["Subject"] == "Payment received for order ST-KILL01"
    assert the_row().status == NotificationStatus.SENT


def test_a_worker_killed_after_smtp_accepted_resends_one_copy_with_the_same_message_id(
    pending_message, mail_to_smtp, monkeypatch
):
    real_channel = outbox.channel_for

    def channel_then_die(name, config):
        channel = real_channel(name, config)

        class SendsThenDies:
            def send(self, message):
                channel.send(message)
                raise WorkerKilled

        return SendsThenDies()

    monkeypatch.setattr(outbox, "channel_for", channel_then_die)
    notify_order_paid(pending_message)
    with pytest.raises(WorkerKilled):
        db.session.commit()
    monkeypatch.setattr(outbox, "channel_for", real_channel)
    db.session.rollback()
    assert len(mail_to_smtp.received) == 1

    outbox.sweep(now=utcnow() + outbox.CLAIM_TIMEOUT + timedelta(minutes=1))
    outbox.sweep(now=utcnow() + outbox.CLAIM_TIMEOUT + timedelta(minutes=10))

    first, second = mail_to_smtp.messages
    assert first["Message-ID"] == second["Message-ID"]
    assert the_row().status == NotificationStatus.SENT
