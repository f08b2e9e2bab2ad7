"""Posting to the ledger: balanced or refused, once per key, corrected only by reversal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.core.db import utcnow
from app.extensions import db
from app.ledger import codes, operations, queries
from app.ledger.models import Account, LedgerEntry, LedgerIsAppendOnly, LedgerTransaction
from app.ledger.operations import Entry


def card_payment(cooperative_id: int, producer: int, platform: int, solidarity: int) -> list[Entry]:
    return [
        Entry(codes.CLEARING_STRIPE, -(producer + platform + solidarity)),
        Entry(codes.cooperative_pending(cooperative_id), producer),
        Entry(codes.PLATFORM_REVENUE, platform),
        Entry(codes.PLATFORM_SOLIDARITY_FUND, solidarity),
    ]


def test_a_card_payment_of_120_mad_credits_the_cooperative_110_40(cooperative):
    operations.post("card_payment", "order:1:paid", card_payment(cooperative.id, 11040, 840, 120))

    assert queries.balances(
        [
            codes.CLEARING_STRIPE,
            codes.cooperative_pending(cooperative.id),
            codes.PLATFORM_REVENUE,
            codes.PLATFORM_SOLIDARITY_FUND,
        ]
    ) == {
        "clearing:stripe": -12000,
        f"coop:{cooperative.id}:pending": 11040,
        "platform:revenue": 840,
        "platform:solidarity_fund": 120,
    }
    assert queries.cooperative_balance(cooperative.id) == (11040, 0)


def test_posting_creates_each_account_once_with_its_kind(cooperative):
    operations.post("card_payment", "a", card_payment(cooperative.id, 900, 80, 20))
    operations.post("card_payment", "b", card_payment(cooperative.id, 900, 80, 20))

    pending = db.session.scalars(
        select(Account).where(Account.code == codes.cooperative_pending(cooperative.id))
    ).one()
    assert (pending.kind, pending.cooperative_id) == ("cooperative_pending", cooperative.id)
    assert db.session.scalar(select(func.count()).select_from(Account)) == 4


def test_an_unbalanced_transaction_is_refused_and_writes_nothing(cooperative):
    with pytest.raises(operations.UnbalancedTransaction):
        operations.post(
            "card_payment",
            "order:2:paid",
            [Entry(codes.CLEARING_STRIPE, -12000), Entry(codes.cooperative_pending(7), 11999)],
        )

    assert db.session.scalar(select(func.count()).select_from(LedgerTransaction)) == 0
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_an_empty_transaction_is_refused():
    with pytest.raises(operations.UnbalancedTransaction):
        operations.post("adjustment", "empty", [])
    with pytest.raises(operations.UnbalancedTransaction):
        operations.post("adjustment", "zeros", [Entry(codes.PLATFORM_REVENUE, 0)])


def test_amounts_must_be_int_centimes():
    with pytest.raises(TypeError):
        operations.post(
            "adjustment",
            "floats",
            [Entry(codes.PLATFORM_REVENUE, 1.5), Entry(codes.CLEARING_BANK, -1.5)],  # type: ignore[arg-type]
        )


def test_unknown_account_codes_are_refused():
    with pytest.raises(ValueError, match="unknown ledger account"):
        operations.post(
            "adjustment", "typo", [Entry("platform:revenu", 100), Entry(codes.CLEARING_BANK, -100)]
        )


def test_zero_entries_are_dropped(cooperative):
    transaction = operations.post("card_payment", "k", card_payment(cooperative.id, 500, 0, 0))

    assert len(transaction.entries) == 2


def test_the_same_key_twice_posts_once_and_returns_the_first(cooperative):
    entries = card_payment(cooperative.id, 11040, 840, 120)
    first = operations.post("card_payment", "order:3:paid", entries)
    second = operations.post("card_payment", "order:3:paid", entries)

    assert second.id == first.id
    assert queries.balance(codes.CLEARING_STRIPE) == -12000
    assert db.session.scalar(select(func.count()).select_from(LedgerTransaction)) == 1


def test_the_same_key_with_other_entries_is_a_conflict(cooperative):
    operations.post("card_payment", "order:4:paid", card_payment(cooperative.id, 11040, 840, 120))

    with pytest.raises(operations.IdempotencyKeyReused):
        operations.post("card_payment", "order:4:paid", card_payment(cooperative.id, 100, 10, 0))
    with pytest.raises(operations.IdempotencyKeyReused):
        operations.post(
            "cash_collected", "order:4:paid", card_payment(cooperative.id, 11040, 840, 120)
        )
    assert queries.balance(codes.CLEARING_STRIPE) == -12000


def test_references_are_recorded_and_unknown_ones_refused(cooperative):
    transaction = operations.post(
        "card_payment",
        "order:5:paid",
        card_payment(cooperative.id, 900, 90, 10),
        refs={"order_id": 5, "cooperative_order_id": 9},
        memo="Order ST-7K3Q9X",
    )

    assert (transaction.order_id, transaction.cooperative_order_id) == (5, 9)
    assert transaction.memo == "Order ST-7K3Q9X"
    with pytest.raises(ValueError, match="unknown ledger references"):
        operations.post("card_payment", "x", card_payment(1, 1, 0, 0), refs={"shop": 1})


def test_post_only_flushes_so_the_caller_can_roll_back(cooperative):
    db.session.begin_nested()
    operations.post("card_payment", "order:6:paid", card_payment(cooperative.id, 900, 90, 10))
    db.session.rollback()

    assert queries.balance(codes.CLEARING_STRIPE) == 0


def test_a_reversal_posts_the_negated_entries_and_is_idempotent(cooperative):
    original = operations.post(
        "card_payment", "order:7:paid", card_payment(cooperative.id, 900, 90, 10)
    )

    reversal = operations.reverse(original, "order:7:paid:reversed", memo="Paid twice by mistake")
    again = operations.reverse(original, "order:7:paid:reversed", memo="Paid twice by mistake")

    assert again.id == reversal.id
    assert reversal.reverses_id == original.id
    assert sorted(e.amount_cents for e in reversal.entries) == sorted(
        -e.amount_cents for e in original.entries
    )
    assert queries.trial_balance().accounts == [
        (codes.CLEARING_STRIPE, 0),
        (codes.cooperative_pending(cooperative.id), 0),
        (codes.PLATFORM_REVENUE, 0),
        (codes.PLATFORM_SOLIDARITY_FUND, 0),
    ]


def test_a_transaction_is_reversed_only_once(cooperative):
    original = operations.post(
        "card_payment", "order:8:paid", card_payment(cooperative.id, 900, 90, 10)
    )
    operations.reverse(original, "reversal-1")

    with pytest.raises(operations.AlreadyReversed):
        operations.reverse(original, "reversal-2")


def test_entries_are_never_updated_or_deleted(cooperative):
    transaction = operations.post(
        "card_payment", "order:9:paid", card_payment(cooperative.id, 900, 90, 10)
    )
    db.session.commit()

    transaction.entries[0].amount_cents = 1
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()

    db.session.delete(transaction.entries[0])
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_balances_as_of_an_instant_count_what_occurred_until_then(cooperative):
    monday = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)
    operations.post(
        "card_payment", "mon", card_payment(cooperative.id, 900, 90, 10), occurred_at=monday
    )
    operations.post(
        "card_payment",
        "wed",
        card_payment(cooperative.id, 1800, 180, 20),
        occurred_at=monday + timedelta(days=2),
    )

    pending = codes.cooperative_pending(cooperative.id)
    assert queries.balance(pending, as_of=monday - timedelta(seconds=1)) == 0
    assert queries.balance(pending, as_of=monday) == 900
    assert queries.balance(pending, as_of=monday + timedelta(days=1)) == 900
    assert queries.balance(pending) == 2700
    assert queries.cooperative_balance(cooperative.id, as_of=monday) == (900, 0)
    assert queries.trial_balance(as_of=monday).total_cents == 0


def test_the_trial_balance_totals_zero(cooperative):
    operations.post("card_payment", "p", card_payment(cooperative.id, 11040, 840, 120))
    operations.post(
        "release",
        "r",
        [
            Entry(codes.cooperative_pending(cooperative.id), -11040),
            Entry(codes.cooperative_available(cooperative.id), 11040),
        ],
        occurred_at=utcnow(),
    )

    trial = queries.trial_balance()

    assert trial.total_cents == 0
    assert dict(trial.accounts)[codes.cooperative_available(cooperative.id)] == 11040
    assert dict(trial.accounts)[codes.cooperative_pending(cooperative.id)] == 0


def release(cooperative_id: int, key: str, amount: int, **refs) -> operations.Posting:
    return operations.Posting(
        "earnings_release",
        key,
        (
            Entry(codes.cooperative_pending(cooperative_id), -amount),
            Entry(codes.cooperative_available(cooperative_id), amount),
        ),
        refs=refs,
    )


def test_post_many_writes_each_event_as_its_own_balanced_transaction(cooperative):
    ids = operations.post_many(
        [release(cooperative.id, "r:1", 500), release(cooperative.id, "r:2", 700)]
    )

    assert set(ids) == {"r:1", "r:2"}
    for key, amount in (("r:1", 500), ("r:2", 700)):
        transaction = db.session.get(LedgerTransaction, ids[key])
        assert transaction.kind == "earnings_release"
        assert sorted(e.amount_cents for e in transaction.entries) == [-amount, amount]
    assert queries.cooperative_balance(cooperative.id) == (-1200, 1200)
    assert queries.trial_balance().total_cents == 0


def test_post_many_skips_keys_already_posted_so_a_rerun_moves_nothing(cooperative):
    operations.post_many([release(cooperative.id, "r:1", 500)])

    again = operations.post_many(
        [release(cooperative.id, "r:1", 500), release(cooperative.id, "r:2", 300)]
    )

    assert set(again) == {"r:2"}
    assert queries.cooperative_balance(cooperative.id) == (-800, 800)


def test_post_many_refuses_an_unbalanced_event_or_a_shared_key_before_writing(cooperative):
    lopsided = operations.Posting("earnings_release", "r:9", (Entry(codes.PLATFORM_REVENUE, 5),))
    with pytest.raises(operations.UnbalancedTransaction):
        operations.post_many([release(cooperative.id, "r:1", 500), lopsided])
    with pytest.raises(ValueError, match="share a key"):
        operations.post_many(
            [release(cooperative.id, "r:1", 500), release(cooperative.id, "r:1", 9)]
        )
    with pytest.raises(ValueError, match="unknown ledger references"):
        operations.post_many([release(cooperative.id, "r:1", 500, shopper_id=3)])

    assert db.session.scalar(select(func.count()).select_from(LedgerTransaction)) == 0
