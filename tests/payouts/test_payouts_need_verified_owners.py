"""A payout run proposes nothing, and an approved payout is not executed, for a cooperative
whose owner has not confirmed their e-mail address: any owner can change the RIB."""

from __future__ import annotations

import pytest
from support.factories import AdminFactory, MembershipFactory, UserFactory

from app.cooperatives.queries import cooperatives_with_unverified_owners
from app.extensions import db
from app.payouts import services
from app.payouts.errors import PayoutDetailsMissing
from app.payouts.models import Payout, PayoutStatus


@pytest.fixture
def owed_cooperative(bank_cooperative, books):
    """A verified cooperative, with a verified owner, owed more than the minimum."""
    books.earn(bank_cooperative, 50000)
    return bank_cooperative


def test_a_run_blocks_a_cooperative_whose_owner_is_unverified(owed_cooperative):
    cooperative = owed_cooperative
    MembershipFactory(cooperative=cooperative, user=UserFactory(email_verified_at=None))

    report = services.run_payouts(actor=AdminFactory())

    assert report.proposed == []
    [blocked] = report.blocked
    assert blocked.cooperative.id == cooperative.id
    assert "confirm their email address" in blocked.reason


def test_a_run_proposes_once_every_owner_is_verified(owed_cooperative):
    report = services.run_payouts(actor=AdminFactory())

    assert [payout.cooperative_id for payout in report.proposed] == [owed_cooperative.id]


def test_an_unverified_staff_member_blocks_nothing(owed_cooperative):
    MembershipFactory(
        cooperative=owed_cooperative, user=UserFactory(email_verified_at=None), role="staff"
    )

    assert cooperatives_with_unverified_owners([owed_cooperative.id]) == set()


def test_executing_refuses_once_an_unverified_owner_joined(owed_cooperative):
    admin = AdminFactory()
    [payout] = services.run_payouts(actor=admin).proposed
    services.approve(payout, admin)
    MembershipFactory(cooperative=owed_cooperative, user=UserFactory(email_verified_at=None))

    with pytest.raises(PayoutDetailsMissing):
        services.execute(payout, admin)

    db.session.expire_all()
    assert db.session.get(Payout, payout.id).status == PayoutStatus.APPROVED


def test_a_cooperative_without_any_owner_account_is_not_held_back():
    from support.factories import CooperativeFactory

    assert cooperatives_with_unverified_owners([CooperativeFactory().id]) == set()


def test_one_query_tells_which_cooperatives_have_an_unverified_owner(count_queries):
    from support.factories import CooperativeFactory

    held, clear = CooperativeFactory(), CooperativeFactory()
    MembershipFactory(cooperative=held, user=UserFactory(email_verified_at=None))
    MembershipFactory(cooperative=held)
    MembershipFactory(cooperative=clear)

    with count_queries() as statements:
        found = cooperatives_with_unverified_owners([held.id, clear.id])

    assert found == {held.id}
    assert len(statements) == 1
