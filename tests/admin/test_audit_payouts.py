"""Approving, executing, failing payouts and sending and paying their bank batch are each in
the audit log, with the payout or batch before and after."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from support.factories import CooperativeFactory

from app.audit.models import AdminAction
from app.extensions import db
from app.ledger import codes
from app.ledger.operations import Entry, post
from app.payouts import services as payouts


def earn(cooperative, cents: int) -> None:
    """Make ``cents`` payable to the cooperative, straight on the ledger."""
    post(
        "card_payment",
        f"test:{uuid.uuid4().hex}",
        [
            Entry(codes.cooperative_available(cooperative.id), cents),
            Entry(codes.CLEARING_STRIPE, -cents),
        ],
    )
    db.session.commit()


def logged() -> list[AdminAction]:
    return list(
        db.session.scalars(
            select(AdminAction)
            .where(AdminAction.target_type.in_(["payout", "payout_batch"]))
            .order_by(AdminAction.id)
        )
    )


def test_each_payout_step_an_admin_takes_is_logged(app, admin):
    with app.test_request_context():
        paid_one = CooperativeFactory(payout_method="bank_transfer")
        refused_one = CooperativeFactory(payout_method="bank_transfer")
        earn(paid_one, 25000)
        earn(refused_one, 18000)
        proposed = {p.cooperative_id: p for p in payouts.run_payouts(actor=admin).proposed}
        payout = payouts.approve(proposed[paid_one.id], admin)
        payout = payouts.execute(payout, admin)
        batch = payout.batch
        payouts.mark_batch_sent(batch, admin)
        payouts.mark_batch_paid(batch, admin)
        payouts.fail(proposed[refused_one.id], admin, "RIB belongs to another association")

    actions = [(a.action, a.target_id, a.before["status"], a.after["status"]) for a in logged()]
    assert actions == [
        ("payout.approve", str(payout.id), "proposed", "approved"),
        ("payout.execute", str(payout.id), "approved", "processing"),
        ("payout_batch.sent", str(batch.id), "open", "sent"),
        ("payout_batch.paid", str(batch.id), "sent", "paid"),
        ("payout.fail", str(proposed[refused_one.id].id), "proposed", "failed"),
    ]
    approve, execute, sent, paid, fail = logged()
    assert approve.actor_id == admin.id and approve.after["amount_cents"] == 25000
    assert execute.before["batch_id"] is None and execute.after["batch_id"] == batch.id
    assert sent.after["payout_ids"] == [payout.id]
    assert paid.after["paid_payout_ids"] == [payout.id]
    assert fail.note == "RIB belongs to another association"


def test_approving_twice_logs_once(app, admin):
    with app.test_request_context():
        cooperative = CooperativeFactory(payout_method="bank_transfer")
        earn(cooperative, 30000)
        (proposed,) = payouts.run_payouts(actor=admin).proposed
        payouts.approve(proposed, admin)
        payouts.approve(proposed, admin)
    assert [action.action for action in logged()] == ["payout.approve"]
