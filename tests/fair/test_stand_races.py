"""Two admins giving the same stand at the same moment: one stand, one clear 409 (real commits)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from support.factories import AdminFactory, CooperativeFactory, FairFactory

from app.accounts.models import User
from app.cooperatives.models import Cooperative
from app.core.errors import Conflict
from app.extensions import db
from app.fair import services
from app.fair.models import Fair, Stand


# On SQLite every transaction begins IMMEDIATE, so two writers never interleave there.
@pytest.mark.postgres
def test_simultaneous_stands_with_one_code_give_one_stand_and_one_conflict(
    app, committing_db, monkeypatch
):
    fair_id = FairFactory().id
    cooperative_ids = [CooperativeFactory().id, CooperativeFactory().id]
    admin_id = AdminFactory().id
    db.session.commit()

    both_checked = threading.Barrier(2)
    first_check = threading.local()
    real_check = services._check_free

    def check_then_wait(*args):
        # Both admins see a free stand before either writes: only the database can decide.
        real_check(*args)
        if not getattr(first_check, "done", False):
            first_check.done = True
            both_checked.wait(timeout=10)

    monkeypatch.setattr(services, "_check_free", check_then_wait)
    given: list[int] = []
    refused: list[Conflict] = []
    failures: list[BaseException] = []

    def give_stand(cooperative_id: int) -> None:
        with app.app_context():
            try:
                fair = db.session.get(Fair, fair_id)
                cooperative = db.session.get(Cooperative, cooperative_id)
                admin = db.session.get(User, admin_id)
                given.append(services.add_stand(fair, cooperative, "B-07", admin).id)
            except Conflict as conflict:
                refused.append(conflict)
            except BaseException as error:  # reported below
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=give_stand, args=(cid,)) for cid in cooperative_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures, failures
    assert len(given) == 1
    assert [conflict.code for conflict in refused] == ["stand_taken"]
    assert "code" in refused[0].fields
    assert db.session.scalar(select(func.count()).select_from(Stand)) == 1
