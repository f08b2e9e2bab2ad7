"""Which fair is open today (Morocco's date), and giving cooperatives their stands."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from support.factories import CooperativeFactory, FairFactory, StandFactory, UserFactory

from app.core.errors import Conflict, Forbidden, ValidationFailed
from app.extensions import db
from app.fair import services
from app.fair.models import Stand
from app.fair.queries import current_stand, morocco_today, open_fair, stands_of


def stand_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Stand))


def test_today_is_moroccos_date_not_the_servers():
    # 23:30 UTC in January is already 00:30 the next day in Casablanca (UTC+1).
    assert morocco_today(datetime(2024, 1, 15, 23, 30, tzinfo=UTC)) == date(2024, 1, 16)
    assert morocco_today(datetime(2024, 1, 15, 22, 30, tzinfo=UTC)) == date(2024, 1, 15)


def test_open_fair_is_the_one_whose_days_include_today():
    khenifra = FairFactory(starts_on=date(2024, 5, 10), ends_on=date(2024, 5, 17))
    FairFactory(starts_on=date(2023, 5, 10), ends_on=date(2023, 5, 17))

    assert open_fair(date(2024, 5, 10)) == khenifra
    assert open_fair(date(2024, 5, 17)) == khenifra
    assert open_fair(date(2024, 5, 18)) is None
    assert open_fair(date(2024, 5, 9)) is None


def test_when_fairs_overlap_the_latest_to_start_is_open():
    FairFactory(starts_on=date(2024, 5, 1), ends_on=date(2024, 5, 20))
    later = FairFactory(starts_on=date(2024, 5, 10), ends_on=date(2024, 5, 12))
    assert open_fair(date(2024, 5, 11)) == later


def test_current_stand_is_the_stand_at_the_fair_open_today():
    cooperative = CooperativeFactory()
    stand = StandFactory(cooperative=cooperative)
    closed = FairFactory(
        starts_on=date.today() - timedelta(days=400), ends_on=date.today() - timedelta(days=393)
    )
    StandFactory(cooperative=CooperativeFactory(), fair=closed)

    assert current_stand(cooperative.id, morocco_today()) == stand
    assert current_stand(cooperative.id, date.today() + timedelta(days=30)) is None
    assert current_stand(CooperativeFactory().id, morocco_today()) is None


def test_admin_gives_a_verified_cooperative_a_stand(admin):
    fair, cooperative = FairFactory(), CooperativeFactory()
    stand = services.add_stand(fair, cooperative, " b-07 ", admin)
    assert (stand.fair_id, stand.cooperative_id, stand.code) == (fair.id, cooperative.id, "B-07")


def test_a_stand_code_is_given_once_per_fair(admin):
    fair = FairFactory()
    services.add_stand(fair, CooperativeFactory(), "B-07", admin)
    with pytest.raises(Conflict) as caught:
        services.add_stand(fair, CooperativeFactory(), "b-07", admin)
    assert caught.value.status == 409
    assert "code" in caught.value.fields
    assert stand_count() == 1
    services.add_stand(FairFactory(), CooperativeFactory(), "B-07", admin)


def test_a_cooperative_has_one_stand_per_fair(admin):
    fair, cooperative = FairFactory(), CooperativeFactory()
    services.add_stand(fair, cooperative, "A-01", admin)
    with pytest.raises(Conflict) as caught:
        services.add_stand(fair, cooperative, "A-02", admin)
    assert "cooperative_id" in caught.value.fields
    assert stand_count() == 1


def test_only_verified_cooperatives_get_a_stand(admin):
    for status in ("pending", "suspended"):
        with pytest.raises(Conflict) as caught:
            services.add_stand(FairFactory(), CooperativeFactory(status=status), "A-01", admin)
        assert caught.value.code == "cooperative_not_verified"
    assert stand_count() == 0


def test_only_admins_give_stands_and_codes_must_be_well_formed(admin):
    fair = FairFactory()
    with pytest.raises(Forbidden):
        services.add_stand(fair, CooperativeFactory(), "A-01", UserFactory())
    for bad in ("", "   ", "A 01", "A-0123456789X", "-A1", "Ä1"):
        with pytest.raises(ValidationFailed):
            services.add_stand(fair, CooperativeFactory(), bad, admin)
    assert stand_count() == 0


def test_two_admins_giving_the_same_stand_at_once_get_one_stand_and_a_conflict(admin, monkeypatch):
    fair = FairFactory()
    StandFactory(fair=fair, code="C-03")
    db.session.commit()
    checks = []
    real_check = services._check_free

    def check_that_missed_the_other_admin(*args):
        # The first check runs before the other admin's row is visible; the unique
        # constraint then decides, and the re-check explains the refusal.
        checks.append(args)
        if len(checks) > 1:
            real_check(*args)

    monkeypatch.setattr(services, "_check_free", check_that_missed_the_other_admin)
    with pytest.raises(Conflict) as caught:
        services.add_stand(fair, CooperativeFactory(), "C-03", admin)
    assert caught.value.code == "stand_taken"
    assert "code" in caught.value.fields
    assert stand_count() == 1


def test_public_stands_leave_out_cooperatives_no_longer_verified():
    fair = FairFactory()
    StandFactory(fair=fair, code="B-02")
    StandFactory(fair=fair, code="A-01")
    StandFactory(fair=fair, code="C-01", cooperative=CooperativeFactory(status="suspended"))

    assert [s.code for s in stands_of(fair)] == ["A-01", "B-02"]
    assert [s.code for s in stands_of(fair.id, only_selling=False)] == ["A-01", "B-02", "C-01"]
