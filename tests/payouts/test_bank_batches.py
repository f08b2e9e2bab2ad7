"""Bank payouts gather in a batch whose CSV the admin gives the bank, marks sent, then paid."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from sqlalchemy import select
from support.factories import AdminFactory, CooperativeFactory, MembershipFactory

from app.core.errors import IllegalTransition
from app.extensions import db
from app.ledger import codes
from app.notifications.models import Notification
from app.payouts import bank_file, services
from app.payouts.errors import EmptyBatch
from app.payouts.models import BatchStatus, Payout, PayoutBatch, PayoutStatus


def _executed(cooperative, books, cents: int, admin) -> Payout:
    books.earn(cooperative, cents)
    [payout] = [p for p in services.run_payouts().proposed if p.cooperative_id == cooperative.id]
    services.approve(payout, admin)
    return services.execute(payout, admin)


def _rows(batch: PayoutBatch) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(bank_file.batch_csv(batch))))


def test_the_batch_file_has_one_row_per_payout_with_rib_name_amount_reference(books, admin):
    tighza = CooperativeFactory(name="Coopérative Tighza", rib="001810007800020110620221")
    zaqqoum = CooperativeFactory(name="تعاونية الزقوم")
    first = _executed(tighza, books, 123450, admin)
    second = _executed(zaqqoum, books, 10000, admin)
    assert first.batch_id == second.batch_id
    batch = first.batch

    text = bank_file.batch_csv(batch)
    rows = _rows(batch)

    assert text.splitlines()[0] == "rib,name,amount,reference"
    assert rows == [
        {
            "rib": "001810007800020110620221",
            "name": "Coopérative Tighza",
            "amount": "1234.50",
            "reference": first.reference,
        },
        {
            "rib": zaqqoum.rib,
            "name": "تعاونية الزقوم",
            "amount": "100.00",
            "reference": second.reference,
        },
    ]
    for row in rows:
        assert len(row["rib"]) == 24 and row["rib"].isdigit()
        assert int(row["rib"]) % 97 == 0  # the RIB's check key
    total = sum(Decimal(row["amount"]) for row in rows)
    assert total == Decimal("1334.50")
    assert books.balance(codes.CLEARING_BANK) == 133450
    books.assert_balanced()


def test_a_name_that_a_spreadsheet_would_run_stays_text(books, admin):
    cooperative = CooperativeFactory(name='=HYPERLINK("http://evil")')
    payout = _executed(cooperative, books, 20000, admin)

    [row] = _rows(payout.batch)

    assert row["name"] == '\'=HYPERLINK("http://evil")'


def test_failed_payouts_leave_the_file(books, admin):
    kept = _executed(CooperativeFactory(), books, 20000, admin)
    refused = _executed(CooperativeFactory(), books, 30000, admin)
    services.fail(refused, admin, "RIB of a closed account.")

    assert [row["reference"] for row in _rows(kept.batch)] == [kept.reference]


def test_marking_sent_closes_the_batch_and_new_payouts_start_another(books, admin):
    first = _executed(CooperativeFactory(), books, 20000, admin)
    batch = services.mark_batch_sent(first.batch, admin)
    assert batch.status == BatchStatus.SENT and batch.sent_by_id == admin.id

    second = _executed(CooperativeFactory(), books, 20000, admin)

    assert second.batch_id != first.batch_id
    assert second.batch.status == BatchStatus.OPEN
    assert services.mark_batch_sent(batch, admin).status == BatchStatus.SENT


def test_marking_a_batch_paid_pays_its_payouts_and_tells_their_members(books, admin):
    cooperative = CooperativeFactory()
    members = [MembershipFactory(cooperative=cooperative).user for _ in range(2)]
    payout = _executed(cooperative, books, 45000, admin)
    services.mark_batch_sent(payout.batch, admin)

    batch = services.mark_batch_paid(payout.batch, admin)

    assert batch.status == BatchStatus.PAID and batch.paid_at is not None
    payout = db.session.get(Payout, payout.id)
    assert payout.status == PayoutStatus.PAID and payout.paid_at is not None
    told = db.session.scalars(select(Notification).where(Notification.kind == "payout_paid")).all()
    assert sorted(n.recipient_user_id for n in told) == sorted(member.id for member in members)
    assert {n.context["reference"] for n in told} == {payout.reference}
    # Paid twice: nothing more happens.
    services.mark_batch_paid(batch, admin)
    assert (
        len(
            db.session.scalars(select(Notification).where(Notification.kind == "payout_paid")).all()
        )
        == 2
    )
    books.assert_balanced()


def test_a_batch_is_paid_only_after_it_was_sent(books, admin):
    payout = _executed(CooperativeFactory(), books, 20000, admin)

    with pytest.raises(IllegalTransition):
        services.mark_batch_paid(payout.batch, admin)
    assert db.session.get(Payout, payout.id).status == PayoutStatus.PROCESSING


def test_an_empty_batch_cannot_be_sent(books, admin):
    payout = _executed(CooperativeFactory(), books, 20000, admin)
    batch = payout.batch
    services.fail(payout, admin, "Wrong amount.")

    with pytest.raises(EmptyBatch):
        services.mark_batch_sent(batch, admin)


def test_only_one_batch_is_open_at_a_time(books):
    admins = [AdminFactory(), AdminFactory()]
    payouts = [_executed(CooperativeFactory(), books, 20000, admin) for admin in admins]

    assert len({payout.batch_id for payout in payouts}) == 1
    assert db.session.scalars(select(PayoutBatch)).all() == [payouts[0].batch]
