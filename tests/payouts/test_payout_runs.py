"""A payout run proposes one payout per cooperative owed at least the minimum, once."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from support.factories import AdminFactory, CooperativeFactory, UserFactory

from app.core.errors import Forbidden
from app.extensions import db
from app.payouts import services
from app.payouts.models import Payout, PayoutEvent, PayoutStatus


def _payouts_of(cooperative) -> list[Payout]:
    return list(
        db.session.scalars(
            select(Payout).where(Payout.cooperative_id == cooperative.id).order_by(Payout.id)
        )
    )


def test_a_run_proposes_the_whole_available_balance(bank_cooperative, books):
    books.earn(bank_cooperative, 25080)

    report = services.run_payouts(actor=AdminFactory())

    [payout] = report.proposed
    assert payout.cooperative_id == bank_cooperative.id
    assert payout.amount_cents == 25080
    assert payout.method == "bank_transfer"
    assert payout.status == PayoutStatus.PROPOSED
    assert payout.reference == f"ST-PAY-{payout.id:06d}"
    assert payout.key.startswith(f"payout:{bank_cooperative.id}:")
    [event] = db.session.scalars(select(PayoutEvent).where(PayoutEvent.payout_id == payout.id))
    assert (event.from_status, event.to_status) == (None, "proposed")
    # Proposing moves no money: it leaves when the payout is executed.
    assert books.available(bank_cooperative) == 25080
    books.assert_balanced()


def test_running_twice_proposes_once(bank_cooperative, books):
    books.earn(bank_cooperative, 50000)

    first = services.run_payouts()
    second = services.run_payouts()

    assert len(first.proposed) == 1
    assert second.proposed == []
    assert len(_payouts_of(bank_cooperative)) == 1


def test_a_second_proposal_for_a_waiting_cooperative_is_refused_by_the_database(
    bank_cooperative,
):
    # What two runs racing for one cooperative meet: the unique index on waiting payouts.
    db.session.add(
        Payout(
            cooperative_id=bank_cooperative.id,
            amount_cents=10000,
            method="bank_transfer",
            status="approved",
            key="payout:test:1",
        )
    )
    db.session.flush()

    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(
            Payout(
                cooperative_id=bank_cooperative.id,
                amount_cents=10000,
                method="bank_transfer",
                status="proposed",
                key="payout:test:2",
            )
        )


def test_the_minimum_payout_is_respected(bank_cooperative, books):
    books.earn(bank_cooperative, 9999)
    assert services.run_payouts().proposed == []

    books.earn(bank_cooperative, 1)
    [payout] = services.run_payouts().proposed
    assert payout.amount_cents == 10000


def test_the_minimum_is_a_setting(app, monkeypatch, bank_cooperative, books):
    monkeypatch.setitem(app.config, "PAYOUT_MINIMUM_CENTS", 50000)
    books.earn(bank_cooperative, 40000)

    assert services.run_payouts().proposed == []


def test_a_negative_balance_gets_no_payout_and_is_netted_from_the_next(bank_cooperative, books):
    # Fees on cash the cooperative kept: it owes 60.00 MAD.
    books.earn(bank_cooperative, -6000)
    assert services.run_payouts().proposed == []
    assert books.available(bank_cooperative) == -6000

    books.earn(bank_cooperative, 12000)
    assert services.run_payouts().proposed == []  # 60.00 MAD net: below the minimum

    books.earn(bank_cooperative, 10000)
    [payout] = services.run_payouts().proposed
    assert payout.amount_cents == 12000 + 10000 - 6000
    books.assert_balanced()


def test_cooperatives_that_cannot_be_paid_are_reported_not_proposed(books):
    no_rib = CooperativeFactory(rib=None)
    bad_key = CooperativeFactory(rib="001810007800020110620222")
    no_account = CooperativeFactory(payout_method="stripe", stripe_account_id=None)
    suspended = CooperativeFactory(status="suspended")
    for cooperative in (no_rib, bad_key, no_account, suspended):
        books.earn(cooperative, 20000)

    report = services.run_payouts()

    assert report.proposed == []
    reasons = {blocked.cooperative.id: blocked.reason for blocked in report.blocked}
    assert reasons == {
        no_rib.id: "The cooperative has no valid RIB.",
        bad_key.id: "The cooperative has no valid RIB.",
        no_account.id: "The cooperative has no connected Stripe account.",
        suspended.id: "The cooperative is not verified.",
    }
    assert all(blocked.available_cents == 20000 for blocked in report.blocked)


def test_only_admins_run_payouts_by_hand():
    with pytest.raises(Forbidden):
        services.run_payouts(actor=UserFactory())


def test_money_made_available_while_a_payout_is_executed_is_proposed_next(bank_cooperative, books):
    admin = AdminFactory()
    books.earn(bank_cooperative, 30000)
    [first] = services.run_payouts().proposed
    books.earn(bank_cooperative, 20000)
    assert services.run_payouts().proposed == []  # one payout waits at a time

    services.approve(first, admin)
    services.execute(first, admin)
    [second] = services.run_payouts().proposed

    assert second.amount_cents == 20000
    assert books.available(bank_cooperative) == 20000
    books.assert_balanced()


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(balances=st.lists(st.integers(min_value=-50_000, max_value=500_000), min_size=1, max_size=5))
def test_a_run_proposes_exactly_the_balances_at_or_above_the_minimum(balances, books):
    cooperatives = [CooperativeFactory() for _ in balances]
    for cooperative, cents in zip(cooperatives, balances, strict=True):
        if cents:
            books.earn(cooperative, cents)

    report = services.run_payouts()
    again = services.run_payouts()

    proposed = {payout.cooperative_id: payout.amount_cents for payout in report.proposed}
    expected = {
        cooperative.id: cents
        for cooperative, cents in zip(cooperatives, balances, strict=True)
        if cents >= 10000
    }
    assert proposed == expected
    assert again.proposed == []
    total = db.session.scalar(select(func.count()).select_from(Payout))
    assert total >= len(expected)
    books.assert_balanced()
